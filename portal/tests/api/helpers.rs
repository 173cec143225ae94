//! The portal tests' own helpers; the portal runs through the suite's harness
//! (`devstack::harness`). The portal signs people up and in itself, so its tests hold session
//! cookies as the browser does rather than harness-made sessions.

use std::{ops::Deref, time::Duration};

use devstack::{
    harness::{self, Opts},
    testkit::{self, Answer},
};
use reqwest::StatusCode;

pub struct TestApp(harness::TestApp);

impl Deref for TestApp {
    type Target = harness::TestApp;
    fn deref(&self) -> &harness::TestApp {
        &self.0
    }
}

pub struct Options {
    /// The absolute session lifetime.
    pub absolute: Duration,
    /// Where the portal reaches the restaurants app (by default: nowhere, it is "down").
    pub restaurants_url: String,
    /// Where it reaches the events app (by default: nowhere).
    pub events_url: String,
    /// Where it reaches the store (by default: nowhere).
    pub store_url: String,
    pub providers: Vec<portal::oauth::ssr::ProviderConfig>,
    /// Deliver the portal's mail to the test process's maildev.
    pub mail: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            absolute: Duration::from_secs(3600),
            restaurants_url: harness::NOWHERE.into(),
            events_url: harness::NOWHERE.into(),
            store_url: harness::NOWHERE.into(),
            providers: Vec::new(),
            mail: true,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await
}

pub async fn spawn_with(opts: Options) -> TestApp {
    let def = portal::server::app(portal::server::Settings {
        providers: opts.providers,
        aggregate_timeout: Duration::from_millis(500),
    });
    let (absolute, restaurants, events, store) = (
        opts.absolute,
        opts.restaurants_url,
        opts.events_url,
        opts.store_url,
    );
    let harness_opts = if opts.mail {
        Opts::default().with_mail()
    } else {
        Opts::default()
    };
    let opts = harness_opts.configure(move |cfg| {
        cfg.sessions.absolute = absolute;
        cfg.internal_urls.insert("restaurants".into(), restaurants);
        cfg.internal_urls.insert("events".into(), events);
        cfg.internal_urls.insert("store".into(), store);
    });
    TestApp(harness::TestApp::spawn_with(def, opts).await)
}

/// What a server function answered, with the session cookie it set.
pub struct FnAnswer {
    answer: Answer,
    cookie_name: String,
}

impl Deref for FnAnswer {
    type Target = Answer;
    fn deref(&self) -> &Answer {
        &self.answer
    }
}

impl FnAnswer {
    /// The session cookie the answer set, if any: `(value, full Set-Cookie line)`.
    pub fn session_cookie(&self) -> Option<(String, String)> {
        self.answer.cookie(&self.cookie_name)
    }
}

impl TestApp {
    pub fn client() -> reqwest::Client {
        testkit::client()
    }

    /// The `Cookie` header for a session cookie value.
    pub fn cookie_header(&self, value: &str) -> String {
        format!("{}={value}", self.cookie_name)
    }

    /// Calls a server function as the hydrated page does (form-encoded POST from the portal's
    /// origin), with an optional session cookie value.
    pub async fn call(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> FnAnswer {
        self.call_from(path, form, cookie, Some(&self.origin)).await
    }

    pub async fn call_from(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> FnAnswer {
        let cookie = cookie.map(|c| self.cookie_header(c));
        FnAnswer {
            answer: testkit::post_form(&self.url(path), form, cookie.as_deref(), origin).await,
            cookie_name: self.cookie_name.clone(),
        }
    }

    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> FnAnswer {
        self.call(
            "/api/auth/signup",
            &[("name", name), ("email", email), ("password", password)],
            None,
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str, cookie: Option<&str>) -> FnAnswer {
        self.call(
            "/api/auth/signin",
            &[("email", email), ("password", password)],
            cookie,
        )
        .await
    }

    /// The link in the latest sign-up confirmation this portal sent to `email` (waits for the
    /// `count`th message to that address).
    pub async fn confirm_link(&self, email: &str, count: usize) -> String {
        let mails = self.mails_to(email, count).await;
        let last = mails.last().expect("a message");
        assert_eq!(
            last["subject"], "Confirm your email for SteppersLife",
            "{last:#?}"
        );
        devstack::link_in(
            last["text"].as_str().unwrap_or(""),
            &format!("{}/verify?token=", self.suite.portal()),
        )
        .expect("a confirmation link")
    }

    /// Follows the latest confirmation link sent to `email`, in a browser holding `cookie`.
    pub async fn confirm_sign_up(
        &self,
        email: &str,
        count: usize,
        cookie: Option<&str>,
    ) -> FnAnswer {
        let link = self.confirm_link(email, count).await;
        let token = link
            .split_once("token=")
            .map(|(_, t)| t.to_owned())
            .expect("token");
        self.call("/api/auth/confirm", &[("token", &token)], cookie)
            .await
    }

    /// Signs up a fresh person, confirms the address from the mail, and returns the session
    /// cookie value.
    pub async fn signed_up(&self, email: &str) -> String {
        let res = self
            .sign_up("Ada Lovelace", email, "correct horse battery")
            .await;
        assert!(
            res.status.is_success() || res.status.is_redirection(),
            "sign-up failed: {:?}",
            res.body
        );
        assert!(
            res.session_cookie().is_none(),
            "nobody is signed in before confirming"
        );
        let before = self.maildev.map(|_| 0).unwrap_or(0);
        let confirmed = self.confirm_sign_up(email, before + 1, None).await;
        assert!(
            confirmed.status.is_success() || confirmed.status.is_redirection(),
            "confirming failed: {:?}",
            confirmed.body
        );
        confirmed
            .session_cookie()
            .expect("confirming sets the session cookie")
            .0
    }

    /// Who the header says is signed in with `cookie`.
    pub async fn whoami(&self, cookie: Option<&str>) -> Option<String> {
        let res = self.call("/api/_suite/nav", &[], cookie).await;
        assert_eq!(res.status, StatusCode::OK, "nav failed: {:?}", res.body);
        res.body
            .get("user")
            .and_then(|u| u.get("email"))
            .and_then(|e| e.as_str())
            .map(str::to_owned)
    }
}

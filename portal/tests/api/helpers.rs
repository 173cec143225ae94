use std::{net::SocketAddr, time::Duration};

use devstack::{
    TestDb,
    testkit::{self, Answer, Spawned},
};
use platform::suite::Suite;
use portal::server::{Config, serve};
use reqwest::StatusCode;
use sso::SessionSettings;

/// The portal's public origin in tests (what a browser on the portal would send as `Origin`).
pub const ORIGIN: &str = "http://stepperslife.localhost:3001";

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: TestDb,
    _server: Spawned,
}

pub struct Options {
    pub absolute: Duration,
    /// Where the portal looks for the restaurants app.
    pub restaurants_url: String,
    pub providers: Vec<portal::oauth::ssr::ProviderConfig>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            absolute: Duration::from_secs(3600),
            // Nothing listens on port 9: the restaurants app is "down".
            restaurants_url: "http://127.0.0.1:9".into(),
            providers: Vec::new(),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_with(Options::default()).await
}

pub async fn spawn_with(opts: Options) -> TestApp {
    let db = TestDb::new(None).await;
    let suite = Suite::local();
    let config = Config {
        database_url: db.url.clone(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        site_root: "site/portal".into(),
        sessions: SessionSettings::new(&suite, Duration::from_secs(3600), opts.absolute, false),
        suite,
        trust_proxy: false,
        restaurants_internal_url: opts.restaurants_url,
        aggregate_timeout: Duration::from_millis(500),
        seed_demo: false,
        providers: opts.providers,
    };
    let server = testkit::spawn(|shutdown, on_bound| serve(config, shutdown, on_bound)).await;
    TestApp {
        addr: server.addr,
        db,
        _server: server,
    }
}

/// What a server function answered, with the session cookie it set.
pub struct FnAnswer(pub Answer);

impl std::ops::Deref for FnAnswer {
    type Target = Answer;
    fn deref(&self) -> &Answer {
        &self.0
    }
}

impl FnAnswer {
    /// The session cookie the answer set, if any: `(value, full Set-Cookie line)`.
    pub fn session_cookie(&self) -> Option<(String, String)> {
        self.0.cookie("sl_session")
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn client() -> reqwest::Client {
        testkit::client()
    }

    /// Calls a server function as the hydrated page does (form-encoded POST from the portal's
    /// origin), with an optional session cookie.
    pub async fn call(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> FnAnswer {
        self.call_from(path, form, cookie, Some(ORIGIN)).await
    }

    pub async fn call_from(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> FnAnswer {
        let cookie = cookie.map(|c| format!("sl_session={c}"));
        FnAnswer(testkit::post_form(&self.url(path), form, cookie.as_deref(), origin).await)
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

    /// Signs up a fresh person and returns their session cookie value.
    pub async fn signed_up(&self, email: &str) -> String {
        let res = self
            .sign_up("Ada Lovelace", email, "correct horse battery")
            .await;
        assert_eq!(res.status, StatusCode::OK, "sign-up failed: {:?}", res.body);
        res.session_cookie()
            .expect("sign-up sets the session cookie")
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

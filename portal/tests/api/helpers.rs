use std::{net::SocketAddr, time::Duration};

use devstack::TestDb;
use platform::suite::{Manifest, PublicPort, Suite};
use portal::server::{Config, serve};
use reqwest::{StatusCode, header};
use sso::SessionSettings;

/// The portal's public origin in tests (what a browser on the portal would send as `Origin`).
pub const ORIGIN: &str = "http://stepperslife.localhost:3001";

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: TestDb,
    _shutdown: tokio::sync::oneshot::Sender<()>,
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
    let suite = Suite::new(
        Manifest::embedded(),
        "stepperslife.localhost".into(),
        "http".into(),
        PublicPort::PerApp,
    );
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
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let shutdown = async {
            let _ = rx.await;
        };
        if let Err(e) = serve(config, shutdown, |a| {
            let _ = addr_tx.send(a);
        })
        .await
        {
            eprintln!("portal failed: {e:#}");
        }
    });
    let addr = tokio::time::timeout(Duration::from_secs(30), addr_rx)
        .await
        .expect("portal starts within 30 s")
        .expect("portal bound");
    TestApp {
        addr,
        db,
        _shutdown: tx,
    }
}

/// What a server function answered.
pub struct FnAnswer {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: serde_json::Value,
}

impl FnAnswer {
    /// The session cookie the answer set, if any: `(value, full Set-Cookie line)`.
    pub fn session_cookie(&self) -> Option<(String, String)> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("sl_session="))
            .map(|c| {
                let value = c["sl_session=".len()..]
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .to_owned();
                (value, c.to_owned())
            })
    }

    /// The field an error answer is about.
    pub fn error_field(&self) -> Option<String> {
        self.body
            .get("Validation")
            .or_else(|| self.body.get("Conflict"))
            .and_then(|v| v.get("field"))
            .and_then(|f| f.as_str())
            .map(str::to_owned)
    }

    pub fn error_message(&self) -> String {
        self.body
            .as_object()
            .and_then(|o| o.values().next())
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or("")
                    .to_owned(),
            })
            .unwrap_or_default()
    }

    pub fn redirect_to(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// A client that follows no redirects and keeps no cookies (tests pass cookies by hand).
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
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
        let mut req = Self::client()
            .post(self.url(path))
            .header(header::ACCEPT, "application/json")
            .form(form);
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("sl_session={c}"));
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        FnAnswer {
            status,
            headers,
            body,
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

use std::{collections::HashMap, net::SocketAddr, time::Duration};

use devstack::{EmbeddedS3, TestDb};
use platform::suite::{Manifest, PublicPort, Suite};
use reqwest::{StatusCode, header};
use restaurants::server::{Config, serve};
use secrecy::SecretString;
use sso::{SessionReader, SessionSettings, SessionUser, SuiteStore, USER_KEY};
use storage::BucketConfig;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};
use uuid::Uuid;

pub const ORIGIN: &str = "http://restaurants.stepperslife.localhost:3010";

static PORTAL_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../../portal/migrations");

pub struct TestApp {
    pub addr: SocketAddr,
    pub db: TestDb,
    pub sessions_db: TestDb,
    _s3: EmbeddedS3,
    _s3_dir: TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub struct TempDir(pub std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn spawn_app() -> TestApp {
    let db = TestDb::new(None).await;
    let sessions_db = TestDb::new(Some(&PORTAL_MIGRATIONS)).await;
    let dir = TempDir(std::env::temp_dir().join(format!("restaurants-s3-{}", Uuid::new_v4())));
    let s3 = EmbeddedS3::start(
        &dir.0,
        "127.0.0.1:0".parse().expect("addr"),
        "key",
        "secret-secret",
    )
    .await
    .expect("S3 starts");
    let bucket = BucketConfig {
        endpoint: s3.endpoint(),
        region: "us-east-1".into(),
        access_key: "key".into(),
        secret_key: SecretString::from("secret-secret".to_owned()),
        bucket: "restaurants".into(),
    };
    storage::Storage::new(&bucket)
        .expect("storage")
        .ensure_bucket()
        .await
        .expect("bucket");
    let suite = Suite::new(
        Manifest::embedded(),
        "stepperslife.localhost".into(),
        "http".into(),
        PublicPort::PerApp,
    );
    let config = Config {
        database_url: db.url.clone(),
        session_database_url: sessions_db.url.clone(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        site_root: "site/restaurants".into(),
        sessions: SessionSettings::new(
            &suite,
            Duration::from_secs(3600),
            Duration::from_secs(3600),
            false,
        ),
        suite,
        bucket,
        seed_demo: true,
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
            eprintln!("restaurants failed: {e:#}");
        }
    });
    let addr = tokio::time::timeout(Duration::from_secs(30), addr_rx)
        .await
        .expect("starts within 30 s")
        .expect("bound");
    TestApp {
        addr,
        db,
        sessions_db,
        _s3: s3,
        _s3_dir: dir,
        _shutdown: tx,
    }
}

pub struct FnAnswer {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: serde_json::Value,
}

impl FnAnswer {
    pub fn error_field(&self) -> Option<String> {
        self.body
            .get("Validation")
            .or_else(|| self.body.get("Conflict"))
            .and_then(|v| v.get("field"))
            .and_then(|f| f.as_str())
            .map(str::to_owned)
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

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Signs someone in the way the portal does: a session row with the user in it.
    /// Returns `(user id, cookie value)`.
    pub async fn session_for(&self, name: &str) -> (Uuid, String) {
        let user = SessionUser {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            email: format!("{}@example.com", name.to_lowercase()),
            role: "member".into(),
            signed_in_at: SessionReader::now(),
        };
        let mut data = HashMap::new();
        data.insert(
            USER_KEY.to_owned(),
            serde_json::to_value(&user).expect("json"),
        );
        let mut record = Record {
            id: Id::default(),
            data,
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        SuiteStore::new(self.sessions_db.pool.clone())
            .create(&mut record)
            .await
            .expect("session created");
        (user.id, record.id.to_string())
    }

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

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> reqwest::Response {
        let mut req = Self::client().get(self.url(path));
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("sl_session={c}"));
        }
        req.send().await.expect("get")
    }
}

/// A valid restaurant form, with `overrides` applied.
pub fn form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("name", "Test Kitchen"),
        ("cuisine", "Soul food"),
        ("city", "Chicago"),
        ("address", "1 Main St"),
        ("description", "Good food."),
        ("price_level", "2"),
    ];
    for (k, v) in overrides {
        if let Some(slot) = f.iter_mut().find(|(fk, _)| fk == k) {
            slot.1 = v;
        }
    }
    f
}

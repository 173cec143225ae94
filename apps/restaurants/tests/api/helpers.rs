use std::{collections::HashMap, net::SocketAddr, time::Duration};

use devstack::{
    EmbeddedS3, TestDb,
    testkit::{self, Spawned},
};
use platform::suite::Suite;
use reqwest::header;
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
    _server: Spawned,
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
    let suite = Suite::local();
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
    let server = testkit::spawn(|shutdown, on_bound| serve(config, shutdown, on_bound)).await;
    TestApp {
        addr: server.addr,
        db,
        sessions_db,
        _s3: s3,
        _s3_dir: dir,
        _server: server,
    }
}

pub use devstack::testkit::Answer as FnAnswer;

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn client() -> reqwest::Client {
        testkit::client()
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
        let cookie = cookie.map(|c| format!("sl_session={c}"));
        testkit::post_form(&self.url(path), form, cookie.as_deref(), origin).await
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

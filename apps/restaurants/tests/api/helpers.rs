use std::{collections::HashMap, net::SocketAddr, time::Duration};

use devstack::{
    EmbeddedS3, TestDb,
    testkit::{self, Spawned},
};
use platform::suite::Suite;
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
    pub bucket: BucketConfig,
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
        bucket: bucket.clone(),
        seed_demo: true,
    };
    let server = testkit::spawn(|shutdown, on_bound| serve(config, shutdown, on_bound)).await;
    TestApp {
        addr: server.addr,
        db,
        sessions_db,
        bucket,
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

    /// The app's bucket, to look at what is stored.
    pub fn storage(&self) -> storage::Storage {
        storage::Storage::new(&self.bucket).expect("storage")
    }

    /// `POST` JSON to the API as a browser page of the suite would (cookie, Origin).
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        cookie: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> (StatusCode, serde_json::Value) {
        let mut req = Self::client()
            .post(self.url(path))
            .header(header::ORIGIN, ORIGIN)
            .json(body);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("sl_session={c}"));
        }
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        let res = req.send().await.expect("post");
        let status = res.status();
        let text = res.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    /// A restaurant owned by `owner` with a small menu, open around the clock.
    pub async fn kitchen(&self, owner: Uuid) -> Kitchen {
        let pool = &self.db.pool;
        let slug = format!("kitchen-{}", &Uuid::new_v4().simple().to_string()[..8]);
        let id: Uuid = sqlx::query_scalar(
            "insert into restaurants (owner_id, slug, name, cuisine, city, price_level, time_zone)
             values ($1, $2, 'Test Kitchen', 'Soul food', 'Chicago', 2, 'America/Chicago') returning id",
        )
        .bind(owner)
        .bind(&slug)
        .fetch_one(pool)
        .await
        .expect("restaurant");
        sqlx::query(
            "insert into opening_hours (restaurant_id, weekday, opens, closes)
             select $1, d, '00:00', '00:00' from generate_series(0, 6) d",
        )
        .bind(id)
        .execute(pool)
        .await
        .expect("hours");
        let cat: Uuid = sqlx::query_scalar(
            "insert into menu_categories (restaurant_id, name) values ($1, 'Mains') returning id",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("category");
        let item = |name: &'static str, price: i32, sold_out: bool| async move {
            sqlx::query_scalar::<_, Uuid>(
                "insert into menu_items (restaurant_id, category_id, name, price_cents, sold_out)
                 values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(id)
            .bind(cat)
            .bind(name)
            .bind(price)
            .bind(sold_out)
            .fetch_one(pool)
            .await
            .expect("item")
        };
        let wings = item("Wings", 1000, false).await;
        let oxtail = item("Oxtail", 2200, true).await;
        let group: Uuid = sqlx::query_scalar(
            "insert into option_groups (item_id, name, min_choices, max_choices) values ($1, 'Sauce', 1, 1) returning id",
        )
        .bind(wings)
        .fetch_one(pool)
        .await
        .expect("group");
        let option = |name: &'static str, delta: i32| async move {
            sqlx::query_scalar::<_, Uuid>(
                "insert into options (group_id, name, price_delta_cents) values ($1, $2, $3) returning id",
            )
            .bind(group)
            .bind(name)
            .bind(delta)
            .fetch_one(pool)
            .await
            .expect("option")
        };
        let mild = option("Mild", 0).await;
        let lemon_pepper = option("Lemon pepper", 150).await;
        Kitchen {
            id,
            slug,
            category: cat,
            wings,
            oxtail,
            sauce: group,
            mild,
            lemon_pepper,
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

/// A restaurant made by [`TestApp::kitchen`]: Wings $10.00 (sauce: Mild +$0, Lemon pepper
/// +$1.50, choose exactly 1) and Oxtail $22.00 (sold out).
#[derive(Debug, Clone)]
pub struct Kitchen {
    pub id: Uuid,
    pub slug: String,
    pub category: Uuid,
    pub wings: Uuid,
    pub oxtail: Uuid,
    pub sauce: Uuid,
    pub mild: Uuid,
    pub lemon_pepper: Uuid,
}

impl Kitchen {
    /// An order body: `lines` of (item, quantity, options).
    pub fn order(
        &self,
        lines: &[(Uuid, u32, &[Uuid])],
        expected: Option<i64>,
    ) -> serde_json::Value {
        serde_json::json!({
            "restaurant_id": self.id,
            "lines": lines.iter().map(|(item, q, opts)| serde_json::json!({
                "item_id": item, "quantity": q, "option_ids": opts,
            })).collect::<Vec<_>>(),
            "pickup": { "kind": "asap" },
            "expected_total_cents": expected,
        })
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

//! Starting an app of the suite for its HTTP tests, the way it runs in production but in this
//! process: from its `AppDef`, on a port bound once and handed over, with a fresh database
//! copied from its migrated template, a fresh session database (the portal's schema), a bucket
//! on an embedded S3 server when the app has one, small pools, and demo data only when asked.
//!
//! ```ignore
//! let app = TestApp::spawn(restaurants::server::app()).await;
//! let ada = app.signed_in("Ada").await;
//! let res = app.call("/api/restaurants/create", &[("name", "Soul")], Some(&ada)).await;
//! ```

use std::{collections::HashMap, net::SocketAddr, sync::Once, time::Duration};

use appkit::{AppDef, AppState, Bind, Config, Listener};
use mail::MailConfig;
use platform::suite::Suite;
use reqwest::header;
use secrecy::SecretString;
use sso::{SessionReader, SessionSettings, SessionUser, SuiteStore, USER_KEY};
use storage::{BucketConfig, Storage};
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
};
use uuid::Uuid;

use crate::{
    EmbeddedS3, Localstripe, Maildev, TestDb,
    testkit::{self, Answer},
};

/// The portal's migrations: the schema of the session database every app reads.
pub static PORTAL_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../portal/migrations");

/// A change to an app's configuration before it starts.
pub type Configure = Box<dyn FnOnce(&mut Config) + Send>;

/// How to start the app.
#[derive(Default)]
pub struct Opts {
    /// Insert the app's demo data (only the tests that need it: it costs time).
    pub seed: bool,
    /// Deliver the app's mail to maildev (see [`TestApp::maildev`]); else it stays queued.
    pub mail: bool,
    /// Changes to the configuration before the app starts (another app's URL, say).
    pub configure: Option<Configure>,
    /// A listening socket to serve on (as systemd's socket unit hands one to each start of an
    /// app); else one of its own on a free port.
    pub listener: Option<std::net::TcpListener>,
}

impl Opts {
    pub fn seeded() -> Self {
        Self {
            seed: true,
            ..Self::default()
        }
    }

    /// The app's mail goes to maildev (one per test process), where the test reads it.
    pub fn with_mail(mut self) -> Self {
        self.mail = true;
        self
    }

    pub fn configure(mut self, f: impl FnOnce(&mut Config) + Send + 'static) -> Self {
        self.configure = Some(Box::new(f));
        self
    }

    /// Serve on `listener` (a clone of a socket the test keeps open).
    pub fn listener(mut self, listener: std::net::TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }
}

/// Someone signed in, as the portal signs people in: a session row with them in it.
#[derive(Debug, Clone)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// The session cookie's value.
    pub session: String,
}

/// An app running for a test; it stops, and its databases and bucket go, when dropped.
pub struct TestApp {
    pub addr: SocketAddr,
    /// The app's own database.
    pub db: TestDb,
    /// The session database (the portal's schema); `None` for the portal, which keeps its
    /// sessions in `db`.
    pub sessions_db: Option<TestDb>,
    /// The app's state, as its handlers see it.
    pub state: AppState,
    pub suite: Suite,
    /// The app's public origin (what its pages send as `Origin`).
    pub origin: String,
    pub cookie_name: String,
    /// Where the app's mail goes (with [`Opts::with_mail`]).
    pub maildev: Option<&'static Maildev>,
    /// The app's sender address, its own in this test process (the maildev is shared): tests
    /// read this app's mail only (see [`TestApp::mails_to`]).
    pub mail_from: String,
    /// Where the app's card payments go (an app that takes payments).
    pub localstripe: Option<&'static Localstripe>,
    /// What the app's webhooks are signed with.
    pub webhook_secret: String,
    bucket: Option<(BucketConfig, EmbeddedS3, tempfile::TempDir)>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    serving: Option<tokio::task::JoinHandle<()>>,
}

/// The test process's maildev, started on first use; it ends with the process.
pub fn shared_maildev() -> &'static Maildev {
    static MAILDEV: std::sync::OnceLock<Maildev> = std::sync::OnceLock::new();
    MAILDEV.get_or_init(|| {
        Maildev::start(0, 0, None).expect("maildev starts (ecosystem/bootstrap installs it)")
    })
}

/// The test process's localstripe, started on first use; it ends with the process.
pub fn shared_localstripe() -> &'static Localstripe {
    static LOCALSTRIPE: std::sync::OnceLock<Localstripe> = std::sync::OnceLock::new();
    LOCALSTRIPE.get_or_init(|| {
        Localstripe::start(0, None).expect("localstripe starts (ecosystem/bootstrap installs it)")
    })
}

/// `TEST_LOG=1` shows the servers' logs (once per test binary).
fn init_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some() {
            platform::telemetry::init("test");
        }
    });
}

/// An address nothing listens on, ever: connecting to port 0 is refused at once.
pub const NOWHERE: &str = "http://127.0.0.1:0";

impl TestApp {
    pub async fn spawn(def: AppDef) -> Self {
        Self::spawn_with(def, Opts::default()).await
    }

    pub async fn spawn_with(def: AppDef, opts: Opts) -> Self {
        init_logs();
        let name = def.name();
        let db = TestDb::migrated(&def.migrations().await.expect("the app's migrations")).await;
        let maildev = opts.mail.then(shared_maildev);
        // An app that takes payments pays through localstripe, which sends it its webhooks.
        let localstripe = def.takes_payments().then(shared_localstripe);
        let webhook_secret = format!("whsec_{}", platform::token::nonce());
        let mail_from = format!("{}@{}", db.name, Suite::local().domain);
        let sessions_db = if def.keeps_sessions() {
            None
        } else {
            Some(TestDb::migrated(&PORTAL_MIGRATOR).await)
        };
        let bucket = if def.has_bucket() {
            Some(Self::bucket(name).await)
        } else {
            None
        };
        let listener = match opts.listener {
            Some(l) => l,
            None => std::net::TcpListener::bind("127.0.0.1:0").expect("a port on loopback"),
        };
        let addr = listener.local_addr().expect("bound address");
        let suite = Suite::local();
        let sessions = SessionSettings::new(
            &suite,
            Duration::from_secs(3600),
            Duration::from_secs(3600),
            false,
        );
        let mut cfg = Config {
            app: name,
            database_url: SecretString::from(db.url.clone()),
            session_database_url: sessions_db
                .as_ref()
                .map(|s| SecretString::from(s.url.clone())),
            bind: Bind::Addr(addr),
            site_root: format!("site/{name}").into(),
            suite: suite.clone(),
            sessions,
            bucket: bucket.as_ref().map(|(b, _, _)| b.clone()),
            seed_demo: opts.seed,
            pool_size: 3,
            // Tests stand in for the proxy: they may say which client a request is from.
            trusted_proxies: appkit::LOOPBACK.to_vec(),
            internal_urls: suite
                .manifest
                .enabled()
                .map(|a| (a.name.clone(), NOWHERE.to_owned()))
                .collect(),
            mail: MailConfig {
                smtp_url: maildev.map(|m| SecretString::from(m.smtp_url())),
                from: mail::Mailbox::new(
                    Some(suite.manifest.suite.name.clone()),
                    mail_from.parse().expect("a sender address"),
                ),
            },
            payments: localstripe.map(|l| payments::PaymentsConfig {
                api_base: l.api_base(),
                secret_key: SecretString::from(crate::localstripe::SECRET_KEY.to_owned()),
                publishable_key: crate::localstripe::PUBLISHABLE_KEY.to_owned(),
                webhook_secret: SecretString::from(webhook_secret.clone()),
                js_url: l.js_url(),
                currency: "usd".to_owned(),
            }),
        };
        if let Some(l) = localstripe {
            let url = format!("http://{addr}{}", payments::WEBHOOK_PATH);
            l.add_webhook(&db.name, &url, &webhook_secret)
                .await
                .expect("localstripe takes the webhook");
        }
        if let Some(configure) = opts.configure {
            configure(&mut cfg);
        }
        let cookie_name = cfg.sessions.cookie_name.clone();
        let built = def.build(cfg).await.expect("the app builds");
        let state = built.state.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(e) = built.serve(name, Listener::Bound(listener), shutdown).await {
                eprintln!("{name} stopped with an error: {e:#}");
            }
        });
        Self {
            addr,
            db,
            sessions_db,
            origin: state.origin.clone(),
            state,
            suite,
            cookie_name,
            maildev,
            mail_from,
            localstripe,
            webhook_secret,
            bucket,
            stop: Some(stop),
            serving: Some(serving),
        }
    }

    async fn bucket(name: &str) -> (BucketConfig, EmbeddedS3, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let s3 = EmbeddedS3::start(
            dir.path(),
            SocketAddr::from(([127, 0, 0, 1], 0)),
            "test-key",
            "test-secret",
        )
        .await
        .expect("S3 starts");
        let cfg = BucketConfig {
            endpoint: s3.endpoint(),
            region: "us-east-1".into(),
            access_key: "test-key".into(),
            secret_key: SecretString::from("test-secret".to_owned()),
            bucket: name.to_owned(),
        };
        Storage::new(&cfg)
            .expect("storage")
            .ensure_bucket()
            .await
            .expect("bucket");
        (cfg, s3, dir)
    }

    /// Stops serving as SIGTERM stops an app: no new connections taken, the requests under way
    /// answered, then the jobs stopped. Returns once it has stopped; its databases stay (for
    /// another instance).
    pub async fn stop_serving(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            let _ = serving.await;
        }
    }

    /// Where the app's bucket is, when it has one.
    pub fn bucket_config(&self) -> Option<&BucketConfig> {
        self.bucket.as_ref().map(|(cfg, _, _)| cfg)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The app's bucket, to look at what is stored.
    pub fn storage(&self) -> Storage {
        let (cfg, _, _) = self.bucket.as_ref().expect("this app has a bucket");
        Storage::new(cfg).expect("storage")
    }

    /// The pool of the database the sessions are in.
    pub fn sessions_pool(&self) -> &sqlx::PgPool {
        &self.sessions_db.as_ref().unwrap_or(&self.db).pool
    }

    /// Signs someone in the way the portal does: a session row with them in it.
    pub async fn signed_in(&self, name: &str) -> User {
        self.signed_in_since(name, SessionReader::now()).await
    }

    /// Like [`signed_in`](Self::signed_in), signed in at `signed_in_at` (unix seconds), with the
    /// session's idle deadline an hour from now (as if it had just been used).
    pub async fn signed_in_since(&self, name: &str, signed_in_at: i64) -> User {
        self.session_for(name, signed_in_at, false, "member").await
    }

    /// Like [`signed_in`](Self::signed_in), for a suite admin.
    pub async fn signed_in_admin(&self, name: &str) -> User {
        self.session_for(name, SessionReader::now(), false, "admin")
            .await
    }

    /// Like [`signed_in_since`](Self::signed_in_since), for someone who chose "Keep me signed
    /// in" (the longer lifetimes apply).
    pub async fn kept_signed_in_since(&self, name: &str, signed_in_at: i64) -> User {
        self.session_for(name, signed_in_at, true, "member").await
    }

    async fn session_for(&self, name: &str, signed_in_at: i64, kept: bool, role: &str) -> User {
        let user = SessionUser {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            email: format!(
                "{}.{}@example.com",
                name.to_lowercase().replace(' ', "."),
                &Uuid::new_v4().simple().to_string()[..6]
            ),
            role: role.into(),
            signed_in_at,
            kept,
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
        SuiteStore::new(self.sessions_pool().clone())
            .create(&mut record)
            .await
            .expect("session created");
        User {
            id: user.id,
            name: user.name,
            email: user.email,
            session: record.id.to_string(),
        }
    }

    /// The `Cookie` header value that carries `who`'s session.
    pub fn cookie(&self, who: &User) -> String {
        format!("{}={}", self.cookie_name, who.session)
    }

    /// Calls a server function (or posts a form) as a page of this app does: form-encoded, with
    /// this app's `Origin`, signed in as `who`.
    pub async fn call(&self, path: &str, form: &[(&str, &str)], who: Option<&User>) -> Answer {
        self.call_from(path, form, who, Some(&self.origin)).await
    }

    /// Like [`call`](Self::call), from another origin (or none).
    pub async fn call_from(
        &self,
        path: &str,
        form: &[(&str, &str)],
        who: Option<&User>,
        origin: Option<&str>,
    ) -> Answer {
        let cookie = who.map(|u| self.cookie(u));
        testkit::post_form(&self.url(path), form, cookie.as_deref(), origin).await
    }

    /// The messages this app has sent to `address`, once there are at least `count` (waits up
    /// to 10 s; panics with what came otherwise).
    pub async fn mails_to(&self, address: &str, count: usize) -> Vec<serde_json::Value> {
        self.maildev
            .expect("the app was started with Opts::with_mail")
            .wait_for_matching(
                &[("to.address", address), ("from.address", &self.mail_from)],
                count,
                Duration::from_secs(10),
            )
            .await
    }

    /// `GET`, signed in as `who`.
    pub async fn get(&self, path: &str, who: Option<&User>) -> reqwest::Response {
        let mut req = testkit::client().get(self.url(path));
        if let Some(u) = who {
            req = req.header(header::COOKIE, self.cookie(u));
        }
        req.send().await.expect("get")
    }

    /// `POST` JSON as a page of the suite does (this app's `Origin`), signed in as `who`, with an
    /// idempotency key when given.
    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        who: Option<&User>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut req = testkit::client()
            .post(self.url(path))
            .header(header::ORIGIN, &self.origin)
            .json(body);
        if let Some(u) = who {
            req = req.header(header::COOKIE, self.cookie(u));
        }
        if let Some(k) = idempotency_key {
            req = req.header("idempotency-key", k);
        }
        testkit::answer(req.send().await.expect("post")).await
    }
}

//! The suite end to end, as people use it: both apps as real processes behind a real nginx
//! (all hosts on one port, as in production), a real PostgreSQL and S3 server, and headless
//! Chromium driven through chromedriver.

mod browser;
mod manifest;

use std::{net::TcpListener, path::PathBuf, process::Child, time::Duration};

use platform::suite::PublicPort;
use suite::{
    launcher::{Stack, StackOptions},
    proxy::Proxy,
};

/// A port nothing listens on right now, for nginx (which cannot be handed a bound socket): it
/// may be taken before nginx binds it, which [`World::start`] notices and retries.
fn unused_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The session cookie's name in the local suite (plain http).
pub fn cookie_name(suite: &platform::suite::Suite) -> String {
    sso::SessionSettings::new(
        suite,
        Duration::from_secs(60),
        Duration::from_secs(60),
        false,
    )
    .cookie_name
}

/// A child process killed when dropped.
pub struct Guard(pub Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The running suite behind nginx. Dropping it (a failed test included) stops everything and
/// removes its databases, roles and files.
pub struct World {
    pub stack: Option<Stack>,
    pub port: u16,
    pub reader_role: String,
    pub dir: PathBuf,
    nginx: Option<Proxy>,
}

/// A page on a sibling subdomain that is not part of the suite: same-site for cookies, so only
/// the Origin check stands between it and the apps. Its `/plant?v=ID` sets the suite's session
/// cookie for the whole parent domain, as any sibling subdomain can.
pub const FOREIGN_HOST: &str = "evil.stepperslife.localhost";

impl World {
    pub async fn start() -> Self {
        for _ in 0..3 {
            if let Some(world) = Self::try_start().await {
                return world;
            }
            eprintln!("nginx's port was taken before nginx could bind it; starting again");
        }
        panic!("nginx did not start (apt-get install nginx-light)");
    }

    /// The suite on free ports behind nginx on `port`; `None` when nginx could not listen there
    /// (everything started is stopped and removed again).
    async fn try_start() -> Option<Self> {
        let suffix = format!("_e2e_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let dir = std::env::temp_dir().join(format!("stepperslife{suffix}"));
        std::fs::create_dir_all(&dir).expect("state dir");
        // nginx's port first: every public URL carries it.
        let port = unused_port();
        let mut opts = StackOptions::local(dir.join("state")).expect("the manifest");
        opts.public_port = PublicPort::Fixed(port);
        opts.name_suffix = suffix.clone();
        opts.behind_proxy = true;
        opts.free_ports = true;
        opts.show_logs = std::env::var_os("E2E_LOGS").is_some();
        let mut world = Self {
            stack: None,
            port,
            reader_role: format!("{}{suffix}", devstack::SESSION_READER_ROLE),
            dir,
            nginx: None,
        };
        world.stack = Some(
            Stack::start(opts)
                .await
                .expect("the suite starts (run `suite build` first)"),
        );
        world.nginx = Some(world.start_nginx(port).await?);
        Some(world)
    }

    /// Starts nginx on `port` in front of the apps, with the foreign site; `None` when it could
    /// not listen there.
    async fn start_nginx(&self, port: u16) -> Option<Proxy> {
        let stack = self.stack();
        let restaurants = stack.suite.origin_of("restaurants");
        let forged = format!(
            "<html><body><form id=forged method=post action=\\\"{restaurants}/api/restaurants/create\\\">\
             <input name=name value=Forged><input name=cuisine value=x><input name=city value=x>\
             <input name=address value=x><input name=description value=x><input name=price_level value=1>\
             <button id=go>Go</button></form></body></html>"
        );
        let foreign = format!(
            "    server {{\n        listen 127.0.0.1:{port};\n        server_name {FOREIGN_HOST};\n        \
             location = /plant {{\n            add_header Set-Cookie \"{cookie}=$arg_v; Domain={domain}; Path=/\";\n            \
             default_type text/plain;\n            return 200 planted;\n        }}\n        \
             location / {{\n            default_type text/html;\n            return 200 \"{forged}\";\n        }}\n    }}\n",
            domain = stack.suite.domain,
            cookie = cookie_name(&stack.suite),
        );
        Proxy::start(stack, port, &self.dir.join("nginx"), &foreign)
            .await
            .expect("nginx starts")
    }

    pub fn stack(&self) -> &Stack {
        self.stack.as_ref().expect("running")
    }

    pub fn stack_mut(&mut self) -> &mut Stack {
        self.stack.as_mut().expect("running")
    }

    pub fn url(&self, app: &str, path: &str) -> String {
        format!("{}{path}", self.stack().suite.origin_of(app))
    }

    /// The link in the sign-up confirmation the portal mailed to `email` (from the suite's
    /// maildev).
    pub async fn confirm_link(&self, email: &str) -> String {
        let maildev = self
            .stack()
            .maildev
            .as_ref()
            .expect("the suite runs maildev");
        let mails = maildev
            .wait_for(email, 1, std::time::Duration::from_secs(15))
            .await;
        let text = mails.last().and_then(|m| m["text"].as_str()).unwrap_or("");
        devstack::link_in(
            text,
            &format!("{}/verify?token=", self.stack().suite.portal()),
        )
        .expect("a confirmation link")
    }

    /// Signs up an attacker on the portal (straight to its port, as any HTTP client could),
    /// confirms from the mail, and returns the id of that real, signed-in session.
    pub async fn attacker_session(&self) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let call = |endpoint: &str, form: &[(&str, &str)]| {
            client
                .post(format!(
                    "http://{}/api/auth/{endpoint}",
                    self.stack().addrs["portal"]
                ))
                .header("origin", self.stack().suite.portal())
                .header("accept", "application/json")
                .form(form)
                .send()
        };
        let res = call(
            "signup",
            &[
                ("name", "Mallory"),
                ("email", "mallory@example.com"),
                ("password", "quartz lantern fjord 9"),
            ],
        )
        .await
        .expect("sign-up");
        assert!(
            res.status().is_success(),
            "attacker sign-up: {}",
            res.status()
        );
        let link = self.confirm_link("mallory@example.com").await;
        let token = link
            .split_once("token=")
            .map(|(_, t)| t.to_owned())
            .expect("token");
        let res = call("confirm", &[("token", &token)])
            .await
            .expect("confirm");
        assert!(
            res.status().is_success(),
            "attacker confirm: {}",
            res.status()
        );
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix(&format!("{}=", cookie_name(&self.stack().suite))))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned()
    }

    pub async fn restaurants_db(&self) -> sqlx::PgPool {
        self.db_of("restaurants").await
    }

    /// A connection pool to `app`'s database, as the app's own role.
    pub async fn db_of(&self, app: &str) -> sqlx::PgPool {
        platform::db::connect(&self.stack().database_urls[app], 2)
            .await
            .unwrap_or_else(|e| panic!("{app}'s database: {e}"))
    }

    /// The mails to `address` once there are `count` of them (15 s at most).
    pub async fn mails_to(&self, address: &str, count: usize) -> Vec<serde_json::Value> {
        self.stack()
            .maildev
            .as_ref()
            .expect("the suite runs maildev")
            .wait_for(address, count, std::time::Duration::from_secs(15))
            .await
    }

    /// Stops the suite and removes what it made.
    pub async fn stop(mut self) {
        self.nginx = None;
        // nginx went with all its workers: nothing answers on its port any more.
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err(),
            "port {} still answers after nginx was stopped (orphaned workers?)",
            self.port
        );
        if let Some(stack) = self.stack.take() {
            let _ = stack
                .drop_databases(&self.reader_role)
                .await
                .map_err(|e| eprintln!("cleanup: {e:#}"));
            stack.stop().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let Some(stack) = self.stack.take() else {
            return;
        };
        // A test that failed half-way. The apps are killed when the stack is dropped (waiting
        // for them would need the test's runtime, which may be gone); the databases are dropped
        // on a thread with a runtime of its own.
        self.nginx = None;
        let reader = self.reader_role.clone();
        let _ = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        rt.block_on(async {
                            if let Err(e) = stack.drop_databases(&reader).await {
                                eprintln!("cleanup: {e:#}");
                            }
                        });
                    }
                })
                .join()
        });
        drop(stack);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

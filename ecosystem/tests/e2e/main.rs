//! The suite end to end, as people use it: both apps as real processes behind a real nginx
//! (all hosts on one port, as in production), a real PostgreSQL and S3 server, and headless
//! Chromium driven through chromedriver.

mod browser;

use std::{
    net::{SocketAddr, TcpListener},
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use platform::suite::PublicPort;
use suite::{
    launcher::{Stack, StackOptions},
    render,
};

/// A free TCP port on loopback (released before use; good enough for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub async fn wait_for_port(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "{what} did not listen on {port}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A child process killed when dropped.
pub struct Guard(pub Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The running suite behind nginx.
pub struct World {
    pub stack: Option<Stack>,
    pub port: u16,
    pub reader_role: String,
    pub dir: PathBuf,
    _nginx: Guard,
}

/// A page on a sibling subdomain that is not part of the suite: same-site for cookies, so only
/// the Origin check stands between it and the apps. Its `/plant?v=ID` sets the suite's session
/// cookie for the whole parent domain, as any sibling subdomain can.
pub const FOREIGN_HOST: &str = "evil.stepperslife.localhost";

impl World {
    pub async fn start() -> Self {
        let suffix = format!("_e2e_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
        let dir = std::env::temp_dir().join(format!("stepperslife{suffix}"));
        std::fs::create_dir_all(&dir).expect("state dir");
        let port = free_port();
        let mut opts = StackOptions::local(dir.join("state"));
        opts.public_port = PublicPort::Fixed(port);
        opts.name_suffix = suffix.clone();
        opts.behind_proxy = true;
        opts.show_logs = std::env::var_os("E2E_LOGS").is_some();
        opts.ports.insert("portal".into(), free_port());
        opts.ports.insert("restaurants".into(), free_port());
        let stack = Stack::start(opts)
            .await
            .expect("the suite starts (run `suite build` first)");

        let prefix = dir.join("nginx");
        std::fs::create_dir_all(&prefix).expect("nginx dir");
        let up = render::Upstreams {
            suite: &stack.suite,
            addrs: stack
                .addrs
                .iter()
                .map(|(n, a)| (n.clone(), a.to_string()))
                .collect(),
        };
        let mut conf = render::nginx_local(&up, port, &prefix.display().to_string());
        let restaurants = stack.suite.origin_of("restaurants");
        let forged = format!(
            "<html><body><form id=forged method=post action=\\\"{restaurants}/api/restaurants/create\\\">\
             <input name=name value=Forged><input name=cuisine value=x><input name=city value=x>\
             <input name=address value=x><input name=description value=x><input name=price_level value=1>\
             <button id=go>Go</button></form></body></html>"
        );
        conf.truncate(conf.trim_end().len() - 1); // reopen the http block
        conf.push_str(&format!(
            "    server {{\n        listen 127.0.0.1:{port};\n        server_name {FOREIGN_HOST};\n        \
             location = /plant {{\n            add_header Set-Cookie \"sl_session=$arg_v; Domain={domain}; Path=/\";\n            \
             default_type text/plain;\n            return 200 planted;\n        }}\n        \
             location / {{\n            default_type text/html;\n            return 200 \"{forged}\";\n        }}\n    }}\n}}\n",
            domain = stack.suite.domain,
        ));
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf).expect("write nginx.conf");
        let nginx = Command::new("nginx")
            .arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("nginx runs (apt-get install nginx-light)");
        wait_for_port(port, "nginx").await;
        Self {
            stack: Some(stack),
            port,
            reader_role: format!("{}{suffix}", devstack::SESSION_READER_ROLE),
            dir,
            _nginx: Guard(nginx),
        }
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

    /// Signs up an attacker on the portal (straight to its port, as any HTTP client could) and
    /// returns the id of that real, signed-in session.
    pub async fn attacker_session(&self) -> String {
        let res = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
            .post(format!(
                "http://{}/api/auth/signup",
                self.stack().addrs["portal"]
            ))
            .header("origin", self.stack().suite.portal())
            .header("accept", "application/json")
            .form(&[
                ("name", "Mallory"),
                ("email", "mallory@example.com"),
                ("password", "mallory's password"),
            ])
            .send()
            .await
            .expect("sign-up");
        assert!(
            res.status().is_success(),
            "attacker sign-up: {}",
            res.status()
        );
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("sl_session="))
            .and_then(|c| c.split(';').next())
            .expect("a session cookie")
            .to_owned()
    }

    pub async fn restaurants_db(&self) -> sqlx::PgPool {
        platform::db::connect(&self.stack().database_urls["restaurants"], 2)
            .await
            .expect("restaurants db")
    }

    pub async fn stop(mut self) {
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

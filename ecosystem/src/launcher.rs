//! Starts the whole suite on this machine: PostgreSQL, an S3 server, the databases, roles and
//! buckets, and every enabled app as a child process with prefixed logs.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::PathBuf,
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use devstack::{EmbeddedS3, Localstripe, Maildev, Postgres, provision_databases};
use platform::suite::{Manifest, PublicPort, Suite};
use secrecy::SecretString;
use storage::{BucketConfig, Storage};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

use crate::{build, secrets::Secrets};

/// How to start the suite.
#[derive(Debug, Clone)]
pub struct StackOptions {
    /// The apps, hosts and ports: `Manifest::current()` unless a test says otherwise. Every app
    /// is given it (`SUITE_MANIFEST`), so that all of them agree on which apps there are.
    pub manifest: &'static Manifest,
    /// Run release binaries.
    pub release: bool,
    /// Where local state lives (private cluster, embedded S3 files, secrets).
    pub state_dir: PathBuf,
    /// The public port of every host (`PerApp` for a run without a proxy).
    pub public_port: PublicPort,
    /// Every app on a free port (tests, the benchmark) instead of its manifest port. Either way
    /// the launcher binds the port and hands the listening socket to the app, so no other
    /// process can take it in between.
    pub free_ports: bool,
    /// Appended to every database and role name (tests use it to stay apart from a running
    /// local suite).
    pub name_suffix: String,
    /// Insert demo data.
    pub seed: bool,
    /// Prefix each line of the apps' logs with the app's name and print it (else discard).
    pub show_logs: bool,
    /// Behind a proxy: the apps trust its `X-Real-IP`.
    pub behind_proxy: bool,
    /// A private PostgreSQL cluster under the state folder even when a server answers on
    /// 5432 (`suite soak` stops it).
    pub private_postgres: bool,
}

impl StackOptions {
    pub fn local(state_dir: PathBuf) -> anyhow::Result<Self> {
        Ok(Self {
            manifest: Manifest::current()?,
            release: false,
            state_dir,
            public_port: PublicPort::PerApp,
            free_ports: false,
            name_suffix: String::new(),
            seed: true,
            show_logs: true,
            behind_proxy: false,
            private_postgres: false,
        })
    }
}

/// A running suite. `stop` ends it; dropping it kills the children.
pub struct Stack {
    children: Vec<(String, Child)>,
    /// The app name → the address it listens on.
    pub addrs: BTreeMap<String, SocketAddr>,
    pub suite: Suite,
    /// Superuser URL of the PostgreSQL server in use.
    pub admin_url: String,
    /// The app name → its database URL (as its own role).
    pub database_urls: BTreeMap<String, String>,
    s3: Option<EmbeddedS3>,
    /// The local mail server, unless `SMTP_URL` names one.
    pub maildev: Option<Maildev>,
    /// The local payment server, unless `STRIPE_SECRET_KEY` names a Stripe account.
    pub localstripe: Option<Localstripe>,
    pg: Postgres,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack").field("addrs", &self.addrs).finish()
    }
}

/// A manifest with every database name suffixed (leaked: one per process start).
fn suffixed(manifest: &Manifest, suffix: &str) -> &'static Manifest {
    let mut m = manifest.clone();
    for app in &mut m.apps {
        app.database = format!("{}{suffix}", app.database);
    }
    Box::leak(Box::new(m))
}

impl Stack {
    /// The infrastructure in use, for people: PostgreSQL and the object store.
    pub fn services(&self) -> Vec<(&'static str, String)> {
        let s3 = match &self.s3 {
            Some(s3) => format!("embedded, {}", s3.endpoint()),
            None => platform::config::var_opt("S3_ENDPOINT").unwrap_or_default(),
        };
        let mail = match &self.maildev {
            Some(m) => format!("maildev, inbox at {}", m.web_url()),
            None => "SMTP_URL".to_owned(),
        };
        let payments = match &self.localstripe {
            Some(l) => format!("localstripe, {}", l.api_base()),
            None => "Stripe (STRIPE_SECRET_KEY)".to_owned(),
        };
        vec![
            ("PostgreSQL", self.pg.describe()),
            ("S3", s3),
            ("Mail", mail),
            ("Payments", payments),
        ]
    }

    pub async fn start(opts: StackOptions) -> anyhow::Result<Self> {
        let manifest = suffixed(opts.manifest, &opts.name_suffix);
        std::fs::create_dir_all(&opts.state_dir)?;
        let manifest_file = opts.state_dir.join("suite.toml");
        std::fs::write(&manifest_file, opts.manifest.to_toml()?)?;
        let suite = Suite::new(
            manifest,
            manifest.suite.local_domain.clone(),
            "http".into(),
            opts.public_port,
        );
        let mut secrets = Secrets::load(&opts.state_dir)?;

        // PostgreSQL, databases and roles.
        let pg = if opts.private_postgres {
            Postgres::start_private(&opts.state_dir).await?
        } else {
            Postgres::connect_or_start(&opts.state_dir).await?
        };
        let mut passwords = BTreeMap::new();
        for app in manifest.enabled() {
            passwords.insert(
                app.database.clone(),
                secrets.get(&format!("db.{}", app.database))?,
            );
        }
        let reader = format!("{}{}", devstack::SESSION_READER_ROLE, opts.name_suffix);
        passwords.insert(reader.clone(), secrets.get(&format!("db.{reader}"))?);
        let creds = provision_databases(&pg.admin_url, manifest, &reader, |role| {
            passwords.get(role).cloned().unwrap_or_default()
        })
        .await
        .context("provisioning databases")?;

        // The object store: the configured one (one key pair for every app), else an embedded
        // one where each app's key pair reaches its own bucket only.
        let (s3, endpoint, access, secret, app_keys) =
            match platform::config::var_opt("S3_ENDPOINT") {
                Some(endpoint) => (
                    None,
                    endpoint,
                    platform::config::var("S3_ACCESS_KEY")?,
                    platform::config::var("S3_SECRET_KEY")?,
                    BTreeMap::new(),
                ),
                None => {
                    let access = secrets.get("s3.access")?;
                    let secret = secrets.get("s3.secret")?;
                    let mut app_keys = BTreeMap::new();
                    let mut scoped = Vec::new();
                    for app in manifest.enabled() {
                        if let Some(bucket) = &app.bucket {
                            let key = (
                                format!(
                                    "{}-{}",
                                    app.name,
                                    secrets.get(&format!("s3.{}.access", app.name))?
                                ),
                                secrets.get(&format!("s3.{}.secret", app.name))?,
                            );
                            scoped.push((key.0.clone(), key.1.clone(), bucket.clone()));
                            app_keys.insert(app.name.clone(), key);
                        }
                    }
                    let port: u16 = platform::config::parse_or("SUITE_S3_PORT", 0)?;
                    let s3 = EmbeddedS3::start_scoped(
                        &opts.state_dir.join("s3"),
                        SocketAddr::from(([127, 0, 0, 1], port)),
                        (&access, &secret),
                        &scoped,
                    )
                    .await?;
                    let endpoint = s3.endpoint();
                    (Some(s3), endpoint, access, secret, app_keys)
                }
            };
        for app in manifest.enabled() {
            if let Some(bucket) = &app.bucket {
                Storage::new(&BucketConfig {
                    endpoint: endpoint.clone(),
                    region: "us-east-1".into(),
                    access_key: access.clone(),
                    secret_key: SecretString::from(secret.clone()),
                    bucket: bucket.clone(),
                })?
                .ensure_bucket()
                .await
                .with_context(|| format!("creating bucket {bucket}"))?;
            }
        }

        // Mail: the configured SMTP server, else maildev with its inbox in the state folder.
        let (maildev, smtp_url) = match platform::config::var_opt("SMTP_URL") {
            Some(url) => (None, url),
            None => {
                let (smtp, web) = if opts.free_ports {
                    (0, 0)
                } else {
                    (1025, 1080)
                };
                let smtp: u16 = platform::config::parse_or("SUITE_MAIL_SMTP_PORT", smtp)?;
                let web: u16 = platform::config::parse_or("SUITE_MAIL_WEB_PORT", web)?;
                let dir = opts.state_dir.join("mail");
                let maildev = tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    Maildev::start(smtp, web, Some(&dir))
                })
                .await?
                .context("starting maildev (SMTP_URL is not set)")?;
                let url = maildev.smtp_url();
                (Some(maildev), url)
            }
        };

        // Payments: the configured Stripe account (STRIPE_* reach the apps from this
        // environment), else localstripe with its state in the state folder.
        let (localstripe, stripe_env) = if platform::config::var_opt("STRIPE_SECRET_KEY").is_some()
        {
            (None, Vec::new())
        } else {
            let port: u16 = platform::config::parse_or(
                "SUITE_STRIPE_PORT",
                if opts.free_ports { 0 } else { 8420 },
            )?;
            let dir = opts.state_dir.join("stripe");
            let localstripe = tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&dir)?;
                Localstripe::start(port, Some(&dir))
            })
            .await?
            .context("starting localstripe (STRIPE_SECRET_KEY is not set)")?;
            let env = vec![
                (
                    "STRIPE_SECRET_KEY",
                    devstack::localstripe::SECRET_KEY.to_owned(),
                ),
                (
                    "STRIPE_PUBLISHABLE_KEY",
                    devstack::localstripe::PUBLISHABLE_KEY.to_owned(),
                ),
                (
                    "STRIPE_WEBHOOK_SECRET",
                    format!("whsec_{}", secrets.get("stripe.webhook")?),
                ),
                ("STRIPE_API_BASE", localstripe.api_base()),
                ("STRIPE_JS_URL", localstripe.js_url()),
            ];
            (Some(localstripe), env)
        };

        // The apps' listening sockets, bound here and handed over.
        let mut listeners = BTreeMap::new();
        let mut addrs = BTreeMap::new();
        for a in manifest.enabled() {
            let port = if opts.free_ports { 0 } else { a.port };
            let listener = std::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port)))
                .with_context(|| format!("{} cannot listen on 127.0.0.1:{port}", a.name))?;
            addrs.insert(a.name.clone(), listener.local_addr()?);
            listeners.insert(a.name.clone(), listener);
        }
        let public_port = match opts.public_port {
            PublicPort::Default => "default".to_owned(),
            PublicPort::Fixed(p) => p.to_string(),
            PublicPort::PerApp => "per-app".to_owned(),
        };
        // localstripe sends every app that takes payments its webhooks (a Stripe account is
        // set up in its dashboard instead: see the README).
        if let Some(l) = &localstripe {
            let secret = stripe_env
                .iter()
                .find(|(k, _)| *k == "STRIPE_WEBHOOK_SECRET")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            for a in manifest.enabled().filter(|a| a.payments) {
                let url = format!("http://{}{}", addrs[&a.name], payments::WEBHOOK_PATH);
                l.add_webhook(&a.name, &url, &secret).await?;
            }
        }
        let mut children = Vec::new();
        let mut database_urls = BTreeMap::new();
        for cred in &creds {
            let Some(app) = manifest.app(&cred.app) else {
                continue;
            };
            let bin = build::bin_path(&app.name, opts.release);
            if !bin.exists() {
                bail!("{} is not built; run `suite build` first", bin.display());
            }
            let listener = listeners
                .remove(&app.name)
                .context("every enabled app has a listener")?;
            let mut cmd = Command::new(&bin);
            cmd.current_dir(crate::repo_root())
                .env(
                    crate::render::ALLOCATOR_ENV.0,
                    crate::render::ALLOCATOR_ENV.1,
                )
                .env("DATABASE_URL", &cred.database_url)
                .env("SESSION_DATABASE_URL", &cred.session_url)
                // The listening socket is the app's standard input.
                .env("BIND_ADDR", "stdin")
                .stdin(Stdio::from(std::os::fd::OwnedFd::from(listener)))
                .env("SITE_ROOT", build::site_dir(&app.name))
                .env("SUITE_MANIFEST", &manifest_file)
                .env("SUITE_DOMAIN", &suite.domain)
                .env("SUITE_SCHEME", "http")
                .env("SUITE_PUBLIC_PORT", &public_port)
                .env("SEED_DEMO", opts.seed.to_string())
                .env("TRUST_PROXY", opts.behind_proxy.to_string())
                .env("S3_ENDPOINT", &endpoint)
                .env(
                    "S3_ACCESS_KEY",
                    app_keys.get(&app.name).map_or(&access, |(a, _)| a),
                )
                .env(
                    "S3_SECRET_KEY",
                    app_keys.get(&app.name).map_or(&secret, |(_, s)| s),
                )
                .env("S3_BUCKET", app.bucket.as_deref().unwrap_or(""))
                .env("SMTP_URL", &smtp_url)
                .envs(stripe_env.iter().map(|(k, v)| (*k, v)))
                .env(
                    "RUST_LOG",
                    std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true);
            for (other, addr) in &addrs {
                cmd.env(
                    format!("{}_INTERNAL_URL", other.to_uppercase()),
                    format!("http://{addr}"),
                );
            }
            let mut child = cmd
                .spawn()
                .with_context(|| format!("starting {}", bin.display()))?;
            let show = opts.show_logs;
            for stream in [
                child
                    .stdout
                    .take()
                    .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
                child
                    .stderr
                    .take()
                    .map(|s| Box::new(s) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            ]
            .into_iter()
            .flatten()
            {
                let name = app.name.clone();
                tokio::spawn(async move {
                    let mut lines = BufReader::new(stream).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        if show {
                            println!("{name:>12} | {line}");
                        }
                    }
                });
            }
            children.push((app.name.clone(), child));
            database_urls.insert(app.name.clone(), cred.database_url.clone());
        }

        let mut stack = Self {
            children,
            addrs,
            suite,
            admin_url: pg.admin_url.clone(),
            database_urls,
            s3,
            maildev,
            localstripe,
            pg,
        };
        stack.wait_ready(Duration::from_secs(60)).await?;
        Ok(stack)
    }

    /// Waits until every app answers 200 on `/readyz`.
    async fn wait_ready(&mut self, within: Duration) -> anyhow::Result<()> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let deadline = Instant::now() + within;
        for (name, addr) in self.addrs.clone() {
            loop {
                if let Some((_, child)) = self.children.iter_mut().find(|(n, _)| *n == name)
                    && let Ok(Some(status)) = child.try_wait()
                {
                    bail!("{name} exited during start-up ({status}); see its log above");
                }
                let ok = http
                    .get(format!("http://{addr}/readyz"))
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success());
                if ok {
                    break;
                }
                if Instant::now() > deadline {
                    bail!("{name} did not become ready at {addr} within {within:?}");
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        Ok(())
    }

    /// Public URL of each app, portal first.
    pub fn urls(&self) -> Vec<(String, String)> {
        self.suite
            .manifest
            .enabled()
            .map(|a| (a.name.clone(), format!("{}/", self.suite.origin(a))))
            .collect()
    }

    /// Asks every app to stop (SIGTERM), waits up to 10 s each, then kills what is left.
    pub async fn stop(mut self) {
        for (_, child) in &self.children {
            if let Some(pid) = child.id() {
                let _ = std::process::Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status();
            }
        }
        for (name, child) in &mut self.children {
            match tokio::time::timeout(Duration::from_secs(10), child.wait()).await {
                Ok(_) => {}
                Err(_) => {
                    eprintln!("{name} did not stop within 10 s; killing it");
                    let _ = child.kill().await;
                }
            }
        }
    }

    /// Drops this stack's databases and roles (tests, which use a unique `name_suffix`).
    pub async fn drop_databases(&self, reader_role: &str) -> anyhow::Result<()> {
        use sqlx::{Connection, Executor};
        let mut admin = sqlx::PgConnection::connect(&self.admin_url).await?;
        for app in self.suite.manifest.enabled() {
            admin
                .execute(format!("drop database if exists {} with (force)", app.database).as_str())
                .await?;
        }
        for app in self.suite.manifest.enabled() {
            admin
                .execute(format!("drop role if exists {}", app.database).as_str())
                .await?;
        }
        admin
            .execute(format!("drop role if exists {reader_role}").as_str())
            .await?;
        Ok(())
    }

    /// Stops one app (SIGTERM) and waits for it: what the rest of the suite does without it.
    pub async fn stop_app(&mut self, name: &str) {
        if let Some((_, child)) = self.children.iter_mut().find(|(n, _)| n == name) {
            if let Some(pid) = child.id() {
                let _ = std::process::Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status();
            }
            if tokio::time::timeout(Duration::from_secs(10), child.wait())
                .await
                .is_err()
            {
                let _ = child.kill().await;
            }
        }
    }

    /// Stops PostgreSQL (a private cluster's only: see `StackOptions::private_postgres`).
    pub fn stop_postgres(&self) -> anyhow::Result<()> {
        self.pg.stop()
    }

    /// Starts PostgreSQL again after [`Self::stop_postgres`].
    pub fn start_postgres(&self) -> anyhow::Result<()> {
        self.pg.start_again()
    }

    /// Stops the embedded object store (its open connections too).
    pub fn stop_object_store(&mut self) {
        self.s3 = None;
    }

    /// The process id of an app's server.
    pub fn pid(&self, name: &str) -> Option<u32> {
        self.children
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, c)| c.id())
    }

    /// Waits until one of the apps exits on its own; returns its name.
    pub async fn any_exit(&mut self) -> String {
        loop {
            for (name, child) in &mut self.children {
                if let Ok(Some(_)) = child.try_wait() {
                    return name.clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

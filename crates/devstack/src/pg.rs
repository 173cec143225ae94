use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use anyhow::{Context, bail};

/// The default admin connection: the machine's PostgreSQL as the `postgres` superuser.
const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// First port tried for the private cluster, when one is needed (the next ones when it is taken:
/// another private cluster, of another checkout or test run, may hold it).
const PRIVATE_PORT: u16 = 54329;
/// How many ports are tried.
const PRIVATE_PORTS: u16 = 20;

/// `SUITE_PG_ADMIN_URL` when set, else the machine's default server.
pub fn admin_url_from_env() -> (String, bool) {
    match platform::config::var_opt("SUITE_PG_ADMIN_URL") {
        Some(url) => (url, true),
        None => (DEFAULT_ADMIN_URL.to_owned(), false),
    }
}

/// A PostgreSQL server the suite can provision: the configured one, or a private cluster.
#[derive(Debug)]
pub struct Postgres {
    /// Superuser URL of the `postgres` database.
    pub admin_url: String,
    private: Option<PrivateCluster>,
}

impl Postgres {
    /// Uses `SUITE_PG_ADMIN_URL` (which must answer), else the local server on 5432 if it
    /// answers, else starts a private cluster under `state_dir/pg`.
    pub async fn connect_or_start(state_dir: &Path) -> anyhow::Result<Self> {
        let (url, configured) = admin_url_from_env();
        match probe(&url).await {
            Ok(()) => {
                return Ok(Self {
                    admin_url: url,
                    private: None,
                });
            }
            Err(e) if configured => {
                bail!("SUITE_PG_ADMIN_URL is set but the server does not answer: {e}")
            }
            Err(e) => {
                tracing::info!(error = %e, "no PostgreSQL at {url}; starting a private cluster")
            }
        }
        Self::start_private(state_dir).await
    }

    /// A private cluster under `state_dir/pg`, whatever else answers (`suite soak` stops and
    /// starts it under load, which must touch nothing else).
    pub async fn start_private(state_dir: &Path) -> anyhow::Result<Self> {
        let (cluster, port) = PrivateCluster::start_on_a_free_port(&state_dir.join("pg"))?;
        let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        for _ in 0..50 {
            if probe(&admin_url).await.is_ok() {
                return Ok(Self {
                    admin_url,
                    private: Some(cluster),
                });
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        bail!(
            "the private PostgreSQL cluster did not start; see {}",
            state_dir.join("pg.log").display()
        )
    }

    /// Stops the private cluster (`pg_ctl stop -m fast`: open connections are cut), as an
    /// outage would; [`Self::start_again`] brings it back on the same port.
    pub fn stop(&self) -> anyhow::Result<()> {
        self.private
            .as_ref()
            .context("only a private cluster is stopped")?
            .stop()
    }

    /// Starts the private cluster again after [`Self::stop`].
    pub fn start_again(&self) -> anyhow::Result<()> {
        self.private
            .as_ref()
            .context("only a private cluster is started")?
            .run()
    }

    /// A URL for `database` as `user` on this server.
    pub fn url_for(&self, database: &str, user: &str, password: &str) -> String {
        url_for(&self.admin_url, database, user, password)
    }

    pub fn is_private(&self) -> bool {
        self.private.is_some()
    }

    /// Which server this is, for people: its address (never its credentials), and where the
    /// files of a private cluster are.
    pub fn describe(&self) -> String {
        let at = url::Url::parse(&self.admin_url)
            .ok()
            .map(|u| {
                format!(
                    "{}:{}",
                    u.host_str().unwrap_or("?"),
                    u.port().unwrap_or(5432)
                )
            })
            .unwrap_or_else(|| "?".to_owned());
        match &self.private {
            Some(cluster) => format!("a private cluster on {at} ({})", cluster.dir.display()),
            None => format!("the server on {at}"),
        }
    }
}

/// `admin_url` with another database, user and password.
pub fn url_for(admin_url: &str, database: &str, user: &str, password: &str) -> String {
    let mut url = url::Url::parse(admin_url).expect("admin URL was probed, so it parses");
    url.set_path(&format!("/{database}"));
    let _ = url.set_username(user);
    let _ = url.set_password((!password.is_empty()).then_some(password));
    url.to_string()
}

/// `url` with another database, same user and password.
pub fn with_database(url: &str, database: &str) -> anyhow::Result<String> {
    let mut url = url::Url::parse(url)?;
    url.set_path(&format!("/{database}"));
    Ok(url.to_string())
}

async fn probe(url: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut conn = tokio::time::timeout(Duration::from_secs(3), sqlx::PgConnection::connect(url))
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    sqlx::query("select 1").execute(&mut conn).await?;
    conn.close().await
}

#[derive(Debug)]
struct PrivateCluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a PostgreSQL server binary, as the `postgres` user when we are root (PostgreSQL refuses
/// to run as root).
fn pg_command(bin: &Path, tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    }
}

fn find_bin_dir() -> anyhow::Result<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    found.retain(|p| p.join("initdb").exists());
    found.sort();
    found.pop().context(
        "PostgreSQL server binaries not found under /usr/lib/postgresql \
         (install them with: apt-get install postgresql), or set SUITE_PG_ADMIN_URL",
    )
}

impl PrivateCluster {
    /// Starts the cluster on the first of the private ports that nothing listens on and that
    /// `pg_ctl` can take.
    fn start_on_a_free_port(dir: &Path) -> anyhow::Result<(Self, u16)> {
        let mut last = None;
        for port in PRIVATE_PORT..PRIVATE_PORT + PRIVATE_PORTS {
            let taken = std::net::TcpStream::connect_timeout(
                &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
                Duration::from_millis(200),
            )
            .is_ok();
            if taken {
                continue;
            }
            match Self::start(dir, port) {
                Ok(cluster) => return Ok((cluster, port)),
                // Taken meanwhile: the next one. Anything else is not a matter of ports.
                Err(e) => {
                    let log = dir
                        .parent()
                        .map(|p| std::fs::read_to_string(p.join("pg.log")).unwrap_or_default())
                        .unwrap_or_default();
                    if !log.contains("Address already in use") {
                        return Err(e);
                    }
                    last = Some(e);
                }
            }
        }
        Err(last.unwrap_or_else(|| {
            anyhow::anyhow!(
                "ports {PRIVATE_PORT} to {} are all taken",
                PRIVATE_PORT + PRIVATE_PORTS - 1
            )
        }))
    }

    fn start(dir: &Path, port: u16) -> anyhow::Result<Self> {
        let bin = find_bin_dir()?;
        let parent = dir.parent().context("cluster dir has a parent")?;
        std::fs::create_dir_all(parent)?;
        let log = parent.join("pg.log");
        if !dir.join("PG_VERSION").exists() {
            std::fs::create_dir_all(dir)?;
            if is_root() {
                let ok = Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(dir)
                    .status()?
                    .success();
                if !ok {
                    bail!("cannot hand {} to the postgres user", dir.display());
                }
            }
            let ok = pg_command(&bin, "initdb")
                .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "-D"])
                .arg(dir)
                .stdout(std::process::Stdio::null())
                .status()?
                .success();
            if !ok {
                bail!("initdb failed for {}", dir.display());
            }
        }
        // A fresh log for each start (a port found taken is read from it).
        std::fs::File::create(&log)?;
        let cluster = Self {
            dir: dir.to_owned(),
            bin,
            port,
        };
        cluster.run()?;
        Ok(cluster)
    }

    fn log(&self) -> PathBuf {
        self.dir
            .parent()
            .map_or_else(|| self.dir.join("pg.log"), |p| p.join("pg.log"))
    }

    /// `pg_ctl start` on the cluster's port, waiting until it accepts connections.
    fn run(&self) -> anyhow::Result<()> {
        let log = self.log();
        if is_root() {
            let _ = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log);
            let _ = Command::new("chown")
                .arg("postgres:postgres")
                .arg(&log)
                .status();
        }
        let ok = pg_command(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(&self.dir)
            .arg("-l")
            .arg(&log)
            .arg("-o")
            .arg(format!(
                "-p {} -c listen_addresses=127.0.0.1 -k {}",
                self.port,
                self.dir.display()
            ))
            .args(["-w", "start"])
            .stdout(std::process::Stdio::null())
            .status()?
            .success();
        if !ok {
            bail!("pg_ctl start failed; see {}", log.display());
        }
        Ok(())
    }

    fn stop(&self) -> anyhow::Result<()> {
        let ok = pg_command(&self.bin, "pg_ctl")
            .arg("-D")
            .arg(&self.dir)
            .args(["-m", "fast", "-w", "stop"])
            .stdout(std::process::Stdio::null())
            .status()?
            .success();
        if !ok {
            bail!("pg_ctl stop failed for {}", self.dir.display());
        }
        Ok(())
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

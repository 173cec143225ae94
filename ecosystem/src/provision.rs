//! `suite provision`: everything a Debian 12 server needs to run the suite, made from the
//! manifest, idempotently. Each step first looks at what is there and changes only what differs;
//! a second run changes nothing and says so. What cannot be done from here (DNS, the
//! certificate, MinIO's binary, the operator's own secrets) is printed as a list at the end.
//!
//! On the server the root is `/`; the tests give it a folder, where every file, user (through
//! `useradd --prefix`) and unit lands instead, against a real PostgreSQL and S3 server.

use std::{
    collections::BTreeMap,
    io::Write as _,
    os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _},
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{Context, bail};
use platform::suite::{AppEntry, Manifest, PublicPort, Suite};
use rand::{Rng, distributions::Alphanumeric};
use secrecy::SecretString;
use storage::{BucketConfig, Storage};

use crate::render;

/// Debian packages the server needs (MinIO is not one: see the README). `curl` is how
/// `suite deploy` asks a restarted app whether it is ready.
pub const PACKAGES: &[&str] = &[
    "nginx",
    "postgresql",
    "certbot",
    "openssl",
    "ca-certificates",
    "curl",
];

/// Where the suite's settings live on the server.
pub const ETC: &str = "/etc/stepperslife";
/// Where `suite deploy` puts the binaries and sites.
pub const OPT: &str = "/opt/stepperslife";
const UNIT_DIR: &str = "/etc/systemd/system";
const SITES_AVAILABLE: &str = "/etc/nginx/sites-available";
const SITES_ENABLED: &str = "/etc/nginx/sites-enabled";
const SITE_FILE: &str = "stepperslife.conf";

/// What provisioning acts on.
pub struct Provision {
    pub manifest: &'static Manifest,
    /// `/` on the server.
    pub root: PathBuf,
    /// A PostgreSQL superuser's URL; `None`: `psql` as the `postgres` Unix user over the local
    /// socket (Debian's default).
    pub pg_admin: Option<String>,
    /// Where the apps reach PostgreSQL (`host:port`).
    pub db_host: String,
    /// The role every app reads the portal's session table with.
    pub reader_role: String,
    /// Debian packages to install when missing.
    pub packages: Vec<String>,
    /// Values the operator gives (from provision's environment): `STRIPE_SECRET_KEY`,
    /// `SMTP_URL`, …, or per app `STRIPE_WEBHOOK_SECRET_STORE`. Written only where none is yet.
    pub given: BTreeMap<String, String>,
}

/// What a run did and what is left to the operator.
#[derive(Debug, Default)]
pub struct Report {
    pub changes: Vec<String>,
    pub todo: Vec<String>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.changes.is_empty() {
            writeln!(
                f,
                "Nothing to change: the server is as the manifest wants it."
            )?;
        } else {
            writeln!(f, "Changed:")?;
            for c in &self.changes {
                writeln!(f, "  {c}")?;
            }
        }
        if !self.todo.is_empty() {
            writeln!(f, "\nLeft to do by hand:")?;
            for (i, t) in self.todo.iter().enumerate() {
                writeln!(f, "  {}. {t}", i + 1)?;
            }
        }
        Ok(())
    }
}

/// Writes `bytes` to `path` (with `mode`) through a temporary file beside it and a rename, so
/// that a reader (systemd, nginx, a starting app) sees the old file or the new one, never half.
pub fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_file_name(format!(
        ".{}.new",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file")
    ));
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    // An existing temporary file kept its old mode.
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The RFC 7919 `ffdhe2048` group as nginx's `ssl_dhparam` reads it (from `openssl`).
pub fn dh_group_pem() -> anyhow::Result<String> {
    let out = Command::new("openssl")
        .args([
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
        ])
        .output()
        .context("cannot run openssl")?;
    if !out.status.success() {
        bail!("openssl: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The operator's values go into env files and credential files one line each: a line break
/// in one would add a setting of its own, so such a value is refused before anything changes.
pub fn check_given(given: &BTreeMap<String, String>) -> anyhow::Result<()> {
    match given.iter().find(|(_, v)| v.contains(['\n', '\r'])) {
        Some((k, _)) => bail!("{k} holds a line break: give it on one line; nothing was changed"),
        None => Ok(()),
    }
}

/// A generated password or key: 32 letters and digits (no quoting anywhere).
pub fn generate_secret() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// `existing` (an env file's text) with each of `owned` set to its value and each of
/// `defaults` added when absent; every other line (the operator's own) kept as it is.
pub fn merge_env(
    existing: &str,
    owned: &[(String, String)],
    defaults: &[(String, String)],
) -> String {
    let key_of = |line: &str| {
        let line = line.trim();
        (!line.starts_with('#'))
            .then(|| line.split_once('=').map(|(k, _)| k.trim().to_owned()))
            .flatten()
    };
    let mut out = String::new();
    let mut seen = Vec::new();
    for line in existing.lines() {
        match key_of(line) {
            Some(key) => {
                if let Some((_, v)) = owned.iter().find(|(k, _)| *k == key) {
                    out.push_str(&format!("{key}={v}\n"));
                } else {
                    out.push_str(line);
                    out.push('\n');
                }
                seen.push(key);
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    for (k, v) in owned.iter().chain(defaults) {
        if !seen.contains(k) {
            out.push_str(&format!("{k}={v}\n"));
            seen.push(k.clone());
        }
    }
    out
}

/// A Unix user's ids, from the `passwd` file under the root.
#[derive(Debug, Clone, Copy)]
struct Ids {
    uid: u32,
    gid: u32,
}

const ROOT_IDS: Ids = Ids { uid: 0, gid: 0 };

impl Provision {
    /// The server's own settings: `/`, Debian's packages, the local PostgreSQL.
    pub fn for_this_server(manifest: &'static Manifest) -> Self {
        let given = std::env::vars()
            .filter(|(k, v)| {
                !v.trim().is_empty()
                    && ["SMTP_URL", "STRIPE_", "MAIL_FROM", "OAUTH_"]
                        .iter()
                        .any(|p| k.starts_with(p))
            })
            .collect();
        Self {
            manifest,
            root: PathBuf::from("/"),
            pg_admin: std::env::var("SUITE_PG_ADMIN_URL").ok(),
            db_host: "127.0.0.1:5432".into(),
            reader_role: devstack::SESSION_READER_ROLE.into(),
            packages: PACKAGES.iter().map(|p| (*p).to_owned()).collect(),
            given,
        }
    }

    /// `abs` (an absolute path on the server) under the root.
    pub fn path(&self, abs: &str) -> PathBuf {
        self.root.join(abs.trim_start_matches('/'))
    }

    fn on_the_server(&self) -> bool {
        self.root == Path::new("/")
    }

    pub fn systemd_running(&self) -> bool {
        self.on_the_server() && Path::new("/run/systemd/system").is_dir()
    }

    fn suite(&self) -> Suite {
        Suite::new(
            self.manifest,
            self.manifest.suite.domain.clone(),
            "https".into(),
            PublicPort::Default,
        )
    }

    fn apps(&self) -> impl Iterator<Item = &'static AppEntry> {
        self.manifest.enabled()
    }

    /// Runs every step.
    pub async fn run(&self) -> anyhow::Result<Report> {
        check_given(&self.given)?;
        let mut r = Report::default();
        self.packages(&mut r)?;
        self.users(&mut r)?;
        self.directories(&mut r)?;
        self.databases(&mut r)?;
        self.settings(&mut r)?;
        let units_changed = self.install_units(&mut r)?;
        let site_changed = self.install_nginx_site(&mut r)?;
        self.reload(&mut r, units_changed, site_changed)?;
        self.object_stores(&mut r)?;
        self.buckets(&mut r).await?;
        self.services(&mut r)?;
        self.left_to_do(&mut r);
        Ok(r)
    }

    fn packages(&self, r: &mut Report) -> anyhow::Result<()> {
        let missing: Vec<&String> = self
            .packages
            .iter()
            .filter(|p| {
                Command::new("dpkg-query")
                    .args(["-W", "-f=${db:Status-Abbrev}", p])
                    .output()
                    .map_or(true, |o| !o.stdout.starts_with(b"ii"))
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        if !self.on_the_server() {
            bail!("packages missing here: {missing:?}");
        }
        let status = Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .context("apt-get")?;
        if !status.success() {
            bail!("apt-get could not install {missing:?}");
        }
        r.changes
            .push(format!("installed Debian packages: {missing:?}"));
        Ok(())
    }

    /// The users the suite's processes run as: one per app, one per app's object store.
    fn user_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.apps().map(|a| render::unix_user(&a.name)).collect();
        names.extend(
            self.apps()
                .filter(|a| a.bucket.is_some())
                .map(|a| render::minio_user(&a.name)),
        );
        names
    }

    fn ids(&self, user: &str) -> anyhow::Result<Option<Ids>> {
        let passwd =
            std::fs::read_to_string(self.path("/etc/passwd")).context("cannot read /etc/passwd")?;
        Ok(passwd.lines().find_map(|l| {
            let mut f = l.split(':');
            (f.next() == Some(user)).then_some(())?;
            let uid = f.nth(1)?.parse().ok()?;
            let gid = f.next()?.parse().ok()?;
            Some(Ids { uid, gid })
        }))
    }

    fn users(&self, r: &mut Report) -> anyhow::Result<()> {
        for user in self.user_names() {
            if self.ids(&user)?.is_some() {
                continue;
            }
            let mut cmd = Command::new("useradd");
            cmd.args([
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                "SteppersLife",
            ]);
            if !self.on_the_server() {
                cmd.arg("--prefix").arg(&self.root);
            }
            let out = cmd.arg(&user).output().context("useradd")?;
            if !out.status.success() {
                bail!(
                    "useradd {user}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            r.changes.push(format!("created the Unix user {user}"));
        }
        Ok(())
    }

    /// Makes `abs` a folder with `mode`, owned by `owner`.
    fn dir(&self, r: &mut Report, abs: &str, mode: u32, owner: Ids) -> anyhow::Result<()> {
        let path = self.path(abs);
        if path.is_dir() {
            return self.set_mode(r, abs, &path, mode, owner);
        }
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {abs}"))?;
        r.changes.push(format!("created {abs}"));
        // Its mode and owner are part of making it.
        self.set_mode(&mut Report::default(), abs, &path, mode, owner)
    }

    fn set_mode(
        &self,
        r: &mut Report,
        abs: &str,
        path: &Path,
        mode: u32,
        owner: Ids,
    ) -> anyhow::Result<()> {
        let meta = std::fs::metadata(path)?;
        if meta.mode() & 0o7777 != mode {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
            r.changes.push(format!("set the mode of {abs} to {mode:o}"));
        }
        if (meta.uid(), meta.gid()) != (owner.uid, owner.gid) {
            std::os::unix::fs::chown(path, Some(owner.uid), Some(owner.gid))?;
            r.changes
                .push(format!("gave {abs} to {}:{}", owner.uid, owner.gid));
        }
        Ok(())
    }

    /// Writes `content` to `abs` (with `mode`, root's) unless it holds exactly that already.
    /// Returns whether it changed.
    fn file(&self, r: &mut Report, abs: &str, content: &str, mode: u32) -> anyhow::Result<bool> {
        let path = self.path(abs);
        let old = std::fs::read_to_string(&path).ok();
        let changed = old.as_deref() != Some(content);
        if changed {
            write_atomically(&path, content.as_bytes(), mode)
                .with_context(|| format!("cannot write {abs}"))?;
            r.changes.push(format!(
                "{} {abs}",
                if old.is_some() { "updated" } else { "wrote" }
            ));
        }
        self.set_mode(r, abs, &path, mode, ROOT_IDS)?;
        Ok(changed)
    }

    fn directories(&self, r: &mut Report) -> anyhow::Result<()> {
        for d in [OPT, "/opt/stepperslife/bin", "/opt/stepperslife/site", ETC] {
            self.dir(r, d, 0o755, ROOT_IDS)?;
        }
        self.dir(r, "/etc/stepperslife/credentials", 0o700, ROOT_IDS)?;
        for app in self.apps() {
            self.dir(r, &render::credentials_dir(&app.name), 0o700, ROOT_IDS)?;
        }
        self.dir(r, "/var/lib/stepperslife", 0o755, ROOT_IDS)?;
        for app in self.apps().filter(|a| a.bucket.is_some()) {
            let user = render::minio_user(&app.name);
            let ids = self
                .ids(&user)?
                .with_context(|| format!("no user {user}"))?;
            self.dir(r, &render::minio_data_dir(&app.name), 0o700, ids)?;
        }
        self.dir(r, render::BACKUP_DIR, 0o700, ROOT_IDS)?;
        self.dir(r, render::ACME_ROOT, 0o755, ROOT_IDS)
    }

    fn credential_path(&self, app: &str, name: &str) -> PathBuf {
        self.path(&format!("{}/{name}", render::credentials_dir(app)))
    }

    /// An app's credential as its file holds it (`None`: no file, or empty).
    fn credential(&self, app: &str, name: &str) -> Option<String> {
        platform::config::credential_in(&self.path(&render::credentials_dir(app)), name)
    }

    fn write_credential(
        &self,
        r: &mut Report,
        app: &str,
        name: &str,
        value: &str,
    ) -> anyhow::Result<()> {
        self.file(
            r,
            &format!("{}/{name}", render::credentials_dir(app)),
            &format!("{value}\n"),
            0o600,
        )?;
        Ok(())
    }

    /// SQL through `psql` as a superuser; its rows, one per line, fields split by `|`.
    fn psql(&self, database: &str, sql: &str) -> anyhow::Result<String> {
        let mut cmd = match &self.pg_admin {
            Some(url) => {
                let mut c = Command::new("psql");
                c.arg("--dbname")
                    .arg(devstack::with_database(url, database)?);
                c
            }
            None => {
                let mut c = Command::new("runuser");
                c.args(["-u", "postgres", "--", "psql", "--dbname", database]);
                c
            }
        };
        let mut child = cmd
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run psql (is PostgreSQL installed?)")?;
        child
            .stdin
            .take()
            .context("psql's input")?
            .write_all(sql.as_bytes())?;
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("psql: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn url(&self, role: &str, password: &str, database: &str) -> String {
        format!("postgres://{role}:{password}@{}/{database}", self.db_host)
    }

    /// The password in a stored database URL.
    fn password_in(url: &str) -> Option<String> {
        url::Url::parse(url)
            .ok()
            .and_then(|u| u.password().map(str::to_owned))
            .filter(|p| p.chars().all(|c| c.is_ascii_alphanumeric()) && !p.is_empty())
    }

    /// Makes `role` a login role whose password is `stored` (what its credential holds) or, when
    /// nothing is stored or the role is new, a new one. Returns the password to store.
    fn role(
        &self,
        r: &mut Report,
        existing: &[&str],
        role: &str,
        stored: Option<String>,
    ) -> anyhow::Result<String> {
        devstack::ident(role)?;
        match (existing.contains(&role), stored) {
            (true, Some(password)) => Ok(password),
            (exists, stored) => {
                let password = stored.unwrap_or_else(generate_secret);
                let verb = if exists { "alter" } else { "create" };
                self.psql(
                    "postgres",
                    &format!("{verb} role {role} login password '{password}';"),
                )?;
                r.changes.push(if exists {
                    format!("gave the database role {role} a new password (none was stored)")
                } else {
                    format!("created the database role {role}")
                });
                Ok(password)
            }
        }
    }

    fn databases(&self, r: &mut Report) -> anyhow::Result<()> {
        let roles = self.psql("postgres", "select rolname from pg_roles;")?;
        let roles: Vec<&str> = roles.lines().collect();
        let databases = self.psql("postgres", "select datname from pg_database;")?;
        let databases: Vec<&str> = databases.lines().collect();
        for app in self.apps() {
            let db = devstack::ident(&app.database)?;
            let stored = self
                .credential(&app.name, "DATABASE_URL")
                .and_then(|u| Self::password_in(&u));
            let password = self.role(r, &roles, db, stored)?;
            if !databases.contains(&db) {
                self.psql("postgres", &format!("create database {db} owner {db};"))?;
                r.changes.push(format!("created the database {db}"));
            }
            self.write_credential(r, &app.name, "DATABASE_URL", &self.url(db, &password, db))?;
        }
        let portal = self
            .manifest
            .app("portal")
            .context("the manifest has no portal")?;
        let reader = self.reader_role.as_str();
        let stored = self
            .apps()
            .filter(|a| !a.subdomain.is_empty())
            .find_map(|a| self.credential(&a.name, "SESSION_DATABASE_URL"))
            .and_then(|u| Self::password_in(&u));
        let password = self.role(r, &roles, reader, stored)?;
        let (cluster, in_portal) = devstack::grants(self.manifest, reader)?;
        self.psql("postgres", &(cluster.join(";\n") + ";"))?;
        self.psql(&portal.database, &(in_portal.join(";\n") + ";"))?;
        for app in self.apps().filter(|a| !a.subdomain.is_empty()) {
            self.write_credential(
                r,
                &app.name,
                "SESSION_DATABASE_URL",
                &self.url(reader, &password, &portal.database),
            )?;
        }
        Ok(())
    }

    /// The operator's value of `name` for `app`: `<NAME>_<APP>`, else `<NAME>`.
    fn given(&self, app: &str, name: &str) -> Option<&String> {
        self.given
            .get(&format!("{name}_{}", app.to_uppercase()))
            .or_else(|| self.given.get(name))
    }

    fn settings(&self, r: &mut Report) -> anyhow::Result<()> {
        let domain = &self.manifest.suite.domain;
        let shared = [
            ("SUITE_DOMAIN", domain.as_str()),
            ("SUITE_SCHEME", "https"),
            ("SUITE_PUBLIC_PORT", "default"),
            ("SEED_DEMO", "false"),
        ];
        let owned: Vec<(String, String)> = shared
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        let mut defaults = vec![("RUST_LOG".to_owned(), "info".to_owned())];
        if let Some(from) = self.given.get("MAIL_FROM") {
            defaults.push(("MAIL_FROM".into(), from.clone()));
        }
        self.env_file(r, "/etc/stepperslife/suite.env", &owned, &defaults)?;

        for app in self.apps() {
            let mut owned = Vec::new();
            let mut defaults = Vec::new();
            if let Some(bucket) = &app.bucket {
                let key = self
                    .credential(&app.name, "S3_SECRET_KEY")
                    .unwrap_or_else(generate_secret);
                self.write_credential(r, &app.name, "S3_SECRET_KEY", &key)?;
                let user = format!("stepperslife-{}", app.name);
                owned.extend([
                    (
                        "S3_ENDPOINT".to_owned(),
                        format!("http://127.0.0.1:{}", app.object_store_port()),
                    ),
                    ("S3_REGION".into(), "us-east-1".into()),
                    ("S3_ACCESS_KEY".into(), user.clone()),
                    ("S3_BUCKET".into(), bucket.clone()),
                ]);
                // The app's object store: its root credentials are the app's keys.
                self.env_file(
                    r,
                    &format!("/etc/stepperslife/minio-{}.env", app.name),
                    &[
                        ("MINIO_ROOT_USER".into(), user),
                        ("MINIO_ROOT_PASSWORD".into(), key),
                        ("MINIO_BROWSER".into(), "off".into()),
                    ],
                    &[],
                )?;
            }
            if app.payments {
                let key = self.given(&app.name, "STRIPE_PUBLISHABLE_KEY").cloned();
                defaults.push(("STRIPE_PUBLISHABLE_KEY".to_owned(), key.unwrap_or_default()));
            }
            if app.subdomain.is_empty() {
                // The sign-in providers (OAUTH_PROVIDERS and each one's OAUTH_<NAME>_*).
                defaults.push(("OAUTH_PROVIDERS".to_owned(), String::new()));
                for (k, v) in self.given.iter().filter(|(k, _)| k.starts_with("OAUTH_")) {
                    defaults.retain(|(d, _)| d != k);
                    defaults.push((k.clone(), v.clone()));
                }
            }
            self.env_file(
                r,
                &format!("/etc/stepperslife/{}.env", app.name),
                &owned,
                &defaults,
            )?;
            // The operator's secrets: given now, or left empty (and listed at the end).
            for name in render::secrets(app) {
                if matches!(
                    name,
                    "DATABASE_URL" | "SESSION_DATABASE_URL" | "S3_SECRET_KEY"
                ) || self.credential(&app.name, name).is_some()
                {
                    continue;
                }
                let value = self.given(&app.name, name).cloned().unwrap_or_default();
                let path = self.credential_path(&app.name, name);
                if value.is_empty() && path.exists() {
                    continue;
                }
                self.write_credential(r, &app.name, name, &value)?;
            }
        }
        // The RFC 7919 group nginx's DHE suites use.
        let dh = self.path(render::DH_PARAMS);
        if !dh.exists() {
            self.file(r, render::DH_PARAMS, &dh_group_pem()?, 0o644)?;
        }
        Ok(())
    }

    fn env_file(
        &self,
        r: &mut Report,
        abs: &str,
        owned: &[(String, String)],
        defaults: &[(String, String)],
    ) -> anyhow::Result<()> {
        let existing = std::fs::read_to_string(self.path(abs)).unwrap_or_else(|_| {
            "# Written by `suite provision`; lines it does not set are kept as they are.\n".into()
        });
        self.file(r, abs, &merge_env(&existing, owned, defaults), 0o600)?;
        Ok(())
    }

    /// Every rendered unit, in `/etc/systemd/system`. Returns whether any changed.
    pub fn install_units(&self, r: &mut Report) -> anyhow::Result<bool> {
        let mut changed = false;
        for (path, content) in render::all_files(self.manifest) {
            if let Some(name) = path.strip_prefix("ecosystem/systemd/") {
                changed |= self.file(r, &format!("{UNIT_DIR}/{name}"), &content, 0o644)?;
            }
        }
        Ok(changed)
    }

    fn certificate(&self) -> PathBuf {
        self.path(&format!(
            "{}/fullchain.pem",
            render::CERT_DIR.replace("{domain}", &self.manifest.suite.domain)
        ))
    }

    /// The nginx site: the https one once the certificate is there, else the one that lets
    /// certbot prove the domain. Debian's default site goes (it claims the default server).
    pub fn install_nginx_site(&self, r: &mut Report) -> anyhow::Result<bool> {
        let suite = self.suite();
        let content = if self.certificate().exists() {
            let addrs = self
                .apps()
                .flat_map(|a| a.instances().into_iter().map(|i| (a.name.clone(), i)))
                .collect();
            render::nginx_production(&render::Upstreams {
                suite: &suite,
                addrs,
            })
        } else {
            render::nginx_before_certificate(&suite)
        };
        let mut changed = self.file(
            r,
            &format!("{SITES_AVAILABLE}/{SITE_FILE}"),
            &content,
            0o644,
        )?;
        let link = self.path(&format!("{SITES_ENABLED}/{SITE_FILE}"));
        let target = PathBuf::from(format!("../sites-available/{SITE_FILE}"));
        if std::fs::read_link(&link).ok() != Some(target.clone()) {
            std::fs::create_dir_all(self.path(SITES_ENABLED))?;
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&target, &link)?;
            r.changes
                .push(format!("enabled the nginx site {SITE_FILE}"));
            changed = true;
        }
        let default = self.path(&format!("{SITES_ENABLED}/default"));
        if default.symlink_metadata().is_ok() {
            std::fs::remove_file(&default)?;
            r.changes.push("disabled nginx's default site".into());
            changed = true;
        }
        Ok(changed)
    }

    fn minio_installed(&self) -> bool {
        self.path(render::MINIO_BINARY).is_file()
    }

    fn systemctl(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = Command::new("systemctl")
            .args(args)
            .output()
            .context("systemctl")?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// Enables and starts `unit` unless it is already; says so when it does.
    fn enable(&self, r: &mut Report, unit: &str) -> anyhow::Result<()> {
        let enabled = self.systemctl(&["is-enabled", unit])? == "enabled";
        let active = self.systemctl(&["is-active", unit])? == "active";
        if !(enabled && active) {
            let out = Command::new("systemctl")
                .args(["enable", "--now", unit])
                .output()?;
            if !out.status.success() {
                bail!(
                    "systemctl enable --now {unit}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            r.changes.push(format!("enabled and started {unit}"));
        }
        Ok(())
    }

    /// After units or the nginx site changed: systemd reads the units again; nginx checks and
    /// loads the site (refused sites are not loaded: nginx keeps serving the old one).
    pub fn reload(&self, r: &mut Report, units: bool, site: bool) -> anyhow::Result<()> {
        if !self.systemd_running() {
            return Ok(());
        }
        if units {
            self.systemctl(&["daemon-reload"])?;
        }
        if site {
            let test = Command::new("nginx").arg("-t").output()?;
            if !test.status.success() {
                bail!(
                    "nginx -t refused the site: {}",
                    String::from_utf8_lossy(&test.stderr).trim()
                );
            }
            self.systemctl(&["reload-or-restart", "nginx"])?;
            r.changes.push("reloaded nginx".into());
        }
        Ok(())
    }

    /// The object stores must run before their buckets can be made.
    fn object_stores(&self, r: &mut Report) -> anyhow::Result<()> {
        if !self.systemd_running() || !self.minio_installed() {
            return Ok(());
        }
        for app in self.apps().filter(|a| a.bucket.is_some()) {
            self.enable(r, &format!("stepperslife-minio-{}.service", app.name))?;
        }
        Ok(())
    }

    async fn buckets(&self, r: &mut Report) -> anyhow::Result<()> {
        for app in self.apps() {
            let Some(bucket) = &app.bucket else { continue };
            let storage = Storage::new(&BucketConfig {
                endpoint: format!("http://127.0.0.1:{}", app.object_store_port()),
                region: "us-east-1".into(),
                access_key: format!("stepperslife-{}", app.name),
                secret_key: SecretString::from(
                    self.credential(&app.name, "S3_SECRET_KEY")
                        .context("no S3 key was written")?,
                ),
                bucket: bucket.clone(),
            })?;
            if storage.ping().await.is_ok() {
                continue;
            }
            // MinIO takes a moment after systemd starts it.
            let tries = if self.systemd_running() { 20 } else { 0 };
            let mut made = storage.ensure_bucket().await;
            for _ in 0..tries {
                if made.is_ok() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                made = storage.ensure_bucket().await;
            }
            match made {
                Ok(()) => r.changes.push(format!("created the bucket {bucket}")),
                Err(e) => {
                    tracing::debug!(error = %e, bucket, "the bucket could not be made");
                    r.todo.push(format!(
                        "The bucket {bucket} could not be made: its object store \
                         (127.0.0.1:{port}) does not answer. Start it (`systemctl enable --now \
                         stepperslife-minio-{app}`) and run `suite provision` again.",
                        app = app.name,
                        port = app.object_store_port()
                    ));
                }
            }
        }
        Ok(())
    }

    fn services(&self, r: &mut Report) -> anyhow::Result<()> {
        if !self.systemd_running() {
            return Ok(());
        }
        for app in self.apps() {
            self.enable(r, &format!("stepperslife-{}.socket", app.name))?;
            if self.path(&format!("{OPT}/bin/{}", app.name)).is_file() {
                self.enable(r, &format!("stepperslife-{}.service", app.name))?;
            }
        }
        self.enable(r, "stepperslife-backup.timer")?;
        self.enable(r, "nginx.service")
    }

    fn left_to_do(&self, r: &mut Report) {
        let suite = self.suite();
        let hosts: Vec<String> = self.apps().map(|a| suite.host(a)).collect();
        if !self.certificate().exists() {
            r.todo.push(format!(
                "DNS: point an A record (and AAAA for IPv6) of each of {} at this server.",
                hosts.join(", ")
            ));
            r.todo.push(format!(
                "The certificate: `certbot certonly --webroot -w {} {} --deploy-hook \
                 'systemctl reload nginx'`, then run `suite provision` again to serve https.",
                render::ACME_ROOT,
                hosts
                    .iter()
                    .map(|h| format!("-d {h}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        if self.apps().any(|a| a.bucket.is_some()) && !self.minio_installed() {
            r.todo.push(format!(
                "MinIO is not a Debian package: put its binary at {} (README, \"Production\"), \
                 then run `suite provision` again.",
                render::MINIO_BINARY
            ));
        }
        for app in self.apps() {
            let empty: Vec<&str> = render::secrets(app)
                .into_iter()
                .filter(|n| self.credential(&app.name, n).is_none())
                .collect();
            if !empty.is_empty() {
                r.todo.push(format!(
                    "Secrets of {}: write {} into {}/ (one file each; or run `suite provision` \
                     with them in its environment).",
                    app.name,
                    empty.join(", "),
                    render::credentials_dir(&app.name)
                ));
            }
            if app.payments
                && self
                    .read_env(&format!("/etc/stepperslife/{}.env", app.name))
                    .get("STRIPE_PUBLISHABLE_KEY")
                    .is_none_or(|v| v.is_empty())
            {
                r.todo.push(format!(
                    "Set STRIPE_PUBLISHABLE_KEY in /etc/stepperslife/{}.env.",
                    app.name
                ));
            }
        }
        let missing: Vec<&str> = self
            .apps()
            .filter(|a| !self.path(&format!("{OPT}/bin/{}", a.name)).is_file())
            .map(|a| a.name.as_str())
            .collect();
        if !missing.is_empty() {
            r.todo.push(format!(
                "Install the apps ({}): `suite deploy --from <a release folder>` (README, \"Production\").",
                missing.join(", ")
            ));
        }
        if !self.systemd_running() {
            r.todo.push(
                "systemd is not running here: enable and start the units by hand \
                 (`systemctl enable --now stepperslife-<app>.socket stepperslife-backup.timer …`)."
                    .into(),
            );
        }
    }

    fn read_env(&self, abs: &str) -> BTreeMap<String, String> {
        crate::backup::read_env_file(&self.path(abs)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_value_with_a_line_break_is_refused() {
        let ok = BTreeMap::from([("SMTP_URL".to_owned(), "smtp://relay:25".to_owned())]);
        assert!(check_given(&ok).is_ok());
        let bad = BTreeMap::from([("MAIL_FROM".to_owned(), "x\nSEED_DEMO=true".to_owned())]);
        let err = check_given(&bad).expect_err("refused").to_string();
        assert!(err.contains("MAIL_FROM holds a line break"), "{err}");
    }

    #[test]
    fn merge_env_sets_what_it_owns_and_keeps_the_operators_lines() {
        let existing = "# mine\nS3_BUCKET=old\nOAUTH_PROVIDERS=google\nEXTRA=1\n";
        let out = merge_env(
            existing,
            &[
                ("S3_BUCKET".into(), "store".into()),
                ("S3_REGION".into(), "us-east-1".into()),
            ],
            &[
                ("OAUTH_PROVIDERS".into(), String::new()),
                ("RUST_LOG".into(), "info".into()),
            ],
        );
        assert_eq!(
            out,
            "# mine\nS3_BUCKET=store\nOAUTH_PROVIDERS=google\nEXTRA=1\nS3_REGION=us-east-1\nRUST_LOG=info\n"
        );
        assert_eq!(
            merge_env(&out, &[("S3_BUCKET".into(), "store".into())], &[]),
            out
        );
    }
}

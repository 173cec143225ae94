//! `suite backup` and `suite restore`: every app's database (`pg_dump -Fc`) and bucket (every
//! object with its content type and SHA-256) into one dated folder; one app's database and
//! bucket put back from it.
//!
//! A backup is written into `<root>/.<stamp>.partial/` and renamed to `<root>/<stamp>/` once
//! complete, so a folder with a stamp for a name is always a whole backup:
//!
//! ```text
//! <root>/20261130-031500Z/
//!     restaurants.dump            pg_dump -Fc of its database
//!     restaurants/objects.json    every object: key, content type, size, SHA-256
//!     restaurants/objects/<key>   the objects themselves
//! ```
//!
//! Passwords never reach a command line (where any user of the machine could read them):
//! `pg_dump` and `pg_restore` get the host, port, user and database as arguments and the
//! password in their environment.

use std::{
    collections::{BTreeMap, HashSet},
    path::{Component, Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};
use platform::suite::AppEntry;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use storage::{BucketConfig, Storage};

/// What one app's backup covers: its database and, when it has one, its bucket.
#[derive(Debug, Clone)]
pub struct Target {
    pub app: String,
    pub database_url: SecretString,
    pub bucket: Option<BucketConfig>,
}

/// An object as the backup lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectEntry {
    pub key: String,
    pub content_type: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What was backed up or restored of one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub app: String,
    pub dump_bytes: u64,
    pub objects: usize,
    pub object_bytes: u64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: database {} KiB, {} objects ({} KiB)",
            self.app,
            self.dump_bytes.div_ceil(1024),
            self.objects,
            self.object_bytes.div_ceil(1024)
        )
    }
}

/// `KEY=VALUE` lines of an environment file (`#` comments, optional quotes), as systemd's
/// `EnvironmentFile=` reads them.
pub fn read_env_file(path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(v);
            (k.trim().to_owned(), v.to_owned())
        })
        .collect())
}

impl Target {
    /// An app's target as its server has it (see the README's "Production"):
    /// `<etc>/suite.env` and `<etc>/<app>.env` for settings, `<etc>/credentials/<app>/` for
    /// secrets.
    pub fn from_etc(etc: &Path, app: &AppEntry) -> anyhow::Result<Self> {
        let mut env = BTreeMap::new();
        let shared = etc.join("suite.env");
        if shared.exists() {
            env.extend(read_env_file(&shared)?);
        }
        env.extend(read_env_file(&etc.join(format!("{}.env", app.name)))?);
        let credentials = etc.join("credentials").join(&app.name);
        let get = |name: &str| {
            env.get(name)
                .filter(|v| !v.trim().is_empty())
                .cloned()
                .or_else(|| platform::config::credential_in(&credentials, name))
        };
        let need = |name: &str| {
            get(name).with_context(|| {
                format!(
                    "{}: {name} is in neither {}/{}.env nor {}/{name}",
                    app.name,
                    etc.display(),
                    app.name,
                    credentials.display()
                )
            })
        };
        let bucket = match &app.bucket {
            None => None,
            Some(_) => Some(BucketConfig {
                endpoint: need("S3_ENDPOINT")?,
                region: get("S3_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
                access_key: need("S3_ACCESS_KEY")?,
                secret_key: SecretString::from(need("S3_SECRET_KEY")?),
                bucket: need("S3_BUCKET")?,
            }),
        };
        Ok(Self {
            app: app.name.clone(),
            database_url: SecretString::from(need("DATABASE_URL")?),
            bucket,
        })
    }
}

/// A `pg_dump`/`pg_restore` command for the database at `url`: connection parts as
/// arguments, the password in the environment.
fn pg_command(program: &str, url: &SecretString) -> anyhow::Result<Command> {
    let url = url::Url::parse(url.expose_secret()).context("DATABASE_URL is not a URL")?;
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let database = url.path().trim_start_matches('/');
    if database.is_empty() {
        bail!("DATABASE_URL names no database");
    }
    let mut cmd = Command::new(program);
    cmd.arg("--dbname").arg(decode(database));
    if let Some(host) = url.host_str() {
        cmd.arg("--host")
            .arg(host.trim_start_matches('[').trim_end_matches(']'));
    }
    if let Some(port) = url.port() {
        cmd.arg("--port").arg(port.to_string());
    }
    if !url.username().is_empty() {
        cmd.arg("--username").arg(decode(url.username()));
    }
    cmd.arg("--no-password");
    cmd.env_remove("PGPASSWORD");
    if let Some(password) = url.password() {
        cmd.env("PGPASSWORD", decode(password));
    }
    for (k, v) in url.query_pairs() {
        if k == "sslmode" {
            cmd.env("PGSSLMODE", v.as_ref());
        }
    }
    Ok(cmd)
}

fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot run it (apt-get install postgresql-client)"))?;
    if !out.status.success() {
        bail!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

/// The file an object's key is kept in under `dir`; keys that could leave it are refused.
fn object_path(dir: &Path, key: &str) -> anyhow::Result<PathBuf> {
    let path = Path::new(key);
    if key.is_empty() || !path.components().all(|c| matches!(c, Component::Normal(_))) {
        bail!("refusing the object key {key:?}");
    }
    Ok(dir.join(path))
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Backs up `target` into `dir` (an unfinished backup's folder).
async fn backup_one(target: &Target, dir: &Path) -> anyhow::Result<Summary> {
    let dump = dir.join(format!("{}.dump", target.app));
    let mut cmd = pg_command("pg_dump", &target.database_url)?;
    cmd.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(&dump);
    run(cmd, &format!("pg_dump of {}", target.app))?;
    let mut summary = Summary {
        app: target.app.clone(),
        dump_bytes: std::fs::metadata(&dump)?.len(),
        objects: 0,
        object_bytes: 0,
    };
    if let Some(bucket) = &target.bucket {
        let storage = Storage::new(bucket)?;
        let objects_dir = dir.join(&target.app).join("objects");
        std::fs::create_dir_all(&objects_dir)?;
        let mut entries = Vec::new();
        for key in storage.all_keys().await? {
            let path = object_path(&objects_dir, &key)?;
            let Some((bytes, content_type)) = storage.get(&key).await? else {
                // Deleted since it was listed.
                continue;
            };
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, &bytes)?;
            summary.object_bytes += bytes.len() as u64;
            entries.push(ObjectEntry {
                sha256: sha256_hex(&bytes),
                bytes: bytes.len() as u64,
                content_type,
                key,
            });
        }
        summary.objects = entries.len();
        std::fs::write(
            dir.join(&target.app).join("objects.json"),
            serde_json::to_vec_pretty(&entries)?,
        )?;
    }
    Ok(summary)
}

/// The name of a backup made at `at`.
pub fn stamp(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y%m%d-%H%M%SZ").to_string()
}

/// Backs up every target into a new dated folder under `root`; the folder and what each app
/// put in it. Nothing is left under the date's name unless every app's part is complete.
pub async fn backup(targets: &[Target], root: &Path) -> anyhow::Result<(PathBuf, Vec<Summary>)> {
    let name = stamp(chrono::Utc::now());
    let partial = root.join(format!(".{name}.partial"));
    let done = root.join(&name);
    if done.exists() {
        bail!("{} exists already", done.display());
    }
    std::fs::create_dir_all(&partial)
        .with_context(|| format!("cannot create {}", partial.display()))?;
    let mut summaries = Vec::new();
    for target in targets {
        match backup_one(target, &partial).await {
            Ok(s) => summaries.push(s),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&partial);
                return Err(e.context(format!("backing up {}", target.app)));
            }
        }
    }
    std::fs::rename(&partial, &done)?;
    Ok((done, summaries))
}

/// The complete backups under `root`, oldest first.
pub fn backups(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .with_context(|| format!("cannot read {}", root.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.len() == 16 && n.ends_with('Z') && !n.starts_with('.'))
        })
        .collect();
    found.sort();
    Ok(found)
}

/// Removes all but the newest `keep` complete backups (and unfinished ones); what it removed.
pub fn prune(root: &Path, keep: usize) -> anyhow::Result<Vec<PathBuf>> {
    let all = backups(root)?;
    let mut removed = Vec::new();
    for old in all.iter().take(all.len().saturating_sub(keep)) {
        std::fs::remove_dir_all(old)?;
        removed.push(old.clone());
    }
    for entry in std::fs::read_dir(root)?.filter_map(Result::ok) {
        let path = entry.path();
        if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.') && n.ends_with(".partial"))
        {
            std::fs::remove_dir_all(&path)?;
            removed.push(path);
        }
    }
    Ok(removed)
}

/// Puts `target`'s database and bucket back as they are in the backup `from`: the database's
/// objects dropped and restored in one transaction; the bucket made to hold exactly the
/// backup's objects (each checked against its SHA-256 before it is stored).
pub async fn restore(target: &Target, from: &Path) -> anyhow::Result<Summary> {
    let dump = from.join(format!("{}.dump", target.app));
    if !dump.is_file() {
        bail!("{} holds no backup of {}", from.display(), target.app);
    }
    let mut summary = Summary {
        app: target.app.clone(),
        dump_bytes: std::fs::metadata(&dump)?.len(),
        objects: 0,
        object_bytes: 0,
    };
    // The objects are read and checked before anything is changed.
    let mut objects = Vec::new();
    if target.bucket.is_some() {
        let list = from.join(&target.app).join("objects.json");
        let entries: Vec<ObjectEntry> = serde_json::from_slice(
            &std::fs::read(&list).with_context(|| format!("cannot read {}", list.display()))?,
        )?;
        let dir = from.join(&target.app).join("objects");
        for entry in entries {
            let bytes = std::fs::read(object_path(&dir, &entry.key)?)?;
            if sha256_hex(&bytes) != entry.sha256 {
                bail!(
                    "{} in the backup is damaged (its SHA-256 differs)",
                    entry.key
                );
            }
            objects.push((entry, bytes));
        }
    }
    let mut cmd = pg_command("pg_restore", &target.database_url)?;
    cmd.args([
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ])
    .arg(&dump);
    run(cmd, &format!("pg_restore of {}", target.app))?;
    if let Some(bucket) = &target.bucket {
        let storage = Storage::new(bucket)?;
        let kept: HashSet<&str> = objects.iter().map(|(e, _)| e.key.as_str()).collect();
        for (entry, bytes) in &objects {
            storage
                .put_raw(&entry.key, bytes, &entry.content_type)
                .await?;
            summary.object_bytes += entry.bytes;
        }
        for key in storage.all_keys().await? {
            if !kept.contains(key.as_str()) {
                storage.delete(&key).await?;
            }
        }
        summary.objects = objects.len();
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_stay_inside_the_backup() {
        let dir = Path::new("/b");
        assert_eq!(
            object_path(dir, "covers/1/a.webp").ok(),
            Some(PathBuf::from("/b/covers/1/a.webp"))
        );
        for bad in ["", "../etc/passwd", "/etc/passwd", "a/../../b", "./a"] {
            assert!(object_path(dir, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_go_to_the_environment_not_the_command_line() {
        let url = SecretString::from(
            "postgres://app%40x:p%2Fss@db.internal:6432/stepperslife_store?sslmode=require"
                .to_owned(),
        );
        let cmd = pg_command("pg_dump", &url).expect("a command");
        let args: Vec<String> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--dbname",
                "stepperslife_store",
                "--host",
                "db.internal",
                "--port",
                "6432",
                "--username",
                "app@x",
                "--no-password"
            ]
        );
        let envs: Vec<(String, Option<String>)> = cmd
            .get_envs()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.map(|v| v.to_string_lossy().into_owned()),
                )
            })
            .collect();
        assert!(
            envs.contains(&("PGPASSWORD".into(), Some("p/ss".into()))),
            "{envs:?}"
        );
        assert!(
            envs.contains(&("PGSSLMODE".into(), Some("require".into()))),
            "{envs:?}"
        );
    }

    #[test]
    fn env_files_read_as_systemd_reads_them() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("a.env");
        std::fs::write(
            &path,
            "# comment\nA=1\nB=\"two words\"\n  C = 'x'\n\nnot a line\n",
        )
        .expect("write");
        let env = read_env_file(&path).expect("read");
        assert_eq!(env.get("A").map(String::as_str), Some("1"));
        assert_eq!(env.get("B").map(String::as_str), Some("two words"));
        assert_eq!(env.get("C").map(String::as_str), Some("x"));
        assert_eq!(env.len(), 3);
    }
}

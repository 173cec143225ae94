use std::{
    collections::HashSet,
    sync::{LazyLock, Mutex},
};

use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection, PgPool, migrate::Migrator};

use crate::pg::{admin_url_from_env, with_database};

/// A fresh database for one test, created on the configured (or default) PostgreSQL and dropped
/// when the value is dropped (a failing test included: the drop runs while it unwinds).
#[derive(Debug)]
pub struct TestDb {
    pub name: String,
    /// Superuser URL of this database.
    pub url: String,
    /// A small pool on it, for the test's own queries.
    pub pool: PgPool,
    admin_url: String,
}

/// Templates this process has made sure of.
static KNOWN_TEMPLATES: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

async fn admin() -> (String, PgConnection) {
    let (admin_url, _) = admin_url_from_env();
    let conn = PgConnection::connect(&admin_url)
        .await
        .expect("tests need PostgreSQL: set SUITE_PG_ADMIN_URL or run it on 127.0.0.1:5432");
    (admin_url, conn)
}

/// The name of the template database holding exactly `migrator`'s migrations: derived from
/// their versions and checksums, so that a changed or added migration makes a new template.
pub fn template_name(migrator: &Migrator) -> String {
    let mut hash = Sha256::new();
    for m in migrator.iter() {
        hash.update(m.version.to_be_bytes());
        hash.update(&m.checksum[..]);
    }
    format!("tmpl_{}", &hex::encode(hash.finalize())[..20])
}

/// Makes sure the template of `migrator` exists: created and migrated once (by whichever test
/// process gets there first, under an advisory lock), then copied by every test.
async fn ensure_template(migrator: &Migrator) -> String {
    let name = template_name(migrator);
    if KNOWN_TEMPLATES
        .lock()
        .is_ok_and(|known| known.contains(&name))
    {
        return name;
    }
    let (admin_url, mut conn) = admin().await;
    sqlx::query("select pg_advisory_lock(hashtext($1))")
        .bind(&name)
        .execute(&mut conn)
        .await
        .expect("template lock");
    let exists: bool = sqlx::query_scalar(
        "select exists(select 1 from pg_database where datname = $1 and datistemplate)",
    )
    .bind(&name)
    .fetch_one(&mut conn)
    .await
    .expect("look for the template");
    if !exists {
        // Marked as a template only once complete: a run that died half-way left a database
        // that is not one, which is dropped and built again.
        conn.execute(format!("drop database if exists {name} with (force)").as_str())
            .await
            .expect("drop a half-built template");
        conn.execute(format!("create database {name}").as_str())
            .await
            .expect("create the template");
        let url = with_database(&admin_url, &name).expect("admin URL parses");
        let pool = platform::db::connect(&url, 1)
            .await
            .expect("connect to the template");
        migrator
            .run(&pool)
            .await
            .expect("migrations apply to a fresh database");
        pool.close().await;
        conn.execute(format!("alter database {name} is_template true").as_str())
            .await
            .expect("mark the template");
    }
    let _ = sqlx::query("select pg_advisory_unlock(hashtext($1))")
        .bind(&name)
        .execute(&mut conn)
        .await;
    let _ = conn.close().await;
    if let Ok(mut known) = KNOWN_TEMPLATES.lock() {
        known.insert(name.clone());
    }
    name
}

impl TestDb {
    /// An empty database.
    pub async fn empty() -> Self {
        Self::create(None).await
    }

    /// A database with `migrator`'s migrations applied: a copy of their template (migrated
    /// once per change of the migrations, not once per test).
    pub async fn migrated(migrator: &Migrator) -> Self {
        let template = ensure_template(migrator).await;
        Self::create(Some(&template)).await
    }

    async fn create(template: Option<&str>) -> Self {
        let (admin_url, mut admin) = admin().await;
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let sql = match template {
            Some(t) => format!("create database {name} template {t}"),
            None => format!("create database {name}"),
        };
        admin
            .execute(sql.as_str())
            .await
            .expect("create test database");
        admin.close().await.ok();
        let url = with_database(&admin_url, &name).expect("admin URL parses");
        let pool = platform::db::connect(&url, 2)
            .await
            .expect("connect to test database");
        Self {
            name,
            url,
            pool,
            admin_url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime; use a thread with its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(format!("drop database if exists {name} with (force)").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

use sqlx::{Connection, Executor, PgConnection, PgPool, migrate::Migrator};

use crate::pg::{admin_url_from_env, with_database};

/// A fresh database for one test, created on the configured (or default) PostgreSQL and dropped
/// when the value is dropped.
#[derive(Debug)]
pub struct TestDb {
    pub name: String,
    /// Superuser URL of this database.
    pub url: String,
    pub pool: PgPool,
    admin_url: String,
}

impl TestDb {
    /// Creates the database and runs `migrator` on it, if given.
    pub async fn new(migrator: Option<&Migrator>) -> Self {
        let (admin_url, _) = admin_url_from_env();
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::connect(&admin_url)
            .await
            .expect("tests need PostgreSQL: set SUITE_PG_ADMIN_URL or run it on 127.0.0.1:5432");
        admin
            .execute(format!("create database {name}").as_str())
            .await
            .expect("create test database");
        admin.close().await.ok();
        let url = with_database(&admin_url, &name).expect("admin URL parses");
        let pool = platform::db::connect(&url, 5)
            .await
            .expect("connect to test database");
        if let Some(m) = migrator {
            m.run(&pool)
                .await
                .expect("migrations apply to a fresh database");
        }
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

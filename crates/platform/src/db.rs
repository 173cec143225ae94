//! The Postgres pool and migrations.

use std::time::Duration;

use sqlx::{
    PgPool,
    migrate::{Migration, MigrationSource, Migrator},
    postgres::PgPoolOptions,
};

/// Connects a pool. It fails fast (5 s) when the database cannot be reached.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
}

/// Runs `migrator` against `pool`. Several instances may start at once: sqlx takes an advisory
/// lock, so only one applies each migration.
pub async fn migrate(
    pool: &PgPool,
    migrator: &Migrator,
) -> Result<(), sqlx::migrate::MigrateError> {
    migrator.run(pool).await
}

/// The migrations of several sets (an app's own and the shared crates' tables) as one: sorted by
/// version, applied and checked together. Two sets using one version is an error.
pub async fn combine(sets: &[&Migrator]) -> Result<Migrator, sqlx::migrate::MigrateError> {
    let mut all: Vec<Migration> = sets.iter().flat_map(|m| m.iter().cloned()).collect();
    all.sort_by_key(|m| m.version);
    if let Some(pair) = all.windows(2).find(|w| w[0].version == w[1].version) {
        return Err(sqlx::migrate::MigrateError::Source(
            format!(
                "two migrations have version {}: {} and {}",
                pair[0].version, pair[0].description, pair[1].description
            )
            .into(),
        ));
    }
    Migrator::new(Combined(all)).await
}

#[derive(Debug)]
struct Combined(Vec<Migration>);

impl<'s> MigrationSource<'s> for Combined {
    fn resolve(
        self,
    ) -> futures::future::BoxFuture<'s, Result<Vec<Migration>, sqlx::error::BoxDynError>> {
        Box::pin(async move { Ok(self.0) })
    }
}

/// `select 1`: the readiness probe of a pool.
pub async fn ping(pool: &PgPool) -> Result<(), String> {
    sqlx::query("select 1")
        .execute(pool)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

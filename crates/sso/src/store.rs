use async_trait::async_trait;
use sqlx::PgPool;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store,
};
use tower_sessions_sqlx_store::PostgresStore;

/// The session table (created by the portal's migrations, in the layout tower-sessions' Postgres
/// store expects).
pub const SESSION_TABLE: &str = "tower_sessions.session";

/// The portal's session store: tower-sessions' `PostgresStore` with one change. `save` updates
/// an existing row and never inserts, so a session deleted by a sign-out cannot be resurrected by
/// a request that loaded it earlier and saves it later (the stock store upserts). New sessions
/// are inserted by `create`, which tower-sessions calls for a new or cycled id.
#[derive(Debug, Clone)]
pub struct SuiteStore {
    inner: PostgresStore,
    pool: PgPool,
}

impl SuiteStore {
    pub fn new(pool: PgPool) -> Self {
        Self {
            inner: PostgresStore::new(pool.clone()),
            pool,
        }
    }

    /// Deletes every session whose id is in `ids` (sign out everywhere, a disabled user).
    pub async fn delete_many(&self, ids: &[String]) -> Result<u64, sqlx::Error> {
        let done = sqlx::query("delete from tower_sessions.session where id = any($1)")
            .bind(ids)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for SuiteStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.inner.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let data = rmp_serde::to_vec(record).map_err(backend)?;
        sqlx::query("update tower_sessions.session set data = $2, expiry_date = $3 where id = $1")
            .bind(record.id.to_string())
            .bind(data)
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(id).await
    }
}

/// Deletes expired sessions (a job of the portal's, run periodically); how many it deleted.
pub async fn delete_expired(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("delete from tower_sessions.session where expiry_date < now()")
        .execute(pool)
        .await?;
    if done.rows_affected() > 0 {
        tracing::info!(deleted = done.rows_affected(), "expired sessions deleted");
    }
    Ok(done.rows_affected())
}

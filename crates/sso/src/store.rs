use async_trait::async_trait;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use time::OffsetDateTime;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store,
};

/// The session table (created by the portal's migrations, in the layout tower-sessions' Postgres
/// store expects).
pub const SESSION_TABLE: &str = "tower_sessions.session";

/// What the session table keeps of a session id: its SHA-256, in hex. The cookie holds the id;
/// the table (which every app's read-only role can read) holds nothing that could be used as a
/// cookie.
pub fn stored_id(id: &Id) -> String {
    hex::encode(Sha256::digest(id.to_string().as_bytes()))
}

/// The suite's session store, in the table layout of tower-sessions' Postgres store with two
/// changes. Rows are keyed by [`stored_id`], and the record saved in them carries no id. And
/// `save` updates an existing row and never inserts, so a session deleted by a sign-out cannot
/// be resurrected by a request that loaded it earlier and saves it later (the stock store
/// upserts); new sessions are inserted by `create`, which tower-sessions calls for a new or
/// cycled id.
#[derive(Debug, Clone)]
pub struct SuiteStore {
    pool: PgPool,
}

impl SuiteStore {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// A live session's record and its idle deadline (the row's, which
    /// [`extend`](Self::extend) moves on without touching the record).
    pub async fn load_with_deadline(
        &self,
        id: &Id,
    ) -> Result<Option<(Record, OffsetDateTime)>, sqlx::Error> {
        let row: Option<(Vec<u8>, OffsetDateTime)> = sqlx::query_as(
            "select data, expiry_date from tower_sessions.session where id = $1 and expiry_date > now()",
        )
        .bind(stored_id(id))
        .fetch_optional(&self.pool)
        .await?;
        let Some((data, deadline)) = row else {
            return Ok(None);
        };
        let mut record: Record =
            rmp_serde::from_slice(&data).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        record.id = *id;
        Ok(Some((record, deadline)))
    }

    /// Moves a live session's idle deadline to `idle` from now, through the database function
    /// the apps may call (their role may not write the table): it only ever extends a session
    /// that still exists, so a session deleted by a sign-out is never re-created.
    pub async fn extend(&self, id: &Id, idle: std::time::Duration) -> Result<bool, sqlx::Error> {
        let secs = i32::try_from(idle.as_secs()).unwrap_or(i32::MAX);
        let extended: Option<bool> =
            sqlx::query_scalar("select tower_sessions.extend_session($1, $2)")
                .bind(stored_id(id))
                .bind(secs)
                .fetch_one(&self.pool)
                .await?;
        Ok(extended.unwrap_or(false))
    }

    /// Deletes every session whose stored id is in `ids` (sign out everywhere, a disabled user).
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

/// The record as kept: its id blanked (the row's key is the id's hash).
fn encode(record: &Record) -> session_store::Result<Vec<u8>> {
    let kept = Record {
        id: Id(0),
        data: record.data.clone(),
        expiry_date: record.expiry_date,
    };
    rmp_serde::to_vec(&kept).map_err(backend)
}

#[async_trait]
impl SessionStore for SuiteStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let data = encode(record)?;
        // A new random id; in the (astronomically unlikely) case that its hash is taken, another.
        loop {
            let inserted = sqlx::query(
                "insert into tower_sessions.session (id, data, expiry_date) values ($1, $2, $3)
                 on conflict (id) do nothing",
            )
            .bind(stored_id(&record.id))
            .bind(&data)
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
            if inserted.rows_affected() == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        sqlx::query("update tower_sessions.session set data = $2, expiry_date = $3 where id = $1")
            .bind(stored_id(&record.id))
            .bind(encode(record)?)
            .bind(record.expiry_date)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let row: Option<(Vec<u8>,)> = sqlx::query_as(
            "select data from tower_sessions.session where id = $1 and expiry_date > $2",
        )
        .bind(stored_id(id))
        .bind(OffsetDateTime::now_utc())
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?;
        let Some((data,)) = row else {
            return Ok(None);
        };
        let mut record: Record = rmp_serde::from_slice(&data).map_err(backend)?;
        record.id = *id;
        Ok(Some(record))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        sqlx::query("delete from tower_sessions.session where id = $1")
            .bind(stored_id(id))
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(())
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

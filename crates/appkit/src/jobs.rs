//! Background jobs that run in the app's processes, one instance at a time: each run takes a
//! Postgres advisory lock named after the app and the job, and an instance that does not get it
//! skips that run. So with several instances behind the load balancer the
//! work is done once per period, and when one instance stops another carries on.
//!
//! The lock is a session-level advisory lock on a connection of its own, so a job's own queries
//! (through the pool) never wait behind it.

use std::{sync::Arc, time::Duration};

use futures::future::BoxFuture;
use sha2::{Digest, Sha256};

use crate::AppState;

/// What a job does each period.
pub type JobFn = Arc<dyn Fn(AppState) -> BoxFuture<'static, anyhow::Result<()>> + Send + Sync>;

/// A job of an app: its name, how often it runs, and what it does.
#[derive(Clone)]
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
    pub run: JobFn,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("name", &self.name)
            .field("every", &self.every)
            .finish()
    }
}

/// The advisory-lock key of a job: the first 8 bytes of SHA-256 of `<app>:<job>` (stable across
/// builds and machines).
pub fn lock_key(app: &str, job: &str) -> i64 {
    let digest = Sha256::digest(format!("{app}:{job}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// The advisory lock `key`, held by a database session of its own (not one of the pool's, which
/// the job itself uses: a lock held on a pooled connection while the job waits for another
/// could starve the pool). Released when the session ends, however this process ends.
pub(crate) struct Held(sqlx::PgConnection);

impl Held {
    /// Ends the session, and with it the lock.
    pub(crate) async fn release(self) -> anyhow::Result<()> {
        use sqlx::Connection;
        self.0.close().await?;
        Ok(())
    }
}

/// Takes the advisory lock `key` (waiting for it when `wait`); `None` when another session holds
/// it and `wait` is false.
pub(crate) async fn lock(
    pool: &sqlx::PgPool,
    key: i64,
    wait: bool,
) -> anyhow::Result<Option<Held>> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect_with(&pool.connect_options()).await?;
    let locked: bool = if wait {
        sqlx::query("select pg_advisory_lock($1)")
            .bind(key)
            .execute(&mut conn)
            .await?;
        true
    } else {
        sqlx::query_scalar("select pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut conn)
            .await?
    };
    if locked {
        Ok(Some(Held(conn)))
    } else {
        conn.close().await?;
        Ok(None)
    }
}

/// Runs `job` once if no other instance is running it: `Ok(true)` when it ran, `Ok(false)`
/// when another instance holds its lock.
pub async fn run_once(state: &AppState, job: &Job) -> anyhow::Result<bool> {
    let Some(held) = lock(&state.pool, lock_key(state.app, job.name), false).await? else {
        state.metrics.job(job.name, "skipped");
        return Ok(false);
    };
    let outcome = (job.run)(state.clone()).await;
    state
        .metrics
        .job(job.name, if outcome.is_ok() { "ran" } else { "failed" });
    // Whatever the job did, the lock goes.
    held.release().await?;
    outcome.map(|()| true)
}

/// Runs `job` every period until `stop` says so. The first run is at once (work left over from
/// before a restart is picked up straight away); a failed run is logged and retried next period.
pub(crate) async fn run_forever(
    state: AppState,
    job: Job,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(job.every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.changed() => return,
        }
        match run_once(&state, &job).await {
            Ok(true) => tracing::debug!(job = job.name, "job ran"),
            Ok(false) => tracing::debug!(job = job.name, "job running elsewhere; skipped"),
            Err(e) => tracing::warn!(job = job.name, error = %e, "job failed; will retry"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lock_keys_are_stable_and_apart() {
        assert_eq!(
            super::lock_key("portal", "sessions"),
            super::lock_key("portal", "sessions")
        );
        assert_ne!(
            super::lock_key("portal", "sessions"),
            super::lock_key("restaurants", "sessions")
        );
    }
}

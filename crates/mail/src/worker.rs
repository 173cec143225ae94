//! Delivering the outbox: every instance of an app runs the worker; `SKIP LOCKED` gives each
//! message to one of them. A message that fails is tried again later (see [`backoff`]) and, after
//! [`MAX_ATTEMPTS`] or at once on a permanent refusal, marked `failed` and logged as an error.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use sqlx::PgPool;
use tokio::sync::{Notify, watch};

use crate::{Mailer, SendError, db};

/// Attempts before a message is given up on (about five hours of retries).
pub const MAX_ATTEMPTS: i32 = 10;

/// How often the worker looks for due messages when nobody wakes it.
const POLL: Duration = Duration::from_secs(2);

/// The wait before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = attempts.clamp(1, 8) - 1;
    Duration::from_secs((30u64 << doublings).min(3600))
}

/// What one pass of the worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: u32,
    pub retrying: u32,
    pub failed: u32,
}

/// Delivers every due message, one transaction each (a crash re-sends at most the one in
/// flight), until none is left.
pub async fn deliver_due(pool: &PgPool, mailer: &Mailer) -> anyhow::Result<Delivery> {
    deliver_while(pool, mailer, || true).await
}

/// [`deliver_due`], checking `go_on` before each message (a stopping app sends no more).
async fn deliver_while(
    pool: &PgPool,
    mailer: &Mailer,
    go_on: impl Fn() -> bool,
) -> anyhow::Result<Delivery> {
    let mut done = Delivery::default();
    while go_on() {
        let mut tx = pool.begin().await?;
        let Some(message) = db::claim(&mut tx).await? else {
            return Ok(done);
        };
        let attempt = message.attempts + 1;
        match mailer.send(&message).await {
            Ok(()) => {
                db::mark_sent(&mut tx, message.id).await?;
                done.sent += 1;
                tracing::info!(mail_id = %message.id, kind = %message.kind, attempt, "mail sent");
            }
            Err(SendError::Transient(e)) if attempt < MAX_ATTEMPTS => {
                let wait = backoff(attempt);
                db::mark_failed(&mut tx, message.id, &e, Some(wait.as_secs() as i64)).await?;
                done.retrying += 1;
                tracing::warn!(
                    mail_id = %message.id, kind = %message.kind, attempt, error = %e,
                    retry_in_secs = wait.as_secs(), "mail not sent; will retry"
                );
            }
            Err(e) => {
                db::mark_failed(&mut tx, message.id, &e.to_string(), None).await?;
                done.failed += 1;
                tracing::error!(
                    mail_id = %message.id, kind = %message.kind, attempt, error = %e,
                    "mail given up on"
                );
            }
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// An app's handle on its outbox: wakes the worker after a transaction that queued mail has
/// committed, so that mail leaves at once instead of at the next poll.
#[derive(Debug, Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// The worker: delivers due mail when woken and every couple of seconds, until `stop` turns
    /// true. Without a mailer (no `SMTP_URL`) mail waits in the outbox, as said once at start.
    pub async fn run(self, pool: PgPool, mailer: Option<Mailer>, mut stop: watch::Receiver<bool>) {
        let Some(mailer) = mailer else {
            tracing::warn!("SMTP_URL is not set: mail waits in the outbox until it is");
            return;
        };
        let mut last_cleanup: Option<Instant> = None;
        loop {
            if let Err(e) = deliver_while(&pool, &mailer, || !*stop.borrow()).await {
                tracing::warn!(error = %format!("{e:#}"), "mail worker pass failed");
            }
            if last_cleanup.is_none_or(|at| at.elapsed() > Duration::from_secs(3600)) {
                match db::forget_old(&pool).await {
                    Ok(n) if n > 0 => tracing::info!(deleted = n, "old outbox rows deleted"),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "outbox clean-up failed"),
                }
                last_cleanup = Some(Instant::now());
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = self.wake.notified() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_up_to_an_hour() {
        let waits: Vec<u64> = (1..=MAX_ATTEMPTS).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    }
}

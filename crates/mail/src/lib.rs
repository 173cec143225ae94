#![doc = include_str!("../README.md")]

mod config;
mod db;
mod smtp;
mod worker;

pub use config::MailConfig;
pub use lettre::message::Mailbox;
pub use smtp::{Mailer, SendError};
pub use worker::{Delivery, MAX_ATTEMPTS, Outbox, backoff, deliver_due};

use sqlx::PgExecutor;
use uuid::Uuid;

/// The outbox's table, in every app's database (the kit applies it with the app's own
/// migrations; its versions are dated so that they never meet an app's `0001_…`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A message to one person: a plain-text body, and an HTML one when there is one. The sender is
/// the suite (`MAIL_FROM`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// What it is about (`verify-email`, `order-ready`), for logs; never shown.
    pub kind: &'static str,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Writes `message` to the outbox through `executor`: pass the transaction that makes the change
/// the message tells of, so that both happen or neither does. The worker delivers it.
pub async fn enqueue<'e>(
    executor: impl PgExecutor<'e>,
    message: &Message,
) -> Result<Uuid, sqlx::Error> {
    db::insert(executor, message).await
}

/// How many messages of one of `kinds` were queued for `to_address` in the last `minutes`: to
/// keep anyone from filling a stranger's inbox (a sign-up or reset form tried over and over).
pub async fn recent_to<'e>(
    executor: impl PgExecutor<'e>,
    to_address: &str,
    kinds: &[&str],
    minutes: i32,
) -> Result<i64, sqlx::Error> {
    db::recent_to(executor, to_address, kinds, minutes).await
}

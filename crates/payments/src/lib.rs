#![doc = include_str!("../README.md")]

mod client;
mod config;
mod flow;
pub mod webhook;

pub use client::{Intent, IntentStatus, NewIntent, PaymentError, Refund, Stripe, StripeError};
pub use config::PaymentsConfig;
pub use flow::{
    DueRefund, REFUND_ATTEMPTS, RefundBook, card_token, not_through, refused, send_refunds,
    unavailable,
};

use sqlx::PgExecutor;

/// Where every app that takes payments receives the provider's webhooks.
pub const WEBHOOK_PATH: &str = "/webhooks/stripe";

/// The webhook table, in the database of every app that takes payments (the kit applies it with
/// the app's own migrations; its version is dated so that it never meets an app's `0001_…`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Whether the webhook event `id` was acted on before (a cheap check before any work; the
/// record that counts is [`first_delivery`]'s, in the acting transaction).
pub async fn seen<'e>(executor: impl PgExecutor<'e>, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from payment_webhook_events where id = $1)")
        .bind(id)
        .fetch_one(executor)
        .await
}

/// Records that the webhook event `id` is being acted on; `false` when it was before (a second
/// delivery, which must change nothing). Call it in the transaction that acts on the event: if
/// that rolls back, the event counts as unseen and the provider's retry is acted on.
pub async fn first_delivery<'e>(
    executor: impl PgExecutor<'e>,
    id: &str,
    kind: &str,
) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "insert into payment_webhook_events (id, type) values ($1, $2) on conflict (id) do nothing",
    )
    .bind(id)
    .bind(kind)
    .execute(executor)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

//! What a payment does to its checkout, whoever reports it — Stripe's signed webhook, the
//! shopper's page after paying, or the reservation job — and the jobs that return lapsed
//! reservations and send refunds.
//!
//! Every report goes through [`settle`], which reads the PaymentIntent from Stripe itself and
//! acts on it under the checkout's lock, so reports in any order, twice, or late change the
//! checkout once:
//! - succeeded, units still reserved → paid, split into one order per shop;
//! - succeeded, reservation lapsed → paid if the units are still there, else refunded;
//! - succeeded, but for another amount → refunded;
//! - anything else → nothing yet.

use appkit::AppState;
use payments::{DueRefund, Intent, IntentStatus, RefundBook, StripeError};
use platform::AppError;
use sqlx::PgConnection;

use super::db;

/// What stays the shopper's while Stripe does not answer.
pub const KEPT: &str = "Your items stay reserved.";

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Paid,
    AlreadyPaid,
    Refunding,
    NotPaid,
    Seen,
    NotOurs,
}

pub fn unavailable(e: &StripeError) -> AppError {
    payments::unavailable(e, KEPT)
}

/// Acts on `intent` as Stripe has it now; `webhook` is the event id and type that reported it.
pub async fn settle(
    state: &AppState,
    intent: &Intent,
    webhook: Option<(&str, &str)>,
) -> Result<Outcome, AppError> {
    let mut tx = state.pool.begin().await?;
    if let Some((id, kind)) = webhook
        && !payments::first_delivery(&mut *tx, id, kind).await?
    {
        return Ok(Outcome::Seen);
    }
    let Some(c) = db::by_intent_locked(&mut tx, &intent.id).await? else {
        return Ok(Outcome::NotOurs);
    };
    if intent.status != IntentStatus::Succeeded {
        tx.commit().await?;
        return Ok(Outcome::NotPaid);
    }
    let outcome = if matches!(c.status.as_str(), "paid" | "refunded") {
        Outcome::AlreadyPaid
    } else if intent.amount != i64::from(c.total_cents)
        || intent.currency != state.payments()?.config().currency
    {
        tracing::error!(checkout = %c.id, intent = %intent.id, amount = intent.amount,
            total = c.total_cents, "a payment does not match its checkout: refunded");
        if c.status == "pending" {
            db::release(&mut tx, c.id, "failed").await?;
        }
        let amount = i32::try_from(intent.amount).unwrap_or(c.total_cents);
        db::refund_checkout(&mut tx, c.id, amount, "amount_mismatch").await?;
        Outcome::Refunding
    } else if db::take_units(&mut tx, c.id, c.status == "pending").await? {
        let orders = db::split_paid(&mut tx, &c).await?;
        crate::cart::db::bought(&mut tx, c.buyer_id, c.id).await?;
        super::mails::paid(&mut tx, state, &c, &orders).await?;
        Outcome::Paid
    } else {
        db::refund_checkout(&mut tx, c.id, c.total_cents, "late_payment").await?;
        super::mails::refunded_late(&mut tx, state, &c).await?;
        Outcome::Refunding
    };
    tx.commit().await?;
    match outcome {
        Outcome::Paid => state.outbox.wake(),
        Outcome::Refunding => {
            state.outbox.wake();
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = send_refunds(state).await {
                    tracing::warn!(error = %e, "refunds not sent yet");
                }
            });
        }
        _ => {}
    }
    tracing::info!(checkout = %c.id, intent = %intent.id, ?outcome, "payment settled");
    Ok(outcome)
}

/// Reads the PaymentIntent `id` from Stripe and settles it.
pub async fn settle_intent(state: &AppState, id: &str) -> Result<Outcome, AppError> {
    let intent = state
        .payments()?
        .intent(id)
        .await
        .map_err(|e| unavailable(&e))?;
    settle(state, &intent, None).await
}

/// Gives back the units of the pending checkout `id` and marks it `status` (`expired`,
/// `failed`), if it is still pending (and, for `expired`, its time is up). Whether it did.
pub async fn release(state: &AppState, id: uuid::Uuid, status: &str) -> Result<bool, AppError> {
    let mut tx = state.pool.begin().await?;
    let Some(c) = db::by_id_locked(&mut tx, id).await? else {
        return Ok(false);
    };
    let due = c.status == "pending" && (status != "expired" || c.expires_at <= chrono::Utc::now());
    if due {
        db::release(&mut tx, id, status).await?;
    }
    tx.commit().await?;
    Ok(due)
}

/// The reservation job: checkouts whose time is up give their units back, one at a time under
/// each one's lock. Each one's payment is read once more: paid meanwhile, it is settled (and
/// honoured if the units are still there); else it is cancelled at Stripe, so that it can no
/// longer be paid.
pub async fn expire_reservations(state: AppState) -> anyhow::Result<()> {
    let lapsed = db::lapsed(&state.pool).await?;
    let stripe = state.payments()?;
    for id in lapsed {
        if !release(&state, id, "expired").await? {
            continue;
        }
        tracing::info!(checkout = %id, "reservation expired: units returned");
        let Some(intent) = db::by_id(&state.pool, id)
            .await?
            .and_then(|c| c.payment_intent_id)
        else {
            continue;
        };
        let result = match stripe.intent(&intent).await {
            Ok(i) if i.status == IntentStatus::Succeeded => {
                settle(&state, &i, None).await.map(|_| ())
            }
            Ok(i) if i.status == IntentStatus::Canceled => Ok(()),
            Ok(_) => match stripe.cancel_intent(&intent).await {
                Ok(_) => Ok(()),
                Err(StripeError::Api { .. }) => settle_intent(&state, &intent).await.map(|_| ()),
                Err(e) => Err(unavailable(&e)),
            },
            Err(e) => Err(unavailable(&e)),
        };
        if let Err(e) = result {
            tracing::warn!(checkout = %id, error = %e, "an expired checkout's payment is not settled yet");
        }
    }
    Ok(())
}

/// The store's refunds table.
struct Refunds;

fn due(r: db::DueRefund) -> DueRefund {
    DueRefund {
        id: r.id.to_string(),
        amount_cents: i64::from(r.amount_cents),
        payment_intent_id: r.payment_intent_id,
        attempts: r.attempts,
    }
}

fn id_of(r: &DueRefund) -> Result<uuid::Uuid, AppError> {
    r.id.parse().map_err(AppError::internal)
}

impl RefundBook for Refunds {
    async fn next_due(&self, conn: &mut PgConnection) -> Result<Option<DueRefund>, AppError> {
        Ok(db::next_due_refund(conn).await?.map(due))
    }

    async fn sent(
        &self,
        conn: &mut PgConnection,
        r: &DueRefund,
        provider_id: &str,
    ) -> Result<(), AppError> {
        db::refund_sent(conn, id_of(r)?, provider_id).await
    }

    async fn failed(
        &self,
        conn: &mut PgConnection,
        r: &DueRefund,
        error: &str,
        give_up: bool,
    ) -> Result<(), AppError> {
        db::refund_failed(conn, id_of(r)?, error, give_up).await
    }
}

/// The refund job (see [`payments::send_refunds`]).
pub async fn send_refunds(state: AppState) -> anyhow::Result<()> {
    payments::send_refunds(&state.pool, state.payments()?, state.app, &Refunds).await
}

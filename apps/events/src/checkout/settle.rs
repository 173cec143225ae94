//! What a payment does to its order, whoever reports it — Stripe's signed webhook, the buyer's
//! page asking Stripe after paying, or the hold-expiry job — and the jobs that expire holds and
//! send refunds.
//!
//! Every report goes through [`settle`], which reads the PaymentIntent from Stripe itself (never
//! from the report) and acts on what it says under the event's lock, so reports in any order,
//! twice, or late change the order once:
//! - succeeded, hold live → paid;
//! - succeeded, hold lapsed → paid if its places are still free, else cancelled and refunded;
//! - succeeded, order or event cancelled meanwhile → refunded;
//! - anything else → nothing yet.

use appkit::AppState;
use payments::{DueRefund, Intent, IntentStatus, RefundBook, StripeError};
use platform::AppError;
use sqlx::PgConnection;

use super::db;

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The order is paid now.
    Paid,
    /// It was already: nothing changed.
    AlreadyPaid,
    /// The money goes back (the places had gone, or the order was cancelled).
    Refunding,
    /// The payment has not succeeded (yet).
    NotPaid,
    /// The webhook was seen before: nothing changed.
    Seen,
    /// No order of this app is paid by that intent.
    NotOurs,
}

/// Acts on `intent` as Stripe has it now; `webhook` is the event id and type that reported it
/// (recorded in the same transaction: a second delivery changes nothing).
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
    // Locks in the order every taking of places uses: the event's, then the order's.
    let event_id = db::event_of_intent(&mut tx, &intent.id).await?;
    let Some(event_id) = event_id else {
        // Nothing recorded: the event is another app's (or another suite's) to act on.
        return Ok(Outcome::NotOurs);
    };
    if intent.status != IntentStatus::Succeeded {
        tx.commit().await?;
        return Ok(Outcome::NotPaid);
    }
    db::lock_event(&mut tx, event_id).await?;
    let order = db::by_intent_locked(&mut tx, &intent.id)
        .await?
        .ok_or_else(|| AppError::internal("the order went away"))?;
    let event_on = db::event_on(&mut tx, event_id).await?;
    let outcome = if order.status == "paid" {
        Outcome::AlreadyPaid
    } else if intent.amount != i64::from(order.total_cents)
        || intent.currency != state.payments()?.config().currency
    {
        tracing::error!(order = %order.id, intent = %intent.id, amount = intent.amount,
            total = order.total_cents, "a payment does not match its order: refunded");
        let amount = i32::try_from(intent.amount).unwrap_or(order.total_cents);
        db::cancel_with_refund(&mut tx, order.id, amount, "amount_mismatch").await?;
        Outcome::Refunding
    } else if event_on
        && (order.live
            || (matches!(order.status.as_str(), "reserved" | "expired")
                && db::places_still_free(&mut tx, order.event_id, order.id).await?))
    {
        db::mark_paid(&mut tx, order.id).await?;
        crate::waitlist::ssr::claimed(&mut tx, order.id).await?;
        super::mails::paid(&mut tx, state, &order).await?;
        Outcome::Paid
    } else {
        let reason = if order.status == "cancelled" || !event_on {
            "paid_after_cancel"
        } else {
            "late_payment"
        };
        db::cancel_with_refund(&mut tx, order.id, order.total_cents, reason).await?;
        super::mails::refunded_unplaced(&mut tx, state, &order, reason).await?;
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
    tracing::info!(order = %order.id, intent = %intent.id, ?outcome, "payment settled");
    Ok(outcome)
}

/// Reads the PaymentIntent `id` from Stripe and settles it.
pub async fn settle_intent(state: &AppState, id: &str) -> Result<Outcome, AppError> {
    let intent = state.payments()?.intent(id).await.map_err(unavailable)?;
    settle(state, &intent, None).await
}

/// Stripe is down or refused: the buyer is told to try again, the cause is logged.
pub fn unavailable(e: StripeError) -> AppError {
    payments::unavailable(&e, KEPT)
}

/// What stays the buyer's while Stripe does not answer.
pub const KEPT: &str = "Your places stay held.";

/// The hold-expiry job: holds whose time is up stop taking places (they already do not count
/// from their `expires_at`, whether or not this runs: it is bookkeeping, and it catches up after
/// downtime). A hold's payment is read once more: paid meanwhile, it is settled; else it is
/// cancelled at Stripe, so that it can no longer be paid.
pub async fn expire_holds(state: AppState) -> anyhow::Result<()> {
    let lapsed = db::expire_lapsed(&state.pool).await?;
    if !lapsed.is_empty() {
        tracing::info!(count = lapsed.len(), "holds expired");
    }
    // Offers among them lapse; the freed places go to the next people waiting.
    let ids: Vec<uuid::Uuid> = lapsed.iter().map(|(id, _)| *id).collect();
    crate::waitlist::ssr::after_holds_lapsed(&state, &ids).await?;
    let stripe = state.payments()?;
    for (order, intent) in lapsed {
        let Some(intent) = intent else { continue };
        let result = match stripe.intent(&intent).await {
            Ok(i) if i.status == IntentStatus::Succeeded => {
                settle(&state, &i, None).await.map(|_| ())
            }
            Ok(i) if i.status == IntentStatus::Canceled => Ok(()),
            Ok(_) => match stripe.cancel_intent(&intent).await {
                Ok(_) => Ok(()),
                // Paid in between: settle it.
                Err(StripeError::Api { .. }) => settle_intent(&state, &intent).await.map(|_| ()),
                Err(e) => Err(unavailable(e)),
            },
            Err(e) => Err(unavailable(e)),
        };
        if let Err(e) = result {
            tracing::warn!(%order, error = %e, "an expired hold's payment is not settled yet");
        }
    }
    Ok(())
}

/// The events' refunds table.
struct Refunds;

fn id_of(r: &DueRefund) -> Result<uuid::Uuid, AppError> {
    r.id.parse().map_err(AppError::internal)
}

impl RefundBook for Refunds {
    async fn next_due(&self, conn: &mut PgConnection) -> Result<Option<DueRefund>, AppError> {
        Ok(db::next_due_refund(conn).await?.map(|r| DueRefund {
            id: r.id.to_string(),
            amount_cents: i64::from(r.amount_cents),
            payment_intent_id: r.payment_intent_id,
            attempts: r.attempts,
        }))
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

/// The refund job (see [`payments::send_refunds`]): every refund written down and not sent,
/// each once.
pub async fn send_refunds(state: AppState) -> anyhow::Result<()> {
    payments::send_refunds(&state.pool, state.payments()?, state.app, &Refunds).await
}

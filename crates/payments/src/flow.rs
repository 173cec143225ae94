//! What every app's card checkout does the same way: reading the card form's token, telling the
//! payer what went wrong in words they can act on, and sending the refunds an app has written
//! down (each once, whatever runs at once).

use std::future::Future;

use platform::AppError;
use sqlx::{PgConnection, PgPool};

use crate::{Intent, Stripe, StripeError};

/// Tried this often, a refund that keeps failing is left for a person to look at.
pub const REFUND_ATTEMPTS: i32 = 20;

/// The card form's token (`tok_…`), or a field error on `card`.
pub fn card_token(raw: &str) -> Result<&str, AppError> {
    let token = raw.trim();
    if token.starts_with("tok_")
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        Ok(token)
    } else {
        Err(AppError::validation(
            "card",
            "The card form sent no card. Reload the page and try again.",
        ))
    }
}

/// Stripe is down or refused: the payer is told to try again (`kept` says what stays theirs
/// meanwhile, "Your places stay held."), the cause is logged.
pub fn unavailable(e: &StripeError, kept: &str) -> AppError {
    tracing::warn!(error = %e, "stripe call failed");
    let kept = if kept.is_empty() {
        String::new()
    } else {
        format!("{kept} ")
    };
    AppError::Unavailable(format!(
        "Card payments are not answering right now. {kept}Try again in a moment."
    ))
}

/// A failed attempt to pay: the bank's refusal as a field error on `card`, anything else as
/// [`unavailable`].
pub fn refused(e: &StripeError, kept: &str) -> AppError {
    if e.is_card_error() {
        let message = match e {
            StripeError::Api { message, .. } if !message.is_empty() => message.clone(),
            _ => "Your card was declined.".to_owned(),
        };
        AppError::validation("card", message)
    } else {
        unavailable(e, kept)
    }
}

/// A payment that ended neither paid nor waiting for the card holder: a field error on `card`.
pub fn not_through(intent: Intent) -> AppError {
    tracing::warn!(intent = %intent.id, status = ?intent.status, "a card payment did not go through");
    AppError::validation(
        "card",
        intent
            .last_payment_error
            .and_then(|e| e.message)
            .unwrap_or_else(|| "The payment did not go through. Try another card.".into()),
    )
}

/// A refund an app has written down and not sent yet.
#[derive(Debug, Clone)]
pub struct DueRefund {
    /// The app's own id of the refund (its idempotency key at Stripe).
    pub id: String,
    pub amount_cents: i64,
    /// The payment it gives money back from.
    pub payment_intent_id: Option<String>,
    pub attempts: i32,
}

/// An app's table of refunds to send.
pub trait RefundBook: Sync {
    /// The next refund to send, locked in `conn`'s transaction (`for update skip locked`) so
    /// that no other instance sends it.
    fn next_due(
        &self,
        conn: &mut PgConnection,
    ) -> impl Future<Output = Result<Option<DueRefund>, AppError>> + Send;
    /// Records that Stripe made the refund (`provider_id`).
    fn sent(
        &self,
        conn: &mut PgConnection,
        refund: &DueRefund,
        provider_id: &str,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
    /// Records a failed attempt; with `give_up`, it is not tried again.
    fn failed(
        &self,
        conn: &mut PgConnection,
        refund: &DueRefund,
        error: &str,
        give_up: bool,
    ) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// The refund job: sends every refund of `book` written down and not sent, one at a time, each
/// under its row lock and with an idempotency key of its own (`<app>-refund-<id>`), so that two
/// instances never send one twice. A refund Stripe refuses is given up at once; one that meets
/// a Stripe that does not answer is tried at the job's next run, [`REFUND_ATTEMPTS`] times.
pub async fn send_refunds(
    pool: &PgPool,
    stripe: &Stripe,
    app: &str,
    book: &impl RefundBook,
) -> anyhow::Result<()> {
    loop {
        let mut tx = pool.begin().await?;
        let Some(refund) = book.next_due(&mut tx).await? else {
            return Ok(());
        };
        let Some(intent) = refund.payment_intent_id.clone() else {
            book.failed(&mut tx, &refund, "no payment to refund", true)
                .await?;
            tx.commit().await?;
            continue;
        };
        let key = format!("{app}-refund-{}", refund.id);
        match stripe.refund(&intent, refund.amount_cents, &key).await {
            Ok(r) => {
                book.sent(&mut tx, &refund, &r.id).await?;
                tracing::info!(refund = %refund.id, provider = %r.id, amount = refund.amount_cents, "refunded");
            }
            Err(e) => {
                let give_up =
                    matches!(e, StripeError::Api { .. }) || refund.attempts + 1 >= REFUND_ATTEMPTS;
                tracing::warn!(refund = %refund.id, error = %e, give_up, "refund failed");
                book.failed(&mut tx, &refund, &e.to_string(), give_up)
                    .await?;
                tx.commit().await?;
                if !give_up {
                    return Ok(());
                }
                continue;
            }
        }
        tx.commit().await?;
    }
}

//! Cancelling: an attendee their ticket (before the organizer's cutoff, or any time once the
//! event is postponed), an organizer the whole event (everyone refunded and told), or
//! postponing it (everyone told; tickets stay valid and can be cancelled for a refund).
//!
//! Money: a refund is written down in the transaction that voids what it pays back (one row
//! per ticket, or per order when the event is cancelled, so deciding twice refunds once), and
//! the refund job sends it. A ticket's refund is its own price, so refunds never add up to more
//! than was paid.

use leptos::prelude::*;
use platform::AppError;
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
mod mails;

/// The signed-in attendee cancels one of their tickets; its place goes back on sale and a paid
/// one is refunded.
#[server(prefix = "/api/tickets", endpoint = "cancel")]
pub async fn cancel_ticket(id: Uuid) -> Result<(), AppError> {
    ssr::cancel_ticket(id)
        .await
        .map(|()| leptos_axum::redirect("/tickets"))
        .map_err(AppError::respond)
}

/// The organizer cancels the event (`confirm` ticked): every ticket is void, every payment
/// refunded, every holder told, with the organizer's `message`.
#[server(prefix = "/api/events", endpoint = "cancel")]
pub async fn cancel_event(
    slug: String,
    confirm: Option<String>,
    message: String,
) -> Result<(), AppError> {
    ssr::cancel_event(&slug, confirm.is_some(), &message)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/e/{slug}")))
        .map_err(AppError::respond)
}

/// The organizer postpones the event (`confirm` ticked): sales stop, tickets stay valid, every
/// holder is told, with the organizer's `message`, and may cancel for a refund.
#[server(prefix = "/api/events", endpoint = "postpone")]
pub async fn postpone_event(
    slug: String,
    confirm: Option<String>,
    message: String,
) -> Result<(), AppError> {
    ssr::postpone_event(&slug, confirm.is_some(), &message)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/e/{slug}")))
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user};
    use chrono::{DateTime, Duration, Utc};
    use platform::{AppError, text::Lines};
    use uuid::Uuid;

    use super::{db, mails};
    use crate::access::ssr::organizer_of;

    /// Until when a ticket of an event starting at `starts_at` may be cancelled.
    pub fn cancel_until(starts_at: DateTime<Utc>, cancel_hours: i32) -> DateTime<Utc> {
        starts_at - Duration::hours(i64::from(cancel_hours))
    }

    /// After a commit that wrote refunds down: the outbox and the refund job, now.
    fn send_now(state: &AppState) {
        state.outbox.wake();
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::checkout::settle::send_refunds(state).await {
                tracing::warn!(error = %e, "refunds not sent yet");
            }
        });
    }

    #[tracing::instrument(skip_all, fields(%id))]
    pub async fn cancel_ticket(id: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let mut tx = state.pool.begin().await?;
        let t = db::ticket_locked(&mut tx, id)
            .await?
            .filter(|t| t.buyer_id == user.id)
            .ok_or_else(|| AppError::not_found("There is no such ticket."))?;
        let conflict = |message: String| AppError::Conflict {
            field: None,
            message,
        };
        if t.ticket_status != "valid"
            || !matches!(t.order_status.as_str(), "paid" | "confirmed" | "door")
        {
            return Err(conflict(
                "This ticket is not valid: there is nothing to cancel.".into(),
            ));
        }
        let until = cancel_until(t.starts_at, t.cancel_hours);
        if t.event_status != "postponed" && Utc::now() > until {
            let tz: chrono_tz::Tz = platform::time::stored_zone(&t.time_zone);
            return Err(conflict(format!(
                "Tickets to this event could be cancelled until {}. Ask the organizer.",
                platform::time::label(until, tz)
            )));
        }
        db::void_ticket(&mut tx, id).await?;
        let refund = if t.order_status == "paid" && t.price_cents > 0 {
            db::refund(&mut tx, t.order_id, t.price_cents, &format!("ticket:{id}")).await?;
            t.price_cents
        } else {
            0
        };
        // An order with no valid ticket left is cancelled.
        db::cancel_if_empty(&mut tx, t.order_id).await?;
        let event_url = state.url(&format!("/e/{}", t.slug));
        mail::enqueue(
            &mut *tx,
            &mails::ticket_cancelled(&t.buyer_email, &t.buyer_name, &t.title, refund, &event_url),
        )
        .await?;
        tx.commit().await?;
        send_now(&state);
        tracing::info!(user_id = %user.id, refund, "ticket cancelled");
        // Its place goes to the first person waiting, if anyone is.
        if let Err(e) = crate::waitlist::ssr::offer_free_places(&state, t.event_id).await {
            tracing::warn!(error = %e, "a freed place was not offered yet");
        }
        Ok(())
    }

    /// The organizer's note to the holders, checked.
    fn note(message: &str) -> Result<String, AppError> {
        platform::text::field("message", "message", message, 0, 1000, Lines::Many)
    }

    fn must_confirm(confirm: bool, what: &str) -> Result<(), AppError> {
        if confirm {
            Ok(())
        } else {
            Err(AppError::validation(
                "confirm",
                format!("Tick the box to confirm that you {what}."),
            ))
        }
    }

    #[tracing::instrument(skip_all, fields(%slug))]
    pub async fn cancel_event(slug: &str, confirm: bool, message: &str) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = organizer_of(&state.pool, slug, user.id).await?;
        let message = note(message)?;
        must_confirm(confirm, "cancel the event and refund everyone")?;
        let mut tx = state.pool.begin().await?;
        let status = db::lock_status(&mut tx, event.id).await?;
        if !matches!(status.as_str(), "published" | "postponed") {
            return Err(AppError::Conflict {
                field: None,
                message: match status.as_str() {
                    "cancelled" => "This event is cancelled already.".into(),
                    _ => "A draft has no attendees: there is nothing to cancel.".into(),
                },
            });
        }
        let holders = db::holders(&mut tx, event.id).await?;
        // Holds end now; their payments are cancelled at Stripe after the commit (one that
        // lands anyway is refunded: see checkout::settle).
        let holds = db::call_off(&mut tx, event.id).await?;
        let url = state.url(&format!("/e/{}", event.slug));
        for h in &holders {
            let refund = if h.order_status == "paid" {
                i32::try_from(h.valid_cents).unwrap_or(0)
            } else {
                0
            };
            if refund > 0 {
                db::refund(&mut tx, h.order_id, refund, "event_cancelled").await?;
            }
            mail::enqueue(
                &mut *tx,
                &mails::event_cancelled(
                    &h.buyer_email,
                    &h.buyer_name,
                    &event.title,
                    &message,
                    refund,
                    &url,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        send_now(&state);
        let stripe = state.payments()?;
        for intent in holds {
            if let Err(e) = stripe.cancel_intent(&intent).await {
                tracing::warn!(%intent, error = %e, "a cancelled hold's payment is still open");
            }
        }
        tracing::info!(event = %event.id, orders = holders.len(), "event cancelled");
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(%slug))]
    pub async fn postpone_event(slug: &str, confirm: bool, message: &str) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = organizer_of(&state.pool, slug, user.id).await?;
        let message = note(message)?;
        must_confirm(confirm, "postpone the event")?;
        let mut tx = state.pool.begin().await?;
        if !db::postpone(&mut tx, event.id).await? {
            return Err(AppError::Conflict {
                field: None,
                message: "Only a published event can be postponed.".into(),
            });
        }
        let url = state.url(&format!("/e/{}", event.slug));
        let tickets_url = state.url("/tickets");
        for h in db::holders(&mut tx, event.id).await? {
            mail::enqueue(
                &mut *tx,
                &mails::event_postponed(
                    &h.buyer_email,
                    &h.buyer_name,
                    &event.title,
                    &message,
                    &url,
                    &tickets_url,
                ),
            )
            .await?;
        }
        tx.commit().await?;
        state.outbox.wake();
        tracing::info!(event = %event.id, "event postponed");
        Ok(())
    }
}

//! The waiting list of sold-out ticket types (Hi.Events' WAITING → OFFERED → PURCHASED |
//! OFFER_EXPIRED): a place that frees up (a ticket cancelled, a hold lapsed) is offered to the
//! first person waiting as a hold of their own for [`OFFER_HOURS`], with an email; they claim
//! it on its order page (pay, or confirm when free); an offer that lapses passes to the next.
//! Offers are made under the event's lock, and an offer's hold counts against capacity like any
//! other, so a place is never offered twice nor sold under an offer.

use leptos::prelude::*;
use platform::AppError;
use uuid::Uuid;

/// How long an offered place is held for the person it is offered to.
pub const OFFER_HOURS: i32 = 4;

/// The signed-in person joins the waiting list of a sold-out ticket type (again: nothing
/// changes), then goes back to the event.
#[server(prefix = "/api/waitlist", endpoint = "join")]
pub async fn join_waitlist(ticket_type_id: Uuid) -> Result<(), AppError> {
    ssr::join(ticket_type_id)
        .await
        .map(|slug| leptos_axum::redirect(&format!("/e/{slug}")))
        .map_err(AppError::respond)
}

/// The signed-in person leaves a waiting list.
#[server(prefix = "/api/waitlist", endpoint = "leave")]
pub async fn leave_waitlist(ticket_type_id: Uuid) -> Result<(), AppError> {
    ssr::leave(ticket_type_id)
        .await
        .map(|slug| leptos_axum::redirect(&format!("/e/{slug}")))
        .map_err(AppError::respond)
}

/// Confirms a free place held for the signed-in person (an offer from the waiting list).
#[server(prefix = "/api/orders", endpoint = "confirm-free")]
pub async fn confirm_free(id: Uuid) -> Result<(), AppError> {
    ssr::confirm_free(id)
        .await
        .map(|()| leptos_axum::redirect(&format!("/orders/{id}")))
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod db;

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user};
    use platform::AppError;
    use uuid::Uuid;

    use super::{OFFER_HOURS, db};
    use crate::{events::rules, tickets::db as tickets_db};

    /// Joins; the event's slug.
    pub async fn join(ticket_type_id: Uuid) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let t = db::type_state(&state.pool, ticket_type_id)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such ticket type."))?;
        if t.status != "published" || t.starts_at <= chrono::Utc::now() {
            return Err(AppError::Conflict {
                field: None,
                message: "This event is not taking a waiting list.".into(),
            });
        }
        let event = crate::events::db::by_slug(&state.pool, &t.slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such event."))?;
        let types = crate::events::db::ticket_types(&state.pool, t.event_id).await?;
        let view = crate::events::ssr::type_views(&event, types, chrono::Utc::now());
        if view.iter().any(|v| v.id == ticket_type_id && v.left > 0) {
            return Err(AppError::Conflict {
                field: None,
                message: "Places are still to be had: take one instead.".into(),
            });
        }
        db::add(&state.pool, t.event_id, ticket_type_id, &user).await?;
        tracing::info!(user_id = %user.id, %ticket_type_id, "joined a waiting list");
        Ok(t.slug)
    }

    pub async fn leave(ticket_type_id: Uuid) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let slug = db::leave(&state.pool, ticket_type_id, user.id).await?;
        slug.ok_or_else(|| AppError::not_found("You are not on that waiting list."))
    }

    pub async fn confirm_free(id: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let mut tx = state.pool.begin().await?;
        if !db::confirm_free(&mut tx, id, user.id).await? {
            return Err(AppError::Conflict {
                field: None,
                message: "This place can no longer be confirmed: its hold has ended.".into(),
            });
        }
        claimed(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The offer whose hold `order` is has been taken up.
    pub async fn claimed(conn: &mut sqlx::PgConnection, order: Uuid) -> Result<(), AppError> {
        db::claimed(conn, order).await
    }

    /// Offers the event's free places to the people waiting, first come first served, each a
    /// hold of one place for [`OFFER_HOURS`] with an email. Call after places were freed.
    pub async fn offer_free_places(state: &AppState, event: Uuid) -> Result<usize, AppError> {
        let mut tx = state.pool.begin().await?;
        let (slug, title, capacity, starts_at, status) = db::lock_event(&mut tx, event).await?;
        if status != "published" || starts_at <= chrono::Utc::now() {
            return Ok(0);
        }
        let waiting = db::waiting(&mut tx, event).await?;
        let mut offered = 0;
        for w in waiting {
            let (type_capacity, type_taken, event_taken) =
                db::places(&mut tx, w.ticket_type_id).await?;
            let left = rules::places_left(
                i64::from(type_capacity),
                type_taken,
                capacity.map(i64::from),
                event_taken,
            );
            if left < 1 {
                continue;
            }
            let key = format!("waitlist-{}", w.id);
            let hash = platform::idempotency::fingerprint(&(w.ticket_type_id, 1));
            let order = tickets_db::insert_order(
                &mut tx,
                &tickets_db::NewOrder {
                    event,
                    ticket_type: w.ticket_type_id,
                    buyer_id: w.user_id,
                    buyer_name: &w.name,
                    buyer_email: &w.email,
                    status: "reserved",
                    price_cents: w.price_cents,
                    quantity: 1,
                    hold_secs: Some(OFFER_HOURS * 3600),
                    idempotency_key: &key,
                    request_hash: &hash,
                },
            )
            .await?;
            db::offered(&mut tx, w.id, order).await?;
            let claim = state.url(&format!("/orders/{order}"));
            let how = if w.price_cents > 0 {
                format!(
                    "Pay {} for it here within {OFFER_HOURS} hours",
                    platform::money::format_cents(i64::from(w.price_cents))
                )
            } else {
                format!("Confirm it here within {OFFER_HOURS} hours")
            };
            mail::enqueue(
                &mut *tx,
                &mail::Message {
                    kind: "waitlist-offer",
                    to_address: w.email.clone(),
                    to_name: w.name.clone(),
                    subject: format!("A place for {title} is yours to take"),
                    text: format!(
                        "Hello {},\n\nA {} place for {title} has come free, and you were next \
                         on its waiting list. It is held for you: {how}: {claim}\n\nAfter that \
                         it goes to the next person waiting.\n\nThe event: {}\n",
                        w.name,
                        w.type_name,
                        state.url(&format!("/e/{slug}")),
                    ),
                    html: None,
                },
            )
            .await?;
            offered += 1;
        }
        tx.commit().await?;
        if offered > 0 {
            state.outbox.wake();
            tracing::info!(%event, offered, "waiting list offers made");
        }
        Ok(offered)
    }

    /// Offers made on lapsed holds are lapsed; the places go to the next people waiting.
    pub async fn after_holds_lapsed(state: &AppState, orders: &[Uuid]) -> Result<(), AppError> {
        if orders.is_empty() {
            return Ok(());
        }
        let events = db::lapse(&state.pool, orders).await?;
        for event in events {
            offer_free_places(state, event).await?;
        }
        Ok(())
    }
}

//! Buying paid tickets: the places are held while the buyer pays by card (a Stripe
//! PaymentIntent for the amount the database says), and the order is paid only when Stripe
//! says so — its signed webhook, or the server asking it (see [`settle`]).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
mod mails;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod settle;

/// How long places are held while their buyer pays.
pub const HOLD_MINUTES: i32 = 10;

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub name: String,
    pub quantity: i64,
    pub amount_label: String,
}

/// What the card form needs to pay an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayView {
    pub publishable_key: String,
    pub js_url: String,
    /// The PaymentIntent's client secret: it lets the browser confirm this one payment.
    pub client_secret: String,
}

/// An order, for its buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderView {
    pub id: Uuid,
    pub event_slug: String,
    pub event_title: String,
    /// `reserved` (held, to pay), `paid`, `confirmed` (free), `expired`, `cancelled`.
    pub status: String,
    pub lines: Vec<LineView>,
    pub total_cents: i32,
    pub total_label: String,
    /// Until when the places are held (in the event's zone), while they are.
    pub held_until: Option<String>,
    /// The event's IANA zone.
    pub time_zone: String,
    pub held_until_at: Option<DateTime<Utc>>,
    /// The card form, while the order can be paid.
    pub pay: Option<PayView>,
    /// "$25.00 refunded", once money went back.
    pub refunded_label: Option<String>,
}

/// Holds `quantity` places of a paid ticket type for the signed-in person, once per
/// `idempotency_key`, and opens the order's payment page.
#[server(prefix = "/api/orders", endpoint = "checkout")]
pub async fn checkout(
    ticket_type_id: Uuid,
    quantity: u32,
    idempotency_key: String,
) -> Result<(), AppError> {
    ssr::checkout(ticket_type_id, quantity, idempotency_key)
        .await
        .map(|order| leptos_axum::redirect(&format!("/orders/{order}")))
        .map_err(AppError::respond)
}

/// Takes `quantity` places of a paid ticket type for the signed-in person, to pay at the door
/// (when the event allows it), once per `idempotency_key`; then opens the order.
#[server(prefix = "/api/orders", endpoint = "at-the-door")]
pub async fn reserve_at_door(
    ticket_type_id: Uuid,
    quantity: u32,
    idempotency_key: String,
) -> Result<(), AppError> {
    ssr::at_the_door(ticket_type_id, quantity, idempotency_key)
        .await
        .map(|order| leptos_axum::redirect(&format!("/orders/{order}")))
        .map_err(AppError::respond)
}

/// One of the signed-in person's orders.
#[server(prefix = "/api/orders", endpoint = "get")]
pub async fn get_order(id: Uuid) -> Result<OrderView, AppError> {
    ssr::get(id).await.map_err(AppError::respond)
}

/// The card form's payment: the card behind Stripe.js's `token` pays the order. `paid`, or
/// `requires_action` (the bank asks the card holder: the page lets Stripe.js do it, then calls
/// [`confirm_payment`]). A declined card is a field error on `card`.
#[server(prefix = "/api/orders", endpoint = "pay")]
pub async fn pay(id: Uuid, token: String) -> Result<String, AppError> {
    ssr::pay(id, token).await.map_err(AppError::respond)
}

/// After the card form: asks Stripe how the order's payment went and acts on it. The order's
/// status.
#[server(prefix = "/api/orders", endpoint = "confirm")]
pub async fn confirm_payment(id: Uuid) -> Result<String, AppError> {
    ssr::confirm(id).await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user};
    use payments::NewIntent;
    use platform::{AppError, money::format_cents};
    use uuid::Uuid;

    use super::{HOLD_MINUTES, LineView, OrderView, PayView, db, settle};
    use crate::tickets::{db as tickets_db, ssr as tickets};

    /// Holds the places (see [`tickets::take_as`]) and makes the order's PaymentIntent; the
    /// order's id.
    pub async fn checkout(
        ticket_type_id: Uuid,
        quantity: u32,
        idempotency_key: String,
    ) -> Result<Uuid, AppError> {
        let (state, user) = require_user().await?;
        let how = tickets_db::Take::Held {
            hold_secs: HOLD_MINUTES * 60,
        };
        let taken = tickets::take_as(
            &state,
            &user,
            ticket_type_id,
            quantity,
            &idempotency_key,
            how,
        )
        .await?;
        ensure_intent(&state, taken.order).await?;
        Ok(taken.order)
    }

    /// Takes the places, to pay at the door; the order's id.
    pub async fn at_the_door(
        ticket_type_id: Uuid,
        quantity: u32,
        idempotency_key: String,
    ) -> Result<Uuid, AppError> {
        let (state, user) = require_user().await?;
        let how = tickets_db::Take::AtTheDoor;
        tickets::take_as(
            &state,
            &user,
            ticket_type_id,
            quantity,
            &idempotency_key,
            how,
        )
        .await
        .map(|t| t.order)
    }

    /// The order's PaymentIntent, made once: under the order's row lock, so that however many
    /// requests for one order arrive at once, one intent is made (Stripe's idempotency key says
    /// the same, but not every Stripe-speaking server honours it). `None` when the order is not
    /// a live hold.
    async fn ensure_intent(
        state: &AppState,
        order: Uuid,
    ) -> Result<Option<payments::Intent>, AppError> {
        let stripe = state.payments()?;
        let mut tx = state.pool.begin().await?;
        let row = db::by_id_locked(&mut tx, order).await?;
        if let Some(id) = &row.payment_intent_id {
            tx.commit().await?;
            return stripe
                .intent(id)
                .await
                .map(Some)
                .map_err(settle::unavailable);
        }
        if !row.live || row.total_cents <= 0 {
            return Ok(None);
        }
        let order_id = order.to_string();
        let intent = stripe
            .create_intent(&NewIntent {
                amount_cents: i64::from(row.total_cents),
                metadata: &[
                    ("app", state.app),
                    ("order", &order_id),
                    ("event", &row.slug),
                ],
                idempotency_key: &format!("{}-order-{order}", state.app),
            })
            .await
            .map_err(settle::unavailable)?;
        db::set_intent(&mut tx, order, &intent.id).await?;
        tx.commit().await?;
        Ok(Some(intent))
    }

    /// The buyer's own order (anyone else's is "not found", like one that does not exist).
    async fn own(state: &AppState, user: Uuid, id: Uuid) -> Result<db::OrderRow, AppError> {
        db::by_id(&state.pool, id)
            .await?
            .filter(|o| o.buyer_id == user)
            .ok_or_else(|| AppError::not_found("There is no such order."))
    }

    pub async fn get(id: Uuid) -> Result<OrderView, AppError> {
        let (state, user) = require_user().await?;
        let order = own(&state, user.id, id).await?;
        let intent = if order.live {
            ensure_intent(&state, id).await?
        } else {
            None
        };
        let pay = match (&intent, state.payments()) {
            (Some(i), Ok(stripe)) if i.status != payments::IntentStatus::Succeeded => {
                i.client_secret.clone().map(|client_secret| PayView {
                    publishable_key: stripe.config().publishable_key.clone(),
                    js_url: stripe.config().js_url.clone(),
                    client_secret,
                })
            }
            _ => None,
        };
        let mut conn = state.pool.acquire().await?;
        let lines = db::lines(&mut conn, id).await?;
        let tz: chrono_tz::Tz = platform::time::stored_zone(&order.time_zone);
        Ok(OrderView {
            id,
            event_slug: order.slug.clone(),
            event_title: order.title,
            status: if order.status == "reserved" && !order.live {
                "expired".to_owned()
            } else {
                order.status
            },
            lines: lines
                .into_iter()
                .map(|l| LineView {
                    amount_label: format_cents(i64::from(l.price_cents) * l.quantity),
                    name: l.name,
                    quantity: l.quantity,
                })
                .collect(),
            total_cents: order.total_cents,
            total_label: format_cents(i64::from(order.total_cents)),
            held_until: order
                .expires_at
                .filter(|_| order.live)
                .map(|t| platform::time::label(t, tz)),
            held_until_at: order.expires_at.filter(|_| order.live),
            time_zone: order.time_zone.clone(),
            pay,
            refunded_label: (order.refunded_cents > 0)
                .then(|| format!("{} refunded", format_cents(i64::from(order.refunded_cents)))),
        })
    }

    pub async fn pay(id: Uuid, token: String) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let order = own(&state, user.id, id).await?;
        let token = payments::card_token(&token)?;
        if !order.live {
            return Err(AppError::Conflict {
                field: None,
                message: match order.status.as_str() {
                    "paid" => "This order is paid already.",
                    "reserved" | "expired" => {
                        "The hold on these places has ended. Choose them again on the event's page."
                    }
                    _ => "This order cannot be paid.",
                }
                .into(),
            });
        }
        let intent = ensure_intent(&state, id)
            .await?
            .ok_or_else(|| AppError::internal("a live hold without a payment"))?;
        let paid = state
            .payments()?
            .pay_with_token(&intent.id, token)
            .await
            .map_err(|e| payments::refused(&e, settle::KEPT))?;
        Ok(match paid.status {
            payments::IntentStatus::Succeeded => {
                settle::settle(&state, &paid, None).await?;
                own(&state, user.id, id).await?.status
            }
            payments::IntentStatus::RequiresAction => "requires_action".to_owned(),
            _ => return Err(payments::not_through(paid)),
        })
    }

    pub async fn confirm(id: Uuid) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let order = own(&state, user.id, id).await?;
        if let Some(intent) = &order.payment_intent_id {
            settle::settle_intent(&state, intent).await?;
        }
        Ok(own(&state, user.id, id).await?.status)
    }
}

//! Checkout: the cart's units are reserved while the shopper pays by card (one PaymentIntent
//! for the whole cart, for the amount the database says), and the checkout is paid only when
//! Stripe says so (see [`settle`]); then it becomes one order per shop.

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
pub mod rules;
#[cfg(feature = "ssr")]
pub mod settle;

/// How long a checkout's units are reserved while its shopper pays.
pub const HOLD_MINUTES: i32 = 10;

/// The most one checkout may charge (Stripe's limit for one card payment).
pub const MAX_TOTAL_CENTS: i64 = 99_999_999;

/// One line of a checkout or an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub title: String,
    pub variant_name: String,
    pub quantity: i32,
    pub amount_label: String,
}

/// One shop's part of a checkout: before payment what it holds, after it the shop's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartView {
    pub shop_name: String,
    /// "Shipped to …" or "Pick up at …".
    pub delivery_label: String,
    pub lines: Vec<LineView>,
    pub subtotal_label: String,
    pub shipping_label: String,
    pub total_label: String,
    /// The shop's order, once paid: its id, number and status.
    pub order_id: Option<Uuid>,
    pub order_number: Option<String>,
    /// Its shopper may still cancel it (it has not shipped).
    pub cancellable: bool,
    pub order_status: Option<String>,
    pub tracking_note: String,
    pub refunded_label: Option<String>,
}

/// What the card form needs to pay a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayView {
    pub publishable_key: String,
    pub js_url: String,
    pub client_secret: String,
}

/// A checkout, for its shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckoutView {
    pub id: Uuid,
    /// `pending` (to pay), `paid`, `expired`, `failed`, `refunded`.
    pub status: String,
    pub parts: Vec<PartView>,
    pub total_label: String,
    pub total_cents: i32,
    /// Until when the units are reserved, while they are.
    pub held_until: Option<DateTime<Utc>>,
    /// How many minutes of the reservation are left (rounded up), while it lasts: a count needs
    /// no time zone.
    pub held_minutes: Option<i64>,
    pub pay: Option<PayView>,
}

/// Reserves the signed-in shopper's cart and opens its payment page, once per
/// `idempotency_key`.
#[server(prefix = "/api/checkout", endpoint = "start")]
pub async fn start_checkout(
    idempotency_key: String,
    ship_name: String,
    ship_address: String,
) -> Result<(), AppError> {
    ssr::start(idempotency_key, ship_name, ship_address)
        .await
        .map(|id| leptos_axum::redirect(&format!("/orders/{id}")))
        .map_err(AppError::respond)
}

/// One of the signed-in shopper's checkouts.
#[server(prefix = "/api/checkout", endpoint = "get")]
pub async fn get_checkout(id: Uuid) -> Result<CheckoutView, AppError> {
    ssr::get(id).await.map_err(AppError::respond)
}

/// Pays a checkout with the card behind Stripe.js's `token`: `paid`, or `requires_action`
/// (the bank asks the card holder; then [`confirm_payment`]). A declined card is a field error
/// on `card`, and the checkout's units go back (the cart is as it was: start again).
#[server(prefix = "/api/checkout", endpoint = "pay")]
pub async fn pay(id: Uuid, token: String) -> Result<String, AppError> {
    ssr::pay(id, token).await.map_err(AppError::respond)
}

/// After the card form: asks Stripe how the payment went and acts on it; the status.
#[server(prefix = "/api/checkout", endpoint = "confirm")]
pub async fn confirm_payment(id: Uuid) -> Result<String, AppError> {
    ssr::confirm(id).await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user};
    use payments::NewIntent;
    use platform::{
        AppError,
        money::format_cents,
        text::{self, Lines},
    };
    use uuid::Uuid;

    use super::{CheckoutView, HOLD_MINUTES, LineView, MAX_TOTAL_CENTS, PayView, db, settle};
    use crate::cart;

    pub async fn start(
        key: String,
        ship_name: String,
        ship_address: String,
    ) -> Result<Uuid, AppError> {
        let (state, user) = require_user().await?;
        let key = platform::idempotency::key(Some(key.as_str()))?.to_owned();
        let (shops, lines) = cart::ssr::priced(&state.pool, user.id).await?;
        if lines.is_empty() {
            return Err(AppError::conflict("cart", "Your cart is empty."));
        }
        if let Some(problem) = shops.iter().flat_map(|s| &s.lines).find_map(|l| {
            l.problem
                .as_ref()
                .map(|p| format!("{} – {}: {p}", l.title, l.variant_name))
        }) {
            return Err(AppError::conflict("cart", problem));
        }
        let ships = shops.iter().any(|s| s.delivery == "ship");
        let (ship_name, ship_address) = if ships {
            (
                text::name("ship_name", "name to ship to", &ship_name, 100)?,
                text::field(
                    "ship_address",
                    "address to ship to",
                    &ship_address,
                    5,
                    300,
                    Lines::Many,
                )?,
            )
        } else {
            (String::new(), String::new())
        };
        let parts = cart::db::buyable(&lines);
        let totals = super::rules::totals(&parts);
        if totals.total() > MAX_TOTAL_CENTS {
            return Err(AppError::conflict(
                "cart",
                format!(
                    "One checkout can be at most {}: split your cart.",
                    format_cents(MAX_TOTAL_CENTS)
                ),
            ));
        }
        let request: Vec<(Uuid, i32, i32, &str)> = lines
            .iter()
            .map(|l| (l.variant_id, l.quantity, l.price_cents, l.delivery.as_str()))
            .collect();
        let hash = platform::idempotency::fingerprint(&(&request, &ship_name, &ship_address));
        let mut shipping: Vec<(Uuid, i32)> = Vec::new();
        for p in &parts {
            if !shipping.iter().any(|(s, _)| *s == p.shop) {
                shipping.push((p.shop, p.shipping_cents));
            }
        }
        let new = db::NewCheckout {
            buyer: &user,
            idempotency_key: &key,
            request_hash: &hash,
            ship_name: &ship_name,
            ship_address: &ship_address,
            hold_secs: HOLD_MINUTES * 60,
            lines: lines
                .iter()
                .map(|l| {
                    let delivery = if l.delivery == "pickup" && !l.pickup_address.is_empty() {
                        "pickup"
                    } else {
                        "ship"
                    };
                    (
                        db::Line {
                            variant_id: l.variant_id,
                            shop_id: l.shop_id,
                            product_title: l.title.clone(),
                            variant_name: l.variant_name.clone(),
                            unit_cents: l.price_cents,
                            quantity: l.quantity,
                        },
                        delivery.to_owned(),
                    )
                })
                .collect(),
            shipping,
        };
        let id = match db::start(&state.pool, &new).await? {
            db::Started::New(id) => {
                tracing::info!(checkout = %id, buyer = %user.id, "checkout started: units reserved");
                id
            }
            db::Started::Again(id) => id,
            db::Started::Short { variant, left } => {
                let line = lines.iter().find(|l| l.variant_id == variant);
                let what =
                    line.map_or_else(String::new, |l| format!("{} – {}", l.title, l.variant_name));
                return Err(AppError::conflict(
                    "cart",
                    match left {
                        ..=0 => format!("{what} has just sold out: remove it from your cart."),
                        n => format!("Only {n} of {what} are left now: lower the quantity."),
                    },
                ));
            }
        };
        ensure_intent(&state, id).await?;
        Ok(id)
    }

    /// The checkout's PaymentIntent, made once under the checkout's row lock. `None` when the
    /// checkout is not pending.
    async fn ensure_intent(
        state: &AppState,
        id: Uuid,
    ) -> Result<Option<payments::Intent>, AppError> {
        let stripe = state.payments()?;
        let mut tx = state.pool.begin().await?;
        let c = db::by_id_locked(&mut tx, id)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such checkout."))?;
        if let Some(intent) = &c.payment_intent_id {
            tx.commit().await?;
            return stripe
                .intent(intent)
                .await
                .map(Some)
                .map_err(|e| settle::unavailable(&e));
        }
        if c.status != "pending" {
            return Ok(None);
        }
        let checkout = id.to_string();
        let intent = stripe
            .create_intent(&NewIntent {
                amount_cents: i64::from(c.total_cents),
                metadata: &[("app", state.app), ("checkout", &checkout)],
                idempotency_key: &format!("{}-checkout-{id}", state.app),
            })
            .await
            .map_err(|e| settle::unavailable(&e))?;
        db::set_intent(&mut tx, id, &intent.id).await?;
        tx.commit().await?;
        Ok(Some(intent))
    }

    /// The shopper's own checkout (anyone else's is "not found").
    async fn own(state: &AppState, user: Uuid, id: Uuid) -> Result<db::CheckoutRow, AppError> {
        db::by_id(&state.pool, id)
            .await?
            .filter(|c| c.buyer_id == user)
            .ok_or_else(|| AppError::not_found("There is no such order."))
    }

    pub async fn get(id: Uuid) -> Result<CheckoutView, AppError> {
        let (state, user) = require_user().await?;
        let c = own(&state, user.id, id).await?;
        let live = c.status == "pending" && c.expires_at > chrono::Utc::now();
        let intent = if live {
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
        let parts = crate::orders::ssr::parts_of(&state.pool, &c).await?;
        Ok(CheckoutView {
            id,
            status: if c.status == "pending" && !live {
                "expired".to_owned()
            } else {
                c.status
            },
            parts,
            total_label: format_cents(i64::from(c.total_cents)),
            total_cents: c.total_cents,
            held_until: live.then_some(c.expires_at),
            held_minutes: live.then(|| {
                let secs = (c.expires_at - chrono::Utc::now()).num_seconds().max(0);
                (secs + 59) / 60
            }),
            pay,
        })
    }

    pub async fn pay(id: Uuid, token: String) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let c = own(&state, user.id, id).await?;
        let token = payments::card_token(&token)?;
        if c.status != "pending" || c.expires_at <= chrono::Utc::now() {
            return Err(AppError::Conflict {
                field: None,
                message: match c.status.as_str() {
                    "paid" => "This order is paid already.",
                    "pending" | "expired" => {
                        "The reservation of these items has ended. Check out again from your cart."
                    }
                    _ => "This checkout cannot be paid: check out again from your cart.",
                }
                .into(),
            });
        }
        let intent = ensure_intent(&state, id)
            .await?
            .ok_or_else(|| AppError::internal("a pending checkout without a payment"))?;
        let paid = match state.payments()?.pay_with_token(&intent.id, token).await {
            Ok(p) => p,
            Err(e) => {
                let refusal = payments::refused(&e, settle::KEPT);
                if matches!(refusal, AppError::Validation { .. }) {
                    failed(&state, id, &intent.id).await;
                    return Err(start_again(refusal));
                }
                return Err(refusal);
            }
        };
        Ok(match paid.status {
            payments::IntentStatus::Succeeded => {
                settle::settle(&state, &paid, None).await?;
                own(&state, user.id, id).await?.status
            }
            payments::IntentStatus::RequiresAction => "requires_action".to_owned(),
            _ => {
                failed(&state, id, &intent.id).await;
                return Err(start_again(payments::not_through(paid)));
            }
        })
    }

    /// The card's refusal, and what to do next.
    fn start_again(refusal: AppError) -> AppError {
        match refusal {
            AppError::Validation { field, message } => AppError::validation(
                field,
                format!(
                    "{message} Your cart still holds everything: check out again to try another card."
                ),
            ),
            other => other,
        }
    }

    /// A refused payment: the checkout's units go back and its payment is cancelled (the cart
    /// still holds everything: the shopper checks out again, with another card).
    async fn failed(state: &AppState, id: Uuid, intent: &str) {
        match settle::release(state, id, "failed").await {
            Ok(true) => tracing::info!(checkout = %id, "payment refused: units returned"),
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(checkout = %id, error = %e, "a refused checkout is not released yet")
            }
        }
        if let Ok(stripe) = state.payments()
            && let Err(e) = stripe.cancel_intent(intent).await
        {
            tracing::warn!(checkout = %id, error = %e, "a refused payment is not cancelled");
        }
    }

    pub async fn confirm(id: Uuid) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let c = own(&state, user.id, id).await?;
        if let Some(intent) = &c.payment_intent_id {
            settle::settle_intent(&state, intent).await?;
        }
        Ok(own(&state, user.id, id).await?.status)
    }

    /// Each line as the pages show it.
    pub fn line_view(
        title: String,
        variant_name: String,
        unit_cents: i32,
        quantity: i32,
    ) -> LineView {
        LineView {
            amount_label: format_cents(i64::from(unit_cents) * i64::from(quantity)),
            title,
            variant_name,
            quantity,
        }
    }
}

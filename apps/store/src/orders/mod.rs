//! Orders: one per shop of a paid checkout. The shopper sees all of theirs; a shop sees and
//! moves on only its own: accept, ship (with a tracking note) or ready for pickup, delivered,
//! or cancel before it ships (its money goes back, its units back on the shelf).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use crate::checkout::LineView;

/// One of the shopper's orders, in their list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrder {
    pub checkout_id: Uuid,
    pub number: String,
    pub shop_name: String,
    pub status_label: String,
    pub total_label: String,
    pub created_at: DateTime<Utc>,
}

/// One of a shop's orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopOrder {
    pub id: Uuid,
    pub number: String,
    pub buyer_name: String,
    pub status: String,
    pub status_label: String,
    /// "Ship to: …" or "Pickup at the shop".
    pub delivery_label: String,
    pub lines: Vec<LineView>,
    pub total_label: String,
    pub tracking_note: String,
    pub created_at: DateTime<Utc>,
    /// The steps it can take now: (status, button label).
    pub next: Vec<(String, String)>,
}

/// Words for an order's status.
pub fn status_label(status: &str, delivery: &str) -> String {
    match (status, delivery) {
        ("paid", _) => "Paid: waiting for the shop",
        ("accepted", _) => "Accepted: being prepared",
        ("shipped", _) => "Shipped",
        ("ready_for_pickup", _) => "Ready to pick up",
        ("delivered", "pickup") => "Picked up",
        ("delivered", _) => "Delivered",
        ("cancelled", _) => "Cancelled",
        _ => "Unknown",
    }
    .to_owned()
}

/// The steps an order can take from `status` (delivered by `delivery`), for its shop's
/// owner; its staff take the same but "cancel" (see [`for_staff`]).
pub fn next_steps(status: &str, delivery: &str) -> Vec<(&'static str, &'static str)> {
    match (status, delivery) {
        ("paid", _) => vec![("accepted", "Accept"), ("cancelled", "Cancel and refund")],
        ("accepted", "pickup") => vec![
            ("ready_for_pickup", "Ready for pickup"),
            ("cancelled", "Cancel and refund"),
        ],
        ("accepted", _) => vec![
            ("shipped", "Mark shipped"),
            ("cancelled", "Cancel and refund"),
        ],
        ("shipped" | "ready_for_pickup", _) => vec![("delivered", "Mark delivered")],
        _ => Vec::new(),
    }
}

/// The steps a shop's staff may take: all but cancelling (a refund is the owner's call).
pub fn for_staff(steps: Vec<(&'static str, &'static str)>) -> Vec<(&'static str, &'static str)> {
    steps
        .into_iter()
        .filter(|(to, _)| *to != "cancelled")
        .collect()
}

/// A shop's orders, as its owner or staff work them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDesk {
    pub shop_slug: String,
    pub shop_name: String,
    /// The signed-in person owns the shop (else they are on its staff).
    pub owner: bool,
    pub orders: Vec<ShopOrder>,
}

/// The signed-in shopper's orders, newest first.
#[server(prefix = "/api/orders", endpoint = "mine")]
pub async fn my_orders() -> Result<Vec<MyOrder>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

/// A shop's orders, newest first: the signed-in member's own shop's (`shop` empty), or those of
/// the shop `shop` when they are on its staff.
#[server(prefix = "/api/orders", endpoint = "shop")]
pub async fn shop_orders(shop: Option<String>) -> Result<OrderDesk, AppError> {
    ssr::of_shop(shop.unwrap_or_default())
        .await
        .map_err(AppError::respond)
}

/// Moves one of the shop's orders on to `status` (see [`next_steps`]); `tracking_note` goes
/// with `shipped`. Cancelling (the owner only) refunds the order.
#[server(prefix = "/api/orders", endpoint = "advance")]
pub async fn advance_order(
    id: Uuid,
    status: String,
    tracking_note: Option<String>,
) -> Result<(), AppError> {
    ssr::advance(id, status, tracking_note.unwrap_or_default())
        .await
        .map(|back| leptos_axum::redirect(&back))
        .map_err(AppError::respond)
}

/// Cancels one of the signed-in shopper's orders before it ships: that order's money goes
/// back, the other shops' orders of the checkout stay.
#[server(prefix = "/api/orders", endpoint = "cancel-mine")]
pub async fn cancel_my_order(id: Uuid) -> Result<(), AppError> {
    ssr::cancel_mine(id)
        .await
        .map(|checkout| leptos_axum::redirect(&format!("/orders/{checkout}")))
        .map_err(AppError::respond)
}

/// Whether an order in `status` may still be cancelled (it has not left the shop).
pub fn cancellable(status: &str) -> bool {
    matches!(status, "paid" | "accepted")
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::require_user;
    use platform::{
        AppError,
        money::format_cents,
        text::{self, Lines},
    };
    use sqlx::PgPool;
    use uuid::Uuid;

    use super::{MyOrder, OrderDesk, ShopOrder, db, for_staff, next_steps, status_label};
    use crate::{
        access::ssr::{order_desk, role_at},
        checkout::{PartView, db::CheckoutRow, ssr::line_view},
    };

    /// Each shop's part of a checkout: its order once paid, else what the checkout holds.
    pub async fn parts_of(pool: &PgPool, c: &CheckoutRow) -> Result<Vec<PartView>, AppError> {
        let parts = db::parts(pool, c.id).await?;
        let mut views = Vec::new();
        for p in parts {
            let lines = db::checkout_lines(pool, c.id, p.shop_id).await?;
            views.push(PartView {
                delivery_label: if p.delivery == "pickup" {
                    format!("Pick up at {}", p.pickup_address)
                } else {
                    format!(
                        "Shipped to {}, {}",
                        c.ship_name,
                        c.ship_address.replace('\n', ", ")
                    )
                },
                lines: lines
                    .into_iter()
                    .map(|l| line_view(l.product_title, l.variant_name, l.unit_cents, l.quantity))
                    .collect(),
                subtotal_label: format_cents(p.subtotal),
                shipping_label: format_cents(i64::from(p.shipping_cents)),
                total_label: format_cents(p.subtotal + i64::from(p.shipping_cents)),
                cancellable: p.order_status.as_deref().is_some_and(super::cancellable),
                order_status: p
                    .order_status
                    .as_deref()
                    .map(|s| status_label(s, &p.delivery)),
                order_id: p.order_id,
                order_number: p.order_number,
                tracking_note: p.tracking_note.unwrap_or_default(),
                refunded_label: p
                    .refunded_cents
                    .filter(|r| *r > 0)
                    .map(|r| format!("{} refunded", format_cents(i64::from(r)))),
                shop_name: p.shop_name,
            });
        }
        Ok(views)
    }

    pub async fn mine() -> Result<Vec<MyOrder>, AppError> {
        let (state, user) = require_user().await?;
        Ok(db::of_buyer(&state.pool, user.id)
            .await?
            .into_iter()
            .map(|o| MyOrder {
                checkout_id: o.checkout_id,
                number: o.number,
                shop_name: o.shop_name,
                status_label: status_label(&o.status, &o.delivery),
                total_label: format_cents(i64::from(o.total_cents)),
                created_at: o.created_at,
            })
            .collect())
    }

    pub async fn of_shop(slug: String) -> Result<OrderDesk, AppError> {
        let (state, user) = require_user().await?;
        let (shop, owner) = order_desk(&state.pool, slug.trim(), user.id).await?;
        let rows = db::of_shop(&state.pool, shop.id).await?;
        let mut out = Vec::new();
        for o in rows {
            let lines = db::order_lines(&state.pool, o.id).await?;
            out.push(ShopOrder {
                id: o.id,
                status_label: status_label(&o.status, &o.delivery),
                delivery_label: if o.delivery == "pickup" {
                    "Pickup at the shop".to_owned()
                } else {
                    format!(
                        "Ship to: {}, {}",
                        o.ship_name,
                        o.ship_address.replace('\n', ", ")
                    )
                },
                lines: lines
                    .into_iter()
                    .map(|l| line_view(l.product_title, l.variant_name, l.unit_cents, l.quantity))
                    .collect(),
                total_label: format_cents(i64::from(o.total_cents)),
                next: {
                    let steps = next_steps(&o.status, &o.delivery);
                    if owner { steps } else { for_staff(steps) }
                }
                .into_iter()
                .map(|(s, l)| (s.to_owned(), l.to_owned()))
                .collect(),
                number: o.number,
                buyer_name: o.buyer_name,
                status: o.status,
                tracking_note: o.tracking_note,
                created_at: o.created_at,
            });
        }
        Ok(OrderDesk {
            shop_slug: shop.slug,
            shop_name: shop.name,
            owner,
            orders: out,
        })
    }

    /// Cancels the shopper's own order `id`; the checkout it belongs to.
    pub async fn cancel_mine(id: Uuid) -> Result<Uuid, AppError> {
        let (state, user) = require_user().await?;
        let mut tx = state.pool.begin().await?;
        // Someone else's order is "not found", like one that does not exist.
        let order = db::locked(&mut tx, id)
            .await?
            .filter(|o| o.buyer_id == user.id)
            .ok_or_else(|| AppError::not_found("There is no such order."))?;
        if !super::cancellable(&order.status) {
            return Err(AppError::conflict(
                "status",
                format!(
                    "This order is {} now, so it cannot be cancelled here: write to {} about a return.",
                    status_label(&order.status, &order.delivery).to_lowercase(),
                    order.shop_name
                ),
            ));
        }
        db::cancel(&mut tx, &order).await?;
        db::notify_cancelled_by_shopper(&mut tx, &state, &order).await?;
        tx.commit().await?;
        state.outbox.wake();
        tracing::info!(order = %id, buyer = %user.id, "order cancelled by its shopper");
        let refunds = state.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::checkout::settle::send_refunds(refunds).await {
                tracing::warn!(error = %e, "refunds not sent yet");
            }
        });
        Ok(order.checkout_id)
    }

    /// Moves the order on; the orders page to go back to.
    pub async fn advance(id: Uuid, to: String, tracking_note: String) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        // Another shop's order is "not found", like one that does not exist.
        let not_found = || AppError::not_found("There is no such order.");
        let shop = db::shop_of(&state.pool, id).await?.ok_or_else(not_found)?;
        let owner = role_at(&state.pool, shop, user.id)
            .await?
            .ok_or_else(not_found)?;
        if to == "cancelled" && !owner {
            return Err(AppError::Forbidden(
                "Only the shop's owner can cancel an order and refund it.".into(),
            ));
        }
        let note = text::field(
            "tracking_note",
            "tracking note",
            &tracking_note,
            0,
            300,
            Lines::One,
        )?;
        let mut tx = state.pool.begin().await?;
        let order = db::locked(&mut tx, id).await?.ok_or_else(not_found)?;
        if !next_steps(&order.status, &order.delivery)
            .iter()
            .any(|(s, _)| *s == to)
        {
            return Err(AppError::conflict(
                "status",
                format!(
                    "This order is {} now: reload the page to see what it can do.",
                    status_label(&order.status, &order.delivery).to_lowercase()
                ),
            ));
        }
        if to == "cancelled" {
            db::cancel(&mut tx, &order).await?;
        } else {
            db::set_status(&mut tx, id, &to, &note).await?;
        }
        super::db::notify(&mut tx, &state, &order, &to, &note).await?;
        tx.commit().await?;
        state.outbox.wake();
        tracing::info!(order = %id, status = %to, %shop, by = %user.id, owner, "order moved on");
        if to == "cancelled" {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::checkout::settle::send_refunds(state).await {
                    tracing::warn!(error = %e, "refunds not sent yet");
                }
            });
        }
        Ok(if owner {
            "/dashboard/orders".to_owned()
        } else {
            format!("/dashboard/orders?shop={}", order.shop_slug)
        })
    }
}

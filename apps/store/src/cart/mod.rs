//! The cart: kept on the server for signed-in shoppers (the same on phone and laptop), in the
//! browser for visitors ([`visitor`]) and moved into the server's at sign-in; re-priced and
//! checked against stock each time it is shown. Each shop's part is shipped or picked up at the
//! shop, as the shopper chooses.

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod visitor;

/// Most units of one variant in a cart.
pub const MAX_QUANTITY: i32 = 99;

/// One line of the cart, at today's price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub variant_id: Uuid,
    pub product_slug: String,
    pub title: String,
    pub variant_name: String,
    pub thumbnail_url: Option<String>,
    pub unit_label: String,
    pub quantity: i32,
    pub amount_label: String,
    /// "Only 2 left: lower the quantity", "Sold out", "No longer sold": the line cannot be
    /// bought as it is.
    pub problem: Option<String>,
}

/// One shop's part of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartShop {
    pub slug: String,
    pub name: String,
    /// `ship` or `pickup`.
    pub delivery: String,
    /// Where to pick up, when the shop offers it.
    pub pickup_address: Option<String>,
    pub shipping_label: String,
    pub lines: Vec<CartLine>,
    pub subtotal_label: String,
}

/// The cart as it stands now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartView {
    pub shops: Vec<CartShop>,
    pub subtotal_label: String,
    pub shipping_label: String,
    pub total_label: String,
    pub total_cents: i64,
    /// Some part is shipped: checkout asks for an address.
    pub ships: bool,
    /// Every line can be bought as it is.
    pub ready: bool,
    /// A fresh idempotency key for the checkout form: a form sent twice pays once.
    pub form_key: String,
    /// Where a visitor signs in to check out (their cart comes with them); `None` when
    /// signed in.
    pub sign_in_url: Option<String>,
}

/// The shopper's cart: the signed-in member's, or the one the visitor's browser keeps.
#[server(prefix = "/api/cart", endpoint = "get")]
pub async fn get_cart() -> Result<CartView, AppError> {
    ssr::get().await.map_err(AppError::respond)
}

/// Puts `quantity` more of a variant in the shopper's cart, then shows the cart.
#[server(prefix = "/api/cart", endpoint = "add")]
pub async fn add_to_cart(variant_id: Uuid, quantity: i32) -> Result<(), AppError> {
    ssr::add(variant_id, quantity)
        .await
        .map(|()| leptos_axum::redirect("/cart"))
        .map_err(AppError::respond)
}

/// Sets how many of a variant the cart holds (0 takes it out).
#[server(prefix = "/api/cart", endpoint = "set")]
pub async fn set_quantity(variant_id: Uuid, quantity: i32) -> Result<(), AppError> {
    ssr::set(variant_id, quantity)
        .await
        .map(|()| leptos_axum::redirect("/cart"))
        .map_err(AppError::respond)
}

/// Ships a shop's part of the cart (`ship`) or picks it up at the shop (`pickup`).
#[server(prefix = "/api/cart", endpoint = "delivery")]
pub async fn set_delivery(shop: String, delivery: String) -> Result<(), AppError> {
    ssr::set_delivery(shop, delivery)
        .await
        .map(|()| leptos_axum::redirect("/cart"))
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user, user};
    use axum::{extract::Request, extract::State, middleware::Next, response::Response};
    use http::header::SET_COOKIE;
    use platform::{AppError, money::format_cents};
    use uuid::Uuid;

    use super::{
        CartLine, CartShop, CartView, MAX_QUANTITY, db,
        visitor::{self, VisitorCart},
    };

    fn quantity(q: i32, zero_ok: bool) -> Result<i32, AppError> {
        let min = i32::from(!zero_ok);
        if (min..=MAX_QUANTITY).contains(&q) {
            Ok(q)
        } else {
            Err(AppError::validation(
                "quantity",
                format!("Choose from {min} to {MAX_QUANTITY}."),
            ))
        }
    }

    /// The cart this visitor's browser keeps (a new one when it keeps none).
    async fn visitor_cart(state: &AppState) -> Result<VisitorCart, AppError> {
        let parts: http::request::Parts =
            leptos_axum::extract().await.map_err(AppError::internal)?;
        Ok(VisitorCart::from_headers(&parts.headers, state.suite.is_https()).unwrap_or_default())
    }

    /// Has the browser keep `cart`.
    fn keep(state: &AppState, cart: &VisitorCart) {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.append_header(SET_COOKIE, cart.set_cookie(state.suite.is_https()));
        }
    }

    pub async fn add(variant: Uuid, q: i32) -> Result<(), AppError> {
        let state = appkit::state()?;
        let q = quantity(q, false)?;
        let listed = db::listed_variant(&state.pool, variant).await?;
        let Some(left) = listed else {
            return Err(AppError::not_found(
                "That product is not sold here any more.",
            ));
        };
        if left <= 0 {
            return Err(AppError::conflict("quantity", "Sorry, that is sold out."));
        }
        match user().await? {
            Some(user) => db::add(&state.pool, user.id, variant, q).await,
            None => {
                let mut cart = visitor_cart(&state).await?;
                cart.add(variant, q)?;
                keep(&state, &cart);
                Ok(())
            }
        }
    }

    pub async fn set(variant: Uuid, q: i32) -> Result<(), AppError> {
        let state = appkit::state()?;
        let q = quantity(q, true)?;
        match user().await? {
            Some(user) => db::set(&state.pool, user.id, variant, q).await,
            None => {
                let mut cart = visitor_cart(&state).await?;
                cart.set(variant, q);
                keep(&state, &cart);
                Ok(())
            }
        }
    }

    pub async fn set_delivery(shop: String, delivery: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        if !matches!(delivery.as_str(), "ship" | "pickup") {
            return Err(AppError::validation(
                "delivery",
                "Choose delivery or pickup.",
            ));
        }
        let shop = crate::shops::db::by_slug(&state.pool, &shop)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such shop."))?;
        if delivery == "pickup" && shop.pickup_address.is_empty() {
            return Err(AppError::validation(
                "delivery",
                "This shop does not offer pickup.",
            ));
        }
        db::set_delivery(&state.pool, user.id, shop.id, &delivery).await
    }

    /// Middleware: the first request of a browser that is signed in and still keeps a
    /// visitor's cart moves that cart into the member's, and removes it from the browser.
    pub async fn merge_at_sign_in(
        State(state): State<AppState>,
        req: Request,
        next: Next,
    ) -> Response {
        let secure = state.suite.is_https();
        let Some(cart) = VisitorCart::from_headers(req.headers(), secure) else {
            return next.run(req).await;
        };
        let (parts, body) = req.into_parts();
        let user = state.sessions.user_of(&parts).await;
        let req = Request::from_parts(parts, body);
        let Ok(Some(user)) = user else {
            return next.run(req).await;
        };
        if !cart.lines.is_empty() {
            match db::merge(&state.pool, user.id, &cart).await {
                Ok(true) => {
                    tracing::info!(user_id = %user.id, lines = cart.lines.len(), "moved a visitor's cart into the member's")
                }
                Ok(false) => {}
                Err(e) => {
                    // The cookie stays: the next request tries again.
                    tracing::warn!(error = %e, "could not move a visitor's cart into the member's");
                    return next.run(req).await;
                }
            }
        }
        let mut res = next.run(req).await;
        res.headers_mut()
            .append(SET_COOKIE, visitor::removal(secure));
        res
    }

    /// The cart of `owner`, priced now, grouped by shop (in the order their first line was
    /// added). Lines whose product is no longer listed are shown with why.
    pub async fn priced(
        pool: &sqlx::PgPool,
        owner: Uuid,
    ) -> Result<(Vec<CartShop>, Vec<db::Line>), AppError> {
        let lines = db::lines(pool, owner).await?;
        Ok((by_shop(&lines), lines))
    }

    /// Priced lines, grouped by shop in their order, each with what stops it being bought.
    fn by_shop(lines: &[db::Line]) -> Vec<CartShop> {
        let mut shops: Vec<CartShop> = Vec::new();
        for l in lines {
            let problem = if !l.listed {
                Some("No longer sold: remove it to check out.".to_owned())
            } else if l.left <= 0 {
                Some("Sold out: remove it to check out.".to_owned())
            } else if l.quantity > l.left {
                Some(format!("Only {} left: lower the quantity.", l.left))
            } else {
                None
            };
            let line = CartLine {
                variant_id: l.variant_id,
                product_slug: l.product_slug.clone(),
                title: l.title.clone(),
                variant_name: l.variant_name.clone(),
                thumbnail_url: l.image_key.as_deref().map(storage::Storage::thumbnail_path),
                unit_label: format_cents(i64::from(l.price_cents)),
                quantity: l.quantity,
                amount_label: format_cents(i64::from(l.price_cents) * i64::from(l.quantity)),
                problem,
            };
            let pickup = l.delivery == "pickup" && !l.pickup_address.is_empty();
            match shops.iter_mut().find(|s| s.slug == l.shop_slug) {
                Some(s) => s.lines.push(line),
                None => shops.push(CartShop {
                    slug: l.shop_slug.clone(),
                    name: l.shop_name.clone(),
                    delivery: if pickup { "pickup" } else { "ship" }.to_owned(),
                    pickup_address: (!l.pickup_address.is_empty())
                        .then(|| l.pickup_address.clone()),
                    shipping_label: match (pickup, l.shipping_cents) {
                        (true, _) => "Pickup: free".to_owned(),
                        (false, 0) => "Shipping: free".to_owned(),
                        (false, c) => format!("Shipping: {}", format_cents(i64::from(c))),
                    },
                    lines: vec![line],
                    subtotal_label: String::new(),
                }),
            }
        }
        for s in &mut shops {
            let sub: i64 = lines
                .iter()
                .filter(|l| l.shop_slug == s.slug && l.listed)
                .map(|l| i64::from(l.price_cents) * i64::from(l.quantity))
                .sum();
            s.subtotal_label = format_cents(sub);
        }
        shops
    }

    pub async fn get() -> Result<CartView, AppError> {
        let state = appkit::state()?;
        let (lines, sign_in_url) = match user().await? {
            Some(user) => (db::lines(&state.pool, user.id).await?, None),
            None => {
                let cart = visitor_cart(&state).await?;
                (
                    db::visitor_lines(&state.pool, &cart.lines).await?,
                    Some(state.sign_in_url("/cart")),
                )
            }
        };
        let shops = by_shop(&lines);
        let totals = crate::checkout::rules::totals(&db::buyable(&lines));
        Ok(CartView {
            ready: !lines.is_empty()
                && shops
                    .iter()
                    .all(|s| s.lines.iter().all(|l| l.problem.is_none())),
            ships: shops.iter().any(|s| s.delivery == "ship"),
            subtotal_label: format_cents(totals.subtotal),
            shipping_label: format_cents(totals.shipping),
            total_label: format_cents(totals.total()),
            total_cents: totals.total(),
            shops,
            form_key: if sign_in_url.is_none() {
                uuid::Uuid::new_v4().to_string()
            } else {
                String::new()
            },
            sign_in_url,
        })
    }
}

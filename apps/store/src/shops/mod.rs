//! Shops: any signed-in member opens one (name, logo, description, pickup address, shipping
//! rate); a suite admin approves it before its products are listed, and can suspend it.

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

/// A shop as its owner sees it on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnShop {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub pickup_address: String,
    /// As the form shows it: "5.00".
    pub shipping: String,
    /// `pending`, `approved`, `suspended`.
    pub status: String,
    /// Its logo (a path on this app).
    pub logo_url: Option<String>,
}

/// A shop, for the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminShop {
    pub slug: String,
    pub name: String,
    pub status: String,
}

/// A shop's public page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopView {
    pub slug: String,
    pub name: String,
    pub description_html: String,
    pub pickup_address: String,
    /// "Shipping $5.00 an order" or "Free shipping".
    pub shipping_label: String,
    pub status: String,
    /// Its logo (a path on this app).
    pub logo_url: Option<String>,
    pub products: Vec<crate::catalog::ProductCard>,
}

/// Opens the signed-in member's shop; it waits for a suite admin's approval.
#[server(prefix = "/api/shops", endpoint = "open")]
pub async fn open_shop(
    name: String,
    description: String,
    pickup_address: String,
    shipping: String,
) -> Result<(), AppError> {
    ssr::open(name, description, pickup_address, shipping)
        .await
        .map(|()| leptos_axum::redirect("/dashboard"))
        .map_err(AppError::respond)
}

/// Changes the signed-in member's shop.
#[server(prefix = "/api/shops", endpoint = "update")]
pub async fn update_shop(
    name: String,
    description: String,
    pickup_address: String,
    shipping: String,
) -> Result<(), AppError> {
    ssr::update(name, description, pickup_address, shipping)
        .await
        .map(|()| leptos_axum::redirect("/dashboard"))
        .map_err(AppError::respond)
}

/// The signed-in member's shop, if they have one.
#[server(prefix = "/api/shops", endpoint = "mine")]
pub async fn my_shop() -> Result<Option<OwnShop>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

/// A shop's page: approved shops for everyone; another for its owner and admins only.
#[server(prefix = "/api/shops", endpoint = "get")]
pub async fn get_shop(slug: String) -> Result<ShopView, AppError> {
    ssr::get(slug).await.map_err(AppError::respond)
}

/// Every shop, for suite admins.
#[server(prefix = "/api/shops", endpoint = "all")]
pub async fn admin_shops() -> Result<Vec<AdminShop>, AppError> {
    ssr::all().await.map_err(AppError::respond)
}

/// Approves (`approved`) or suspends (`suspended`) a shop, for suite admins.
#[server(prefix = "/api/shops", endpoint = "set-status")]
pub async fn set_shop_status(slug: String, status: String) -> Result<(), AppError> {
    ssr::set_status(slug, status)
        .await
        .map(|()| leptos_axum::redirect("/admin/shops"))
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{require_user, user};
    use platform::{
        AppError,
        money::{cents_for_form, format_cents, parse_cents},
        text::{self, Lines},
    };

    use super::{AdminShop, OwnShop, ShopView, db};
    use crate::access::ssr::{admin, own_shop};

    fn fields(
        name: &str,
        description: &str,
        pickup_address: &str,
        shipping: &str,
    ) -> Result<db::ShopFields, AppError> {
        let shipping = if shipping.trim().is_empty() {
            0
        } else {
            parse_cents(shipping, false, 100_000)
                .map_err(|m| AppError::validation("shipping", m))?
        };
        Ok(db::ShopFields {
            name: text::name("name", "shop's name", name, 80)?,
            description: text::field(
                "description",
                "description",
                description,
                0,
                5000,
                Lines::Many,
            )?,
            pickup_address: text::field(
                "pickup_address",
                "pickup address",
                pickup_address,
                0,
                300,
                Lines::Many,
            )?,
            shipping_cents: i32::try_from(shipping).unwrap_or(i32::MAX),
        })
    }

    pub async fn open(
        name: String,
        description: String,
        pickup_address: String,
        shipping: String,
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let f = fields(&name, &description, &pickup_address, &shipping)?;
        let slug = db::open(&state.pool, user.id, &user.email, &f).await?;
        tracing::info!(%slug, owner = %user.id, "shop opened, waiting for approval");
        Ok(())
    }

    pub async fn update(
        name: String,
        description: String,
        pickup_address: String,
        shipping: String,
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let shop = own_shop(&state.pool, user.id).await?;
        let f = fields(&name, &description, &pickup_address, &shipping)?;
        db::update(&state.pool, shop.id, &f).await
    }

    pub async fn mine() -> Result<Option<OwnShop>, AppError> {
        let (state, user) = require_user().await?;
        Ok(db::of_owner(&state.pool, user.id).await?.map(|s| OwnShop {
            slug: s.slug,
            name: s.name,
            description: s.description,
            pickup_address: s.pickup_address,
            shipping: cents_for_form(i64::from(s.shipping_cents), false),
            status: s.status,
            logo_url: s.logo_key.as_deref().map(storage::Storage::thumbnail_path),
        }))
    }

    pub async fn get(slug: String) -> Result<ShopView, AppError> {
        let state = appkit::state()?;
        let viewer = user().await?;
        let shop = db::by_slug(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such shop."))?;
        let may_see = shop.status == "approved"
            || viewer
                .as_ref()
                .is_some_and(|u| u.id == shop.owner_id || u.is_admin());
        if !may_see {
            return Err(AppError::not_found("There is no such shop."));
        }
        let products = crate::catalog::ssr::of_shop(&state, shop.id).await?;
        Ok(ShopView {
            description_html: platform::formatted::to_html(&shop.description),
            shipping_label: if shop.shipping_cents == 0 {
                "Free shipping".to_owned()
            } else {
                format!(
                    "Shipping {} an order",
                    format_cents(i64::from(shop.shipping_cents))
                )
            },
            slug: shop.slug,
            name: shop.name,
            pickup_address: shop.pickup_address,
            status: shop.status,
            logo_url: shop
                .logo_key
                .as_deref()
                .map(storage::Storage::thumbnail_path),
            products,
        })
    }

    pub async fn all() -> Result<Vec<AdminShop>, AppError> {
        let (state, user) = require_user().await?;
        admin(&user)?;
        Ok(db::all(&state.pool)
            .await?
            .into_iter()
            .map(|s| AdminShop {
                slug: s.slug,
                name: s.name,
                status: s.status,
            })
            .collect())
    }

    pub async fn set_status(slug: String, status: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        admin(&user)?;
        if !matches!(status.as_str(), "approved" | "suspended") {
            return Err(AppError::validation("status", "Choose approve or suspend."));
        }
        if !db::set_status(&state.pool, &slug, &status).await? {
            return Err(AppError::not_found("There is no such shop."));
        }
        tracing::info!(%slug, %status, admin = %user.id, "shop status changed");
        Ok(())
    }
}

/// The shop's logo, through the suite's upload flow (`storage::upload`: checked by content and
/// size, decoded within limits and encoded again before anything is stored, the object stored
/// before the row points at it, the replaced one removed).
#[cfg(feature = "ssr")]
pub mod logo {
    use appkit::AppState;
    use axum::{
        Router,
        extract::{DefaultBodyLimit, Multipart, State},
        response::{IntoResponse, Response},
        routing::post,
    };
    use sso::CurrentUser;
    use storage::upload::{self, Failure};

    use crate::access::ssr::own_shop;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/dashboard/logo", post(logo))
            // Room for the form's other fields and the multipart framing.
            .layer(DefaultBodyLimit::max(
                storage::DEFAULT_MAX_BYTES + 64 * 1024,
            ))
    }

    /// `POST /dashboard/logo`: the owner's new logo; back to the dashboard.
    async fn logo(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        form: Multipart,
    ) -> Response {
        // Authorised before the body is read: without a shop, nothing is read nor stored.
        let shop = match own_shop(&state.pool, user.id).await {
            Ok(s) => s,
            Err(e) => return e.into_response(),
        };
        let (back, bytes) = upload::read_form(form, "photo", "/dashboard").await;
        let result = async {
            let bytes = bytes?;
            let storage = state.storage().map_err(Failure::from)?;
            let id = shop.id;
            let pool = &state.pool;
            upload::replace(storage, &format!("logos/{id}"), &bytes, |key| async move {
                super::db::set_logo(pool, id, &key).await
            })
            .await
            .map(|_| ())
        }
        .await;
        upload::answer(&back, result)
    }
}

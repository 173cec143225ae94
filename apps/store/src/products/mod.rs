//! Products: what shoppers see of one (pictures, description, variants each with its own price
//! and stock), and what its shop does to it (create, edit, variants, publish).

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

/// A variant as the product's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantView {
    pub id: Uuid,
    pub name: String,
    pub price_label: String,
    pub left: i64,
    /// "Sold out", "Only 3 left", or nothing.
    pub availability: Option<String>,
}

/// A product's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductView {
    pub slug: String,
    pub title: String,
    pub description_html: String,
    pub category: String,
    pub shop_slug: String,
    pub shop_name: String,
    /// Its pictures (paths on this app), the first as the main one.
    pub images: Vec<String>,
    pub variants: Vec<VariantView>,
    /// Not listed (a draft, or its shop not approved): only its shop and admins see it.
    pub listed: bool,
    pub is_owner: bool,
}

/// A variant as its shop manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockView {
    pub id: Uuid,
    pub name: String,
    /// As the form shows it: "25.00".
    pub price: String,
    /// Units on the shelf, not sold yet (some may be in checkouts being paid).
    pub on_hand: i32,
    pub reserved: i32,
    pub low: bool,
}

/// A product as its shop manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManageView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub low_stock_at: i32,
    pub published: bool,
    pub variants: Vec<StockView>,
    pub images: Vec<crate::images::ImageView>,
}

/// One of the shop's products, on its dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyProduct {
    pub slug: String,
    pub title: String,
    pub published: bool,
    /// Units left to sell, over its variants.
    pub left: i64,
    /// Some variant is at or under the product's low-stock mark.
    pub low: bool,
}

#[server(prefix = "/api/products", endpoint = "get")]
pub async fn get_product(slug: String) -> Result<ProductView, AppError> {
    ssr::get(slug).await.map_err(AppError::respond)
}

/// Creates a draft product in the signed-in member's shop, then opens it.
#[server(prefix = "/api/products", endpoint = "create")]
pub async fn create_product(
    title: String,
    description: String,
    category: String,
) -> Result<(), AppError> {
    ssr::create(title, description, category)
        .await
        .map(|slug| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

#[server(prefix = "/api/products", endpoint = "update")]
pub async fn update_product(
    slug: String,
    title: String,
    description: String,
    category: String,
    low_stock_at: String,
) -> Result<(), AppError> {
    ssr::update(slug.clone(), title, description, category, low_stock_at)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

/// Adds a variant ("Size 8 / Black") with its price and the units on the shelf.
#[server(prefix = "/api/products", endpoint = "add-variant")]
pub async fn add_variant(
    slug: String,
    name: String,
    price: String,
    stock: String,
) -> Result<(), AppError> {
    ssr::add_variant(slug.clone(), name, price, stock)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

/// Changes a variant's name, price or units on the shelf (never below those in checkouts).
#[server(prefix = "/api/products", endpoint = "update-variant")]
pub async fn update_variant(
    slug: String,
    id: Uuid,
    name: String,
    price: String,
    stock: String,
) -> Result<(), AppError> {
    ssr::update_variant(slug.clone(), id, name, price, stock)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

/// Lists (`true`) or withdraws a product of the signed-in member's shop.
#[server(prefix = "/api/products", endpoint = "publish")]
pub async fn set_published(slug: String, published: bool) -> Result<(), AppError> {
    ssr::set_published(slug.clone(), published)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

#[server(prefix = "/api/products", endpoint = "manage")]
pub async fn manage_product(slug: String) -> Result<ManageView, AppError> {
    ssr::manage(slug).await.map_err(AppError::respond)
}

#[server(prefix = "/api/products", endpoint = "mine")]
pub async fn my_products() -> Result<Vec<MyProduct>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{require_user, user};
    use platform::{
        AppError,
        money::{cents_for_form, format_cents, parse_cents},
        text::{self, Lines},
    };
    use uuid::Uuid;

    use super::{ManageView, MyProduct, ProductView, StockView, VariantView, db};
    use crate::{
        access::ssr::{own_product, own_shop},
        catalog::{CATEGORIES, availability},
    };

    fn category(raw: &str) -> Result<String, AppError> {
        CATEGORIES
            .iter()
            .find(|(c, _)| *c == raw)
            .map(|(c, _)| (*c).to_owned())
            .ok_or_else(|| AppError::validation("category", "Choose a category."))
    }

    fn price(raw: &str) -> Result<i32, AppError> {
        let cents =
            parse_cents(raw, false, 10_000_000).map_err(|m| AppError::validation("price", m))?;
        if cents == 0 {
            return Err(AppError::validation("price", "Enter a price above $0.00."));
        }
        Ok(i32::try_from(cents).unwrap_or(i32::MAX))
    }

    fn count(field: &str, raw: &str, max: i32) -> Result<i32, AppError> {
        raw.trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (0..=max).contains(n))
            .ok_or_else(|| {
                AppError::validation(field, format!("Enter a whole number from 0 to {max}."))
            })
    }

    pub async fn get(slug: String) -> Result<ProductView, AppError> {
        let state = appkit::state()?;
        let viewer = user().await?;
        let p = db::by_slug(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such product."))?;
        let is_owner = viewer.as_ref().is_some_and(|u| u.id == p.owner_id);
        let listed = p.published && p.shop_status == "approved";
        if !listed && !is_owner && !viewer.as_ref().is_some_and(sso::SessionUser::is_admin) {
            return Err(AppError::not_found("There is no such product."));
        }
        let variants = db::variants(&state.pool, p.id).await?;
        let images = db::image_keys(&state.pool, p.id).await?;
        Ok(ProductView {
            description_html: platform::formatted::to_html(&p.description),
            category: CATEGORIES
                .iter()
                .find(|(c, _)| *c == p.category)
                .map_or_else(String::new, |(_, n)| (*n).to_owned()),
            images: images
                .iter()
                .map(|k| storage::Storage::public_path(k))
                .collect(),
            variants: variants
                .into_iter()
                .map(|v| {
                    let left = i64::from(v.on_hand - v.reserved);
                    VariantView {
                        id: v.id,
                        name: v.name,
                        price_label: format_cents(i64::from(v.price_cents)),
                        left,
                        availability: availability(left),
                    }
                })
                .collect(),
            slug: p.slug,
            title: p.title,
            shop_slug: p.shop_slug,
            shop_name: p.shop_name,
            listed,
            is_owner,
        })
    }

    pub async fn create(
        title: String,
        description: String,
        category: String,
    ) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let shop = own_shop(&state.pool, user.id).await?;
        let f = db::ProductFields {
            title: text::name("title", "product's name", &title, 120)?,
            description: text::field(
                "description",
                "description",
                &description,
                0,
                5000,
                Lines::Many,
            )?,
            category: self::category(&category)?,
            low_stock_at: 3,
        };
        db::create(&state.pool, shop.id, &f).await
    }

    pub async fn update(
        slug: String,
        title: String,
        description: String,
        category: String,
        low_stock_at: String,
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let (id, _) = own_product(&state.pool, &slug, user.id).await?;
        let f = db::ProductFields {
            title: text::name("title", "product's name", &title, 120)?,
            description: text::field(
                "description",
                "description",
                &description,
                0,
                5000,
                Lines::Many,
            )?,
            category: self::category(&category)?,
            low_stock_at: count("low_stock_at", &low_stock_at, 10_000)?,
        };
        db::update(&state.pool, id, &f).await
    }

    pub async fn add_variant(
        slug: String,
        name: String,
        price: String,
        stock: String,
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let (id, _) = own_product(&state.pool, &slug, user.id).await?;
        let name = text::name("name", "variant's name (a size, a colour)", &name, 80)?;
        let price = self::price(&price)?;
        let stock = count("stock", &stock, 100_000)?;
        db::add_variant(&state.pool, id, &name, price, stock).await
    }

    pub async fn update_variant(
        slug: String,
        variant: Uuid,
        name: String,
        price: String,
        stock: String,
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let (id, _) = own_product(&state.pool, &slug, user.id).await?;
        let name = text::name("name", "variant's name (a size, a colour)", &name, 80)?;
        let price = self::price(&price)?;
        let stock = count("stock", &stock, 100_000)?;
        db::update_variant(&state.pool, id, variant, &name, price, stock).await
    }

    pub async fn set_published(slug: String, published: bool) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let (id, _) = own_product(&state.pool, &slug, user.id).await?;
        if published && db::variants(&state.pool, id).await?.is_empty() {
            return Err(AppError::conflict(
                "published",
                "Add a variant with its price and stock before publishing.",
            ));
        }
        db::set_published(&state.pool, id, published).await
    }

    pub async fn manage(slug: String) -> Result<ManageView, AppError> {
        let (state, user) = require_user().await?;
        let (id, _) = own_product(&state.pool, &slug, user.id).await?;
        let p = db::by_id(&state.pool, id).await?;
        let variants = db::variants(&state.pool, id).await?;
        Ok(ManageView {
            images: crate::images::ssr::of(&state.pool, id).await?,
            variants: variants
                .into_iter()
                .map(|v| StockView {
                    id: v.id,
                    name: v.name,
                    price: cents_for_form(i64::from(v.price_cents), false),
                    low: v.on_hand - v.reserved <= p.low_stock_at,
                    on_hand: v.on_hand,
                    reserved: v.reserved,
                })
                .collect(),
            slug: p.slug,
            title: p.title,
            description: p.description,
            category: p.category,
            low_stock_at: p.low_stock_at,
            published: p.published,
        })
    }

    pub async fn mine() -> Result<Vec<MyProduct>, AppError> {
        let (state, user) = require_user().await?;
        let shop = own_shop(&state.pool, user.id).await?;
        Ok(db::of_shop(&state.pool, shop.id)
            .await?
            .into_iter()
            .map(|r| MyProduct {
                slug: r.slug,
                title: r.title,
                published: r.published,
                left: r.left,
                low: r.low,
            })
            .collect())
    }
}

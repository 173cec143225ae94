//! `store.` — new products, a product, and the signed-in user's orders (what the portal's home
//! page and account page use).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Path of the newest listed products (`GET`, `?limit=N`).
pub const PRODUCTS_PATH: &str = "/api/v1/products";

/// Largest `limit` the list accepts.
pub const MAX_LIMIT: u32 = 50;

/// Path of one product: `/api/v1/products/{slug}`.
pub fn detail_path(slug: &str) -> String {
    format!("{PRODUCTS_PATH}/{slug}")
}

/// Path of the signed-in user's orders (`GET`).
pub const MY_ORDERS_PATH: &str = "/api/v1/orders";

/// Query string of `GET /api/v1/products`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductQuery {
    /// How many: 1 to [`MAX_LIMIT`], 12 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// The shop that sells a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vendor {
    pub slug: String,
    pub name: String,
    /// Absolute URL of its page.
    pub url: String,
}

/// A listed product as other apps see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub vendor: Vendor,
    /// Absolute URL of its first picture's thumbnail, when it has one.
    #[serde(default)]
    pub thumbnail_url: Option<String>,
    /// Its cheapest variant's price, in cents of `currency`.
    pub price_from_cents: i64,
    pub currency: String,
    /// Some variant has units left.
    pub in_stock: bool,
    pub published_at: DateTime<Utc>,
    /// Absolute URL of its page.
    pub url: String,
}

/// Answer of `GET /api/v1/products`: listed products, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductList {
    pub products: Vec<ProductSummary>,
}

/// A variant of a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSummary {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
    /// Units left to buy now.
    pub left: i64,
}

/// Answer of `GET /api/v1/products/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductDetail {
    pub product: ProductSummary,
    /// Its description as sanitized HTML.
    pub description_html: String,
    /// Absolute URLs of its pictures, the first as the main one.
    pub images: Vec<String>,
    pub variants: Vec<VariantSummary>,
}

/// One of the signed-in user's orders (one shop's part of a checkout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrder {
    /// "S12345678".
    pub number: String,
    pub vendor: String,
    /// `paid`, `accepted`, `shipped`, `ready_for_pickup`, `delivered`, `cancelled`.
    pub status: String,
    /// "Shipped", "Ready to pick up"…
    pub status_label: String,
    pub total_cents: i64,
    pub created_at: DateTime<Utc>,
    /// Absolute URL of its page.
    pub url: String,
}

/// Answer of `GET /api/v1/orders`: the signed-in user's orders, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyOrders {
    pub orders: Vec<MyOrder>,
    /// Absolute URL of the page with all of them.
    pub orders_url: String,
}

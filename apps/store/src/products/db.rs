//! Products and variants in the database.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProductRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub published: bool,
    pub low_stock_at: i32,
    pub shop_slug: String,
    pub shop_name: String,
    pub shop_status: String,
    pub owner_id: Uuid,
}

const PRODUCT: &str = "select p.id, p.slug, p.title, p.description, p.category, p.published,
        p.low_stock_at, s.slug as shop_slug, s.name as shop_name, s.status as shop_status,
        s.owner_id
    from products p join shops s on s.id = p.shop_id";

pub async fn by_slug(pool: &PgPool, slug: &str) -> Result<Option<ProductRow>, AppError> {
    Ok(sqlx::query_as(&format!("{PRODUCT} where p.slug = $1"))
        .bind(slug)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_id(pool: &PgPool, id: Uuid) -> Result<ProductRow, AppError> {
    Ok(sqlx::query_as(&format!("{PRODUCT} where p.id = $1"))
        .bind(id)
        .fetch_one(pool)
        .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VariantRow {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i32,
    pub on_hand: i32,
    pub reserved: i32,
}

pub async fn variants(pool: &PgPool, product: Uuid) -> Result<Vec<VariantRow>, AppError> {
    Ok(sqlx::query_as(
        "select id, name, price_cents, on_hand, reserved from variants
         where product_id = $1 order by position, created_at",
    )
    .bind(product)
    .fetch_all(pool)
    .await?)
}

pub async fn image_keys(pool: &PgPool, product: Uuid) -> Result<Vec<String>, AppError> {
    Ok(sqlx::query_scalar(
        "select key from product_images where product_id = $1 order by position, created_at",
    )
    .bind(product)
    .fetch_all(pool)
    .await?)
}

pub struct ProductFields {
    pub title: String,
    pub description: String,
    pub category: String,
    pub low_stock_at: i32,
}

/// A draft product of `shop`; its slug.
pub async fn create(pool: &PgPool, shop: Uuid, f: &ProductFields) -> Result<String, AppError> {
    let base = platform::slug::slugify(&f.title, 60, "product");
    for slug in platform::slug::candidates(&base) {
        let done = sqlx::query(
            "insert into products (shop_id, slug, title, description, category, low_stock_at)
             values ($1, $2, $3, $4, $5, $6) on conflict (slug) do nothing",
        )
        .bind(shop)
        .bind(&slug)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.category)
        .bind(f.low_stock_at)
        .execute(pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(slug);
        }
    }
    Err(AppError::internal("no free slug for a product"))
}

pub async fn update(pool: &PgPool, id: Uuid, f: &ProductFields) -> Result<(), AppError> {
    sqlx::query(
        "update products set title = $2, description = $3, category = $4, low_stock_at = $5,
                updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.category)
    .bind(f.low_stock_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn add_variant(
    pool: &PgPool,
    product: Uuid,
    name: &str,
    price_cents: i32,
    on_hand: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into variants (product_id, name, price_cents, on_hand, position)
         values ($1, $2, $3, $4,
                 (select coalesce(max(position), 0) + 1 from variants where product_id = $1))",
    )
    .bind(product)
    .bind(name)
    .bind(price_cents)
    .bind(on_hand)
    .execute(pool)
    .await?;
    Ok(())
}

/// Changes a variant of `product`. The units on the shelf never go below those reserved by
/// checkouts being paid (the update's own condition, and the table's check, whatever runs at once).
pub async fn update_variant(
    pool: &PgPool,
    product: Uuid,
    variant: Uuid,
    name: &str,
    price_cents: i32,
    on_hand: i32,
) -> Result<(), AppError> {
    let done = sqlx::query(
        "update variants set name = $3, price_cents = $4, on_hand = $5
         where id = $1 and product_id = $2 and reserved <= $5",
    )
    .bind(variant)
    .bind(product)
    .bind(name)
    .bind(price_cents)
    .bind(on_hand)
    .execute(pool)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let reserved: Option<i32> =
        sqlx::query_scalar("select reserved from variants where id = $1 and product_id = $2")
            .bind(variant)
            .bind(product)
            .fetch_optional(pool)
            .await?;
    match reserved {
        None => Err(AppError::not_found("There is no such variant.")),
        Some(n) => Err(AppError::conflict(
            "stock",
            format!("{n} are in shoppers' checkouts right now: set at least {n}."),
        )),
    }
}

pub async fn set_published(pool: &PgPool, id: Uuid, published: bool) -> Result<(), AppError> {
    sqlx::query(
        "update products set published = $2,
                published_at = case when $2 then coalesce(published_at, now()) else published_at end,
                updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(published)
    .execute(pool)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MineRow {
    pub slug: String,
    pub title: String,
    pub published: bool,
    pub left: i64,
    pub low: bool,
}

pub async fn of_shop(pool: &PgPool, shop: Uuid) -> Result<Vec<MineRow>, AppError> {
    Ok(sqlx::query_as(
        "select p.slug, p.title, p.published,
                coalesce(sum(v.on_hand - v.reserved), 0)::int8 as left,
                coalesce(bool_or(v.on_hand - v.reserved <= p.low_stock_at), false) as low
         from products p left join variants v on v.product_id = p.id
         where p.shop_id = $1
         group by p.id order by p.created_at desc",
    )
    .bind(shop)
    .fetch_all(pool)
    .await?)
}

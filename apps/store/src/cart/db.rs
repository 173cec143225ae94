//! Carts in the database.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use crate::checkout::rules::Part;

/// Units left of a variant that is listed now (its product published, its shop approved);
/// `None` when it is not.
pub async fn listed_variant(pool: &PgPool, variant: Uuid) -> Result<Option<i32>, AppError> {
    Ok(sqlx::query_scalar(
        "select v.on_hand - v.reserved from variants v
         join products p on p.id = v.product_id join shops s on s.id = p.shop_id
         where v.id = $1 and p.published and s.status = 'approved'",
    )
    .bind(variant)
    .fetch_optional(pool)
    .await?)
}

pub async fn add(pool: &PgPool, owner: Uuid, variant: Uuid, quantity: i32) -> Result<(), AppError> {
    sqlx::query(
        "insert into cart_lines (owner_id, variant_id, quantity) values ($1, $2, $3)
         on conflict (owner_id, variant_id)
         do update set quantity = least(cart_lines.quantity + excluded.quantity, 99)",
    )
    .bind(owner)
    .bind(variant)
    .bind(quantity)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn set(pool: &PgPool, owner: Uuid, variant: Uuid, quantity: i32) -> Result<(), AppError> {
    if quantity == 0 {
        sqlx::query("delete from cart_lines where owner_id = $1 and variant_id = $2")
            .bind(owner)
            .bind(variant)
            .execute(pool)
            .await?;
    } else {
        sqlx::query("update cart_lines set quantity = $3 where owner_id = $1 and variant_id = $2")
            .bind(owner)
            .bind(variant)
            .bind(quantity)
            .execute(pool)
            .await?;
    }
    Ok(())
}

pub async fn set_delivery(
    pool: &PgPool,
    owner: Uuid,
    shop: Uuid,
    delivery: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into cart_deliveries (owner_id, shop_id, delivery) values ($1, $2, $3)
         on conflict (owner_id, shop_id) do update set delivery = excluded.delivery",
    )
    .bind(owner)
    .bind(shop)
    .bind(delivery)
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes what the paid `checkout` bought out of its shopper's cart (what was added since
/// stays).
pub async fn bought(
    conn: &mut sqlx::PgConnection,
    owner: Uuid,
    checkout: Uuid,
) -> Result<(), AppError> {
    sqlx::query(
        "delete from cart_lines where owner_id = $1
         and variant_id in (select variant_id from checkout_lines where checkout_id = $2)",
    )
    .bind(owner)
    .bind(checkout)
    .execute(conn)
    .await?;
    Ok(())
}

/// A cart line with what it costs today.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Line {
    pub variant_id: Uuid,
    pub quantity: i32,
    pub product_slug: String,
    pub title: String,
    pub variant_name: String,
    pub image_key: Option<String>,
    pub price_cents: i32,
    pub left: i32,
    pub listed: bool,
    pub shop_id: Uuid,
    pub shop_slug: String,
    pub shop_name: String,
    pub pickup_address: String,
    pub shipping_cents: i32,
    /// `ship` unless the shopper chose pickup.
    pub delivery: String,
}

pub async fn lines(pool: &PgPool, owner: Uuid) -> Result<Vec<Line>, AppError> {
    Ok(sqlx::query_as(
        "select c.variant_id, c.quantity, p.slug as product_slug, p.title, v.name as variant_name,
                (select i.key from product_images i where i.product_id = p.id
                  order by i.position, i.created_at limit 1) as image_key,
                v.price_cents, v.on_hand - v.reserved as left,
                (p.published and s.status = 'approved') as listed,
                s.id as shop_id, s.slug as shop_slug, s.name as shop_name, s.pickup_address,
                s.shipping_cents, coalesce(d.delivery, 'ship') as delivery
         from cart_lines c
         join variants v on v.id = c.variant_id
         join products p on p.id = v.product_id
         join shops s on s.id = p.shop_id
         left join cart_deliveries d on d.owner_id = c.owner_id and d.shop_id = s.id
         where c.owner_id = $1
         order by min(c.added_at) over (partition by s.id), s.id, c.added_at, c.variant_id",
    )
    .bind(owner)
    .fetch_all(pool)
    .await?)
}

/// The listed lines, as the money rules take them.
pub fn buyable(lines: &[Line]) -> Vec<Part> {
    lines
        .iter()
        .filter(|l| l.listed)
        .map(|l| Part {
            shop: l.shop_id,
            unit_cents: l.price_cents,
            quantity: l.quantity,
            shipping_cents: if l.delivery == "pickup" && !l.pickup_address.is_empty() {
                0
            } else {
                l.shipping_cents
            },
        })
        .collect()
}

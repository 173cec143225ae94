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

/// What a cart line is priced with; the lines come from `c` (variant_id, quantity, ordered by
/// `c.n`), each shop's delivery from `d`.
const PRICED: &str =
    "select c.variant_id, c.quantity, p.slug as product_slug, p.title, v.name as variant_name,
        (select i.key from product_images i where i.product_id = p.id
          order by i.position, i.created_at limit 1) as image_key,
        v.price_cents, v.on_hand - v.reserved as left,
        (p.published and s.status = 'approved') as listed,
        s.id as shop_id, s.slug as shop_slug, s.name as shop_name, s.pickup_address,
        s.shipping_cents, coalesce(d.delivery, 'ship') as delivery";

/// The lines' order: shops in the order their first line was added, then the lines.
const ORDER: &str = "order by min(c.n) over (partition by s.id), s.id, c.n, c.variant_id";

const JOINS: &str = "join variants v on v.id = c.variant_id
     join products p on p.id = v.product_id
     join shops s on s.id = p.shop_id";

/// `owner`'s cart, priced now.
pub async fn lines(pool: &PgPool, owner: Uuid) -> Result<Vec<Line>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{PRICED}
         from (select *, extract(epoch from added_at) as n from cart_lines where owner_id = $1) c
         {JOINS}
         left join cart_deliveries d on d.owner_id = c.owner_id and d.shop_id = s.id
         {ORDER}"
    ))
    .bind(owner)
    .fetch_all(pool)
    .await?)
}

/// A visitor's cart (variants and quantities, in the order added), priced now; every part is
/// shipped until they sign in and choose. Variants that do not exist are left out.
pub async fn visitor_lines(pool: &PgPool, lines: &[(Uuid, i32)]) -> Result<Vec<Line>, AppError> {
    let (variants, quantities): (Vec<Uuid>, Vec<i32>) = lines.iter().copied().unzip();
    Ok(sqlx::query_as(&format!(
        "{PRICED}
         from unnest($1::uuid[], $2::int4[]) with ordinality as c (variant_id, quantity, n)
         {JOINS}
         left join (select null::uuid as shop_id, null::text as delivery) d on false
         {ORDER}"
    ))
    .bind(variants)
    .bind(quantities)
    .fetch_all(pool)
    .await?)
}

/// Moves a visitor's cart into `owner`'s: quantities of a variant both hold are added up (to
/// [`super::MAX_QUANTITY`]). Once per visitor cart: a second request with the same cookie
/// (the page and a server call racing, say) changes nothing. Whether it was moved now.
pub async fn merge(
    pool: &PgPool,
    owner: Uuid,
    cart: &super::visitor::VisitorCart,
) -> Result<bool, AppError> {
    let (variants, quantities): (Vec<Uuid>, Vec<i32>) = cart.lines.iter().copied().unzip();
    let mut tx = pool.begin().await?;
    let first = sqlx::query(
        "insert into merged_visitor_carts (id, owner_id) values ($1, $2) on conflict (id) do nothing",
    )
    .bind(cart.id)
    .bind(owner)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !first {
        return Ok(false);
    }
    sqlx::query(
        "insert into cart_lines (owner_id, variant_id, quantity, added_at)
         select $1, c.variant_id, c.quantity, clock_timestamp()
         from unnest($2::uuid[], $3::int4[]) with ordinality as c (variant_id, quantity, n)
         join variants v on v.id = c.variant_id
         order by c.n
         on conflict (owner_id, variant_id)
         do update set quantity = least(cart_lines.quantity + excluded.quantity, $4)",
    )
    .bind(owner)
    .bind(variants)
    .bind(quantities)
    .bind(super::MAX_QUANTITY)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Forgets merged visitor carts older than any cookie can be.
pub async fn forget_merged(pool: &PgPool) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "delete from merged_visitor_carts where merged_at < now() - make_interval(days => $1)",
    )
    .bind(i32::try_from(super::visitor::LIFETIME_DAYS + 1).unwrap_or(i32::MAX))
    .execute(pool)
    .await?
    .rows_affected())
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

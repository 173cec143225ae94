//! Checkouts in the database: reserving their units, releasing them, and splitting a paid one
//! into one order per shop.
//!
//! Locks are always taken in one order — the checkout's row, then its variants' rows by id — so
//! that starting, paying, failing and expiring checkouts never deadlock one another.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::rules::{self, Part};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckoutRow {
    pub id: Uuid,
    pub buyer_id: Uuid,
    pub buyer_name: String,
    pub buyer_email: String,
    pub status: String,
    pub subtotal_cents: i32,
    pub shipping_cents: i32,
    pub total_cents: i32,
    pub expires_at: DateTime<Utc>,
    pub ship_name: String,
    pub ship_address: String,
    pub payment_intent_id: Option<String>,
    pub request_hash: String,
}

const CHECKOUT: &str = "select id, buyer_id, buyer_name, buyer_email, status, subtotal_cents,
    shipping_cents, total_cents, expires_at, ship_name, ship_address, payment_intent_id,
    request_hash from checkouts";

pub async fn by_id(pool: &PgPool, id: Uuid) -> Result<Option<CheckoutRow>, AppError> {
    Ok(sqlx::query_as(&format!("{CHECKOUT} where id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_id_locked(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<CheckoutRow>, AppError> {
    Ok(
        sqlx::query_as(&format!("{CHECKOUT} where id = $1 for update"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn by_intent_locked(
    conn: &mut PgConnection,
    intent: &str,
) -> Result<Option<CheckoutRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{CHECKOUT} where payment_intent_id = $1 for update"
    ))
    .bind(intent)
    .fetch_optional(conn)
    .await?)
}

/// One line of a checkout, priced when it started.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Line {
    pub variant_id: Uuid,
    pub shop_id: Uuid,
    pub product_title: String,
    pub variant_name: String,
    pub unit_cents: i32,
    pub quantity: i32,
}

/// Its lines, by variant id (the order their rows are locked in).
pub async fn lines(conn: &mut PgConnection, checkout: Uuid) -> Result<Vec<Line>, AppError> {
    Ok(sqlx::query_as(
        "select variant_id, shop_id, product_title, variant_name, unit_cents, quantity
         from checkout_lines where checkout_id = $1 order by variant_id",
    )
    .bind(checkout)
    .fetch_all(conn)
    .await?)
}

/// A shop's part of a checkout.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShopPart {
    pub shop_id: Uuid,
    pub delivery: String,
    pub shipping_cents: i32,
}

pub async fn shop_parts(
    conn: &mut PgConnection,
    checkout: Uuid,
) -> Result<Vec<ShopPart>, AppError> {
    Ok(sqlx::query_as(
        "select shop_id, delivery, shipping_cents from checkout_shops where checkout_id = $1",
    )
    .bind(checkout)
    .fetch_all(conn)
    .await?)
}

/// What a new checkout holds.
pub struct NewCheckout<'a> {
    pub buyer: &'a sso::SessionUser,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    pub ship_name: &'a str,
    pub ship_address: &'a str,
    pub hold_secs: i32,
    /// Its lines, each with its shop's delivery.
    pub lines: Vec<(Line, String)>,
    pub shipping: Vec<(Uuid, i32)>,
}

/// What starting a checkout did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// A new checkout, its units reserved.
    New(Uuid),
    /// An earlier request with the same key made it.
    Again(Uuid),
    /// A variant has too few units left: nothing was reserved.
    Short { variant: Uuid, left: i32 },
}

/// Starts a checkout: the checkout's row, then one conditional update per variant (by id) that
/// reserves its units only if that many are left. All of them or none: a line that cannot be
/// had rolls the whole back. A retry with the same key answers the first checkout (the unique
/// key makes a concurrent twin wait for the first, then find it); the same key with another
/// request is refused.
pub async fn start(pool: &PgPool, c: &NewCheckout<'_>) -> Result<Started, AppError> {
    let parts: Vec<Part> = c
        .lines
        .iter()
        .map(|(l, _)| Part {
            shop: l.shop_id,
            unit_cents: l.unit_cents,
            quantity: l.quantity,
            shipping_cents: c
                .shipping
                .iter()
                .find(|(s, _)| *s == l.shop_id)
                .map_or(0, |(_, cents)| *cents),
        })
        .collect();
    let totals = rules::totals(&parts);
    let to_i32 =
        |v: i64| i32::try_from(v).map_err(|_| AppError::internal("checkout total out of range"));
    let mut tx = pool.begin().await?;
    let id: Option<Uuid> = sqlx::query_scalar(
        "insert into checkouts (buyer_id, buyer_name, buyer_email, status, subtotal_cents,
            shipping_cents, total_cents, expires_at, ship_name, ship_address, idempotency_key,
            request_hash)
         values ($1, $2, $3, 'pending', $4, $5, $6, now() + make_interval(secs => $7), $8, $9,
                 $10, $11)
         on conflict (buyer_id, idempotency_key) do nothing
         returning id",
    )
    .bind(c.buyer.id)
    .bind(&c.buyer.name)
    .bind(&c.buyer.email)
    .bind(to_i32(totals.subtotal)?)
    .bind(to_i32(totals.shipping)?)
    .bind(to_i32(totals.total())?)
    .bind(f64::from(c.hold_secs))
    .bind(c.ship_name)
    .bind(c.ship_address)
    .bind(c.idempotency_key)
    .bind(c.request_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        tx.rollback().await?;
        let (id, hash): (Uuid, String) = sqlx::query_as(
            "select id, request_hash from checkouts where buyer_id = $1 and idempotency_key = $2",
        )
        .bind(c.buyer.id)
        .bind(c.idempotency_key)
        .fetch_one(pool)
        .await?;
        if hash != c.request_hash {
            return Err(platform::idempotency::reused());
        }
        return Ok(Started::Again(id));
    };
    let mut lines: Vec<&(Line, String)> = c.lines.iter().collect();
    lines.sort_by_key(|(l, _)| l.variant_id);
    for (l, _) in &lines {
        let reserved = sqlx::query(
            "update variants set reserved = reserved + $2
             where id = $1 and on_hand - reserved >= $2",
        )
        .bind(l.variant_id)
        .bind(l.quantity)
        .execute(&mut *tx)
        .await?;
        if reserved.rows_affected() == 0 {
            tx.rollback().await?;
            let left: i32 =
                sqlx::query_scalar("select on_hand - reserved from variants where id = $1")
                    .bind(l.variant_id)
                    .fetch_one(pool)
                    .await?;
            return Ok(Started::Short {
                variant: l.variant_id,
                left,
            });
        }
        sqlx::query(
            "insert into checkout_lines (checkout_id, variant_id, shop_id, product_title,
                variant_name, unit_cents, quantity)
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(l.variant_id)
        .bind(l.shop_id)
        .bind(&l.product_title)
        .bind(&l.variant_name)
        .bind(l.unit_cents)
        .bind(l.quantity)
        .execute(&mut *tx)
        .await?;
    }
    for (shop, shipping) in &c.shipping {
        let delivery = c
            .lines
            .iter()
            .find(|(l, _)| l.shop_id == *shop)
            .map_or("ship", |(_, d)| d.as_str());
        sqlx::query(
            "insert into checkout_shops (checkout_id, shop_id, delivery, shipping_cents)
             values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(shop)
        .bind(delivery)
        .bind(shipping)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(Started::New(id))
}

pub async fn set_intent(
    conn: &mut PgConnection,
    checkout: Uuid,
    intent: &str,
) -> Result<(), AppError> {
    sqlx::query("update checkouts set payment_intent_id = $2, updated_at = now() where id = $1")
        .bind(checkout)
        .bind(intent)
        .execute(conn)
        .await?;
    Ok(())
}

/// Gives back the units a pending checkout reserved and sets its `status` (`expired`,
/// `failed`); call with the checkout's row locked and `pending`.
pub async fn release(
    conn: &mut PgConnection,
    checkout: Uuid,
    status: &str,
) -> Result<(), AppError> {
    for l in lines(&mut *conn, checkout).await? {
        sqlx::query("update variants set reserved = reserved - $2 where id = $1")
            .bind(l.variant_id)
            .bind(l.quantity)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("update checkouts set status = $2, updated_at = now() where id = $1")
        .bind(checkout)
        .bind(status)
        .execute(conn)
        .await?;
    Ok(())
}

/// The pending checkouts whose time is up (to release one at a time, each under its lock).
pub async fn lapsed(pool: &PgPool) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "select id from checkouts where status = 'pending' and expires_at <= now()
         order by expires_at limit 500",
    )
    .fetch_all(pool)
    .await?)
}

/// Takes the sold units off the shelf: from the reservation (`reserved`) when the checkout
/// still holds it, else from what is left, if enough is. False (nothing changed) when a line's
/// units have gone.
pub async fn take_units(
    conn: &mut PgConnection,
    checkout: Uuid,
    reserved: bool,
) -> Result<bool, AppError> {
    let sql = if reserved {
        "update variants set on_hand = on_hand - $2, reserved = reserved - $2 where id = $1"
    } else {
        "update variants set on_hand = on_hand - $2 where id = $1 and on_hand - reserved >= $2"
    };
    sqlx::query("savepoint take_units")
        .execute(&mut *conn)
        .await?;
    for l in lines(&mut *conn, checkout).await? {
        let done = sqlx::query(sql)
            .bind(l.variant_id)
            .bind(l.quantity)
            .execute(&mut *conn)
            .await?;
        if done.rows_affected() == 0 {
            sqlx::query("rollback to savepoint take_units")
                .execute(&mut *conn)
                .await?;
            return Ok(false);
        }
    }
    sqlx::query("release savepoint take_units")
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// A new order number: "S" and 8 digits.
fn order_number() -> String {
    use rand::Rng as _;
    format!("S{:08}", rand::thread_rng().gen_range(0..100_000_000u32))
}

/// Marks the checkout paid and splits it into one order per shop, with its lines; the orders'
/// totals add up to the checkout's, or nothing is written. The orders' ids.
pub async fn split_paid(conn: &mut PgConnection, c: &CheckoutRow) -> Result<Vec<Uuid>, AppError> {
    let lines = lines(&mut *conn, c.id).await?;
    let shops = shop_parts(&mut *conn, c.id).await?;
    let parts: Vec<Part> = lines
        .iter()
        .map(|l| Part {
            shop: l.shop_id,
            unit_cents: l.unit_cents,
            quantity: l.quantity,
            shipping_cents: shops
                .iter()
                .find(|s| s.shop_id == l.shop_id)
                .map_or(0, |s| s.shipping_cents),
        })
        .collect();
    let split = rules::split(&parts);
    let sum: i64 = split.iter().map(|(_, t)| t.total()).sum();
    if sum != i64::from(c.total_cents) {
        return Err(AppError::internal(format!(
            "checkout {} splits into {sum} cents, not {}",
            c.id, c.total_cents
        )));
    }
    let mut orders = Vec::new();
    for (shop, t) in split {
        let delivery = shops
            .iter()
            .find(|s| s.shop_id == shop)
            .map_or("ship", |s| s.delivery.as_str());
        let shipped = delivery == "ship";
        let mut id = None;
        for _ in 0..5 {
            id = sqlx::query_scalar(
                "insert into orders (number, checkout_id, shop_id, buyer_id, buyer_name,
                    buyer_email, delivery, ship_name, ship_address, subtotal_cents,
                    shipping_cents, total_cents)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 on conflict (number) do nothing returning id",
            )
            .bind(order_number())
            .bind(c.id)
            .bind(shop)
            .bind(c.buyer_id)
            .bind(&c.buyer_name)
            .bind(&c.buyer_email)
            .bind(delivery)
            .bind(if shipped { c.ship_name.as_str() } else { "" })
            .bind(if shipped { c.ship_address.as_str() } else { "" })
            .bind(i32::try_from(t.subtotal).unwrap_or(i32::MAX))
            .bind(i32::try_from(t.shipping).unwrap_or(i32::MAX))
            .bind(i32::try_from(t.total()).unwrap_or(i32::MAX))
            .fetch_optional(&mut *conn)
            .await?;
            if id.is_some() {
                break;
            }
        }
        let id: Uuid = id.ok_or_else(|| AppError::internal("no free order number"))?;
        sqlx::query(
            "insert into order_lines (order_id, variant_id, product_title, variant_name,
                unit_cents, quantity)
             select $1, variant_id, product_title, variant_name, unit_cents, quantity
             from checkout_lines where checkout_id = $2 and shop_id = $3",
        )
        .bind(id)
        .bind(c.id)
        .bind(shop)
        .execute(&mut *conn)
        .await?;
        orders.push(id);
    }
    sqlx::query(
        "update checkouts set status = 'paid', paid_at = now(), updated_at = now() where id = $1",
    )
    .bind(c.id)
    .execute(&mut *conn)
    .await?;
    Ok(orders)
}

/// Writes down that the whole checkout's money goes back (`reason`), once.
pub async fn refund_checkout(
    conn: &mut PgConnection,
    checkout: Uuid,
    amount_cents: i32,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query("update checkouts set status = 'refunded', updated_at = now() where id = $1")
        .bind(checkout)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into refunds (checkout_id, amount_cents, reason) values ($1, $2, $3)
         on conflict do nothing",
    )
    .bind(checkout)
    .bind(amount_cents)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// A refund to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRefund {
    pub id: Uuid,
    pub amount_cents: i32,
    pub payment_intent_id: Option<String>,
    pub attempts: i32,
}

/// The next refund to send, locked so that no one else sends it.
pub async fn next_due_refund(conn: &mut PgConnection) -> Result<Option<DueRefund>, AppError> {
    Ok(sqlx::query_as(
        "select r.id, r.amount_cents, c.payment_intent_id, r.attempts
         from refunds r join checkouts c on c.id = r.checkout_id
         where r.status = 'pending'
         order by r.created_at limit 1
         for update of r skip locked",
    )
    .fetch_optional(conn)
    .await?)
}

pub async fn refund_sent(
    conn: &mut PgConnection,
    id: Uuid,
    provider_id: &str,
) -> Result<(), AppError> {
    let (order, amount): (Option<Uuid>, i32) = sqlx::query_as(
        "update refunds set status = 'done', provider_id = $2, done_at = now(),
                attempts = attempts + 1
         where id = $1 returning order_id, amount_cents",
    )
    .bind(id)
    .bind(provider_id)
    .fetch_one(&mut *conn)
    .await?;
    if let Some(order) = order {
        sqlx::query(
            "update orders set refunded_cents = least(total_cents, refunded_cents + $2),
                    updated_at = now()
             where id = $1",
        )
        .bind(order)
        .bind(amount)
        .execute(conn)
        .await?;
    }
    Ok(())
}

pub async fn refund_failed(
    conn: &mut PgConnection,
    id: Uuid,
    error: &str,
    give_up: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "update refunds set attempts = attempts + 1, last_error = $2,
                status = case when $3 then 'failed' else status end
         where id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(give_up)
    .execute(conn)
    .await?;
    Ok(())
}

//! Orders in the database.

use appkit::AppState;
use chrono::{DateTime, Utc};
use mail::Message;
use platform::{AppError, money::format_cents};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// A shop's part of a checkout, with its order once there is one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Part {
    pub shop_id: Uuid,
    pub shop_name: String,
    pub pickup_address: String,
    pub delivery: String,
    pub shipping_cents: i32,
    pub subtotal: i64,
    pub order_id: Option<Uuid>,
    pub order_number: Option<String>,
    pub order_status: Option<String>,
    pub tracking_note: Option<String>,
    pub refunded_cents: Option<i32>,
}

pub async fn parts(pool: &PgPool, checkout: Uuid) -> Result<Vec<Part>, AppError> {
    Ok(sqlx::query_as(
        "select cs.shop_id, s.name as shop_name, s.pickup_address, cs.delivery, cs.shipping_cents,
                (select coalesce(sum(l.unit_cents::int8 * l.quantity), 0)::int8 from checkout_lines l
                  where l.checkout_id = cs.checkout_id and l.shop_id = cs.shop_id) as subtotal,
                o.id as order_id, o.number as order_number, o.status as order_status,
                o.tracking_note,
                o.refunded_cents
         from checkout_shops cs join shops s on s.id = cs.shop_id
         left join orders o on o.checkout_id = cs.checkout_id and o.shop_id = cs.shop_id
         where cs.checkout_id = $1 order by s.name",
    )
    .bind(checkout)
    .fetch_all(pool)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LineRow {
    pub variant_id: Uuid,
    pub product_title: String,
    pub variant_name: String,
    pub unit_cents: i32,
    pub quantity: i32,
}

pub async fn checkout_lines(
    pool: &PgPool,
    checkout: Uuid,
    shop: Uuid,
) -> Result<Vec<LineRow>, AppError> {
    Ok(sqlx::query_as(
        "select variant_id, product_title, variant_name, unit_cents, quantity from checkout_lines
         where checkout_id = $1 and shop_id = $2 order by product_title, variant_name",
    )
    .bind(checkout)
    .bind(shop)
    .fetch_all(pool)
    .await?)
}

pub async fn order_lines(pool: &PgPool, order: Uuid) -> Result<Vec<LineRow>, AppError> {
    Ok(sqlx::query_as(
        "select variant_id, product_title, variant_name, unit_cents, quantity from order_lines
         where order_id = $1 order by product_title, variant_name",
    )
    .bind(order)
    .fetch_all(pool)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BuyerOrder {
    pub checkout_id: Uuid,
    pub number: String,
    pub shop_name: String,
    pub status: String,
    pub delivery: String,
    pub total_cents: i32,
    pub created_at: DateTime<Utc>,
}

pub async fn of_buyer(pool: &PgPool, buyer: Uuid) -> Result<Vec<BuyerOrder>, AppError> {
    Ok(sqlx::query_as(
        "select o.checkout_id, o.number, s.name as shop_name, o.status, o.delivery, o.total_cents,
                o.created_at
         from orders o join shops s on s.id = o.shop_id
         where o.buyer_id = $1 order by o.created_at desc, o.number limit 200",
    )
    .bind(buyer)
    .fetch_all(pool)
    .await?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: Uuid,
    pub number: String,
    pub checkout_id: Uuid,
    pub shop_id: Uuid,
    pub shop_slug: String,
    pub shop_name: String,
    pub owner_email: String,
    pub pickup_address: String,
    pub buyer_id: Uuid,
    pub buyer_name: String,
    pub buyer_email: String,
    pub status: String,
    pub delivery: String,
    pub ship_name: String,
    pub ship_address: String,
    pub total_cents: i32,
    pub refunded_cents: i32,
    pub tracking_note: String,
    pub created_at: DateTime<Utc>,
}

const ORDER: &str = "select o.id, o.number, o.checkout_id, o.shop_id, s.slug as shop_slug, s.name as shop_name,
        s.owner_email, s.pickup_address, o.buyer_id, o.buyer_name, o.buyer_email, o.status, o.delivery, o.ship_name,
        o.ship_address, o.total_cents, o.refunded_cents, o.tracking_note, o.created_at
    from orders o join shops s on s.id = o.shop_id";

pub async fn of_shop(pool: &PgPool, shop: Uuid) -> Result<Vec<OrderRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{ORDER} where o.shop_id = $1 order by o.created_at desc limit 200"
    ))
    .bind(shop)
    .fetch_all(pool)
    .await?)
}

/// The shop an order is for (it never changes).
pub async fn shop_of(pool: &sqlx::PgPool, id: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("select shop_id from orders where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

pub async fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Option<OrderRow>, AppError> {
    Ok(
        sqlx::query_as(&format!("{ORDER} where o.id = $1 for update of o"))
            .bind(id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_status(
    conn: &mut PgConnection,
    id: Uuid,
    status: &str,
    note: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "update orders set status = $2,
                tracking_note = case when $2 = 'shipped' then $3 else tracking_note end,
                updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cancels an order before it ships: its units go back on the shelf and what was paid for it
/// (and not refunded yet) is written down to go back, once.
pub async fn cancel(conn: &mut PgConnection, o: &OrderRow) -> Result<(), AppError> {
    let mut lines: Vec<(Uuid, i32)> =
        sqlx::query_as("select variant_id, quantity from order_lines where order_id = $1")
            .bind(o.id)
            .fetch_all(&mut *conn)
            .await?;
    lines.sort_by_key(|(v, _)| *v);
    for (variant, quantity) in lines {
        sqlx::query("update variants set on_hand = on_hand + $2 where id = $1")
            .bind(variant)
            .bind(quantity)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("update orders set status = 'cancelled', updated_at = now() where id = $1")
        .bind(o.id)
        .execute(&mut *conn)
        .await?;
    let owed = o.total_cents - o.refunded_cents;
    if owed > 0 {
        sqlx::query(
            "insert into refunds (checkout_id, order_id, amount_cents, reason)
             values ($1, $2, $3, 'cancelled') on conflict do nothing",
        )
        .bind(o.checkout_id)
        .bind(o.id)
        .bind(owed)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Tells the shopper what happened to their order (shipped, ready, cancelled).
pub async fn notify(
    conn: &mut PgConnection,
    state: &AppState,
    o: &OrderRow,
    to: &str,
    note: &str,
) -> Result<(), AppError> {
    let page = state.url(&format!("/orders/{}", o.checkout_id));
    let (kind, subject, body) = match to {
        "shipped" => (
            "store-shipped",
            format!("Order {} has shipped", o.number),
            format!(
                "{} has shipped your order {}.{}\n\nYour order: {page}\n",
                o.shop_name,
                o.number,
                if note.is_empty() {
                    String::new()
                } else {
                    format!("\n\nTracking: {note}")
                }
            ),
        ),
        "ready_for_pickup" => (
            "store-ready",
            format!("Order {} is ready to pick up", o.number),
            format!(
                "{} has your order {} ready. Pick it up at:\n{}\n\nYour order: {page}\n",
                o.shop_name, o.number, o.pickup_address
            ),
        ),
        "cancelled" => (
            "store-cancelled",
            format!("Order {} was cancelled", o.number),
            format!(
                "{} cancelled your order {}. {} goes back to your card (it can take a few days to show).\n\nYour order: {page}\n",
                o.shop_name,
                o.number,
                format_cents(i64::from(o.total_cents - o.refunded_cents)),
            ),
        ),
        _ => return Ok(()),
    };
    mail::enqueue(
        conn,
        &Message {
            kind,
            to_address: o.buyer_email.clone(),
            to_name: o.buyer_name.clone(),
            subject,
            text: format!("Hello {},\n\n{body}", o.buyer_name),
            html: None,
        },
    )
    .await?;
    Ok(())
}

/// Tells the shop that its shopper cancelled the order, and the shopper what goes back.
pub async fn notify_cancelled_by_shopper(
    conn: &mut PgConnection,
    state: &AppState,
    o: &OrderRow,
) -> Result<(), AppError> {
    let back = format_cents(i64::from(o.total_cents - o.refunded_cents));
    mail::enqueue(
        &mut *conn,
        &Message {
            kind: "store-cancelled-by-shopper",
            to_address: o.owner_email.clone(),
            to_name: o.shop_name.clone(),
            subject: format!("Order {} was cancelled", o.number),
            text: format!(
                "{} cancelled order {} before it shipped: do not send it. {back} goes back to their card, and the units are back in your stock.\n\nYour orders: {}\n",
                o.buyer_name,
                o.number,
                state.url("/dashboard/orders"),
            ),
            html: None,
        },
    )
    .await?;
    mail::enqueue(
        conn,
        &Message {
            kind: "store-cancelled",
            to_address: o.buyer_email.clone(),
            to_name: o.buyer_name.clone(),
            subject: format!("You cancelled order {}", o.number),
            text: format!(
                "Hello {},\n\nYour order {} from {} is cancelled. {back} goes back to your card (it can take a few days to show).\n\nYour order: {}\n",
                o.buyer_name,
                o.number,
                o.shop_name,
                state.url(&format!("/orders/{}", o.checkout_id)),
            ),
            html: None,
        },
    )
    .await?;
    Ok(())
}

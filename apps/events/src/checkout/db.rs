//! Paid orders in the database: their PaymentIntent, payment, lapse and refunds.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::events::db::TAKES_A_PLACE;

/// An order as its buyer sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub buyer_id: Uuid,
    pub buyer_name: String,
    pub buyer_email: String,
    pub status: String,
    pub total_cents: i32,
    pub refunded_cents: i32,
    pub expires_at: Option<DateTime<Utc>>,
    /// A hold that has not lapsed.
    pub live: bool,
    pub payment_intent_id: Option<String>,
    pub slug: String,
    pub title: String,
    pub time_zone: String,
}

const ORDER: &str = "select o.id, o.event_id, o.buyer_id, o.buyer_name, o.buyer_email, o.status,
    o.total_cents, o.refunded_cents, o.expires_at,
    (o.status = 'reserved' and o.expires_at > now()) as live, o.payment_intent_id,
    e.slug, e.title, e.time_zone
    from orders o join events e on e.id = o.event_id";

pub async fn by_id(pool: &PgPool, id: Uuid) -> Result<Option<OrderRow>, AppError> {
    Ok(sqlx::query_as(&format!("{ORDER} where o.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// The order the PaymentIntent `intent` pays, locked (in `conn`'s transaction).
pub async fn by_intent_locked(
    conn: &mut PgConnection,
    intent: &str,
) -> Result<Option<OrderRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{ORDER} where o.payment_intent_id = $1 for update of o"
    ))
    .bind(intent)
    .fetch_optional(conn)
    .await?)
}

/// The order `id`, locked (in `conn`'s transaction).
pub async fn by_id_locked(conn: &mut PgConnection, id: Uuid) -> Result<OrderRow, AppError> {
    Ok(
        sqlx::query_as(&format!("{ORDER} where o.id = $1 for update of o"))
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// One line of an order: a ticket type and how many.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Line {
    pub ticket_type_id: Uuid,
    pub name: String,
    pub quantity: i64,
    pub price_cents: i32,
}

pub async fn lines(conn: &mut PgConnection, order: Uuid) -> Result<Vec<Line>, AppError> {
    Ok(sqlx::query_as(
        "select t.ticket_type_id, tt.name, count(*) as quantity, min(t.price_cents) as price_cents
         from tickets t join ticket_types tt on tt.id = t.ticket_type_id
         where t.order_id = $1
         group by t.ticket_type_id, tt.name, tt.created_at order by tt.created_at",
    )
    .bind(order)
    .fetch_all(conn)
    .await?)
}

/// Whether the places of `order` (which takes none now: its hold lapsed) are still free, read
/// under the event's lock.
pub async fn places_still_free(
    conn: &mut PgConnection,
    event: Uuid,
    order: Uuid,
) -> Result<bool, AppError> {
    let lines = lines(&mut *conn, order).await?;
    let (event_capacity,): (Option<i32>,) =
        sqlx::query_as("select capacity from events where id = $1")
            .bind(event)
            .fetch_one(&mut *conn)
            .await?;
    let event_taken: i64 = sqlx::query_scalar(&format!(
        "select count(*) from tickets t join orders o on o.id = t.order_id
         where t.event_id = $1 and {TAKES_A_PLACE}"
    ))
    .bind(event)
    .fetch_one(&mut *conn)
    .await?;
    let wanted: i64 = lines.iter().map(|l| l.quantity).sum();
    if event_capacity.is_some_and(|c| event_taken + wanted > i64::from(c)) {
        return Ok(false);
    }
    for line in &lines {
        let (capacity, taken): (i32, i64) = sqlx::query_as(&format!(
            "select tt.capacity,
                    (select count(*) from tickets t join orders o on o.id = t.order_id
                      where t.ticket_type_id = tt.id and {TAKES_A_PLACE})
             from ticket_types tt where tt.id = $1"
        ))
        .bind(line.ticket_type_id)
        .fetch_one(&mut *conn)
        .await?;
        if taken + line.quantity > i64::from(capacity) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The event of the order the PaymentIntent `intent` pays, if any (no lock).
pub async fn event_of_intent(
    conn: &mut PgConnection,
    intent: &str,
) -> Result<Option<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("select event_id from orders where payment_intent_id = $1")
            .bind(intent)
            .fetch_optional(conn)
            .await?,
    )
}

/// Whether the event still takes its attendees (published or postponed).
pub async fn event_on(conn: &mut PgConnection, event: Uuid) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("select status in ('published', 'postponed') from events where id = $1")
            .bind(event)
            .fetch_one(conn)
            .await?,
    )
}

/// The title of the event of `order`.
pub async fn event_title(pool: &PgPool, order: Uuid) -> Result<String, AppError> {
    Ok(sqlx::query_scalar(
        "select e.title from orders o join events e on e.id = o.event_id where o.id = $1",
    )
    .bind(order)
    .fetch_one(pool)
    .await?)
}

/// Takes the event's row lock: every change to its places happens under it.
pub async fn lock_event(conn: &mut PgConnection, event: Uuid) -> Result<(), AppError> {
    sqlx::query("select 1 from events where id = $1 for update")
        .bind(event)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn mark_paid(conn: &mut PgConnection, order: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "update orders set status = 'paid', paid_by = 'card', paid_at = now(), updated_at = now()
         where id = $1",
    )
    .bind(order)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cancels `order` (its tickets void) and writes down that `amount_cents` go back, for
/// `reason` (once per order and reason).
pub async fn cancel_with_refund(
    conn: &mut PgConnection,
    order: Uuid,
    amount_cents: i32,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query("update orders set status = 'cancelled', updated_at = now() where id = $1")
        .bind(order)
        .execute(&mut *conn)
        .await?;
    sqlx::query("update tickets set status = 'void' where order_id = $1")
        .bind(order)
        .execute(&mut *conn)
        .await?;
    if amount_cents > 0 {
        sqlx::query(
            "insert into refunds (order_id, amount_cents, reason) values ($1, $2, $3)
             on conflict (order_id, reason) do nothing",
        )
        .bind(order)
        .bind(amount_cents)
        .bind(reason)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Sets the order's PaymentIntent.
pub async fn set_intent(
    conn: &mut PgConnection,
    order: Uuid,
    intent: &str,
) -> Result<(), AppError> {
    sqlx::query("update orders set payment_intent_id = $2, updated_at = now() where id = $1")
        .bind(order)
        .bind(intent)
        .execute(conn)
        .await?;
    Ok(())
}

/// Holds whose time is up: now `expired`. Their ids and PaymentIntents.
pub async fn expire_lapsed(pool: &PgPool) -> Result<Vec<(Uuid, Option<String>)>, AppError> {
    Ok(sqlx::query_as(
        "update orders set status = 'expired', updated_at = now()
         where status = 'reserved' and expires_at <= now()
         returning id, payment_intent_id",
    )
    .fetch_all(pool)
    .await?)
}

/// A refund to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRefund {
    pub id: Uuid,
    pub amount_cents: i32,
    pub payment_intent_id: Option<String>,
    pub attempts: i32,
}

/// The next refund to send, locked (in `conn`'s transaction) so that no one else sends it.
pub async fn next_due_refund(conn: &mut PgConnection) -> Result<Option<DueRefund>, AppError> {
    Ok(sqlx::query_as(
        "select r.id, r.amount_cents, o.payment_intent_id, r.attempts
         from refunds r join orders o on o.id = r.order_id
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
    let (order, amount): (Uuid, i32) = sqlx::query_as(
        "update refunds set status = 'done', provider_id = $2, done_at = now(),
                attempts = attempts + 1
         where id = $1 returning order_id, amount_cents",
    )
    .bind(id)
    .bind(provider_id)
    .fetch_one(&mut *conn)
    .await?;
    // Never more than the order's total on the books (a refund of a payment that did not match
    // its order, `amount_mismatch`, gives back what was charged, which may be more): a check
    // failing here would roll back the record of a refund Stripe has made, and the job would
    // send it again.
    sqlx::query(
        "update orders set refunded_cents = least(total_cents, refunded_cents + $2),
                updated_at = now()
         where id = $1",
    )
    .bind(order)
    .bind(amount)
    .execute(conn)
    .await?;
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

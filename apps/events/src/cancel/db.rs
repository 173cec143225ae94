//! Cancellations in the database: tickets voided, refunds written down, orders and events
//! called off. Each runs in the caller's transaction, which holds the event's lock.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgConnection;
use uuid::Uuid;

/// A ticket its holder asks to cancel, with its order and event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketToCancel {
    pub ticket_status: String,
    pub price_cents: i32,
    pub order_id: Uuid,
    pub buyer_id: Uuid,
    pub buyer_name: String,
    pub buyer_email: String,
    pub order_status: String,
    pub event_id: Uuid,
    pub event_status: String,
    pub starts_at: DateTime<Utc>,
    pub cancel_hours: i32,
    pub time_zone: String,
    pub title: String,
    pub slug: String,
}

/// The ticket `id` with its order and event, the event's row and the ticket's locked (the
/// event's first, as every change to its places takes it).
pub async fn ticket_locked(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Option<TicketToCancel>, AppError> {
    Ok(sqlx::query_as(
        "select t.status as ticket_status, t.price_cents, t.order_id, o.buyer_id,
                o.buyer_name, o.buyer_email, o.status as order_status,
                e.id as event_id, e.status as event_status, e.starts_at, e.cancel_hours,
                e.time_zone, e.title, e.slug
         from tickets t join orders o on o.id = t.order_id join events e on e.id = t.event_id
         where t.id = $1 for update of e, t",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Voids the ticket `id`.
pub async fn void_ticket(conn: &mut PgConnection, id: Uuid) -> Result<(), AppError> {
    sqlx::query("update tickets set status = 'void', cancelled_at = now() where id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Writes down that `amount_cents` of `order` go back, for `reason` (once per order and
/// reason).
pub async fn refund(
    conn: &mut PgConnection,
    order: Uuid,
    amount_cents: i32,
    reason: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into refunds (order_id, amount_cents, reason) values ($1, $2, $3)
         on conflict (order_id, reason) do nothing",
    )
    .bind(order)
    .bind(amount_cents)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// Cancels `order` when it has no valid ticket left.
pub async fn cancel_if_empty(conn: &mut PgConnection, order: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "update orders set status = 'cancelled', updated_at = now()
         where id = $1 and not exists
             (select 1 from tickets where order_id = $1 and status = 'valid')",
    )
    .bind(order)
    .execute(conn)
    .await?;
    Ok(())
}

/// Everyone holding a valid ticket, one line per order: who, and the order's valid tickets'
/// sum.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Holder {
    pub order_id: Uuid,
    pub buyer_name: String,
    pub buyer_email: String,
    pub order_status: String,
    pub valid_cents: i64,
}

pub async fn holders(conn: &mut PgConnection, event: Uuid) -> Result<Vec<Holder>, AppError> {
    Ok(sqlx::query_as(
        "select o.id as order_id, o.buyer_name, o.buyer_email, o.status as order_status,
                sum(t.price_cents)::bigint as valid_cents
         from orders o join tickets t on t.order_id = o.id
         where o.event_id = $1 and o.status in ('paid', 'confirmed', 'door') and t.status = 'valid'
         group by o.id order by o.created_at",
    )
    .bind(event)
    .fetch_all(conn)
    .await?)
}

/// The event's status, its row locked.
pub async fn lock_status(conn: &mut PgConnection, event: Uuid) -> Result<String, AppError> {
    Ok(
        sqlx::query_scalar("select status from events where id = $1 for update")
            .bind(event)
            .fetch_one(conn)
            .await?,
    )
}

/// Calls the event off: cancelled, its holds ended (their PaymentIntents returned, to cancel at
/// Stripe), its tickets void, its orders cancelled. Refunds are the caller's, from
/// [`holders`] read before.
pub async fn call_off(conn: &mut PgConnection, event: Uuid) -> Result<Vec<String>, AppError> {
    sqlx::query("update events set status = 'cancelled', updated_at = now() where id = $1")
        .bind(event)
        .execute(&mut *conn)
        .await?;
    let holds: Vec<Option<String>> = sqlx::query_scalar(
        "update orders set status = 'cancelled', updated_at = now()
         where event_id = $1 and status = 'reserved' returning payment_intent_id",
    )
    .bind(event)
    .fetch_all(&mut *conn)
    .await?;
    sqlx::query(
        "update tickets set status = 'void', cancelled_at = now()
         where event_id = $1 and status = 'valid'",
    )
    .bind(event)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "update orders set status = 'cancelled', updated_at = now()
         where event_id = $1 and status in ('paid', 'confirmed', 'door')",
    )
    .bind(event)
    .execute(&mut *conn)
    .await?;
    Ok(holds.into_iter().flatten().collect())
}

/// Postpones a published event; whether it was one.
pub async fn postpone(conn: &mut PgConnection, event: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "update events set status = 'postponed', updated_at = now()
         where id = $1 and status = 'published'",
    )
    .bind(event)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

//! The waiting list in the database.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::events::db::TAKES_A_PLACE;

/// A ticket type's event, as joining its list needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TypeState {
    pub slug: String,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub event_id: Uuid,
}

pub async fn type_state(pool: &PgPool, ticket_type: Uuid) -> Result<Option<TypeState>, AppError> {
    Ok(sqlx::query_as(
        "select e.slug, e.status, e.starts_at, e.id as event_id
         from ticket_types tt join events e on e.id = tt.event_id where tt.id = $1",
    )
    .bind(ticket_type)
    .fetch_optional(pool)
    .await?)
}

/// Puts `user` on the list (already on it: nothing changes).
pub async fn add(
    pool: &PgPool,
    event: Uuid,
    ticket_type: Uuid,
    user: &sso::SessionUser,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into waitlist (event_id, ticket_type_id, user_id, name, email)
         values ($1, $2, $3, $4, $5)
         on conflict (ticket_type_id, user_id) where status in ('waiting', 'offered')
         do nothing",
    )
    .bind(event)
    .bind(ticket_type)
    .bind(user.id)
    .bind(&user.name)
    .bind(&user.email)
    .execute(pool)
    .await?;
    Ok(())
}

/// Takes `user` off the list; the event's slug, or `None` when they were not waiting.
pub async fn leave(
    pool: &PgPool,
    ticket_type: Uuid,
    user: Uuid,
) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "update waitlist w set status = 'left' from events e
         where e.id = w.event_id and w.ticket_type_id = $1 and w.user_id = $2
           and w.status = 'waiting'
         returning e.slug",
    )
    .bind(ticket_type)
    .bind(user)
    .fetch_optional(pool)
    .await?)
}

/// Confirms the free place held for `user` in `order`; whether it was one still held.
pub async fn confirm_free(
    conn: &mut PgConnection,
    order: Uuid,
    user: Uuid,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "update orders set status = 'confirmed', updated_at = now()
         where id = $1 and buyer_id = $2 and status = 'reserved' and expires_at > now()
           and total_cents = 0",
    )
    .bind(order)
    .bind(user)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The offer whose hold `order` is has been taken up.
pub async fn claimed(conn: &mut PgConnection, order: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "update waitlist set status = 'claimed' where order_id = $1 and status = 'offered'",
    )
    .bind(order)
    .execute(conn)
    .await?;
    Ok(())
}

/// The event, its row locked: (slug, title, capacity, starts_at, status).
pub async fn lock_event(
    conn: &mut PgConnection,
    event: Uuid,
) -> Result<(String, String, Option<i32>, DateTime<Utc>, String), AppError> {
    Ok(sqlx::query_as(
        "select slug, title, capacity, starts_at, status from events where id = $1 for update",
    )
    .bind(event)
    .fetch_one(conn)
    .await?)
}

/// Someone waiting, with what they wait for.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Waiting {
    pub id: Uuid,
    pub ticket_type_id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub price_cents: i32,
    pub type_name: String,
}

/// The event's people waiting, first come first.
pub async fn waiting(conn: &mut PgConnection, event: Uuid) -> Result<Vec<Waiting>, AppError> {
    Ok(sqlx::query_as(
        "select w.id, w.ticket_type_id, w.user_id, w.name, w.email, tt.price_cents,
                tt.name as type_name
         from waitlist w join ticket_types tt on tt.id = w.ticket_type_id
         where w.event_id = $1 and w.status = 'waiting'
         order by w.created_at, w.id",
    )
    .bind(event)
    .fetch_all(conn)
    .await?)
}

/// A ticket type's capacity, the places it has taken and those its event has taken.
pub async fn places(
    conn: &mut PgConnection,
    ticket_type: Uuid,
) -> Result<(i32, i64, i64), AppError> {
    Ok(sqlx::query_as(&format!(
        "select tt.capacity,
            (select count(*) from tickets t join orders o on o.id = t.order_id
              where t.ticket_type_id = tt.id and {TAKES_A_PLACE}),
            (select count(*) from tickets t join orders o on o.id = t.order_id
              where t.event_id = tt.event_id and {TAKES_A_PLACE})
         from ticket_types tt where tt.id = $1"
    ))
    .bind(ticket_type)
    .fetch_one(conn)
    .await?)
}

/// The entry `id` is offered the hold `order`.
pub async fn offered(conn: &mut PgConnection, id: Uuid, order: Uuid) -> Result<(), AppError> {
    sqlx::query(
        "update waitlist set status = 'offered', order_id = $2, offered_at = now() where id = $1",
    )
    .bind(id)
    .bind(order)
    .execute(conn)
    .await?;
    Ok(())
}

/// The offers whose holds are `orders` lapse; the events those orders were for.
pub async fn lapse(pool: &PgPool, orders: &[Uuid]) -> Result<Vec<Uuid>, AppError> {
    sqlx::query(
        "update waitlist set status = 'lapsed' where order_id = any($1) and status = 'offered'",
    )
    .bind(orders)
    .execute(pool)
    .await?;
    Ok(
        sqlx::query_scalar("select distinct event_id from orders where id = any($1)")
            .bind(orders)
            .fetch_all(pool)
            .await?,
    )
}

/// The ticket types of `event` whose list `user` is on.
pub async fn waiting_for(pool: &PgPool, event: Uuid, user: Uuid) -> Result<Vec<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "select ticket_type_id from waitlist
         where event_id = $1 and user_id = $2 and status in ('waiting', 'offered')",
    )
    .bind(event)
    .bind(user)
    .fetch_all(pool)
    .await?)
}

//! An event's sales and attendees in the database.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

/// A ticket type's sales.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TypeSales {
    pub name: String,
    pub capacity: i32,
    pub price_cents: i32,
    /// Valid tickets of paid or confirmed orders.
    pub sold: i64,
}

pub async fn sales(pool: &PgPool, event: Uuid) -> Result<Vec<TypeSales>, AppError> {
    Ok(sqlx::query_as(
        "select tt.name, tt.capacity, tt.price_cents,
                (select count(*) from tickets t join orders o on o.id = t.order_id
                  where t.ticket_type_id = tt.id and t.status = 'valid'
                    and o.status in ('paid', 'confirmed', 'door')) as sold
         from ticket_types tt where tt.event_id = $1 order by tt.created_at, tt.id",
    )
    .bind(event)
    .fetch_all(pool)
    .await?)
}

/// Money taken and given back for the event, in cents: (paid, refunded).
pub async fn money(pool: &PgPool, event: Uuid) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "select coalesce(sum(total_cents) filter (where paid_at is not null), 0)::bigint,
                coalesce(sum(refunded_cents), 0)::bigint
         from orders where event_id = $1",
    )
    .bind(event)
    .fetch_one(pool)
    .await?)
}

/// One ticket in the attendee list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendeeRow {
    pub holder: String,
    pub email: String,
    pub type_name: String,
    pub price_cents: i32,
    pub ticket_status: String,
    pub order_status: String,
    pub ordered_at: DateTime<Utc>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub code: String,
}

/// Tickets that are someone's (paid, confirmed or cancelled; not lapsed holds), matching `q`
/// in the holder's name or address when given, by name.
const LIST: &str = "from tickets t join orders o on o.id = t.order_id
    join ticket_types tt on tt.id = t.ticket_type_id
    where t.event_id = $1 and o.status in ('paid', 'confirmed', 'door', 'cancelled')
      and ($2 = '' or strpos(lower(o.buyer_name), lower($2)) > 0
                   or strpos(lower(o.buyer_email), lower($2)) > 0)";

pub async fn page(
    pool: &PgPool,
    event: Uuid,
    q: &str,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AttendeeRow>, i64), AppError> {
    let rows = sqlx::query_as(&format!(
        "select o.buyer_name as holder, o.buyer_email as email, tt.name as type_name,
                t.price_cents, t.status as ticket_status, o.status as order_status,
                o.created_at as ordered_at, t.checked_in_at, t.secret as code
         {LIST}
         order by lower(o.buyer_name), o.created_at, t.id limit $3 offset $4"
    ))
    .bind(event)
    .bind(q)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("select count(*) {LIST}"))
        .bind(event)
        .bind(q)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

//! Tickets at the door: found by code, id or name, and let in once.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

/// A ticket as the door sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DoorRow {
    pub id: Uuid,
    pub holder: String,
    pub email: String,
    pub type_name: String,
    pub ticket_status: String,
    pub order_status: String,
    pub live_hold: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub checked_in_by_name: Option<String>,
    pub order_id: Uuid,
    /// What the order comes to (what is due at the door for a `door` order).
    pub total_cents: i32,
}

const DOOR: &str = "select t.id, o.buyer_name as holder, o.buyer_email as email,
    tt.name as type_name, t.status as ticket_status, o.status as order_status,
    (o.status = 'reserved' and o.expires_at > now()) as live_hold,
    t.checked_in_at, t.checked_in_by_name, o.id as order_id, o.total_cents
    from tickets t join orders o on o.id = t.order_id
         join ticket_types tt on tt.id = t.ticket_type_id";

/// Which ticket: its code (what the QR carries) or its id (from a search).
#[derive(Debug, Clone, Copy)]
pub enum Which<'a> {
    Code(&'a str),
    Id(Uuid),
}

/// The ticket of `event` that `which` names (a code of another event's ticket names none).
pub async fn find(
    pool: &PgPool,
    event: Uuid,
    which: Which<'_>,
) -> Result<Option<DoorRow>, AppError> {
    let (by_code, by_id) = match which {
        Which::Code(code) => (Some(code), None),
        Which::Id(id) => (None, Some(id)),
    };
    Ok(sqlx::query_as(&format!(
        "{DOOR} where t.event_id = $1 and (t.secret = $2 or t.id = $3)"
    ))
    .bind(event)
    .bind(by_code)
    .bind(by_id)
    .fetch_optional(pool)
    .await?)
}

/// Tickets of `event` whose holder's name or address contains `q` (at most 25), paid or
/// confirmed ones first; lapsed holds are no one's tickets.
pub async fn search(pool: &PgPool, event: Uuid, q: &str) -> Result<Vec<DoorRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{DOOR} where t.event_id = $1
           and o.status <> 'expired' and not (o.status = 'reserved' and o.expires_at <= now())
           and (strpos(lower(o.buyer_name), lower($2)) > 0
                or strpos(lower(o.buyer_email), lower($2)) > 0)
         order by (o.status in ('paid', 'confirmed', 'door')) desc, o.buyer_name, t.created_at, t.id
         limit 25"
    ))
    .bind(event)
    .bind(q)
    .fetch_all(pool)
    .await?)
}

/// Lets the ticket in, if it is valid, paid (or free) and not in yet: one update, so two
/// scans at once let it in once. Its id, or `None` when nothing changed.
pub async fn check_in(
    pool: &PgPool,
    event: Uuid,
    ticket: Uuid,
    by: Uuid,
    by_name: &str,
) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "update tickets t
         set checked_in_at = now(), checked_in_by = $3, checked_in_by_name = $4
         from orders o
         where o.id = t.order_id and t.event_id = $1 and t.id = $2 and t.status = 'valid'
           and o.status in ('paid', 'confirmed') and t.checked_in_at is null
         returning t.id",
    )
    .bind(event)
    .bind(ticket)
    .bind(by)
    .bind(by_name)
    .fetch_optional(pool)
    .await?)
}

/// Marks a pay-at-the-door order of `event` paid (its whole amount taken at the door), in
/// `conn`'s transaction; whether it was one still due.
pub async fn paid_at_door(
    conn: &mut sqlx::PgConnection,
    event: Uuid,
    order: Uuid,
) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "update orders set status = 'paid', paid_by = 'door', paid_at = now(), updated_at = now()
         where id = $1 and event_id = $2 and status = 'door'",
    )
    .bind(order)
    .bind(event)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Lets the ticket in (its order just paid at the door), in `conn`'s transaction.
pub async fn let_in(
    conn: &mut sqlx::PgConnection,
    ticket: Uuid,
    by: Uuid,
    by_name: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "update tickets set checked_in_at = now(), checked_in_by = $2, checked_in_by_name = $3
         where id = $1 and checked_in_at is null",
    )
    .bind(ticket)
    .bind(by)
    .bind(by_name)
    .execute(conn)
    .await?;
    Ok(())
}

/// How many of the event's tickets are let in, of how many that can be.
pub async fn counts(pool: &PgPool, event: Uuid) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "select count(*) filter (where t.checked_in_at is not null), count(*)
         from tickets t join orders o on o.id = t.order_id
         where t.event_id = $1 and t.status = 'valid' and o.status in ('paid', 'confirmed', 'door')",
    )
    .bind(event)
    .fetch_one(pool)
    .await?)
}

//! Events and their ticket types in the database.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use super::rules::{EventFields, TicketTypeFields};

/// An event's row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: Uuid,
    pub organizer_id: Uuid,
    pub organizer_name: String,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub venue: String,
    pub address: String,
    pub online: bool,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub status: String,
    pub capacity: Option<i32>,
    pub cancel_hours: i32,
    pub cover_key: Option<String>,
    pub door_payment: bool,
}

const EVENT: &str = "select id, organizer_id, organizer_name, slug, title, description, venue,
    address, online, time_zone, starts_at, ends_at, status, capacity, cancel_hours, cover_key,
    door_payment from events";

/// A ticket type with the places its valid tickets take (paid, confirmed, or held and not
/// expired).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketTypeRow {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i32,
    pub capacity: i32,
    pub max_per_order: i32,
    pub sales_start: Option<DateTime<Utc>>,
    pub sales_end: Option<DateTime<Utc>>,
    pub taken: i64,
}

/// Tickets that take a place: valid, of an order that is paid, confirmed, to pay at the door,
/// or held and not expired. (A `from tickets t join orders o` condition.)
pub const TAKES_A_PLACE: &str = "t.status = 'valid' and (o.status in ('confirmed', 'paid', 'door')
    or (o.status = 'reserved' and o.expires_at > now()))";

/// Creates a draft event; its slug.
pub async fn insert(
    pool: &PgPool,
    organizer: Uuid,
    organizer_name: &str,
    f: &EventFields,
) -> Result<String, AppError> {
    let base = platform::slug::slugify(&f.title, 60, "event");
    for slug in platform::slug::candidates(&base) {
        let done = sqlx::query(
            "insert into events (organizer_id, organizer_name, slug, title, description, venue,
                address, online, time_zone, starts_at, ends_at, capacity, cancel_hours,
                door_payment)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             on conflict (slug) do nothing",
        )
        .bind(organizer)
        .bind(organizer_name)
        .bind(&slug)
        .bind(&f.title)
        .bind(&f.description)
        .bind(&f.venue)
        .bind(&f.address)
        .bind(f.online)
        .bind(&f.time_zone)
        .bind(f.starts_at)
        .bind(f.ends_at)
        .bind(f.capacity)
        .bind(f.cancel_hours)
        .bind(f.door_payment)
        .execute(pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(slug);
        }
    }
    Err(AppError::conflict(
        "title",
        "That title is taken many times over; add the date or the place to it.",
    ))
}

/// The slug of the event `id`.
pub async fn slug_of(pool: &PgPool, id: Uuid) -> Result<String, AppError> {
    Ok(sqlx::query_scalar("select slug from events where id = $1")
        .bind(id)
        .fetch_one(pool)
        .await?)
}

/// The events (not cancelled) whose staff `user` is on: slug, title, start, zone.
pub async fn staffed_by(
    pool: &PgPool,
    user: Uuid,
) -> Result<Vec<(String, String, DateTime<Utc>, String)>, AppError> {
    Ok(sqlx::query_as(
        "select e.slug, e.title, e.starts_at, e.time_zone
         from event_staff s join events e on e.id = s.event_id
         where s.user_id = $1 and e.status <> 'cancelled'
         order by e.starts_at limit 100",
    )
    .bind(user)
    .fetch_all(pool)
    .await?)
}

/// The places the event's tickets take now (in `conn`'s transaction).
pub async fn places_taken(conn: &mut sqlx::PgConnection, event: Uuid) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(&format!(
        "select count(*) from tickets t join orders o on o.id = t.order_id
         where t.event_id = $1 and {TAKES_A_PLACE}"
    ))
    .bind(event)
    .fetch_one(conn)
    .await?)
}

/// Saves an event's edited fields; `rescheduled`: a postponed event is published again.
pub async fn update(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    f: &EventFields,
    rescheduled: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "update events set title = $2, description = $3, venue = $4, address = $5,
                online = $6, time_zone = $7, starts_at = $8, ends_at = $9, capacity = $10,
                cancel_hours = $11, door_payment = $13, updated_at = now(),
                status = case when $12 then 'published' else status end
         where id = $1",
    )
    .bind(id)
    .bind(&f.title)
    .bind(&f.description)
    .bind(&f.venue)
    .bind(&f.address)
    .bind(f.online)
    .bind(&f.time_zone)
    .bind(f.starts_at)
    .bind(f.ends_at)
    .bind(f.capacity)
    .bind(f.cancel_hours)
    .bind(rescheduled)
    .bind(f.door_payment)
    .execute(conn)
    .await?;
    Ok(())
}

/// Points the event at its new cover `key`: the old key (`Some(None)`: it had none), or `None`
/// when the event is gone.
pub async fn set_cover(
    pool: &PgPool,
    id: Uuid,
    key: &str,
) -> Result<Option<Option<String>>, AppError> {
    Ok(sqlx::query_scalar(
        "update events e set cover_key = $2, updated_at = now()
         from (select id, cover_key as old from events where id = $1 for update) o
         where e.id = o.id returning o.old",
    )
    .bind(id)
    .bind(key)
    .fetch_optional(pool)
    .await?)
}

/// The next `limit` published events that have not ended, soonest first.
pub async fn upcoming(pool: &PgPool, limit: i64) -> Result<Vec<EventRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{EVENT} where status = 'published' and ends_at > now() order by starts_at, id limit $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// The event at `slug`, whatever its status.
pub async fn by_slug(pool: &PgPool, slug: &str) -> Result<Option<EventRow>, AppError> {
    Ok(sqlx::query_as(&format!("{EVENT} where slug = $1"))
        .bind(slug)
        .fetch_optional(pool)
        .await?)
}

/// The organizer's events, newest start first.
pub async fn of_organizer(pool: &PgPool, organizer: Uuid) -> Result<Vec<EventRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{EVENT} where organizer_id = $1 order by starts_at desc limit 200"
    ))
    .bind(organizer)
    .fetch_all(pool)
    .await?)
}

/// The event's ticket types, in the order they were added, with the places taken.
pub async fn ticket_types(pool: &PgPool, event: Uuid) -> Result<Vec<TicketTypeRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "select tt.id, tt.name, tt.price_cents, tt.capacity, tt.max_per_order, tt.sales_start,
                tt.sales_end,
                (select count(*) from tickets t join orders o on o.id = t.order_id
                  where t.ticket_type_id = tt.id and {TAKES_A_PLACE}) as taken
         from ticket_types tt where tt.event_id = $1 order by tt.created_at, tt.id"
    ))
    .bind(event)
    .fetch_all(pool)
    .await?)
}

/// Adds a ticket type to an event.
pub async fn add_ticket_type(
    pool: &PgPool,
    event: Uuid,
    f: &TicketTypeFields,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into ticket_types (event_id, name, price_cents, capacity, max_per_order,
                                   sales_start, sales_end)
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(event)
    .bind(&f.name)
    .bind(f.price_cents)
    .bind(f.capacity)
    .bind(f.max_per_order)
    .bind(f.sales_start)
    .bind(f.sales_end)
    .execute(pool)
    .await?;
    Ok(())
}

/// Publishes a draft event that has a ticket type; whether it did.
pub async fn publish(pool: &PgPool, event: Uuid) -> Result<bool, AppError> {
    let done = sqlx::query(
        "update events set status = 'published', updated_at = now()
         where id = $1 and status = 'draft'
           and exists (select 1 from ticket_types where event_id = $1)",
    )
    .bind(event)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The ticket type `id` of `event`, with the places it takes (in `conn`'s transaction).
pub async fn ticket_type(
    conn: &mut sqlx::PgConnection,
    event: Uuid,
    id: Uuid,
) -> Result<Option<TicketTypeRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "select tt.id, tt.name, tt.price_cents, tt.capacity, tt.max_per_order, tt.sales_start,
                tt.sales_end,
                (select count(*) from tickets t join orders o on o.id = t.order_id
                  where t.ticket_type_id = tt.id and {TAKES_A_PLACE}) as taken
         from ticket_types tt where tt.id = $1 and tt.event_id = $2"
    ))
    .bind(id)
    .bind(event)
    .fetch_optional(conn)
    .await?)
}

/// Whether any ticket of the type was ever issued (held, paid, cancelled: it is on someone's
/// order, so the type stays).
pub async fn ticket_type_issued(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("select exists (select 1 from tickets where ticket_type_id = $1)")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}

/// How many ticket types the event has.
pub async fn ticket_type_count(
    conn: &mut sqlx::PgConnection,
    event: Uuid,
) -> Result<i64, AppError> {
    Ok(
        sqlx::query_scalar("select count(*) from ticket_types where event_id = $1")
            .bind(event)
            .fetch_one(conn)
            .await?,
    )
}

/// Saves a ticket type's edited fields (new orders take its new price; orders made keep
/// theirs).
pub async fn update_ticket_type(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    f: &TicketTypeFields,
) -> Result<(), AppError> {
    sqlx::query(
        "update ticket_types set name = $2, price_cents = $3, capacity = $4, max_per_order = $5,
                sales_start = $6, sales_end = $7
         where id = $1",
    )
    .bind(id)
    .bind(&f.name)
    .bind(f.price_cents)
    .bind(f.capacity)
    .bind(f.max_per_order)
    .bind(f.sales_start)
    .bind(f.sales_end)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a ticket type no ticket was issued of, with its waiting list (whose entries, with
/// no ticket, were never offered a place).
pub async fn remove_ticket_type(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<(), AppError> {
    sqlx::query("delete from waitlist where ticket_type_id = $1 and order_id is null")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("delete from ticket_types where id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

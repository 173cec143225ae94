//! The demo data's queries.

use sqlx::PgPool;
use uuid::Uuid;

use super::{Demo, ORGANIZER};

/// A demo event, published, with its ticket types, unless its slug exists. One transaction:
/// an event is there whole or not at all.
pub(super) async fn event(pool: &PgPool, d: &Demo) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Its start: `in_days` after today in its own zone, at its local time.
    let id: Option<Uuid> = sqlx::query_scalar(
        "insert into events (organizer_id, organizer_name, slug, title, description, venue,
                             address, online, time_zone, starts_at, ends_at, capacity,
                             door_payment, status)
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, s, s + make_interval(hours => $13), $11, $12,
                'published'
         from (select ((now() at time zone $9)::date + $10::integer + $14::time)
                      at time zone $9 as s) start
         on conflict (slug) do nothing
         returning id",
    )
    .bind(sso::DEMO_USER_ID)
    .bind(ORGANIZER)
    .bind(d.slug)
    .bind(d.title)
    .bind(d.description)
    .bind(d.venue)
    .bind(d.address)
    .bind(d.online)
    .bind(d.time_zone)
    .bind(d.in_days)
    .bind(d.capacity)
    .bind(d.door_payment)
    .bind(d.hours)
    .bind(d.starts)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(());
    };
    for (name, price_cents, capacity, max_per_order) in d.types {
        sqlx::query(
            "insert into ticket_types (event_id, name, price_cents, capacity, max_per_order)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(price_cents)
        .bind(capacity)
        .bind(max_per_order)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The demo event at `slug` when it has no cover.
#[cfg(feature = "demo")]
pub(super) async fn without_cover(pool: &PgPool, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("select id from events where slug = $1 and cover_key is null")
        .bind(slug)
        .fetch_optional(pool)
        .await
}

/// Points the event at `key` when it still has no cover; whether it did.
#[cfg(feature = "demo")]
pub(super) async fn set_cover_if_none(
    pool: &PgPool,
    id: Uuid,
    key: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("update events set cover_key = $2 where id = $1 and cover_key is null")
        .bind(id)
        .bind(key)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

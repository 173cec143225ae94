//! Events to come in the database: the list's filters, search and pages.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use crate::events::db::TAKES_A_PLACE;

/// What the list is narrowed to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// Words to find in the title, venue or description (web-search syntax: "quoted phrases",
    /// -excluded).
    pub q: String,
    /// `week`: until the end of this week (Sunday) in the event's zone; `weekend`: this coming
    /// Friday 17:00 to Sunday's end, in the event's zone.
    pub when: String,
    /// Only events with a free ticket type.
    pub free: bool,
    pub online: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub venue: String,
    pub online: bool,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub cover_key: Option<String>,
    pub lowest_price_cents: Option<i32>,
    /// Places left across its ticket types (capped by the event's own).
    pub left: Option<i64>,
}

/// Published events that have not ended and match `f`, soonest first: `limit` of them from
/// `offset`, and how many match in all.
pub async fn page(
    pool: &PgPool,
    f: &Filters,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Row>, i64), AppError> {
    const WHERE: &str = "from events e
        where e.status = 'published' and e.ends_at > now()
          and ($1 = '' or e.search @@ websearch_to_tsquery('english', $1))
          and ($2 <> 'week' or (e.starts_at at time zone e.time_zone)
                < date_trunc('week', now() at time zone e.time_zone) + interval '7 days')
          and ($2 <> 'weekend' or (
                (e.ends_at at time zone e.time_zone)
                    > date_trunc('week', now() at time zone e.time_zone) + interval '4 days 17 hours'
                and (e.starts_at at time zone e.time_zone)
                    < date_trunc('week', now() at time zone e.time_zone) + interval '7 days'))
          and (not $3 or exists (select 1 from ticket_types tt
                                 where tt.event_id = e.id and tt.price_cents = 0))
          and (not $4 or e.online)";
    let rows = sqlx::query_as(&format!(
        "select e.id, e.slug, e.title, e.venue, e.online, e.time_zone, e.starts_at, e.cover_key,
                (select min(tt.price_cents) from ticket_types tt where tt.event_id = e.id)
                    as lowest_price_cents,
                (select least(sum(greatest(tt.capacity - (
                            select count(*) from tickets t join orders o on o.id = t.order_id
                            where t.ticket_type_id = tt.id and {TAKES_A_PLACE}), 0)),
                        coalesce(e.capacity - (
                            select count(*) from tickets t join orders o on o.id = t.order_id
                            where t.event_id = e.id and {TAKES_A_PLACE}), 2147483647))::bigint
                 from ticket_types tt where tt.event_id = e.id) as left
         {WHERE}
         order by e.starts_at, e.id limit $5 offset $6"
    ))
    .bind(&f.q)
    .bind(&f.when)
    .bind(f.free)
    .bind(f.online)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("select count(*) {WHERE}"))
        .bind(&f.q)
        .bind(&f.when)
        .bind(f.free)
        .bind(f.online)
        .fetch_one(pool)
        .await?;
    Ok((rows, total))
}

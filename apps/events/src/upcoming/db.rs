//! Events in the database.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;

use super::EventCard;

/// The next `limit` published events that have not ended, soonest first.
pub async fn upcoming(pool: &PgPool, limit: i64) -> Result<Vec<EventCard>, AppError> {
    let rows: Vec<(String, String, String, String, DateTime<Utc>)> = sqlx::query_as(
        "select slug, title, venue,
                to_char(starts_at at time zone time_zone, 'Dy DD Mon, HH24:MI'), starts_at
         from events where status = 'published' and ends_at > now()
         order by starts_at limit $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(slug, title, venue, when, starts_at)| EventCard {
            slug,
            title,
            venue,
            when,
            starts_at,
        })
        .collect())
}

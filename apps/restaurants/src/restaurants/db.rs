//! Restaurants in the database: checked fields, reads with their opening hours, insert and
//! owner-only update.

use std::collections::HashMap;

use chrono::{NaiveTime, Utc};
use chrono_tz::Tz;
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use super::{RestaurantCard, RestaurantDetail};
use crate::hours::{Period, describe};

/// Form input as typed.
#[derive(Debug, Clone, Default)]
pub struct RawFields {
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub address: String,
    pub description: String,
    pub price_level: String,
    /// IANA name; empty means the default zone.
    pub time_zone: String,
}

/// Form input once checked: every field within its limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestaurantFields {
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub address: String,
    pub description: String,
    pub price_level: i16,
    pub time_zone: String,
}

impl RestaurantFields {
    pub fn parse(raw: &RawFields) -> Result<Self, AppError> {
        use platform::text::{Lines, field};
        Ok(Self {
            name: platform::text::name("name", "restaurant's name", &raw.name, 100)?,
            cuisine: field("cuisine", "cuisine", &raw.cuisine, 1, 60, Lines::One)?,
            city: field("city", "city", &raw.city, 1, 80, Lines::One)?,
            address: field("address", "address", &raw.address, 0, 200, Lines::One)?,
            description: field(
                "description",
                "description",
                &raw.description,
                0,
                2000,
                Lines::Many,
            )?,
            price_level: raw
                .price_level
                .trim()
                .parse()
                .ok()
                .filter(|l| (1..=4).contains(l))
                .ok_or_else(|| {
                    AppError::validation("price_level", "Choose a price from $ to $$$$.")
                })?,
            time_zone: parse_time_zone(&raw.time_zone)?,
        })
    }
}

/// Default time zone of a restaurant whose form did not say.
pub const DEFAULT_TIME_ZONE: &str = "America/Chicago";

/// An IANA time zone name (`America/Chicago`), or the default when empty.
pub fn parse_time_zone(raw: &str) -> Result<String, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(DEFAULT_TIME_ZONE.to_owned());
    }
    raw.parse::<Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            AppError::validation(
                "time_zone",
                "Choose the restaurant's time zone from the list.",
            )
        })
}

#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: Uuid,
    pub owner_id: Uuid,
    pub slug: String,
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub address: String,
    pub description: String,
    pub price_level: i16,
    pub featured: bool,
    pub time_zone: String,
    pub cover_key: Option<String>,
}

impl Row {
    pub fn tz(&self) -> Tz {
        self.time_zone
            .parse()
            .unwrap_or(chrono_tz::America::Chicago)
    }

    pub fn detail(self, hours: Vec<Period>) -> RestaurantDetail {
        let status = crate::hours::status(&hours, self.tz(), Utc::now());
        RestaurantDetail {
            id: self.id,
            slug: self.slug,
            name: self.name,
            cuisine: self.cuisine,
            city: self.city,
            address: self.address,
            description: self.description,
            price_level: self.price_level,
            featured: self.featured,
            time_zone: self.time_zone,
            hours,
            is_open: status.is_open(),
            status_text: describe(status),
            cover_url: self.cover_key.as_deref().map(storage::Storage::public_path),
        }
    }
}

/// The opening hours of each of `ids`.
pub async fn hours_of(pool: &PgPool, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Period>>, AppError> {
    let rows: Vec<(Uuid, i16, NaiveTime, NaiveTime)> = sqlx::query_as(
        "select restaurant_id, weekday, opens, closes from opening_hours
         where restaurant_id = any($1) order by weekday, opens",
    )
    .bind(ids)
    .fetch_all(pool)
    .await?;
    let mut by_id: HashMap<Uuid, Vec<Period>> = HashMap::new();
    for (id, weekday, opens, closes) in rows {
        by_id.entry(id).or_default().push(Period {
            weekday: u8::try_from(weekday).unwrap_or(0),
            opens,
            closes,
        });
    }
    Ok(by_id)
}

macro_rules! columns {
    () => {
        "id, owner_id, slug, name, cuisine, city, address, description, price_level, featured, time_zone, cover_key"
    };
}

/// Newest first; featured ones only when `featured_only`.
pub async fn list(
    pool: &PgPool,
    featured_only: bool,
    limit: i64,
) -> Result<Vec<RestaurantCard>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "select ",
        columns!(),
        " from restaurants
         where ($1 = false or featured) order by created_at desc, id limit $2"
    ))
    .bind(featured_only)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut hours = hours_of(pool, &ids).await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|r| {
            let periods = hours.remove(&r.id).unwrap_or_default();
            let status = crate::hours::status(&periods, r.tz(), now);
            let cover_url = r.cover_key.as_deref().map(storage::Storage::public_path);
            RestaurantCard {
                id: r.id,
                slug: r.slug,
                name: r.name,
                cuisine: r.cuisine,
                city: r.city,
                price_level: r.price_level,
                featured: r.featured,
                is_open: status.is_open(),
                status_text: describe(status),
                cover_url,
            }
        })
        .collect())
}

pub async fn find(pool: &PgPool, slug: &str) -> Result<Option<Row>, AppError> {
    Ok(sqlx::query_as(concat!(
        "select ",
        columns!(),
        " from restaurants where slug = $1"
    ))
    .bind(slug)
    .fetch_optional(pool)
    .await?)
}

/// Name, time zone and hours of a restaurant by id (what an order is checked against).
pub async fn hours_by_id(
    pool: &PgPool,
    id: Uuid,
) -> Result<Option<(String, Tz, Vec<Period>)>, AppError> {
    let row: Option<(String, String)> =
        sqlx::query_as("select name, time_zone from restaurants where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    let Some((name, zone)) = row else {
        return Ok(None);
    };
    let hours = hours_of(pool, &[id]).await?.remove(&id).unwrap_or_default();
    Ok(Some((
        name,
        zone.parse().unwrap_or(chrono_tz::America::Chicago),
        hours,
    )))
}

/// Id and name of the restaurant at `slug`; `NotFound` when there is none.
pub async fn id_and_name(pool: &PgPool, slug: &str) -> Result<(Uuid, String), AppError> {
    sqlx::query_as("select id, name from restaurants where slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such restaurant."))
}

/// A restaurant's details with its hours, by slug.
pub async fn detail(pool: &PgPool, slug: &str) -> Result<Option<RestaurantDetail>, AppError> {
    let Some(row) = find(pool, slug).await? else {
        return Ok(None);
    };
    let hours = hours_of(pool, &[row.id])
        .await?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(Some(row.detail(hours)))
}

/// Inserts with a slug derived from the name; a taken slug gets a numeric suffix.
pub async fn insert(pool: &PgPool, owner: Uuid, f: &RestaurantFields) -> Result<String, AppError> {
    let base = platform::slug::slugify(&f.name, 60, "restaurant");
    for attempt in 1..=10 {
        // name, name-2 … name-5, then a random suffix (a name nobody can exhaust).
        let slug = match attempt {
            1 => base.clone(),
            2..=5 => format!("{base}-{attempt}"),
            _ => format!("{base}-{}", &Uuid::new_v4().simple().to_string()[..6]),
        };
        let result = sqlx::query(
            "insert into restaurants (owner_id, slug, name, cuisine, city, address, description, price_level, time_zone)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(owner)
        .bind(&slug)
        .bind(&f.name)
        .bind(&f.cuisine)
        .bind(&f.city)
        .bind(&f.address)
        .bind(&f.description)
        .bind(f.price_level)
        .bind(&f.time_zone)
        .execute(pool)
        .await;
        match result {
            Ok(_) => return Ok(slug),
            Err(sqlx::Error::Database(db)) if db.constraint() == Some("restaurants_slug_key") => {
                continue;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "name",
        "That name is taken many times over; add your neighbourhood to it.",
    ))
}

/// Updates a restaurant its owner owns. The slug stays, so links keep working.
pub async fn update_owned(
    pool: &PgPool,
    id: Uuid,
    owner: Uuid,
    f: &RestaurantFields,
) -> Result<String, AppError> {
    let slug: Option<String> = sqlx::query_scalar(
        "update restaurants set name = $3, cuisine = $4, city = $5, address = $6, description = $7,
                price_level = $8, time_zone = $9, updated_at = now()
         where id = $1 and owner_id = $2
         returning slug",
    )
    .bind(id)
    .bind(owner)
    .bind(&f.name)
    .bind(&f.cuisine)
    .bind(&f.city)
    .bind(&f.address)
    .bind(&f.description)
    .bind(f.price_level)
    .bind(&f.time_zone)
    .fetch_optional(pool)
    .await?;
    if let Some(slug) = slug {
        return Ok(slug);
    }
    let exists: bool = sqlx::query_scalar("select exists(select 1 from restaurants where id = $1)")
        .bind(id)
        .fetch_one(pool)
        .await?;
    Err(if exists {
        AppError::Forbidden("Only the restaurant's owner can edit it.".into())
    } else {
        AppError::not_found("There is no such restaurant.")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawFields {
        RawFields {
            name: "  Soul Food Kitchen ".into(),
            cuisine: "Southern".into(),
            city: "Chicago".into(),
            address: String::new(),
            description: String::new(),
            price_level: "2".into(),
            time_zone: String::new(),
        }
    }

    #[test]
    fn valid_fields_are_trimmed() {
        let f = RestaurantFields::parse(&raw()).expect("valid");
        assert_eq!(f.name, "Soul Food Kitchen");
        assert_eq!(f.price_level, 2);
    }

    #[test]
    fn each_bad_field_is_named() {
        type Spoil = fn(&mut RawFields);
        let cases: [(Spoil, &str); 6] = [
            (|r| r.name = " ".into(), "name"),
            (|r| r.name = "!!!".into(), "name"),
            (|r| r.cuisine = String::new(), "cuisine"),
            (|r| r.city = "x".repeat(81), "city"),
            (|r| r.price_level = "5".into(), "price_level"),
            (|r| r.price_level = "two".into(), "price_level"),
        ];
        for (spoil, field) in cases {
            let mut r = raw();
            spoil(&mut r);
            let err = RestaurantFields::parse(&r).expect_err(field);
            assert_eq!(err.field(), Some(field));
            assert_eq!(err.status(), 422);
        }
    }
}

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
            time_zone: platform::time::zone("time_zone", &raw.time_zone)?
                .name()
                .to_owned(),
        })
    }
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
        platform::time::stored_zone(&self.time_zone)
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
        "r.id, r.owner_id, r.slug, r.name, r.cuisine, r.city, r.address, r.description, r.price_level, r.featured, r.time_zone, r.cover_key"
    };
}

/// Which restaurants a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Words in the name, cuisine or city (matched as typed, case-insensitively).
    pub text: Option<String>,
    pub featured_only: bool,
    /// Only those open at the moment of the query, in their own time zones.
    pub open_now: bool,
}

/// `text` as a pattern for `ilike`: `%`, `_` and `\` stand for themselves.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The restaurants matching `filter` at `now`: `$1` text pattern (or null), `$2` featured only,
/// `$3` open now only, `$4` the moment. A period is open from its start to its end counted in
/// minutes from the start of the week in the restaurant's own zone (past midnight, and from
/// Sunday night into Monday, as `hours::status` counts them).
macro_rules! matching {
    () => {
        "
    from restaurants r
    where ($1::text is null or r.name ilike $1 or r.cuisine ilike $1 or r.city ilike $1)
      and ($2 = false or r.featured)
      and ($3 = false or exists (
          select 1
          from opening_hours h,
               lateral (select ($4::timestamptz at time zone r.time_zone) as t) local,
               lateral (select ((extract(isodow from local.t)::int - 1) * 1440
                                + extract(hour from local.t)::int * 60
                                + extract(minute from local.t)::int) as at) m,
               lateral (select h.weekday * 1440 + extract(hour from h.opens)::int * 60
                                  + extract(minute from h.opens)::int as start,
                               h.weekday * 1440 + extract(hour from h.closes)::int * 60
                                  + extract(minute from h.closes)::int
                                  + case when h.closes <= h.opens then 1440 else 0 end as finish) p
          where h.restaurant_id = r.id
            and ((p.start <= m.at and m.at < p.finish)
                 or (p.start <= m.at + 10080 and m.at + 10080 < p.finish))))"
    };
}

/// Cards of `rows`, with each one's status at `now`.
async fn cards(
    pool: &PgPool,
    rows: Vec<Row>,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<RestaurantCard>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut hours = hours_of(pool, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let periods = hours.remove(&r.id).unwrap_or_default();
            let status = crate::hours::status(&periods, r.tz(), now);
            // A card in a list: the thumbnail.
            let cover_url = r.cover_key.as_deref().map(storage::Storage::thumbnail_path);
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

/// One page of the restaurants matching `filter` at `now`, newest first.
pub async fn search(
    pool: &PgPool,
    filter: &Filter,
    page: u32,
    per_page: u32,
    now: chrono::DateTime<Utc>,
) -> Result<platform::paging::Paged<RestaurantCard>, AppError> {
    let pattern = filter.text.as_deref().map(contains_pattern);
    let total: i64 = sqlx::query_scalar(concat!("select count(*) ", matching!()))
        .bind(&pattern)
        .bind(filter.featured_only)
        .bind(filter.open_now)
        .bind(now)
        .fetch_one(pool)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "select ",
        columns!(),
        " ",
        matching!(),
        " order by r.created_at desc, r.id limit $5 offset $6"
    ))
    .bind(&pattern)
    .bind(filter.featured_only)
    .bind(filter.open_now)
    .bind(now)
    .bind(i64::from(per_page))
    .bind(platform::paging::offset(page, per_page))
    .fetch_all(pool)
    .await?;
    Ok(platform::paging::Paged {
        items: cards(pool, rows, now).await?,
        page,
        per_page,
        total: u64::try_from(total).unwrap_or(0),
    })
}

/// Newest first; featured ones only when `featured_only`.
pub async fn list(
    pool: &PgPool,
    featured_only: bool,
    limit: i64,
) -> Result<Vec<RestaurantCard>, AppError> {
    let filter = Filter {
        featured_only,
        ..Filter::default()
    };
    let per_page = u32::try_from(limit).unwrap_or(1);
    Ok(search(pool, &filter, 1, per_page, Utc::now()).await?.items)
}

pub async fn find(pool: &PgPool, slug: &str) -> Result<Option<Row>, AppError> {
    Ok(sqlx::query_as(concat!(
        "select ",
        columns!(),
        " from restaurants r where slug = $1"
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
    Ok(Some((name, platform::time::stored_zone(&zone), hours)))
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
/// `owner_email` receives word of new orders until the owner says otherwise.
pub async fn insert(
    pool: &PgPool,
    owner: Uuid,
    owner_email: &str,
    f: &RestaurantFields,
) -> Result<String, AppError> {
    let base = platform::slug::slugify(&f.name, 60, "restaurant");
    for slug in platform::slug::candidates(&base) {
        let result = sqlx::query(
            "insert into restaurants (owner_id, slug, name, cuisine, city, address, description, price_level, time_zone, order_email)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
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
        .bind(owner_email)
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

/// Updates a restaurant (the caller has checked it is the owner's). The slug stays, so links
/// keep working.
pub async fn update(pool: &PgPool, id: Uuid, f: &RestaurantFields) -> Result<String, AppError> {
    let slug: Option<String> = sqlx::query_scalar(
        "update restaurants set name = $2, cuisine = $3, city = $4, address = $5, description = $6,
                price_level = $7, time_zone = $8, updated_at = now()
         where id = $1
         returning slug",
    )
    .bind(id)
    .bind(&f.name)
    .bind(&f.cuisine)
    .bind(&f.city)
    .bind(&f.address)
    .bind(&f.description)
    .bind(f.price_level)
    .bind(&f.time_zone)
    .fetch_optional(pool)
    .await?;
    slug.ok_or_else(|| AppError::not_found("There is no such restaurant."))
}

/// Replaces a restaurant's opening hours in one transaction (the caller has checked them and the
/// owner); its slug.
pub async fn replace_hours(
    pool: &PgPool,
    id: Uuid,
    periods: &[Period],
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let slug: String = sqlx::query_scalar("select slug from restaurants where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
    sqlx::query("delete from opening_hours where restaurant_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for p in periods {
        sqlx::query(
            "insert into opening_hours (restaurant_id, weekday, opens, closes) values ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(i16::from(p.weekday))
        .bind(p.opens)
        .bind(p.closes)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(slug)
}

/// The restaurants `user` owns or works at: (slug, name, whether they own it, open orders),
/// by name.
pub async fn of_member(
    pool: &PgPool,
    user: Uuid,
) -> Result<Vec<(String, String, bool, i64)>, AppError> {
    Ok(sqlx::query_as(
        "select r.slug, r.name, r.owner_id = $1,
                (select count(*) from orders o where o.restaurant_id = r.id
                   and o.status in ('placed', 'accepted', 'preparing', 'ready'))
         from restaurants r
         where r.owner_id = $1
            or exists (select 1 from restaurant_staff s where s.restaurant_id = r.id and s.user_id = $1)
         order by r.name",
    )
    .bind(user)
    .fetch_all(pool)
    .await?)
}

/// The slug of the restaurant `id`; `NotFound` when there is none.
pub async fn slug_of(pool: &PgPool, id: Uuid) -> Result<String, AppError> {
    sqlx::query_scalar("select slug from restaurants where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such restaurant."))
}

/// Whether `user` owns restaurant `id`, and whether they are on its staff; `None` when there
/// is no such restaurant. (Who may do what is `crate::access`'s to decide.)
pub async fn ties(pool: &PgPool, id: Uuid, user: Uuid) -> Result<Option<(bool, bool)>, AppError> {
    Ok(sqlx::query_as(
        "select r.owner_id = $2,
                exists(select 1 from restaurant_staff s where s.restaurant_id = r.id and s.user_id = $2)
         from restaurants r where r.id = $1",
    )
    .bind(id)
    .bind(user)
    .fetch_optional(pool)
    .await?)
}

/// Points the restaurant's cover at `key`; the key it replaced (`Some(None)`: it had none), or
/// `None` when the restaurant is gone.
pub async fn set_cover(
    pool: &PgPool,
    id: Uuid,
    key: &str,
) -> Result<Option<Option<String>>, AppError> {
    Ok(sqlx::query_scalar(
        "update restaurants r set cover_key = $2, updated_at = now()
         from (select id, cover_key as old from restaurants where id = $1 for update) o
         where r.id = o.id returning o.old",
    )
    .bind(id)
    .bind(key)
    .fetch_optional(pool)
    .await?)
}

/// Where word of new orders goes: the address, when the owner wants it.
pub async fn order_notice_to(
    conn: &mut sqlx::PgConnection,
    restaurant: Uuid,
) -> Result<Option<String>, AppError> {
    let row: Option<(String, bool)> =
        sqlx::query_as("select order_email, notify_new_orders from restaurants where id = $1")
            .bind(restaurant)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(email, on)| (on && !email.is_empty()).then_some(email)))
}

/// The owner's choice about word of new orders: `(address, on)`.
pub async fn order_notices(pool: &PgPool, restaurant: Uuid) -> Result<(String, bool), AppError> {
    Ok(
        sqlx::query_as("select order_email, notify_new_orders from restaurants where id = $1")
            .bind(restaurant)
            .fetch_one(pool)
            .await?,
    )
}

pub async fn set_order_notices(
    pool: &PgPool,
    restaurant: Uuid,
    email: &str,
    on: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "update restaurants set order_email = $2, notify_new_orders = $3, updated_at = now() where id = $1",
    )
    .bind(restaurant)
    .bind(email)
    .bind(on)
    .execute(pool)
    .await?;
    Ok(())
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

//! The demo data's queries.

use sqlx::PgPool;
use uuid::Uuid;

use super::{Demo, Section};

/// A demo restaurant and its hours, unless its slug exists (then only hours it lacks).
pub(super) async fn restaurant(pool: &PgPool, d: &Demo) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into restaurants (owner_id, slug, name, cuisine, city, address, description, price_level, featured, time_zone)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (slug) do nothing",
    )
    .bind(sso::DEMO_USER_ID)
    .bind(d.slug)
    .bind(d.name)
    .bind(d.cuisine)
    .bind(d.city)
    .bind(d.address)
    .bind(d.description)
    .bind(d.price_level)
    .bind(d.featured)
    .bind(d.time_zone)
    .execute(pool)
    .await?;
    for (days, opens, closes) in d.hours {
        // Only for a demo restaurant that has no hours yet (its owner may have set some).
        sqlx::query(
            "insert into opening_hours (restaurant_id, weekday, opens, closes)
             select r.id, day, $3::time, $4::time
             from restaurants r, unnest($2::smallint[]) as day
             where r.slug = $1
               and not exists (
                   select 1 from opening_hours o
                   where o.restaurant_id = r.id and o.weekday = day and o.opens = $3::time)",
        )
        .bind(d.slug)
        .bind(*days)
        .bind(*opens)
        .bind(*closes)
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// The menu of the demo restaurant at `slug`, when it has none yet.
pub(super) async fn menu(
    pool: &PgPool,
    slug: &str,
    sections: &[Section],
) -> Result<(), sqlx::Error> {
    // One transaction: a menu is there whole or not at all. (Instances starting together seed
    // one at a time: the kit runs the seed under a lock.)
    let mut tx = pool.begin().await?;
    let restaurant: Option<Uuid> = sqlx::query_scalar(
        "select r.id from restaurants r where r.slug = $1
         and not exists (select 1 from menu_categories c where c.restaurant_id = r.id)",
    )
    .bind(slug)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(restaurant) = restaurant else {
        return Ok(());
    };
    for (pos, (section, dishes)) in sections.iter().enumerate() {
        let category: Uuid = sqlx::query_scalar(
            "insert into menu_categories (restaurant_id, name, position) values ($1, $2, $3) returning id",
        )
        .bind(restaurant)
        .bind(section)
        .bind(i32::try_from(pos).unwrap_or(0))
        .fetch_one(&mut *tx)
        .await?;
        for (n, (name, description, cents, tags, groups)) in dishes.iter().enumerate() {
            let item: Uuid = sqlx::query_scalar(
                "insert into menu_items (restaurant_id, category_id, name, description, price_cents, tags, position)
                 values ($1, $2, $3, $4, $5, $6, $7) returning id",
            )
            .bind(restaurant)
            .bind(category)
            .bind(name)
            .bind(description)
            .bind(cents)
            .bind(tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
            .bind(i32::try_from(n).unwrap_or(0))
            .fetch_one(&mut *tx)
            .await?;
            for (g, (group, min, max, options)) in groups.iter().enumerate() {
                let group_id: Uuid = sqlx::query_scalar(
                    "insert into option_groups (item_id, name, min_choices, max_choices, position)
                     values ($1, $2, $3, $4, $5) returning id",
                )
                .bind(item)
                .bind(group)
                .bind(min)
                .bind(max)
                .bind(i32::try_from(g).unwrap_or(0))
                .fetch_one(&mut *tx)
                .await?;
                for (o, (option, delta)) in options.iter().enumerate() {
                    sqlx::query(
                        "insert into options (group_id, name, price_delta_cents, position) values ($1, $2, $3, $4)",
                    )
                    .bind(group_id)
                    .bind(option)
                    .bind(delta)
                    .bind(i32::try_from(o).unwrap_or(0))
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The demo restaurant at `slug`, when it has no cover.
#[cfg(feature = "demo")]
pub(super) async fn without_cover(pool: &PgPool, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("select id from restaurants where slug = $1 and cover_key is null")
        .bind(slug)
        .fetch_optional(pool)
        .await
}

/// Points the restaurant at `key` when it still has no cover; whether it did.
#[cfg(feature = "demo")]
pub(super) async fn set_cover_if_none(
    pool: &PgPool,
    id: Uuid,
    key: &str,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("update restaurants set cover_key = $2 where id = $1 and cover_key is null")
            .bind(id)
            .bind(key)
            .execute(pool)
            .await?;
    Ok(done.rows_affected() == 1)
}

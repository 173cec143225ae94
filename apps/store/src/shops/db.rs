//! Shops in the database.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShopRow {
    pub id: Uuid,
    pub slug: String,
    pub owner_id: Uuid,
    pub name: String,
    pub description: String,
    pub pickup_address: String,
    pub shipping_cents: i32,
    pub status: String,
    pub logo_key: Option<String>,
}

const SHOP: &str =
    "select id, slug, owner_id, name, description, pickup_address, shipping_cents, status,
        logo_key from shops";

pub async fn of_owner(pool: &PgPool, owner: Uuid) -> Result<Option<ShopRow>, AppError> {
    Ok(sqlx::query_as(&format!("{SHOP} where owner_id = $1"))
        .bind(owner)
        .fetch_optional(pool)
        .await?)
}

pub async fn by_id(pool: &PgPool, id: Uuid) -> Result<Option<ShopRow>, AppError> {
    Ok(sqlx::query_as(&format!("{SHOP} where id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// The shops `user` is on the staff of, by name.
pub async fn staffed_by(pool: &PgPool, user: Uuid) -> Result<Vec<ShopRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{SHOP} where id in (select shop_id from shop_staff where user_id = $1) order by name"
    ))
    .bind(user)
    .fetch_all(pool)
    .await?)
}

pub async fn by_slug(pool: &PgPool, slug: &str) -> Result<Option<ShopRow>, AppError> {
    Ok(sqlx::query_as(&format!("{SHOP} where slug = $1"))
        .bind(slug)
        .fetch_optional(pool)
        .await?)
}

/// Every shop, those waiting for approval first.
pub async fn all(pool: &PgPool) -> Result<Vec<ShopRow>, AppError> {
    Ok(sqlx::query_as(&format!(
        "{SHOP} order by status = 'pending' desc, created_at desc limit 500"
    ))
    .fetch_all(pool)
    .await?)
}

/// What a shop's form says, checked.
pub struct ShopFields {
    pub name: String,
    pub description: String,
    pub pickup_address: String,
    pub shipping_cents: i32,
}

/// Opens `owner`'s shop (waiting for approval); its slug. A second shop of one owner is a
/// conflict.
pub async fn open(
    pool: &PgPool,
    owner: Uuid,
    owner_email: &str,
    f: &ShopFields,
) -> Result<String, AppError> {
    let base = platform::slug::slugify(&f.name, 60, "shop");
    for slug in platform::slug::candidates(&base) {
        let done = sqlx::query(
            "insert into shops (owner_id, slug, name, description, pickup_address, shipping_cents,
                owner_email)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (slug) do nothing",
        )
        .bind(owner)
        .bind(&slug)
        .bind(&f.name)
        .bind(&f.description)
        .bind(&f.pickup_address)
        .bind(f.shipping_cents)
        .bind(owner_email)
        .execute(pool)
        .await
        .map_err(|e| {
            AppError::from_db(
                e,
                &[("shops_owner_id_key", "name", "You have a shop already.")],
            )
        })?;
        if done.rows_affected() == 1 {
            return Ok(slug);
        }
    }
    Err(AppError::internal("no free slug for a shop"))
}

pub async fn update(pool: &PgPool, id: Uuid, f: &ShopFields) -> Result<(), AppError> {
    sqlx::query(
        "update shops set name = $2, description = $3, pickup_address = $4, shipping_cents = $5,
                updated_at = now()
         where id = $1",
    )
    .bind(id)
    .bind(&f.name)
    .bind(&f.description)
    .bind(&f.pickup_address)
    .bind(f.shipping_cents)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets the shop's status; whether there was such a shop.
pub async fn set_status(pool: &PgPool, slug: &str, status: &str) -> Result<bool, AppError> {
    Ok(
        sqlx::query("update shops set status = $2, updated_at = now() where slug = $1")
            .bind(slug)
            .bind(status)
            .execute(pool)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Points the shop at its new logo (under the shop's lock); the one it replaces (`Some(None)`
/// when it had none; `None` when there is no such shop).
pub async fn set_logo(
    pool: &PgPool,
    id: Uuid,
    key: &str,
) -> Result<Option<Option<String>>, AppError> {
    Ok(sqlx::query_scalar(
        "update shops s set logo_key = $2, updated_at = now()
         from (select id, logo_key as old from shops where id = $1 for update) o
         where s.id = o.id returning o.old",
    )
    .bind(id)
    .bind(key)
    .fetch_optional(pool)
    .await?)
}

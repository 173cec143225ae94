//! Staff and invitations in the database.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use sso::SessionUser;
use uuid::Uuid;

use super::StaffMember;

pub async fn members(pool: &PgPool, restaurant: Uuid) -> Result<Vec<StaffMember>, AppError> {
    let rows: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
        "select user_id, user_name, added_at from restaurant_staff where restaurant_id = $1 order by added_at",
    )
    .bind(restaurant)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, added_at)| StaffMember {
            user_id,
            name,
            added_at,
        })
        .collect())
}

/// An invitation to `restaurant`, kept as the SHA-256 of its token.
pub async fn add_invite(
    pool: &PgPool,
    token_hash: &str,
    restaurant: Uuid,
    by: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into staff_invites (token_hash, restaurant_id, created_by, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(restaurant)
    .bind(by)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn remove(pool: &PgPool, restaurant: Uuid, member: Uuid) -> Result<(), AppError> {
    sqlx::query("delete from restaurant_staff where restaurant_id = $1 and user_id = $2")
        .bind(restaurant)
        .bind(member)
        .execute(pool)
        .await?;
    Ok(())
}

/// The name of the restaurant an invitation is for, while it can be used.
pub async fn invitation(pool: &PgPool, token_hash: &str) -> Result<Option<String>, AppError> {
    Ok(sqlx::query_scalar(
        "select r.name from staff_invites i join restaurants r on r.id = i.restaurant_id
         where i.token_hash = $1 and i.used_at is null and i.expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

/// What using an invitation did.
pub enum Joined {
    /// The user is on the restaurant's staff (now, or already was).
    Member(Uuid),
    /// Expired, used, or no such invitation.
    Unusable,
    /// The owner opened their own link: nothing changed, the link still works.
    Owner,
}

/// Uses the invitation up and adds `user` to the staff, in one transaction: the link is used up
/// in the same statement that checks it, so two people cannot both use one.
pub async fn join(pool: &PgPool, token_hash: &str, user: &SessionUser) -> Result<Joined, AppError> {
    let mut tx = pool.begin().await?;
    let restaurant: Option<Uuid> = sqlx::query_scalar(
        "update staff_invites set used_by = $2, used_at = now()
         where token_hash = $1 and used_at is null and expires_at > now()
         returning restaurant_id",
    )
    .bind(token_hash)
    .bind(user.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(restaurant) = restaurant else {
        return Ok(Joined::Unusable);
    };
    let owner: Uuid = sqlx::query_scalar("select owner_id from restaurants where id = $1")
        .bind(restaurant)
        .fetch_one(&mut *tx)
        .await?;
    if owner == user.id {
        // Rolled back: the link stays usable.
        return Ok(Joined::Owner);
    }
    sqlx::query(
        "insert into restaurant_staff (restaurant_id, user_id, user_name, added_by)
         select $1, $2, $3, created_by from staff_invites where token_hash = $4
         on conflict (restaurant_id, user_id) do nothing",
    )
    .bind(restaurant)
    .bind(user.id)
    .bind(&user.name)
    .bind(token_hash)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Joined::Member(restaurant))
}

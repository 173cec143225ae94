//! The suite admin's queries.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use super::AdminUserView;

/// Whether `user` is an admin whose account is enabled (checked at each call, not trusted from
/// the session).
pub async fn is_admin(pool: &PgPool, user: Uuid) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "select exists(select 1 from users where id = $1 and role = 'admin' and disabled_at is null)",
    )
    .bind(user)
    .fetch_one(pool)
    .await?)
}

/// Accounts whose address or name contains `q`, newest first, at most 50.
pub async fn find(pool: &PgPool, q: &str) -> Result<Vec<AdminUserView>, AppError> {
    Ok(sqlx::query_as(
        "select id, email, name, role, disabled_at is not null as disabled,
                email_verified_at is not null as verified, created_at
         from users
         where $1 = '' or strpos(lower(email), lower($1)) > 0 or strpos(lower(name), lower($1)) > 0
         order by created_at desc
         limit 50",
    )
    .bind(q)
    .fetch_all(pool)
    .await?)
}

/// Disables (`true`) or enables an account; false when there is no such account.
pub async fn set_disabled(pool: &PgPool, user: Uuid, disabled: bool) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "update users set disabled_at = case when $2 then coalesce(disabled_at, now()) end,
                          updated_at = now()
         where id = $1",
    )
    .bind(user)
    .bind(disabled)
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

/// Makes the account of `email` a suite admin (`suite make-admin`); false when there is no
/// such account.
pub async fn grant_admin(pool: &PgPool, email: &str) -> Result<bool, AppError> {
    Ok(sqlx::query(
        "update users set role = 'admin', updated_at = now() where lower(email) = lower($1)",
    )
    .bind(email)
    .execute(pool)
    .await?
    .rows_affected()
        == 1)
}

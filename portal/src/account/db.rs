//! The account page's queries.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use super::{ProviderView, SessionView};

/// Name, email, and whether the account has a password.
pub async fn profile(pool: &PgPool, user: Uuid) -> Result<(String, String, bool), AppError> {
    Ok(
        sqlx::query_as("select name, email, password_hash is not null from users where id = $1")
            .bind(user)
            .fetch_one(pool)
            .await?,
    )
}

/// The providers linked to the account, oldest first.
pub async fn identities(pool: &PgPool, user: Uuid) -> Result<Vec<ProviderView>, AppError> {
    let rows: Vec<(String, Option<String>, DateTime<Utc>)> = sqlx::query_as(
        "select provider, email, created_at from identities where user_id = $1 order by created_at",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(provider, email, linked_at)| ProviderView {
            provider,
            email,
            linked_at,
        })
        .collect())
}

/// The account's sessions that have not ended, most recently seen first; `current` is the one
/// asking.
pub async fn live_sessions(
    pool: &PgPool,
    user: Uuid,
    current: &str,
) -> Result<Vec<SessionView>, AppError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        session_id: String,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        user_agent: String,
        ip: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "select us.session_id, us.created_at, us.last_seen_at, us.user_agent, us.ip
         from user_sessions us join tower_sessions.session s on s.id = us.session_id
         where us.user_id = $1 and s.expiry_date > now()
         order by us.last_seen_at desc",
    )
    .bind(user)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionView {
            current: r.session_id == current,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
            user_agent: r.user_agent,
            ip: r.ip,
        })
        .collect())
}

pub async fn rename(pool: &PgPool, user: Uuid, name: &str) -> Result<(), AppError> {
    sqlx::query("update users set name = $2, updated_at = now() where id = $1")
        .bind(user)
        .bind(name)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every session id of the account.
pub async fn session_ids(pool: &PgPool, user: Uuid) -> Result<Vec<String>, AppError> {
    Ok(
        sqlx::query_scalar("select session_id from user_sessions where user_id = $1")
            .bind(user)
            .fetch_all(pool)
            .await?,
    )
}

/// Marks the session as seen now (its "last seen" on the account page). Best effort.
pub async fn touch(pool: &PgPool, session_id: &str) {
    let _ = sqlx::query("update user_sessions set last_seen_at = now() where session_id = $1")
        .bind(session_id)
        .execute(pool)
        .await;
}

/// Removes the account's identities at `provider`.
pub async fn unlink(
    tx: &mut sqlx::PgConnection,
    user: Uuid,
    provider: &str,
) -> Result<(), AppError> {
    sqlx::query("delete from identities where user_id = $1 and provider = $2")
        .bind(user)
        .bind(provider)
        .execute(tx)
        .await?;
    Ok(())
}

pub async fn add_email_change(
    tx: &mut sqlx::PgConnection,
    user: Uuid,
    new_email: &str,
    token_hash: &str,
    valid_hours: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into email_tokens (token_hash, user_id, purpose, new_email, expires_at)
         values ($1, $2, 'change_email', $3, now() + make_interval(hours => $4))",
    )
    .bind(token_hash)
    .bind(user)
    .bind(new_email)
    .bind(valid_hours)
    .execute(tx)
    .await?;
    Ok(())
}

/// The new address of an unused, unexpired change link: `(user, new address)`.
pub async fn email_change(
    pool: &PgPool,
    token_hash: &str,
) -> Result<Option<(Uuid, String)>, AppError> {
    Ok(sqlx::query_as(
        "select user_id, new_email from email_tokens
         where token_hash = $1 and purpose = 'change_email' and used_at is null
           and expires_at > now() and new_email is not null",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

/// Uses a change link (once) and moves the account to its address, proven. `None` when the
/// link no longer works; a `Conflict` when the address has an account by now.
pub async fn apply_email_change(
    tx: &mut sqlx::PgConnection,
    token_hash: &str,
) -> Result<Option<(Uuid, String, String, String)>, AppError> {
    let change: Option<(Uuid, String)> = sqlx::query_as(
        "update email_tokens set used_at = now()
         where token_hash = $1 and purpose = 'change_email' and used_at is null and expires_at > now()
         returning user_id, new_email",
    )
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user, new_email)) = change else {
        return Ok(None);
    };
    let (old_email, name): (String, String) =
        sqlx::query_as("select email, name from users where id = $1 for update")
            .bind(user)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "update users set email = $2, email_verified_at = now(), updated_at = now() where id = $1",
    )
    .bind(user)
    .bind(&new_email)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        AppError::from_db(
            e,
            &[(
                "users_email_key",
                "email",
                "That address has an account of its own now.",
            )],
        )
    })?;
    Ok(Some((user, old_email, new_email, name)))
}

//! Accounts, sign-in attempts and session records in the portal's database.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, sqlx::FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub disabled: bool,
}

/// Failed sign-ins in the last `window_minutes`: for the account, and from the address.
pub async fn recent_failures(
    pool: &PgPool,
    email: &str,
    ip: &str,
    window_minutes: i32,
) -> Result<(i64, i64), AppError> {
    Ok(sqlx::query_as(
        "select
            count(*) filter (where lower(email) = lower($1)),
            count(*) filter (where ip = $2)
         from login_attempts
         where not succeeded
           and created_at > now() - make_interval(mins => $3)
           and (lower(email) = lower($1) or ip = $2)",
    )
    .bind(email)
    .bind(ip)
    .bind(window_minutes)
    .fetch_one(pool)
    .await?)
}

/// Records a sign-in attempt as failed; returns its id.
pub async fn record_attempt(pool: &PgPool, email: &str, ip: &str) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "insert into login_attempts (email, ip, succeeded) values ($1, $2, false) returning id",
    )
    .bind(email)
    .bind(ip)
    .fetch_one(pool)
    .await?)
}

pub async fn attempt_succeeded(pool: &PgPool, attempt: i64) -> Result<(), AppError> {
    sqlx::query("update login_attempts set succeeded = true where id = $1")
        .bind(attempt)
        .execute(pool)
        .await?;
    Ok(())
}

/// Sign-in attempts matter for the rate limit's window only; older ones are deleted (a job of
/// the portal's).
pub async fn forget_old_attempts(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query("delete from login_attempts where created_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn user_by_email(pool: &PgPool, email: &str) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as(
        "select id, email, name, password_hash, role, disabled_at is not null as disabled
         from users where lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?)
}

/// A new local account; a taken email is a `Conflict` about the email field.
pub async fn add_user(
    pool: &PgPool,
    email: &str,
    name: &str,
    hash: &str,
) -> Result<UserRow, AppError> {
    sqlx::query_as(
        "insert into users (email, name, password_hash) values ($1, $2, $3)
         returning id, email, name, password_hash, role, false as disabled",
    )
    .bind(email)
    .bind(name)
    .bind(hash)
    .fetch_one(pool)
    .await
    .map_err(|e| {
        AppError::from_db(
            e,
            &[(
                "users_email_key",
                "email",
                "An account with this email already exists. Sign in instead.",
            )],
        )
    })
}

pub async fn user_exists(pool: &PgPool, id: Uuid) -> Result<bool, AppError> {
    Ok(
        sqlx::query_scalar("select exists(select 1 from users where id = $1)")
            .bind(id)
            .fetch_one(pool)
            .await?,
    )
}

/// The demo account, unless it exists.
pub async fn add_demo_user(pool: &PgPool, id: Uuid, hash: &str) -> Result<(), AppError> {
    sqlx::query(
        "insert into users (id, email, name, password_hash) values ($1, $2, $3, $4)
         on conflict do nothing",
    )
    .bind(id)
    .bind("demo@stepperslife.com")
    .bind("Demo Owner")
    .bind(hash)
    .execute(pool)
    .await?;
    Ok(())
}

/// Ties a session to its user (the account page lists a user's sessions; "sign out
/// everywhere" ends them).
pub async fn add_user_session(
    pool: &PgPool,
    session_id: &str,
    user: Uuid,
    agent: &str,
    ip: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into user_sessions (session_id, user_id, user_agent, ip) values ($1, $2, $3, $4)",
    )
    .bind(session_id)
    .bind(user)
    .bind(agent)
    .bind(ip)
    .execute(pool)
    .await?;
    Ok(())
}

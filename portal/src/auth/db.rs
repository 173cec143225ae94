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
    /// The address has been proven (see `users.email_verified_at`).
    pub verified: bool,
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
        "select id, email, name, password_hash, role, disabled_at is not null as disabled, email_verified_at is not null as verified
         from users where lower(email) = lower($1)",
    )
    .bind(email)
    .fetch_optional(pool)
    .await?)
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
    .bind(sso::DEMO_EMAIL)
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

/// Requests of `kind` from the client address key `ip` in the last `minutes`.
pub async fn recent_events(
    pool: &PgPool,
    kind: &str,
    ip: &str,
    minutes: i32,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "select count(*) from auth_events
         where kind = $1 and ip = $2 and created_at > now() - make_interval(mins => $3)",
    )
    .bind(kind)
    .bind(ip)
    .bind(minutes)
    .fetch_one(pool)
    .await?)
}

pub async fn record_event(pool: &PgPool, kind: &str, ip: &str) -> Result<(), AppError> {
    sqlx::query("insert into auth_events (kind, ip) values ($1, $2)")
        .bind(kind)
        .bind(ip)
        .execute(pool)
        .await?;
    Ok(())
}

/// Throttling needs a day of events at most; older ones go (a job of the portal's).
pub async fn forget_old_events(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query("delete from auth_events where created_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    sqlx::query("delete from email_tokens where expires_at < now() - interval '7 days'")
        .execute(pool)
        .await?;
    Ok(())
}

/// Reset links sent to the account in the last hour.
pub async fn recent_reset_links(pool: &PgPool, user: Uuid) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar(
        "select count(*) from email_tokens
         where user_id = $1 and purpose = 'reset_password' and created_at > now() - interval '1 hour'",
    )
    .bind(user)
    .fetch_one(pool)
    .await?)
}

pub async fn add_reset_token(
    tx: &mut sqlx::PgConnection,
    user: Uuid,
    token_hash: &str,
    valid_minutes: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into email_tokens (token_hash, user_id, purpose, expires_at)
         values ($1, $2, 'reset_password', now() + make_interval(mins => $3))",
    )
    .bind(token_hash)
    .bind(user)
    .bind(valid_minutes)
    .execute(tx)
    .await?;
    Ok(())
}

/// The account of a reset link that is unused and unexpired, or `None`.
pub async fn reset_link_user(pool: &PgPool, token_hash: &str) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as(
        "select u.id, u.email, u.name, u.password_hash, u.role, u.disabled_at is not null as disabled, email_verified_at is not null as verified
         from email_tokens t join users u on u.id = t.user_id
         where t.token_hash = $1 and t.purpose = 'reset_password'
           and t.used_at is null and t.expires_at > now()",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?)
}

/// Uses a reset link: true if it was still unused and unexpired (so of two requests racing with
/// one link, one wins). Every other reset link of the account dies with it.
pub async fn use_reset_link(
    tx: &mut sqlx::PgConnection,
    token_hash: &str,
    user: Uuid,
) -> Result<bool, AppError> {
    let used = sqlx::query(
        "update email_tokens set used_at = now()
         where token_hash = $1 and user_id = $2 and purpose = 'reset_password'
           and used_at is null and expires_at > now()",
    )
    .bind(token_hash)
    .bind(user)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if used {
        sqlx::query(
            "update email_tokens set used_at = now()
             where user_id = $1 and purpose = 'reset_password' and used_at is null",
        )
        .bind(user)
        .execute(&mut *tx)
        .await?;
    }
    Ok(used)
}

/// A new password; `proven`: the change came through the account's email, which proves it.
pub async fn set_password(
    tx: &mut sqlx::PgConnection,
    user: Uuid,
    hash: &str,
    proven: bool,
) -> Result<(), AppError> {
    sqlx::query(
        "update users set password_hash = $2, updated_at = now(),
             email_verified_at = case when $3 then coalesce(email_verified_at, now())
                                      else email_verified_at end
         where id = $1",
    )
    .bind(user)
    .bind(hash)
    .bind(proven)
    .execute(tx)
    .await?;
    Ok(())
}

pub async fn user_by_id(pool: &PgPool, id: Uuid) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as(
        "select id, email, name, password_hash, role, disabled_at is not null as disabled, email_verified_at is not null as verified
         from users where id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// A sign-up waiting for its address to be confirmed.
#[derive(Debug, sqlx::FromRow)]
pub struct Signup {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub return_to: Option<String>,
}

#[allow(clippy::too_many_arguments)]
pub async fn add_signup(
    tx: &mut sqlx::PgConnection,
    email: &str,
    name: &str,
    password_hash: &str,
    token_hash: &str,
    return_to: Option<&str>,
    valid_hours: i32,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into signups (email, name, password_hash, token_hash, return_to, expires_at)
         values ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))",
    )
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(token_hash)
    .bind(return_to)
    .bind(valid_hours)
    .execute(tx)
    .await?;
    Ok(())
}

/// The address of a sign-up link that still works.
pub async fn signup_email(pool: &PgPool, token_hash: &str) -> Result<Option<String>, AppError> {
    Ok(
        sqlx::query_scalar(
            "select email from signups where token_hash = $1 and expires_at > now()",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await?,
    )
}

/// Takes a sign-up by its link (once: the row goes), with every other pending sign-up for the
/// same address.
pub async fn take_signup(
    tx: &mut sqlx::PgConnection,
    token_hash: &str,
) -> Result<Option<Signup>, AppError> {
    let signup: Option<Signup> = sqlx::query_as(
        "delete from signups where token_hash = $1 and expires_at > now()
         returning email, name, password_hash, return_to",
    )
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(s) = &signup {
        sqlx::query("delete from signups where lower(email) = lower($1)")
            .bind(&s.email)
            .execute(&mut *tx)
            .await?;
    }
    Ok(signup)
}

/// The account holding `email`, locked until the transaction ends.
pub async fn user_by_email_for_update(
    tx: &mut sqlx::PgConnection,
    email: &str,
) -> Result<Option<UserRow>, AppError> {
    Ok(sqlx::query_as(
        "select id, email, name, password_hash, role, disabled_at is not null as disabled,
                email_verified_at is not null as verified
         from users where lower(email) = lower($1) for update",
    )
    .bind(email)
    .fetch_optional(tx)
    .await?)
}

/// A new account whose address has just been proven.
pub async fn add_verified_user(
    tx: &mut sqlx::PgConnection,
    email: &str,
    name: &str,
    hash: &str,
) -> Result<UserRow, AppError> {
    sqlx::query_as(
        "insert into users (email, name, password_hash, email_verified_at) values ($1, $2, $3, now())
         returning id, email, name, password_hash, role, false as disabled, true as verified",
    )
    .bind(email)
    .bind(name)
    .bind(hash)
    .fetch_one(tx)
    .await
    .map_err(|e| {
        AppError::from_db(
            e,
            &[("users_email_key", "email", "This address already has an account. Sign in instead.")],
        )
    })
}

/// The proven owner of an address takes over the account that held it unproven: their name and
/// password replace the old ones, and the sign-in methods linked to it go.
pub async fn take_over(
    tx: &mut sqlx::PgConnection,
    user: Uuid,
    name: &str,
    hash: Option<&str>,
) -> Result<UserRow, AppError> {
    sqlx::query("delete from identities where user_id = $1")
        .bind(user)
        .execute(&mut *tx)
        .await?;
    Ok(sqlx::query_as(
        "update users set name = $2, password_hash = $3, email_verified_at = now(), updated_at = now()
         where id = $1
         returning id, email, name, password_hash, role, disabled_at is not null as disabled,
                   true as verified",
    )
    .bind(user)
    .bind(name)
    .bind(hash)
    .fetch_one(tx)
    .await?)
}

/// Sign-ups whose link has expired (a job of the portal's).
pub async fn forget_expired_signups(pool: &PgPool) -> anyhow::Result<()> {
    sqlx::query("delete from signups where expires_at < now()")
        .execute(pool)
        .await?;
    Ok(())
}

/// Whether the device whose cookie hashes to `token_hash` has signed in to `user` before.
pub async fn known_device(pool: &PgPool, user: Uuid, token_hash: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "select exists(select 1 from known_devices where token_hash = $1 and user_id = $2)",
    )
    .bind(token_hash)
    .bind(user)
    .fetch_one(pool)
    .await?)
}

/// Remembers (or refreshes) a device that signed in to `user`.
pub async fn remember_device(pool: &PgPool, user: Uuid, token_hash: &str) -> Result<(), AppError> {
    sqlx::query(
        "insert into known_devices (token_hash, user_id) values ($1, $2)
         on conflict (token_hash, user_id) do update set last_seen_at = now()",
    )
    .bind(token_hash)
    .bind(user)
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether a sign-in to `email` from the address key `ip` succeeded in the last day.
pub async fn succeeded_from(pool: &PgPool, email: &str, ip: &str) -> Result<bool, AppError> {
    Ok(sqlx::query_scalar(
        "select exists(select 1 from login_attempts
                       where lower(email) = lower($1) and ip = $2 and succeeded)",
    )
    .bind(email)
    .bind(ip)
    .fetch_one(pool)
    .await?)
}

/// Forgets an attempt that was refused before it was judged (throttled): it is not a failure.
pub async fn forget_attempt(pool: &PgPool, attempt: i64) -> Result<(), AppError> {
    sqlx::query("delete from login_attempts where id = $1")
        .bind(attempt)
        .execute(pool)
        .await?;
    Ok(())
}

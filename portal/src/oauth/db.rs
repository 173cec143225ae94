//! Linked provider identities in the portal's database.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use super::ssr::ExternalIdentity;
use crate::auth::db::UserRow;

/// The account this identity signs into: the linked one, else a new one; and whether it was
/// taken over (see below). An identity is never attached to an account that proved its address
/// by email alone (that would let whoever controls the address at a provider take the account
/// over). An account that never proved its address is another matter: the provider vouches
/// that this person owns it, so they get the account, and whatever signed in to it before
/// (its password, its linked methods, its sessions) is cut off.
pub async fn user_for(
    pool: &PgPool,
    id: &ExternalIdentity,
    title: &str,
) -> Result<(UserRow, bool), AppError> {
    let linked: Option<UserRow> = sqlx::query_as(
        "select u.id, u.email, u.name, u.password_hash, u.role, u.disabled_at is not null as disabled, u.email_verified_at is not null as verified
         from identities i join users u on u.id = i.user_id
         where i.issuer = $1 and i.subject = $2",
    )
    .bind(&id.issuer)
    .bind(&id.subject)
    .fetch_optional(pool)
    .await?;
    if let Some(user) = linked {
        return Ok((user, false));
    }
    let Some(email) = id.email.as_deref().map(str::to_lowercase) else {
        return Err(AppError::BadRequest(format!(
            "Your {title} account has no verified email address. Add one there, or create an account with your email."
        )));
    };
    let name = id
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("member").to_owned());
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    let mut tx = pool.begin().await?;
    match crate::auth::db::user_by_email_for_update(&mut tx, &email).await? {
        Some(held) if held.disabled => {
            return Err(AppError::Forbidden(
                "This account has been disabled.".into(),
            ));
        }
        Some(held) if !held.verified => {
            let user = crate::auth::db::take_over(&mut tx, held.id, &held.name, None).await?;
            insert_identity(&mut tx, user.id, id).await?;
            tx.commit().await?;
            return Ok((user, true));
        }
        _ => {}
    }
    let user: UserRow = sqlx::query_as(
        "insert into users (email, name, email_verified_at) values ($1, $2, now())
         returning id, email, name, password_hash, role, false as disabled, true as verified",
    )
    .bind(&email)
    .bind(&name)
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| {
        AppError::from_db(
            e,
            &[(
                "users_email_key",
                "email",
                "An account with this email already exists. Sign in with your password, then link this provider from your account page.",
            )],
        )
    })?;
    insert_identity(&mut tx, user.id, id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, provider = %id.provider, "account created from a provider");
    Ok((user, false))
}

async fn insert_identity(
    conn: &mut sqlx::PgConnection,
    user_id: Uuid,
    id: &ExternalIdentity,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into identities (user_id, provider, issuer, subject, email) values ($1, $2, $3, $4, $5)",
    )
    .bind(user_id)
    .bind(&id.provider)
    .bind(&id.issuer)
    .bind(&id.subject)
    .bind(&id.email)
    .execute(conn)
    .await
    .map_err(|e| {
        AppError::from_db(
            e,
            &[(
                "identities_issuer_subject_key",
                "provider",
                "This provider account is already linked to another SteppersLife account.",
            )],
        )
    })?;
    Ok(())
}

/// Links an identity to a signed-in account (idempotent for the same account).
pub async fn link_identity(
    pool: &PgPool,
    user_id: Uuid,
    id: &ExternalIdentity,
    title: &str,
) -> Result<(), AppError> {
    let owner: Option<Uuid> =
        sqlx::query_scalar("select user_id from identities where issuer = $1 and subject = $2")
            .bind(&id.issuer)
            .bind(&id.subject)
            .fetch_optional(pool)
            .await?;
    match owner {
        Some(o) if o == user_id => Ok(()),
        Some(_) => Err(AppError::Conflict {
            field: None,
            message: format!(
                "This {title} account is already linked to another SteppersLife account."
            ),
        }),
        None => {
            let mut conn = pool.acquire().await?;
            insert_identity(&mut conn, user_id, id).await
        }
    }
}

//! Staff by invitation, for every app whose places (a restaurant, an event) have an owner who
//! lets others help: the owner makes a single-use link (kept as the SHA-256 of its token, valid
//! for [`INVITE_LIFETIME`]); a signed-in person who opens it joins; the owner removes staff at
//! any time. Each app keeps two tables of its own (see [`Tables`]); the statements are the same.

use chrono::{DateTime, TimeDelta, Utc};
use platform::AppError;
use sqlx::PgPool;
use sso::SessionUser;
use uuid::Uuid;

/// How long an invitation link works.
pub const INVITE_LIFETIME: TimeDelta = TimeDelta::days(7);

/// An app's staff tables. The members table has (`<place>`, user_id, user_name, added_by,
/// added_at); the invitations table (token_hash, `<place>`, created_by, created_at, expires_at,
/// used_by, used_at). Names are the app's constants, never input.
#[derive(Debug, Clone, Copy)]
pub struct Tables {
    pub members: &'static str,
    pub invites: &'static str,
    /// The column naming the place in both (`restaurant_id`).
    pub place_column: &'static str,
    /// The places' table, its owner column and its name column (`restaurants`, `owner_id`,
    /// `name`).
    pub places: &'static str,
    pub owner_column: &'static str,
    pub name_column: &'static str,
}

pub use ui::staff::StaffMember;

/// The link to show for an invitation token just made (the staff page carries it in its URL
/// once), at `join_path` (`/staff/join`) on this app; `None` when there is none, or it is not
/// a token's shape.
pub fn invite_link(state: &crate::AppState, join_path: &str, token: &str) -> Option<String> {
    let token = token.trim();
    (!token.is_empty()
        && token.len() <= 128
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    .then(|| state.url(&format!("{join_path}/{token}")))
}

impl Tables {
    pub async fn members(&self, pool: &PgPool, place: Uuid) -> Result<Vec<StaffMember>, AppError> {
        let rows: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(&format!(
            "select user_id, user_name, added_at from {} where {} = $1 order by added_at",
            self.members, self.place_column
        ))
        .bind(place)
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

    /// Whether `user` is on the staff of `place`.
    pub async fn is_member(
        &self,
        pool: &PgPool,
        place: Uuid,
        user: Uuid,
    ) -> Result<bool, AppError> {
        Ok(sqlx::query_scalar(&format!(
            "select exists (select 1 from {} where {} = $1 and user_id = $2)",
            self.members, self.place_column
        ))
        .bind(place)
        .bind(user)
        .fetch_one(pool)
        .await?)
    }

    /// A new invitation to `place` by `by`; its token (shown once, never stored).
    pub async fn invite(&self, pool: &PgPool, place: Uuid, by: Uuid) -> Result<String, AppError> {
        let (token, token_hash) = platform::token::new();
        sqlx::query(&format!(
            "insert into {} (token_hash, {}, created_by, expires_at) values ($1, $2, $3, $4)",
            self.invites, self.place_column
        ))
        .bind(&token_hash)
        .bind(place)
        .bind(by)
        .bind(Utc::now() + INVITE_LIFETIME)
        .execute(pool)
        .await?;
        Ok(token)
    }

    pub async fn remove(&self, pool: &PgPool, place: Uuid, member: Uuid) -> Result<(), AppError> {
        sqlx::query(&format!(
            "delete from {} where {} = $1 and user_id = $2",
            self.members, self.place_column
        ))
        .bind(place)
        .bind(member)
        .execute(pool)
        .await?;
        Ok(())
    }

    /// The name of the place an invitation is for, while it can be used.
    pub async fn invitation(&self, pool: &PgPool, token: &str) -> Result<Option<String>, AppError> {
        Ok(sqlx::query_scalar(&format!(
            "select p.{name} from {invites} i join {places} p on p.id = i.{place}
             where i.token_hash = $1 and i.used_at is null and i.expires_at > now()",
            name = self.name_column,
            invites = self.invites,
            places = self.places,
            place = self.place_column,
        ))
        .bind(platform::token::sha256_hex(token.as_bytes()))
        .fetch_optional(pool)
        .await?)
    }

    /// Uses the invitation up and adds `user` to the staff, in one transaction: the link is
    /// used up in the same statement that checks it, so two people cannot both use one.
    pub async fn join(
        &self,
        pool: &PgPool,
        token: &str,
        user: &SessionUser,
    ) -> Result<Joined, AppError> {
        let token_hash = platform::token::sha256_hex(token.as_bytes());
        let mut tx = pool.begin().await?;
        let place: Option<Uuid> = sqlx::query_scalar(&format!(
            "update {} set used_by = $2, used_at = now()
             where token_hash = $1 and used_at is null and expires_at > now()
             returning {}",
            self.invites, self.place_column
        ))
        .bind(&token_hash)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(place) = place else {
            return Ok(Joined::Unusable);
        };
        let owner: Uuid = sqlx::query_scalar(&format!(
            "select {} from {} where id = $1",
            self.owner_column, self.places
        ))
        .bind(place)
        .fetch_one(&mut *tx)
        .await?;
        if owner == user.id {
            // Rolled back: the link stays usable.
            return Ok(Joined::Owner);
        }
        sqlx::query(&format!(
            "insert into {members} ({place}, user_id, user_name, added_by)
             select $1, $2, $3, created_by from {invites} where token_hash = $4
             on conflict ({place}, user_id) do nothing",
            members = self.members,
            invites = self.invites,
            place = self.place_column,
        ))
        .bind(place)
        .bind(user.id)
        .bind(&user.name)
        .bind(&token_hash)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Joined::Member(place))
    }
}

/// What using an invitation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// The user is on the place's staff (now, or already was).
    Member(Uuid),
    /// Expired, used, or no such invitation.
    Unusable,
    /// The owner opened their own link: nothing changed, the link still works.
    Owner,
}

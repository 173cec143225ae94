use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::sync::Arc;

use http::{HeaderMap, request::Parts};
use platform::AppError;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::session::{Id, Record};
use uuid::Uuid;

use crate::SessionSettings;

/// Session key under which the portal stores the signed-in [`SessionUser`].
pub const USER_KEY: &str = "user";

/// Who is signed in, as the portal wrote it into the session at sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// The portal's user id; apps key ownership by it.
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// Suite-wide role: `member` or `admin`.
    pub role: String,
    /// Unix seconds of the sign-in; the absolute lifetime counts from it.
    pub signed_in_at: i64,
    /// Whether its owner chose "Keep me signed in": the longer lifetimes apply
    /// ([`SessionSettings::idle_for`]).
    #[serde(default)]
    pub kept: bool,
}

impl SessionUser {
    pub fn is_admin(&self) -> bool {
        self.role == "admin"
    }
}

/// A session's idle deadline is moved on at most this often (one write per session per few
/// minutes of use, in whichever app).
pub const EXTEND_EVERY: Duration = Duration::from_secs(300);

/// Whether a session with idle lifetime `idle`, whose deadline is `deadline`, was last moved on
/// more than [`EXTEND_EVERY`] ago.
fn needs_extending(
    deadline: time::OffsetDateTime,
    now: time::OffsetDateTime,
    idle: Duration,
) -> bool {
    let left = deadline - now;
    let due = idle.saturating_sub(EXTEND_EVERY);
    left < time::Duration::try_from(due).unwrap_or(time::Duration::MAX)
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The signed-in user of one request, looked up at most once however many parts of the request
/// ask (the sign-in gate, the header, a server function): the app kit puts an empty slot into
/// every request's extensions; [`SessionReader::user_of`] fills it on first use.
#[derive(Debug, Clone, Default)]
pub struct UserSlot(Arc<tokio::sync::OnceCell<Option<SessionUser>>>);

impl UserSlot {
    /// Whether the request's user was looked up: its answer then depends on who sent it, and
    /// no shared cache may keep it.
    pub fn was_read(&self) -> bool {
        self.0.initialized()
    }
}

/// Reads the shared session. Every app holds one, built on a pool whose role may only `SELECT`
/// from the session table: it has no way to write.
#[derive(Debug, Clone)]
pub struct SessionReader {
    store: crate::SuiteStore,
    settings: SessionSettings,
}

impl SessionReader {
    pub fn new(pool: PgPool, settings: SessionSettings) -> Self {
        Self {
            store: crate::SuiteStore::new(pool),
            settings,
        }
    }

    pub fn settings(&self) -> &SessionSettings {
        &self.settings
    }

    /// The session id the request's cookie names, if it is well-formed and the only one: a
    /// request with two session cookies (one tossed in by a sibling host) is nobody's.
    pub fn session_id(&self, headers: &HeaderMap) -> Option<Id> {
        let mut found = session_cookies(headers, &self.settings.cookie_name);
        match (found.next(), found.next()) {
            (Some(value), None) => value.parse().ok(),
            _ => None,
        }
    }

    /// The signed-in user of a request, or `None` (no cookie, unknown or expired session,
    /// absolute lifetime passed, nobody signed in in it).
    ///
    /// Using a session in any app keeps it alive: when its idle deadline is more than a few
    /// minutes old, it is moved on (through a database function that only ever extends a
    /// session that still exists: a session ended meanwhile stays ended).
    pub async fn user(&self, headers: &HeaderMap) -> Result<Option<SessionUser>, AppError> {
        let Some(id) = self.session_id(headers) else {
            return Ok(None);
        };
        let Some((record, deadline)) = self
            .store
            .load_with_deadline(&id)
            .await
            .map_err(AppError::from)?
        else {
            return Ok(None);
        };
        let Some(user) = self.user_in(&record) else {
            return Ok(None);
        };
        let idle = self.settings.idle_for(user.kept);
        if needs_extending(deadline, time::OffsetDateTime::now_utc(), idle)
            && let Err(e) = self.store.extend(&id, idle).await
        {
            // The session still works until its deadline; the next request tries again.
            tracing::warn!(error = %e, "could not extend a session's idle deadline");
        }
        Ok(Some(user))
    }

    /// The signed-in user of the request whose parts these are: from its [`UserSlot`] when the
    /// request has one (looked up once, then remembered), else looked up now.
    pub async fn user_of(&self, parts: &Parts) -> Result<Option<SessionUser>, AppError> {
        match parts.extensions.get::<UserSlot>() {
            Some(slot) => slot
                .0
                .get_or_try_init(|| self.user(&parts.headers))
                .await
                .cloned(),
            None => self.user(&parts.headers).await,
        }
    }

    /// The user of a loaded session record, if its absolute lifetime has not passed.
    pub fn user_in(&self, record: &Record) -> Option<SessionUser> {
        let value = record.data.get(USER_KEY)?.clone();
        let user: SessionUser = serde_json::from_value(value).ok()?;
        self.within_lifetime(&user).then_some(user)
    }

    /// The user of the portal's own tower-sessions `Session`, if within the absolute lifetime.
    pub async fn user_in_session(&self, session: &tower_sessions::Session) -> Option<SessionUser> {
        let user: SessionUser = session.get(USER_KEY).await.ok().flatten()?;
        self.within_lifetime(&user).then_some(user)
    }

    /// Whether `user`'s sign-in is younger than its absolute lifetime.
    pub fn within_lifetime(&self, user: &SessionUser) -> bool {
        let age = now_unix().saturating_sub(user.signed_in_at);
        age >= 0 && Duration::from_secs(age.unsigned_abs()) < self.settings.absolute_for(user.kept)
    }

    /// Unix seconds now, as used for `signed_in_at`.
    pub fn now() -> i64 {
        now_unix()
    }
}

/// The values of every cookie named `name` in the request.
pub fn session_cookies<'h>(
    headers: &'h HeaderMap,
    name: &'h str,
) -> impl Iterator<Item = String> + 'h {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .filter(move |c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Removes every cookie named `name` from the request when it carries more than one, so that
/// the session layer and [`SessionReader`] alike see a visitor: which of two session cookies is
/// meant cannot be known (browsers send longer paths first, and a sibling host can set one for
/// any path), and picking either lets someone else's session act for the person.
pub fn drop_ambiguous_session_cookies(headers: &mut HeaderMap, name: &str) -> bool {
    if session_cookies(headers, name).count() < 2 {
        return false;
    }
    let kept: Vec<String> = headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.split_once('=').is_none_or(|(n, _)| n.trim() != name))
        .map(str::to_owned)
        .collect();
    headers.remove(http::header::COOKIE);
    if !kept.is_empty()
        && let Ok(v) = http::HeaderValue::from_str(&kept.join("; "))
    {
        headers.insert(http::header::COOKIE, v);
    }
    true
}

#[cfg(test)]
mod cookie_tests {
    use super::*;

    #[test]
    fn two_session_cookies_are_both_dropped_and_other_cookies_kept() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("sl_session=a; sl_device=d; sl_session=b"),
        );
        assert!(drop_ambiguous_session_cookies(&mut h, "sl_session"));
        assert_eq!(h[http::header::COOKIE], "sl_device=d");

        let mut one = HeaderMap::new();
        one.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("sl_session=a; x=1"),
        );
        assert!(!drop_ambiguous_session_cookies(&mut one, "sl_session"));
        assert_eq!(one[http::header::COOKIE], "sl_session=a; x=1");
    }
}

#[cfg(test)]
mod lifetime_tests {
    use super::*;

    #[test]
    fn a_deadline_is_moved_on_only_when_it_is_a_few_minutes_old() {
        let now = time::OffsetDateTime::now_utc();
        let idle = Duration::from_secs(30 * 60);
        assert!(!needs_extending(
            now + time::Duration::minutes(30),
            now,
            idle
        ));
        assert!(!needs_extending(
            now + time::Duration::minutes(26),
            now,
            idle
        ));
        assert!(needs_extending(
            now + time::Duration::minutes(24),
            now,
            idle
        ));
        assert!(needs_extending(now + time::Duration::seconds(5), now, idle));
    }
}

use std::time::Duration;

use platform::{
    config::{self, ConfigError},
    suite::Suite,
};
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore, cookie::SameSite};

const DAY: u64 = 24 * 3600;
/// The longest idle lifetime a kept session may have: the database function through which the
/// apps extend a session's idle deadline (portal migration 0007) extends it no further.
pub const MAX_KEPT_IDLE_DAYS: u64 = 30;

/// The one session cookie definition and the lifetimes, shared by every app.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// Cookie name. Over https it carries the `__Secure-` prefix.
    pub cookie_name: String,
    /// `Domain` attribute; `None` makes a host-only cookie.
    pub domain: Option<String>,
    pub secure: bool,
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute: Duration,
    /// The same two for a session its owner chose to keep ("Keep me signed in" on their own
    /// device): they sign in again at least this often.
    pub kept_idle: Duration,
    pub kept_absolute: Duration,
}

impl SessionSettings {
    /// From the suite's domain and scheme plus the lifetimes, whose defaults are OWASP ASVS 4.0
    /// level 2's (3.3.2): `SESSION_IDLE_MINUTES` (30) and `SESSION_ABSOLUTE_HOURS` (12); for a
    /// session kept on purpose, `SESSION_KEPT_IDLE_DAYS` (14) and `SESSION_KEPT_ABSOLUTE_DAYS`
    /// (30). `SESSION_HOST_ONLY=true` drops the `Domain` attribute (single-host setups).
    pub fn from_env(suite: &Suite) -> Result<Self, ConfigError> {
        let idle_minutes: u64 = config::parse_or("SESSION_IDLE_MINUTES", 30)?;
        let absolute_hours: u64 = config::parse_or("SESSION_ABSOLUTE_HOURS", 12)?;
        let kept_idle_days: u64 = config::parse_or("SESSION_KEPT_IDLE_DAYS", 14)?;
        let kept_absolute_days: u64 = config::parse_or("SESSION_KEPT_ABSOLUTE_DAYS", 30)?;
        let host_only: bool = config::parse_or("SESSION_HOST_ONLY", false)?;
        if [
            idle_minutes,
            absolute_hours,
            kept_idle_days,
            kept_absolute_days,
        ]
        .contains(&0)
        {
            return Err(ConfigError::invalid(
                "SESSION_IDLE_MINUTES/SESSION_ABSOLUTE_HOURS/SESSION_KEPT_*",
                "must be greater than zero",
            ));
        }
        if kept_idle_days > MAX_KEPT_IDLE_DAYS {
            return Err(ConfigError::invalid(
                "SESSION_KEPT_IDLE_DAYS",
                format!("at most {MAX_KEPT_IDLE_DAYS}"),
            ));
        }
        let mut settings = Self::new(
            suite,
            Duration::from_secs(idle_minutes * 60),
            Duration::from_secs(absolute_hours * 3600),
            host_only,
        );
        settings.kept_idle = Duration::from_secs(kept_idle_days * DAY);
        settings.kept_absolute = Duration::from_secs(kept_absolute_days * DAY);
        Ok(settings)
    }

    /// How long a session may go unused, kept or not.
    pub fn idle_for(&self, kept: bool) -> Duration {
        if kept { self.kept_idle } else { self.idle }
    }

    /// How long after sign-in a session ends however active, kept or not.
    pub fn absolute_for(&self, kept: bool) -> Duration {
        if kept {
            self.kept_absolute
        } else {
            self.absolute
        }
    }

    pub fn new(suite: &Suite, idle: Duration, absolute: Duration, host_only: bool) -> Self {
        let secure = suite.is_https();
        Self {
            cookie_name: if secure {
                "__Secure-sl_session"
            } else {
                "sl_session"
            }
            .to_owned(),
            domain: (!host_only).then(|| suite.cookie_domain()),
            secure,
            idle,
            absolute,
            kept_idle: Duration::from_secs(14 * DAY),
            kept_absolute: Duration::from_secs(30 * DAY),
        }
    }

    /// The tower-sessions layer. Only the portal uses it: it is the only writer.
    pub fn layer<S: SessionStore + Clone>(&self, store: S) -> SessionManagerLayer<S> {
        let idle = time::Duration::try_from(self.idle).unwrap_or(time::Duration::days(14));
        let mut layer = SessionManagerLayer::new(store)
            .with_name(self.cookie_name.clone())
            .with_path("/")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(self.secure)
            .with_expiry(Expiry::OnInactivity(idle));
        if let Some(domain) = &self.domain {
            layer = layer.with_domain(domain.clone());
        }
        layer
    }
}

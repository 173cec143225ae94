use std::time::Duration;

use platform::{
    config::{self, ConfigError},
    suite::Suite,
};
use tower_sessions::{Expiry, SessionManagerLayer, SessionStore, cookie::SameSite};

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
}

impl SessionSettings {
    /// From the suite's domain and scheme plus `SESSION_IDLE_MINUTES` (default 14 days) and
    /// `SESSION_ABSOLUTE_HOURS` (default 30 days). `SESSION_HOST_ONLY=true` drops the `Domain`
    /// attribute (single-host setups).
    pub fn from_env(suite: &Suite) -> Result<Self, ConfigError> {
        let idle_minutes: u64 = config::parse_or("SESSION_IDLE_MINUTES", 14 * 24 * 60)?;
        let absolute_hours: u64 = config::parse_or("SESSION_ABSOLUTE_HOURS", 30 * 24)?;
        let host_only: bool = config::parse_or("SESSION_HOST_ONLY", false)?;
        if idle_minutes == 0 || absolute_hours == 0 {
            return Err(ConfigError::invalid(
                "SESSION_IDLE_MINUTES/SESSION_ABSOLUTE_HOURS",
                "must be greater than zero",
            ));
        }
        Ok(Self::new(
            suite,
            Duration::from_secs(idle_minutes * 60),
            Duration::from_secs(absolute_hours * 3600),
            host_only,
        ))
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

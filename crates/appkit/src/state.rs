//! The app's state: one `Arc`, cloned once per request, handed to pages, server functions and
//! plain axum routes alike.

use std::{any::Any, ops::Deref, sync::Arc};

use axum::extract::FromRef;
use leptos::prelude::*;
use platform::{AppError, suite::Suite};
use sqlx::PgPool;
use sso::{SessionReader, SessionUser};
use storage::Storage;

/// Everything an app's handlers share. Cheap to clone.
#[derive(Clone)]
pub struct AppState(pub(crate) Arc<Inner>);

/// What [`AppState`] holds.
pub struct Inner {
    /// The app's name in the manifest.
    pub app: &'static str,
    /// The app's own database.
    pub pool: PgPool,
    pub suite: Arc<Suite>,
    /// This app's public origin (`https://restaurants.stepperslife.com`), computed once.
    pub origin: String,
    /// The shared session, read-only.
    pub sessions: SessionReader,
    pub leptos_options: LeptosOptions,
    /// The proxies whose `X-Real-IP` is believed (see [`crate::Config::trusted_proxies`]).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The app's mail outbox: queue with [`mail::enqueue`] in the transaction that causes the
    /// message, then [`mail::Outbox::wake`] once it has committed.
    pub outbox: mail::Outbox,
    /// The app's metrics (`GET /metrics`).
    pub metrics: crate::metrics::Metrics,
    pub(crate) storage: Option<Storage>,
    pub(crate) payments: Option<payments::Stripe>,
    pub(crate) ext: Box<dyn Any + Send + Sync>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("app", &self.app).finish()
    }
}

impl AppState {
    /// The app's bucket (apps that declared one).
    pub fn storage(&self) -> Result<&Storage, AppError> {
        self.storage
            .as_ref()
            .ok_or_else(|| AppError::internal(format!("{} has no bucket", self.app)))
    }

    /// The payment provider's client (apps that take payments).
    pub fn payments(&self) -> Result<&payments::Stripe, AppError> {
        self.payments
            .as_ref()
            .ok_or_else(|| AppError::internal(format!("{} takes no payments", self.app)))
    }

    /// The app's own part of the state (`AppDef::ext`), e.g. the portal's sign-in providers.
    pub fn ext<T: Any>(&self) -> Result<&T, AppError> {
        self.ext.downcast_ref::<T>().ok_or_else(|| {
            AppError::internal(format!(
                "{} has no state of type {}",
                self.app,
                std::any::type_name::<T>()
            ))
        })
    }

    /// The absolute URL of `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The portal's sign-in page, coming back to `path` on this app.
    pub fn sign_in_url(&self, path: &str) -> String {
        platform::sign_in_url(&self.suite.portal(), &self.url(path))
    }

    /// The client's address: the `X-Real-IP` set by a trusted proxy when the request came
    /// through one, else the peer's address.
    pub fn client_ip(&self, parts: &http::request::Parts) -> String {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        let via_proxy = peer.is_some_and(|p| {
            let p = match p {
                std::net::IpAddr::V6(v6) => {
                    v6.to_ipv4_mapped().map(std::net::IpAddr::V4).unwrap_or(p)
                }
                v4 => v4,
            };
            self.trusted_proxies.contains(&p)
        });
        if via_proxy
            && let Some(ip) = parts
                .headers
                .get("x-real-ip")
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        {
            return ip.chars().take(64).collect();
        }
        peer.map(|p| p.to_string()).unwrap_or_default()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

impl FromRef<AppState> for SessionReader {
    fn from_ref(s: &AppState) -> Self {
        s.sessions.clone()
    }
}

impl FromRef<AppState> for PgPool {
    fn from_ref(s: &AppState) -> Self {
        s.pool.clone()
    }
}

impl FromRef<AppState> for Arc<Suite> {
    fn from_ref(s: &AppState) -> Self {
        s.suite.clone()
    }
}

/// The app's state, inside a server function or a component rendered on the server.
pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("no AppState in context"))
}

/// Who sent the request being served (looked up once per request), inside a server function
/// or a component rendered on the server.
pub async fn user() -> Result<Option<SessionUser>, AppError> {
    let state = state()?;
    let parts: http::request::Parts = leptos_axum::extract().await.map_err(AppError::internal)?;
    state.sessions.user_of(&parts).await
}

/// The state and the signed-in user; 401 when nobody is signed in.
pub async fn require_user() -> Result<(AppState, SessionUser), AppError> {
    let user = user().await?.ok_or(AppError::Unauthorized)?;
    Ok((state()?, user))
}

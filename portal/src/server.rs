//! The portal's server: configuration, state, router.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use api::{
    client::AppClient,
    restaurants::{RestaurantQuery, RestaurantSummary},
};
use axum::{
    Router,
    extract::{ConnectInfo, FromRef, Request},
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
};
use http::request::Parts;
use leptos::prelude::*;
use platform::{AppError, config, suite::Suite};
use sqlx::PgPool;
use sso::{Session, SessionReader, SessionSettings, SessionUser, SuiteStore};
use ui::NavContext;

use crate::{
    app::{App, shell},
    home::{HomeFeed, Section},
};

/// Session key of the last time this session was seen (unix seconds); refreshing it every few
/// minutes extends the idle lifetime.
pub const SEEN_KEY: &str = "seen";
const TOUCH_EVERY_SECS: i64 = 300;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything read from the environment at start.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub site_root: String,
    pub suite: Suite,
    pub sessions: SessionSettings,
    /// Trust `X-Forwarded-For`/`X-Real-IP` from the proxy in front (nginx).
    pub trust_proxy: bool,
    /// Where the portal reaches the restaurants app (server to server).
    pub restaurants_internal_url: String,
    /// Deadline of each app call made for the home page.
    pub aggregate_timeout: Duration,
    /// Create the demo account (idempotent).
    pub seed_demo: bool,
    /// OAuth2 / OIDC sign-in providers.
    pub providers: Vec<crate::oauth::ssr::ProviderConfig>,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let suite = Suite::from_env()?;
        let port = suite.manifest.app("portal").map_or(3001, |a| a.port);
        let restaurants_port = suite.manifest.app("restaurants").map_or(3010, |a| a.port);
        Ok(Self {
            database_url: config::var("DATABASE_URL")?,
            bind: config::parse_or("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], port)))?,
            site_root: config::var_or("SITE_ROOT", "site/portal"),
            sessions: SessionSettings::from_env(&suite)?,
            trust_proxy: config::parse_or("TRUST_PROXY", false)?,
            restaurants_internal_url: config::var_or(
                "RESTAURANTS_INTERNAL_URL",
                &format!("http://127.0.0.1:{restaurants_port}"),
            ),
            aggregate_timeout: Duration::from_millis(config::parse_or(
                "AGGREGATE_TIMEOUT_MS",
                1500,
            )?),
            seed_demo: config::parse_or("SEED_DEMO", false)?,
            providers: crate::oauth::ssr::providers_from_env()?,
            suite,
        })
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub pool: PgPool,
    pub suite: Arc<Suite>,
    pub sessions: SessionReader,
    pub store: SuiteStore,
    pub leptos_options: LeptosOptions,
    pub aggregator: Aggregator,
    pub providers: crate::oauth::ssr::Providers,
    pub trust_proxy: bool,
}

/// The client address: the proxy's `X-Real-IP` when configured to trust it, else the peer.
pub fn client_ip(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(ip) = parts
            .headers
            .get("x-real-ip")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return ip.chars().take(64).collect();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

/// For server functions: the state and the signed-in user, or 401.
pub async fn require_user() -> Result<(AppState, SessionUser), AppError> {
    let state = use_context::<AppState>().ok_or_else(|| AppError::internal("no AppState"))?;
    Ok((state, ui::require_user().await?))
}

/// After a failed call, sections are served from their last good copy without calling the app
/// again for this long, so that an app that hangs does not slow every page down.
const RETRY_AFTER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Slot<T> {
    /// The last good answer and when it came.
    good: Option<(Instant, T)>,
    /// When the last call failed (cleared by a good one).
    failed_at: Option<Instant>,
}

/// A section's last good copy.
#[derive(Clone)]
struct Cached<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T: Clone> Cached<T> {
    fn new() -> Self {
        Self {
            slot: Arc::new(Mutex::new(Slot {
                good: None,
                failed_at: None,
            })),
        }
    }

    fn fallback(&self) -> Section<T> {
        match self.slot.lock().ok().and_then(|s| s.good.clone()) {
            Some((at, data)) => Section::Stale {
                data,
                age_secs: at.elapsed().as_secs(),
            },
            None => Section::Unavailable,
        }
    }

    /// Runs `fetch` within `timeout`; keeps a good answer, and falls back to the last one.
    async fn get<E: std::fmt::Display>(
        &self,
        what: &str,
        timeout: Duration,
        fetch: impl Future<Output = Result<T, E>>,
    ) -> Section<T> {
        let recently_failed = self
            .slot
            .lock()
            .ok()
            .and_then(|s| s.failed_at.filter(|_| s.good.is_some()))
            .is_some_and(|at| at.elapsed() < RETRY_AFTER);
        if recently_failed {
            return self.fallback();
        }
        match tokio::time::timeout(timeout, fetch).await {
            Ok(Ok(data)) => {
                if let Ok(mut slot) = self.slot.lock() {
                    slot.good = Some((Instant::now(), data.clone()));
                    slot.failed_at = None;
                }
                Section::Fresh(data)
            }
            outcome => {
                match outcome {
                    Ok(Err(e)) => tracing::warn!(section = what, error = %e, "app call failed"),
                    _ => tracing::warn!(section = what, "app call timed out"),
                }
                if let Ok(mut slot) = self.slot.lock() {
                    slot.failed_at = Some(Instant::now());
                }
                self.fallback()
            }
        }
    }
}

/// Builds the home page from every app's public API: concurrently, each call with a short
/// deadline, each section falling back to its last good copy. One app down never takes the
/// page down.
#[derive(Clone)]
pub struct Aggregator {
    timeout: Duration,
    restaurants: AppClient,
    restaurants_url: String,
    featured_cache: Cached<Vec<RestaurantSummary>>,
    newest_cache: Cached<Vec<RestaurantSummary>>,
}

impl Aggregator {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let http = AppClient::http(config.aggregate_timeout);
        Ok(Self {
            timeout: config.aggregate_timeout,
            restaurants: AppClient::new(http, &config.restaurants_internal_url)?,
            restaurants_url: format!("{}/", config.suite.origin_of("restaurants")),
            featured_cache: Cached::new(),
            newest_cache: Cached::new(),
        })
    }

    /// The restaurants app's client (for calls made on a user's behalf).
    pub fn restaurants(&self) -> &AppClient {
        &self.restaurants
    }

    pub async fn feed(&self, request_id: Option<&str>) -> HomeFeed {
        let featured = RestaurantQuery {
            featured: true,
            limit: Some(6),
        };
        let newest = RestaurantQuery {
            featured: false,
            limit: Some(6),
        };
        // Each further app adds its sections to this join.
        let (featured_restaurants, new_restaurants) = tokio::join!(
            self.featured_cache
                .get("restaurants.featured", self.timeout, async {
                    self.restaurants
                        .restaurants(&featured, request_id)
                        .await
                        .map(|l| l.restaurants)
                }),
            self.newest_cache
                .get("restaurants.newest", self.timeout, async {
                    self.restaurants
                        .restaurants(&newest, request_id)
                        .await
                        .map(|l| l.restaurants)
                }),
        );
        HomeFeed {
            restaurants_url: self.restaurants_url.clone(),
            featured_restaurants,
            new_restaurants,
        }
    }
}

/// Refreshes the session's idle deadline every few minutes of activity, and its "last seen".
async fn touch_session(session: Session, req: Request, next: Next) -> Response {
    // Static files and probes do not count as activity (and need no session lookup).
    let path = req.uri().path();
    if path.starts_with("/pkg/") || path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let now = SessionReader::now();
    if let Ok(Some(seen)) = session.get::<i64>(SEEN_KEY).await
        && now - seen > TOUCH_EVERY_SECS
        && session.insert(SEEN_KEY, now).await.is_ok()
        && let Some(id) = session.id()
        && let Some(pool) = req.extensions().get::<PgPool>().cloned()
    {
        let _ = sqlx::query("update user_sessions set last_seen_at = now() where session_id = $1")
            .bind(id.to_string())
            .execute(&pool)
            .await;
    }
    next.run(req).await
}

/// The demo account (`demo@stepperslife.com` / `stepperslife-demo`), which owns the apps' demo
/// content. Idempotent.
pub async fn seed_demo(pool: &PgPool) -> anyhow::Result<()> {
    let exists: bool = sqlx::query_scalar("select exists(select 1 from users where id = $1)")
        .bind(sso::DEMO_USER_ID)
        .fetch_one(pool)
        .await?;
    if exists {
        return Ok(());
    }
    let password = crate::auth::ssr::NewPassword::parse("stepperslife-demo")?;
    let hash = crate::auth::ssr::hash_password(password).await?;
    sqlx::query(
        "insert into users (id, email, name, password_hash) values ($1, $2, $3, $4)
         on conflict do nothing",
    )
    .bind(sso::DEMO_USER_ID)
    .bind("demo@stepperslife.com")
    .bind("Demo Owner")
    .bind(hash)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sign-in attempts matter for the rate limit's window only; older ones are deleted hourly.
/// Safe in several instances at once (the delete is idempotent).
async fn forget_old_login_attempts(pool: PgPool, period: Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        if let Err(e) =
            sqlx::query("delete from login_attempts where created_at < now() - interval '1 day'")
                .execute(&pool)
                .await
        {
            tracing::warn!(error = %e, "could not delete old sign-in attempts; will retry");
        }
    }
}

/// Connects, migrates and builds the router.
pub async fn build(config: Config) -> anyhow::Result<(Router, AppState)> {
    let pool = platform::db::connect(&config.database_url, 10).await?;
    platform::db::migrate(&pool, &MIGRATOR).await?;
    if config.seed_demo {
        seed_demo(&pool).await?;
    }

    let leptos_options = ui::server::leptos_options(&config.site_root, config.bind);
    let suite = Arc::new(config.suite.clone());
    let store = SuiteStore::new(pool.clone());
    let state = AppState {
        sessions: SessionReader::new(pool.clone(), config.sessions.clone()),
        store: store.clone(),
        aggregator: Aggregator::new(&config)?,
        providers: crate::oauth::ssr::Providers::new(config.providers.clone()),
        leptos_options: leptos_options.clone(),
        trust_proxy: config.trust_proxy,
        suite: suite.clone(),
        pool: pool.clone(),
    };

    let nav = NavContext {
        app: "portal",
        suite: suite.clone(),
        sessions: state.sessions.clone(),
    };
    let health_pool = pool.clone();
    let routes = Router::new()
        .route("/signout", post(crate::auth::ssr::sign_out))
        .route("/auth/{provider}/start", get(crate::oauth::ssr::start))
        .route(
            "/auth/{provider}/callback",
            get(crate::oauth::ssr::callback),
        );
    let router = ui::server::with_pages(routes, &state, nav, App, shell)
        .layer(middleware::from_fn(touch_session))
        .layer(axum::Extension(pool.clone()))
        .layer(config.sessions.layer(store))
        .layer(middleware::from_fn_with_state(
            suite,
            sso::origin::require_suite_origin,
        ))
        .with_state(state.clone())
        .merge(platform::health::routes(vec![(
            "database",
            platform::health::check(move || {
                let pool = health_pool.clone();
                async move { platform::db::ping(&pool).await }
            }),
        )]));
    let router = platform::telemetry::layer(router);

    tokio::spawn(sso::delete_expired_loop(
        pool.clone(),
        Duration::from_secs(600),
    ));
    tokio::spawn(forget_old_login_attempts(pool, Duration::from_secs(3600)));
    Ok((router, state))
}

/// Serves until SIGINT/SIGTERM. `bind` may have port 0; the bound address is returned through
/// `on_bound` before serving.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let bind = config.bind;
    let (router, _) = build(config).await?;
    platform::serve::serve("portal", router, bind, shutdown, on_bound).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_section_falls_back_to_its_last_good_copy_and_lets_a_failing_app_rest() {
        let cached = Cached::<Vec<u32>>::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let ok = |v: Vec<u32>| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, String>(v)
            }
        };
        let down = || {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<Vec<u32>, _>("connection refused".to_owned())
            }
        };
        let t = Duration::from_millis(200);

        assert_eq!(cached.get("x", t, down()).await, Section::Unavailable);
        assert_eq!(
            cached.get("x", t, ok(vec![1, 2])).await,
            Section::Fresh(vec![1, 2])
        );
        assert!(
            matches!(cached.get("x", t, down()).await, Section::Stale { data, .. } if data == vec![1, 2])
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // Within RETRY_AFTER of a failure the app is not called again.
        assert!(matches!(
            cached.get("x", t, down()).await,
            Section::Stale { .. }
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        // A hanging app costs at most the timeout.
        let slow = Cached::<u32>::new();
        let started = Instant::now();
        let res = slow.get("y", t, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, String>(1)
        });
        assert_eq!(res.await, Section::Unavailable);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

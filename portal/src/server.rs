//! The portal's server: what it is made of. It keeps the suite's sessions (the only writer),
//! signs people in, and builds the home page from the apps' APIs; the rest is the app kit's.

use std::{collections::BTreeMap, time::Duration};

use api::client::AppClient;
use axum::{
    extract::Request,
    middleware::{self, Next},
    response::Response,
    routing::{get, post},
};
use platform::{AppError, config};
use sqlx::PgPool;
use sso::{Session, SessionReader, SuiteStore};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Session key of the last time this session was seen (unix seconds); refreshing it every few
/// minutes extends the idle lifetime.
pub const SEEN_KEY: &str = "seen";
const TOUCH_EVERY_SECS: i64 = 300;

/// The portal's own settings, beyond what every app has.
#[derive(Debug, Clone)]
pub struct Settings {
    /// OAuth2 / OIDC sign-in providers.
    pub providers: Vec<crate::oauth::ssr::ProviderConfig>,
    /// `AGGREGATE_TIMEOUT_MS`: deadline of each app call made for the home page.
    pub aggregate_timeout: Duration,
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        Ok(Self {
            providers: crate::oauth::ssr::providers_from_env()?,
            aggregate_timeout: Duration::from_millis(config::parse_or(
                "AGGREGATE_TIMEOUT_MS",
                1500,
            )?),
        })
    }
}

/// The portal's part of the state.
pub struct Portal {
    /// The session store: the portal is the only one that writes sessions.
    pub store: SuiteStore,
    pub aggregator: crate::home::feed::Aggregator,
    pub providers: crate::oauth::ssr::Providers,
    /// A client for every enabled app (at its internal URL), for calls made on a user's behalf.
    pub apps: BTreeMap<String, AppClient>,
}

impl Portal {
    /// The client of `app`; 503 when it is not enabled.
    pub fn app(&self, app: &str) -> Result<&AppClient, AppError> {
        self.apps
            .get(app)
            .ok_or_else(|| AppError::Unavailable(format!("{app} is not part of this suite.")))
    }
}

/// The portal's part of `state`.
pub fn portal(state: &appkit::AppState) -> Result<&Portal, AppError> {
    state.ext::<Portal>()
}

/// The portal.
pub fn app(settings: Settings) -> appkit::AppDef {
    let form_targets = settings
        .providers
        .iter()
        .filter_map(|p| p.kind.authorization_origin())
        .collect::<Vec<_>>();
    let mut def = appkit::AppDef::new("portal", &MIGRATOR);
    // "Link" posts a form that redirects to the provider.
    for origin in form_targets {
        def = def.form_target(origin);
    }
    def.pages(crate::app::App)
        .owns_sessions()
        .routes(
            axum::Router::new()
                .route("/signout", post(crate::auth::ssr::sign_out))
                .route("/auth/{provider}/start", get(crate::oauth::ssr::start))
                .route(
                    "/auth/{provider}/link",
                    axum::routing::post(crate::oauth::ssr::link),
                )
                .route(
                    "/auth/{provider}/callback",
                    get(crate::oauth::ssr::callback),
                ),
        )
        .ext(move |cfg, pool| {
            let http = AppClient::http(settings.aggregate_timeout);
            let mut apps = BTreeMap::new();
            for (app, url) in &cfg.internal_urls {
                apps.insert(
                    app.clone(),
                    AppClient::new(http.clone(), url, &cfg.suite.origin_of(app))?,
                );
            }
            Ok(Portal {
                store: SuiteStore::new(pool.clone()),
                aggregator: crate::home::feed::Aggregator::new(
                    cfg,
                    &apps,
                    settings.aggregate_timeout,
                ),
                providers: crate::oauth::ssr::Providers::new(settings.providers),
                apps,
            })
        })
        .layer(|router, state| {
            let store = portal(state).map(|p| p.store.clone());
            let router = router
                .layer(middleware::from_fn(touch_session))
                .layer(axum::Extension(state.pool.clone()))
                .layer(axum::Extension(state.sessions.settings().clone()));
            match store {
                Ok(store) => router.layer(state.sessions.settings().layer(store)),
                Err(_) => router,
            }
        })
        .job("expired sessions", Duration::from_secs(600), |state| {
            Box::pin(async move {
                sso::delete_expired(&state.pool).await?;
                Ok(())
            })
        })
        .job("old sign-in attempts", Duration::from_secs(3600), |state| {
            Box::pin(async move {
                crate::auth::db::forget_old_attempts(&state.pool).await?;
                crate::auth::db::forget_expired_signups(&state.pool).await?;
                crate::auth::db::forget_old_events(&state.pool).await
            })
        })
        .seed(|state| {
            Box::pin(async move { crate::auth::ssr::seed_demo_account(&state.pool).await })
        })
}

/// Refreshes the session's idle deadline every few minutes of activity, and its "last seen".
/// A session saved during the request (refreshed here, or changed by a handler) keeps the idle
/// lifetime of its kind, kept or not: tower-sessions would count the layer's default otherwise.
/// (Setting it marks the session changed, so it is set only when the session is saved anyway.)
async fn touch_session(session: Session, req: Request, next: Next) -> Response {
    let settings = req.extensions().get::<sso::SessionSettings>().cloned();
    let now = SessionReader::now();
    if let Ok(Some(seen)) = session.get::<i64>(SEEN_KEY).await
        && now - seen > TOUCH_EVERY_SECS
        && session.insert(SEEN_KEY, now).await.is_ok()
        && let Some(id) = session.id()
        && let Some(pool) = req.extensions().get::<PgPool>().cloned()
    {
        crate::account::ssr::touch(&pool, &sso::stored_id(&id)).await;
    }
    let res = next.run(req).await;
    if session.is_modified()
        && let Ok(Some(user)) = session.get::<sso::SessionUser>(sso::USER_KEY).await
        && let Some(settings) = settings
    {
        let idle = settings.idle_for(user.kept).as_secs();
        sso::expire_after_inactivity(&session, i64::try_from(idle).unwrap_or(i64::MAX));
    }
    res
}

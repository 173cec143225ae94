//! An app's definition — its name, migrations, pages, routes, sign-in paths, seed and jobs — and
//! the one way every app is built and served from it.

use std::{any::Any, sync::Arc, time::Duration};

use axum::{Router, middleware};
use futures::future::BoxFuture;
use leptos::prelude::*;
use platform::{config::ConfigError, serve::Listener};
use secrecy::ExposeSecret;
use sqlx::{PgPool, migrate::Migrator};
use sso::SessionReader;
use storage::Storage;
use ui::NavContext;

use crate::{
    AppState, Bind, Config,
    jobs::{Job, JobFn},
    pages::{Root, pkg_routes, with_pages},
    state::Inner,
};

/// What the demo seed does, given the built state (idempotent; under a lock).
pub type SeedFn = fn(AppState) -> BoxFuture<'static, anyhow::Result<()>>;

type ExtFn = Box<dyn FnOnce(&Config, &PgPool) -> anyhow::Result<Box<dyn Any + Send + Sync>> + Send>;
type LayerFn = Box<dyn FnOnce(Router<AppState>, &AppState) -> Router<AppState> + Send>;

/// An app of the suite, as its server file declares it.
pub struct AppDef {
    name: &'static str,
    migrator: &'static Migrator,
    root: Option<Root>,
    sign_in: &'static [&'static str],
    public_api: Router<AppState>,
    routes: Router<AppState>,
    webhooks: Router<AppState>,
    bucket: bool,
    owns_sessions: bool,
    payments: bool,
    seed: Option<SeedFn>,
    jobs: Vec<Job>,
    layers: Vec<LayerFn>,
    ext: Option<ExtFn>,
    form_targets: Vec<String>,
}

impl std::fmt::Debug for AppDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppDef").field("name", &self.name).finish()
    }
}

/// A built app: its router, its state and its jobs, ready to serve.
pub struct Built {
    pub router: Router,
    pub state: AppState,
    jobs: Vec<Job>,
    mailer: Option<mail::Mailer>,
}

impl AppDef {
    /// `name` is the app's name in the manifest: its port, origin, header entry, bucket and log
    /// field derive from it. `migrator` is its `sqlx::migrate!("./migrations")`.
    pub fn new(name: &'static str, migrator: &'static Migrator) -> Self {
        Self {
            name,
            migrator,
            root: None,
            sign_in: &[],
            public_api: Router::new(),
            routes: Router::new(),
            webhooks: Router::new(),
            bucket: false,
            owns_sessions: false,
            payments: false,
            seed: None,
            jobs: Vec::new(),
            layers: Vec::new(),
            ext: None,
            form_targets: Vec::new(),
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The app's migrations with the shared crates' tables (the mail outbox), as applied.
    pub fn migrations(
        &self,
    ) -> impl Future<Output = Result<Migrator, sqlx::migrate::MigrateError>> + Send + 'static {
        let own = self.migrator;
        let payments = self.payments;
        async move {
            let mut sets = vec![&mail::MIGRATOR, own];
            if payments {
                sets.push(&payments::MIGRATOR);
            }
            platform::db::combine(&sets).await
        }
    }

    /// Whether the app declared a bucket.
    pub fn has_bucket(&self) -> bool {
        self.bucket
    }

    /// Whether the app takes card payments.
    pub fn takes_payments(&self) -> bool {
        self.payments
    }

    /// Whether the app keeps the sessions itself (the portal).
    pub fn keeps_sessions(&self) -> bool {
        self.owns_sessions
    }

    /// The app's pages: its root component (routes inside), rendered in the suite's document.
    pub fn pages<F, V>(mut self, root: F) -> Self
    where
        F: Fn() -> V + Send + Sync + 'static,
        V: IntoView + 'static,
    {
        self.root = Some(Arc::new(move || root().into_any()));
        self
    }

    /// The path of every page the app renders, as its routes declare them (`/r/{slug}`): for
    /// tests that visit them all.
    pub async fn page_paths(&self) -> Vec<String> {
        match &self.root {
            Some(root) => crate::pages::route_list(root)
                .await
                .iter()
                .map(|r| r.path().to_owned())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Pages a visitor must sign in for (see [`crate::gate`]): `&["/new", "/dashboard/**"]`.
    pub fn sign_in_required(mut self, paths: &'static [&'static str]) -> Self {
        self.sign_in = paths;
        self
    }

    /// Public JSON endpoints (`/api/v1/…`): CORS for the suite's origins, cache headers and
    /// ETags (see [`crate::cache`]).
    pub fn public_api(mut self, routes: Router<AppState>) -> Self {
        self.public_api = self.public_api.merge(routes);
        self
    }

    /// Other plain axum routes (uploads, OAuth callbacks).
    pub fn routes(mut self, routes: Router<AppState>) -> Self {
        self.routes = self.routes.merge(routes);
        self
    }

    /// Endpoints that other services call, authenticated by their own signature (a payment
    /// provider's webhooks): no session, no origin check.
    pub fn webhooks(mut self, routes: Router<AppState>) -> Self {
        self.webhooks = self.webhooks.merge(routes);
        self
    }

    /// The app takes card payments: `STRIPE_*` configuration is required,
    /// [`AppState::payments`] is its client, and its database gets the webhook table.
    pub fn payments(mut self) -> Self {
        self.payments = true;
        self
    }

    /// The app has a bucket: `S3_*` configuration is required, `/media/…` serves it, and the
    /// readiness check includes it.
    pub fn bucket(mut self) -> Self {
        self.bucket = true;
        self
    }

    /// The app keeps the sessions (the portal): it reads them from its own database and needs
    /// no `SESSION_DATABASE_URL`.
    pub fn owns_sessions(mut self) -> Self {
        self.owns_sessions = true;
        self
    }

    /// The demo data, inserted at start when `SEED_DEMO=true`.
    pub fn seed(mut self, seed: SeedFn) -> Self {
        self.seed = Some(seed);
        self
    }

    /// A background job run every `every`, on one instance at a time (see [`crate::jobs`]).
    pub fn job(
        mut self,
        name: &'static str,
        every: Duration,
        run: fn(AppState) -> BoxFuture<'static, anyhow::Result<()>>,
    ) -> Self {
        let run: JobFn = Arc::new(run);
        self.jobs.push(Job { name, every, run });
        self
    }

    /// A layer around the app's own routes (inside the kit's: origin check, sign-in gate).
    pub fn layer(
        mut self,
        layer: impl FnOnce(Router<AppState>, &AppState) -> Router<AppState> + Send + 'static,
    ) -> Self {
        self.layers.push(Box::new(layer));
        self
    }

    /// An origin outside the suite that the app's forms lead to (a form that redirects to a
    /// sign-in provider): the pages' Content-Security-Policy lets forms go there too.
    pub fn form_target(mut self, origin: impl Into<String>) -> Self {
        self.form_targets.push(origin.into());
        self
    }

    /// The app's own part of the state, made once at start (see [`AppState::ext`]).
    pub fn ext<T: Any + Send + Sync>(
        mut self,
        make: impl FnOnce(&Config, &PgPool) -> anyhow::Result<T> + Send + 'static,
    ) -> Self {
        self.ext = Some(Box::new(move |cfg, pool| {
            make(cfg, pool).map(|t| Box::new(t) as Box<dyn Any + Send + Sync>)
        }));
        self
    }

    /// The configuration this app needs, from the environment.
    pub fn config_from_env(&self) -> Result<Config, ConfigError> {
        Config::from_env(
            self.name,
            crate::config::Needs {
                bucket: self.bucket,
                owns_sessions: self.owns_sessions,
                payments: self.payments,
            },
        )
    }

    /// Connects, migrates, seeds (when configured) and builds the router.
    pub async fn build(self, cfg: Config) -> anyhow::Result<Built> {
        let pool = platform::db::connect(cfg.database_url.expose_secret(), cfg.pool_size).await?;
        platform::db::migrate(&pool, &self.migrations().await?).await?;
        let session_pool = match &cfg.session_database_url {
            Some(url) => {
                Some(platform::db::connect(url.expose_secret(), cfg.pool_size.min(5)).await?)
            }
            None => None,
        };
        let storage = match (&cfg.bucket, self.bucket) {
            (Some(b), true) => Some(Storage::new(b)?),
            (None, true) => anyhow::bail!("{} needs a bucket (S3_*)", self.name),
            _ => None,
        };
        let payments = match (&cfg.payments, self.payments) {
            (Some(p), true) => Some(payments::Stripe::new(p)?),
            (None, true) => anyhow::bail!("{} takes payments: STRIPE_* is needed", self.name),
            _ => None,
        };
        let addr = match cfg.bind {
            Bind::Addr(a) => a,
            Bind::Stdin => std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        };
        let ext = match self.ext {
            Some(make) => make(&cfg, &pool)?,
            None => Box::new(()),
        };
        let suite = Arc::new(cfg.suite.clone());
        let suite_origins = suite.origins();
        let state = AppState(Arc::new(Inner {
            app: self.name,
            origin: suite.origin_of(self.name),
            sessions: SessionReader::new(
                session_pool.clone().unwrap_or_else(|| pool.clone()),
                cfg.sessions.clone(),
            ),
            leptos_options: crate::pages::leptos_options(&cfg.site_root, addr),
            trusted_proxies: cfg.trusted_proxies.clone(),
            outbox: mail::Outbox::default(),
            metrics: crate::metrics::Metrics::default(),
            suite: suite.clone(),
            pool: pool.clone(),
            storage: storage.clone(),
            payments,
            ext,
        }));
        if cfg.seed_demo
            && let Some(seed) = self.seed
        {
            seed_once(&state, seed).await?;
        }

        // The app's routes, inside out: its own layers, the sign-in gate, the user slot, the
        // origin check.
        let api = self
            .public_api
            .layer(middleware::from_fn(crate::cache::api))
            .layer(sso::origin::cors(&suite));
        let mut router = self.routes.merge(api);
        if let Some(root) = self.root {
            let nav = NavContext {
                app: self.name,
                suite: suite.clone(),
                sessions: state.sessions.clone(),
            };
            let manage_paths = suite
                .manifest
                .app(self.name)
                .map(|a| a.manage_paths.clone())
                .unwrap_or_default();
            let bundles = crate::pages::Bundles::new(&cfg.site_root, &manage_paths);
            let routes = crate::pages::route_list(&root).await;
            router = with_pages(router, &state, nav, (root, routes), bundles);
        }
        for layer in self.layers {
            router = layer(router, &state);
        }
        let router = router
            .layer(middleware::from_fn_with_state(
                (state.clone(), self.sign_in),
                crate::gate::sign_in_gate,
            ))
            .layer(middleware::from_fn(user_slot))
            .layer(middleware::from_fn_with_state(
                suite,
                sso::origin::require_suite_origin,
            ))
            .layer(middleware::from_fn_with_state(
                state.sessions.settings().cookie_name.clone(),
                crate::cache::pages,
            ))
            .layer(middleware::from_fn_with_state(
                state.sessions.settings().cookie_name.clone(),
                one_session_cookie,
            ))
            .with_state(state.clone());

        // Webhooks, static files and probes: no session, no origin check.
        let router = router.merge(self.webhooks.with_state(state.clone()));
        let mut checks = vec![("database", ping(pool))];
        if let Some(pool) = session_pool {
            checks.push(("sessions", ping(pool)));
        }
        let mut router = router.merge(pkg_routes(&cfg.site_root));
        if let Some(storage) = storage {
            router = router.merge(storage.media_routes());
            checks.push((
                "bucket",
                platform::health::check(move || {
                    let storage = storage.clone();
                    async move { storage.ping().await.map_err(|e| e.to_string()) }
                }),
            ));
        }
        let payment_origins = cfg
            .payments
            .as_ref()
            .filter(|_| self.payments)
            .map(payments::PaymentsConfig::browser_origins)
            .unwrap_or_default();
        let policy = Arc::new(crate::headers::Policy::new(
            &suite_origins,
            &self.form_targets,
            &payment_origins,
        ));
        let router = router
            .merge(platform::health::routes(checks))
            .merge(
                Router::new()
                    .route("/metrics", axum::routing::get(crate::metrics::serve))
                    .with_state(state.clone()),
            )
            .layer(middleware::from_fn_with_state(
                state.clone(),
                crate::metrics::track,
            ))
            .layer(middleware::from_fn_with_state(
                policy,
                crate::headers::security,
            ));
        Ok(Built {
            router: platform::telemetry::layer(router),
            state,
            jobs: self.jobs,
            mailer: mail::Mailer::new(&cfg.mail)?,
        })
    }

    /// Builds and serves on `listener` until `shutdown` resolves.
    pub async fn serve(
        self,
        cfg: Config,
        listener: Listener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let name = self.name;
        self.build(cfg).await?.serve(name, listener, shutdown).await
    }

    /// The app's `main`: tracing, configuration from the environment, serve until SIGINT or
    /// SIGTERM.
    pub async fn run(self) -> anyhow::Result<()> {
        platform::telemetry::init(self.name);
        let cfg = self.config_from_env()?;
        let listener = match cfg.bind {
            Bind::Addr(addr) => Listener::Addr(addr),
            Bind::Stdin => Listener::from_stdin()?,
        };
        self.serve(cfg, listener, platform::shutdown::signal())
            .await
    }
}

impl Built {
    /// Serves until `shutdown` resolves, with the app's jobs and its mail worker running
    /// meanwhile; then stops them and drains in-flight requests.
    pub async fn serve(
        self,
        name: &str,
        listener: Listener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let mut jobs = tokio::task::JoinSet::new();
        for job in self.jobs {
            jobs.spawn(crate::jobs::run_forever(
                self.state.clone(),
                job,
                stopped.clone(),
            ));
        }
        jobs.spawn(self.state.outbox.clone().run(
            self.state.pool.clone(),
            self.mailer,
            stopped.clone(),
        ));
        let served = platform::serve::serve(name, self.router, listener, shutdown).await;
        let _ = stop.send(true);
        while jobs.join_next().await.is_some() {}
        served?;
        Ok(())
    }
}

fn ping(pool: PgPool) -> platform::health::Check {
    platform::health::check(move || {
        let pool = pool.clone();
        async move { platform::db::ping(&pool).await }
    })
}

/// A request carrying two session cookies is a visitor's, in every app and in the portal's
/// session layer alike (see [`sso::drop_ambiguous_session_cookies`]).
async fn one_session_cookie(
    axum::extract::State(name): axum::extract::State<String>,
    mut req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    if sso::drop_ambiguous_session_cookies(req.headers_mut(), &name) {
        tracing::warn!(
            event = "session_cookies_ambiguous",
            "two session cookies: treated as signed out"
        );
    }
    next.run(req).await
}

/// Every request gets an empty [`sso::UserSlot`]: whoever asks first who sent it looks it up.
async fn user_slot(
    mut req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    req.extensions_mut().insert(sso::UserSlot::default());
    next.run(req).await
}

/// Runs the seed one instance at a time when several start together (an advisory lock; the
/// seed itself must be idempotent, as a restart runs it again).
async fn seed_once(state: &AppState, seed: SeedFn) -> anyhow::Result<()> {
    let key = crate::jobs::lock_key(state.app, "demo seed");
    let held = crate::jobs::lock(&state.pool, key, true)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the seed lock was not taken"))?;
    let outcome = seed(state.clone()).await;
    held.release().await?;
    outcome
}

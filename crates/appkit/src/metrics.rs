//! Every app's metrics, in Prometheus' text format at `GET /metrics` (prometheus-client, the
//! Prometheus project's own crate): requests by route, method and status and their latency,
//! the database pool, the mail outbox, and the background jobs' runs. Each app keeps its own
//! registry (several apps share a process in tests).
//!
//! `/metrics` is for the machine: nginx answers 404 for it from outside, and the app itself
//! refuses a request that came through a proxy (one carrying `X-Real-IP` or
//! `X-Forwarded-For`). Scrape `http://127.0.0.1:<port>/metrics`.

use std::time::{Duration, Instant};

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderMap, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use prometheus_client::{
    encoding::text::encode,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

use crate::AppState;

type Labels = Vec<(&'static str, String)>;

/// Seconds: from 5 ms to 10 s.
const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// One app's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    latency: Family<Labels, Histogram, fn() -> Histogram>,
    jobs: Family<Labels, Counter>,
    pool_connections: Gauge,
    pool_idle: Gauge,
    outbox: Family<Labels, Gauge>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<Labels, Counter>::default();
        registry.register(
            "http_requests",
            "Requests answered, by matched route, method and status",
            requests.clone(),
        );
        let latency =
            Family::<Labels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by matched route and method",
            latency.clone(),
        );
        let jobs = Family::<Labels, Counter>::default();
        registry.register(
            "job_runs",
            "Background job periods, by job and outcome (ran, skipped: another instance had it, failed)",
            jobs.clone(),
        );
        let pool_connections = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Connections the database pool holds",
            pool_connections.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Connections of the pool not in use",
            pool_idle.clone(),
        );
        let outbox = Family::<Labels, Gauge>::default();
        registry.register(
            "mail_outbox_messages",
            "Messages in the mail outbox not sent, by status (pending, failed)",
            outbox.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            jobs,
            pool_connections,
            pool_idle,
            outbox,
        }
    }
}

/// A method as a label: the standard ones by name, anything else as `other` (a client must not
/// be able to make new series).
fn method_label(method: &http::Method) -> String {
    match *method {
        http::Method::GET
        | http::Method::HEAD
        | http::Method::POST
        | http::Method::PUT
        | http::Method::PATCH
        | http::Method::DELETE
        | http::Method::OPTIONS => method.as_str().to_owned(),
        _ => "other".to_owned(),
    }
}

impl Metrics {
    /// One answered request.
    pub fn request(&self, route: &str, method: &http::Method, status: StatusCode, took: Duration) {
        let method = method_label(method);
        self.requests
            .get_or_create(&vec![
                ("route", route.to_owned()),
                ("method", method.clone()),
                ("status", status.as_u16().to_string()),
            ])
            .inc();
        self.latency
            .get_or_create(&vec![("route", route.to_owned()), ("method", method)])
            .observe(took.as_secs_f64());
    }

    /// One period of a background job: `ran`, `skipped` or `failed`.
    pub fn job(&self, job: &str, outcome: &'static str) {
        self.jobs
            .get_or_create(&vec![
                ("job", job.to_owned()),
                ("outcome", outcome.to_owned()),
            ])
            .inc();
    }

    /// The metrics as Prometheus reads them.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Middleware: counts and times every request under its matched route (`unmatched` for paths
/// no route has: a client must not be able to make new series).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().clone();
    let started = Instant::now();
    let res = next.run(req).await;
    state
        .metrics
        .request(&route, &method, res.status(), started.elapsed());
    res
}

/// `GET /metrics`, for the machine only.
pub async fn serve(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if headers.contains_key("x-real-ip")
        || headers.contains_key(header::FORWARDED)
        || headers.contains_key("x-forwarded-for")
    {
        return StatusCode::NOT_FOUND.into_response();
    }
    let m = &state.metrics;
    m.pool_connections.set(i64::from(state.pool.size()));
    m.pool_idle
        .set(i64::try_from(state.pool.num_idle()).unwrap_or(i64::MAX));
    // The outbox's length, if the database answers in time (the scrape must not hang on it).
    let counted = tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query_as::<_, (i64, i64)>(
            "select count(*) filter (where status = 'pending'),
                    count(*) filter (where status = 'failed')
             from mail_outbox",
        )
        .fetch_one(&state.pool),
    )
    .await;
    if let Ok(Ok((pending, failed))) = counted {
        m.outbox
            .get_or_create(&vec![("status", "pending".to_owned())])
            .set(pending);
        m.outbox
            .get_or_create(&vec![("status", "failed".to_owned())])
            .set(failed);
    }
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        m.render(),
    )
        .into_response()
}

//! Tracing: one init for every process (text locally, JSON when `LOG_FORMAT=json`), and the HTTP
//! layers that give every request an id (kept from `x-request-id` when a caller sent one, so the
//! portal's id travels to the apps) and a span with the matched route.

use axum::{Router, extract::MatchedPath, http::Request};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};
use tracing_subscriber::{EnvFilter, layer::SubscriberExt, util::SubscriberInitExt};

pub const REQUEST_ID: &str = "x-request-id";

/// Installs the global subscriber. `RUST_LOG` filters (default `info`).
pub fn init(app: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let registry = tracing_subscriber::registry().with(filter);
    let result = if json {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true),
            )
            .try_init()
    } else {
        // Colours only on a terminal: the launcher pipes the apps' output.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .with_ansi(ansi),
            )
            .try_init()
    };
    if result.is_ok() {
        tracing::info!(app, "tracing initialised");
    }
}

/// Adds request ids and a trace span per request (method, matched route, request id).
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let header = http::HeaderName::from_static(REQUEST_ID);
    router
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let route = req
                    .extensions()
                    .get::<MatchedPath>()
                    .map_or_else(|| req.uri().path().to_owned(), |m| m.as_str().to_owned());
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), route, request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}

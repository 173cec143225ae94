//! `/healthz` answers while the process runs; `/readyz` answers 200 only when every dependency
//! (database, bucket, ...) answers, so that a load balancer sends no traffic to an instance that
//! cannot serve it.

use std::{sync::Arc, time::Duration};

use axum::{Json, Router, http::StatusCode, response::IntoResponse, routing::get};
use futures::future::BoxFuture;

/// A named readiness check.
pub type Check = Arc<dyn Fn() -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

/// Wraps an async closure as a [`Check`].
pub fn check<F, Fut>(f: F) -> Check
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send + 'static,
{
    Arc::new(move || Box::pin(f()))
}

/// The two health routes.
pub fn routes<S: Clone + Send + Sync + 'static>(checks: Vec<(&'static str, Check)>) -> Router<S> {
    let checks = Arc::new(checks);
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(serde_json::json!({ "status": "ok" })) }),
        )
        .route(
            "/readyz",
            get(move || {
                let checks = checks.clone();
                async move { readiness(&checks).await }
            }),
        )
}

async fn readiness(checks: &[(&'static str, Check)]) -> impl IntoResponse + use<> {
    let results = futures::future::join_all(checks.iter().map(|(name, check)| async move {
        let outcome = match tokio::time::timeout(Duration::from_secs(3), check()).await {
            Ok(Ok(())) => "ok".to_owned(),
            Ok(Err(e)) => {
                tracing::warn!(check = name, error = %e, "readiness check failed");
                "unavailable".to_owned()
            }
            Err(_) => {
                tracing::warn!(check = name, "readiness check timed out");
                "timeout".to_owned()
            }
        };
        (*name, outcome)
    }))
    .await;
    let ready = results.iter().all(|(_, o)| o == "ok");
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "unavailable" },
        "checks": results
            .into_iter()
            .map(|(k, v)| (k.to_owned(), serde_json::Value::String(v)))
            .collect::<serde_json::Map<_, _>>(),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

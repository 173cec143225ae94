//! Stripe's webhook, the same for every app that takes payments: the signature checked over the
//! raw body first, an event about another app's payment (the Stripe account is the suite's)
//! acknowledged and left, an event seen before acknowledged, and the PaymentIntent read from
//! Stripe itself (never from the event) before the app's `settle` acts on it. Stripe retries
//! what is not answered 2xx: a failure here is tried again later.

use std::future::Future;

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use platform::AppError;
use secrecy::ExposeSecret;

use crate::AppState;

/// `POST /webhooks/stripe` (see [`payments::WEBHOOK_PATH`]), handing each of this app's
/// PaymentIntents to `settle(state, intent, event id, event type)`; its outcome is the answer's
/// body.
pub fn stripe<F, Fut, O>(settle: F) -> Router<AppState>
where
    F: Fn(AppState, payments::Intent, String, String) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<O, AppError>> + Send + 'static,
    O: std::fmt::Debug,
{
    Router::new().route(
        payments::WEBHOOK_PATH,
        post(
            move |State(state): State<AppState>, headers: HeaderMap, body: Bytes| {
                let settle = settle.clone();
                async move { receive(state, &headers, &body, settle).await }
            },
        ),
    )
}

async fn receive<F, Fut, O>(
    state: AppState,
    headers: &HeaderMap,
    body: &[u8],
    settle: F,
) -> Response
where
    F: Fn(AppState, payments::Intent, String, String) -> Fut,
    Fut: Future<Output = Result<O, AppError>>,
    O: std::fmt::Debug,
{
    let Ok(stripe) = state.payments() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok());
    let secret = stripe.config().webhook_secret.expose_secret();
    let event =
        match payments::webhook::verify(body, signature, secret, chrono::Utc::now().timestamp()) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "refused a webhook");
                return (StatusCode::BAD_REQUEST, format!("refused: {e}")).into_response();
            }
        };
    let ours = event.data.object["metadata"]["app"].as_str() == Some(state.app);
    let Some(intent) = event.payment_intent().filter(|_| ours) else {
        return (StatusCode::OK, "not ours").into_response();
    };
    match payments::seen(&state.pool, &event.id).await {
        Ok(true) => return (StatusCode::OK, "seen").into_response(),
        Ok(false) => {}
        Err(e) => return AppError::from(e).into_response(),
    }
    let intent = match stripe.intent(intent).await {
        Ok(i) => i,
        Err(e) => return payments::unavailable(&e, "").into_response(),
    };
    match settle(state.clone(), intent, event.id.clone(), event.kind.clone()).await {
        Ok(outcome) => (StatusCode::OK, format!("{outcome:?}")).into_response(),
        Err(e) => e.into_response(),
    }
}

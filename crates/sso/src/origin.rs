//! Cross-origin protection. `SameSite=Lax` keeps other sites' forms from carrying the session
//! cookie, but every subdomain of the parent domain is "same-site": only an `Origin` check tells
//! `restaurants.` from a foreign page. Every state-changing request must come from one of the
//! suite's own origins.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, Method, header};
use platform::{AppError, suite::Suite};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Methods that never change state and so need no origin check.
fn is_safe(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// The origin a request claims: its `Origin` header, else the origin of its `Referer`.
fn claimed_origin(req: &Request) -> Option<String> {
    if let Some(o) = req.headers().get(header::ORIGIN) {
        return o.to_str().ok().map(str::to_owned);
    }
    let referer = req.headers().get(header::REFERER)?.to_str().ok()?;
    let url = url::Url::parse(referer).ok()?;
    Some(url.origin().ascii_serialization())
}

/// Whether a request may proceed: a safe method, or an origin of the suite.
pub fn allowed(suite: &Suite, req: &Request) -> bool {
    is_safe(req.method())
        || claimed_origin(req).is_some_and(|o| o != "null" && suite.is_suite_origin(&o))
}

/// Middleware: answers 403 to a state-changing request that does not come from the suite.
/// Use with `axum::middleware::from_fn_with_state(Arc<Suite>, require_suite_origin)`.
pub async fn require_suite_origin(
    State(suite): State<Arc<Suite>>,
    req: Request,
    next: Next,
) -> Response {
    if allowed(&suite, &req) {
        return next.run(req).await;
    }
    tracing::warn!(
        method = %req.method(),
        path = req.uri().path(),
        origin = ?req.headers().get(header::ORIGIN),
        "refused a cross-origin state-changing request"
    );
    AppError::Forbidden(
        "This request did not come from a SteppersLife page, so it was refused.".into(),
    )
    .into_response()
}

/// CORS for the public JSON API: the suite's origins, with credentials.
pub fn cors(suite: &Suite) -> CorsLayer {
    let origins: Vec<HeaderValue> = suite
        .origins()
        .into_iter()
        .filter_map(|o| HeaderValue::from_str(&o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;

    fn suite() -> Suite {
        Suite::production()
    }

    fn post(origin: Option<&str>, referer: Option<&str>) -> Request {
        let mut b = Request::builder().method(Method::POST).uri("/x");
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        if let Some(r) = referer {
            b = b.header(header::REFERER, r);
        }
        b.body(Body::empty()).expect("request")
    }

    #[test]
    fn a_post_from_a_suite_origin_is_allowed() {
        assert!(allowed(
            &suite(),
            &post(Some("https://restaurants.stepperslife.com"), None)
        ));
        assert!(allowed(
            &suite(),
            &post(Some("https://stepperslife.com"), None)
        ));
        assert!(allowed(
            &suite(),
            &post(None, Some("https://stepperslife.com/account?x=1"))
        ));
    }

    #[test]
    fn a_post_from_anywhere_else_is_refused() {
        for o in [
            "https://evil.com",
            "null",
            "http://stepperslife.com",
            "https://stepperslife.com.evil.com",
            "https://mail.stepperslife.com",
            "https://evilstepperslife.com",
        ] {
            assert!(!allowed(&suite(), &post(Some(o), None)), "{o} was allowed");
        }
        assert!(
            !allowed(&suite(), &post(None, None)),
            "no origin at all was allowed"
        );
        assert!(!allowed(&suite(), &post(None, Some("https://evil.com/"))));
    }

    #[test]
    fn a_get_needs_no_origin() {
        let req = Request::builder()
            .uri("/")
            .body(Body::empty())
            .expect("request");
        assert!(allowed(&suite(), &req));
    }
}

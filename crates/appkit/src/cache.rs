//! Cache headers, decided in one place:
//!
//! - Whatever answers a request that carries a session cookie, or sets a cookie, is
//!   `no-store` (unless its handler declared it public): it may show who is signed in, and
//!   after "Sign out" on a shared computer the Back button must not bring an account page, an
//!   order or a kitchen queue back from the browser's cache.
//! - Other pages (HTML) are `private, no-cache`: never kept by a shared proxy, revalidated by
//!   the browser.
//! - The public JSON API (`GET /api/v1/…`) carries an `ETag`, answers `304 Not Modified` to a
//!   matching `If-None-Match`, and is `public, max-age=10, stale-while-revalidate=60` — unless
//!   the handler looked at who sent the request (the answer is then theirs alone:
//!   `no-store`) or set its own `Cache-Control`.
//! - Built browser files (`/pkg/…`) have content-hashed names: cached for a year, `immutable`.

use axum::{
    body::Body,
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{HeaderValue, Method, StatusCode, header};
use sha2::{Digest, Sha256};

/// For pages.
pub const PAGE: &str = "private, no-cache";
/// For public API answers.
pub const PUBLIC_API: &str = "public, max-age=10, stale-while-revalidate=60";
/// For answers that depend on who asked.
pub const PERSONAL: &str = "no-store";
/// For files whose name changes whenever their content does.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Largest API answer given an ETag (larger ones pass through unchanged).
const MAX_TAGGED: usize = 4 * 1024 * 1024;

/// Middleware: `no-store` on what may be personal, `Cache-Control` on HTML answers that have
/// none. `cookie` is the session cookie's name.
pub async fn pages(State(cookie): State<String>, req: Request, next: Next) -> Response {
    let with_session = sso::session_cookies(req.headers(), &cookie)
        .next()
        .is_some();
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let declared_public = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("public"));
    let sets_cookie = headers.contains_key(header::SET_COOKIE);
    if sets_cookie || (with_session && !declared_public) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PERSONAL));
        return res;
    }
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(PAGE));
    }
    res
}

/// Middleware for content-hashed files: `immutable` on what was found.
pub async fn immutable_when_found(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let found = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    let control = if found { IMMUTABLE } else { "no-store" };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(control));
    res
}

/// A weak ETag of a body.
pub fn etag(body: &[u8]) -> String {
    format!("W/\"{}\"", &hex::encode(Sha256::digest(body))[..32])
}

/// Whether an `If-None-Match` header value names `tag`.
fn names(if_none_match: &str, tag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    if_none_match.trim() == "*" || if_none_match.split(',').any(|t| bare(t) == bare(tag))
}

/// Middleware for the public API: ETag, 304, and `Cache-Control` as described above.
pub async fn api(req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return next.run(req).await;
    }
    let slot = req.extensions().get::<sso::UserSlot>().cloned();
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.run(req).await;
    if res.status() != StatusCode::OK || res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let personal = slot.is_some_and(|s| s.was_read());
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "answer too large").into_response();
    };
    let tag = etag(&bytes);
    let control = if personal { PERSONAL } else { PUBLIC_API };
    parts
        .headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(control));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        parts.headers.insert(header::ETAG, v);
    }
    if if_none_match.is_some_and(|inm| names(&inm, &tag)) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_change_with_the_body_and_match_weakly() {
        let a = etag(b"[1,2]");
        assert_eq!(a, etag(b"[1,2]"));
        assert_ne!(a, etag(b"[1,3]"));
        assert!(a.starts_with("W/\"") && a.ends_with('"'));
        assert!(names(&a, &a));
        assert!(names(&a.replace("W/", ""), &a));
        assert!(names(&format!("\"x\", {a}"), &a));
        assert!(names("*", &a));
        assert!(!names("\"x\"", &a));
    }
}

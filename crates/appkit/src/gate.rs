//! Pages that only make sense signed in. A visitor who opens one is sent to the portal's
//! sign-in page and brought back afterwards; server functions and endpoints check the caller
//! themselves (this only spares visitors a page that cannot work for them).
//!
//! Patterns are paths whose segments may be `*` (any one segment) and whose last segment may be
//! `**` (the path itself and anything below it): `/new`, `/r/*/edit`, `/dashboard/**`.

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http::Method;

use crate::AppState;

/// Whether `path` matches `pattern`.
pub fn matches(pattern: &str, path: &str) -> bool {
    let mut want = pattern.trim_start_matches('/').split('/');
    let mut have = path.trim_start_matches('/').split('/');
    loop {
        match (want.next(), have.next()) {
            (Some("**"), _) => return true,
            (None, None) => return true,
            (Some("*"), Some(seg)) if !seg.is_empty() => {}
            (Some(w), Some(h)) if w == h => {}
            _ => return false,
        }
    }
}

/// Whether any of `patterns` matches `path`.
pub fn needs_sign_in(patterns: &[&str], path: &str) -> bool {
    patterns.iter().any(|p| matches(p, path))
}

/// The middleware: a `GET` of a matching path by a visitor is redirected to sign in.
pub(crate) async fn sign_in_gate(
    State((state, patterns)): State<(AppState, &'static [&'static str])>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() == Method::GET && needs_sign_in(patterns, req.uri().path()) {
        let (parts, body) = req.into_parts();
        match state.sessions.user_of(&parts).await {
            Ok(Some(_)) => return next.run(Request::from_parts(parts, body)).await,
            Ok(None) => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                return Redirect::to(&state.sign_in_url(here)).into_response();
            }
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATHS: &[&str] = &["/new", "/r/*/edit", "/dashboard/**", "/orders/**"];

    #[test]
    fn only_the_listed_pages_need_sign_in() {
        for yes in [
            "/new",
            "/r/soul/edit",
            "/dashboard",
            "/dashboard/",
            "/dashboard/r/soul/orders",
            "/orders",
            "/orders/42",
        ] {
            assert!(needs_sign_in(PATHS, yes), "{yes}");
        }
        for no in [
            "/",
            "/r/soul",
            "/r//edit",
            "/r/soul/edit/x",
            "/ordersx",
            "/newx",
            "/new/x",
            "/api/v1/restaurants",
        ] {
            assert!(!needs_sign_in(PATHS, no), "{no}");
        }
    }
}

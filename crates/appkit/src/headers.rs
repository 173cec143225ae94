//! Security headers on every answer of every app, decided in one place (nginx mirrors them in
//! production):
//!
//! - Pages get a Content-Security-Policy with a nonce made for that answer alone: scripts run
//!   only from the app's own origin or with the nonce (the hydration script Leptos writes
//!   carries it), WebAssembly may compile, styles and fonts come from the app's own origin,
//!   images also from the suite's other origins (the portal shows the apps' photos), requests
//!   go to the suite's origins only (the apps' APIs answer those with CORS), forms post
//!   only to the suite (and to the sign-in providers the app names), no page may be framed, no
//!   plugin runs, and `<base>` cannot move relative links. An injected `<script>` without the
//!   nonce does not run.
//! - Anything that is not a page (JSON, plain-text errors) is `default-src 'none'`: if a
//!   browser is ever talked into rendering it, it runs and loads nothing. Media answers set
//!   their own, stricter policy (`sandbox`), which is kept.
//! - Everywhere: `nosniff`, `X-Frame-Options: DENY` (for browsers without `frame-ancestors`),
//!   `Referrer-Policy: strict-origin-when-cross-origin` (no paths or tokens leave the suite in a
//!   `Referer`), a `Permissions-Policy` that allows the camera to the page's own origin only
//!   (door check-in scans codes) and nothing else sensitive, and a same-origin opener policy.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderMap, HeaderName, HeaderValue, header};

/// The nonce of the page being rendered, put in the request's extensions for the renderer (see
/// [`crate::pages`]): Leptos writes it on the scripts it adds.
#[derive(Debug, Clone)]
pub struct CspNonce(pub Arc<str>);

/// What an app's pages may load and where their forms may go.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy of pages, with `{nonce}` where each answer's nonce goes.
    page: String,
}

/// The policy of answers that are not pages.
pub const NOT_A_PAGE: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const NONCE_SLOT: &str = "{nonce}";

impl Policy {
    /// The policy for an app of the suite whose origins are `suite_origins`; `form_targets` are
    /// other origins its forms lead to (a sign-in provider a form redirects to).
    pub fn new(suite_origins: &[String], form_targets: &[String], payments: &[String]) -> Self {
        let suite = suite_origins.join(" ");
        // A payment provider's card form: its script, its API, its frames (3-D Secure).
        let pay = payments.join(" ");
        let (pay_scripts, pay_frames) = if payments.is_empty() {
            (String::new(), String::new())
        } else {
            (format!(" {pay}"), format!("frame-src {pay}; "))
        };
        let forms = suite_origins
            .iter()
            .chain(form_targets)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        let page = format!(
            "default-src 'self'; script-src 'self' 'nonce-{NONCE_SLOT}' 'wasm-unsafe-eval'{pay_scripts}; \
             style-src 'self'; img-src 'self' data: {suite}; font-src 'self'; \
             connect-src 'self' {suite}{pay_scripts}; {pay_frames}object-src 'none'; base-uri 'none'; \
             form-action 'self' {forms}; frame-ancestors 'none'"
        );
        Self { page }
    }

    /// The page policy with `nonce` filled in.
    pub fn for_page(&self, nonce: &str) -> String {
        self.page.replace(NONCE_SLOT, nonce)
    }
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

fn set_unless_present(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !headers.contains_key(&name) {
        headers.insert(name, HeaderValue::from_static(value));
    }
}

/// Middleware: a nonce for the request, then the headers above on its answer.
pub async fn security(State(policy): State<Arc<Policy>>, mut req: Request, next: Next) -> Response {
    let nonce = platform::token::nonce();
    req.extensions_mut()
        .insert(CspNonce(Arc::from(nonce.as_str())));
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = if is_html(headers) {
            HeaderValue::from_str(&policy.for_page(&nonce)).ok()
        } else {
            Some(HeaderValue::from_static(NOT_A_PAGE))
        };
        if let Some(csp) = csp {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    for (name, value) in platform::headers::EVERYWHERE {
        set_unless_present(headers, HeaderName::from_static(name), value);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_policy_names_its_nonce_the_suite_and_the_form_targets() {
        let policy = Policy::new(
            &["http://a.test".into(), "http://b.test".into()],
            &["https://idp.test".into()],
            &[],
        );
        let csp = policy.for_page("abc123");
        assert!(csp.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!csp.contains("unsafe-inline"));
        assert!(csp.contains("img-src 'self' data: http://a.test http://b.test;"));
        assert!(csp.contains("form-action 'self' http://a.test http://b.test https://idp.test;"));
        assert!(csp.ends_with("frame-ancestors 'none'"));
        assert_ne!(policy.for_page("x"), policy.for_page("y"));
        assert!(!csp.contains("frame-src"), "no frames without a card form");
    }

    #[test]
    fn an_app_that_takes_payments_lets_the_card_form_load_call_and_frame() {
        let stripe = [
            "https://js.stripe.com".to_owned(),
            "https://api.stripe.com".to_owned(),
        ];
        let csp = Policy::new(&["http://a.test".into()], &[], &stripe).for_page("n");
        assert!(csp.contains(
            "script-src 'self' 'nonce-n' 'wasm-unsafe-eval' https://js.stripe.com https://api.stripe.com;"
        ));
        assert!(csp.contains(
            "connect-src 'self' http://a.test https://js.stripe.com https://api.stripe.com;"
        ));
        assert!(csp.contains("frame-src https://js.stripe.com https://api.stripe.com;"));
    }
}

//! Every page of an app, visited: the headers each must carry (see `appkit::headers` and
//! `appkit::cache`), and a check that no page of the app was left out of the visit.

use crate::harness::{TestApp, User};

/// A page to visit: the route as the app declares it (`/r/{slug}`), a path that matches it,
/// and who visits (`None`: a visitor).
pub struct Visit<'a> {
    pub route: &'a str,
    pub path: String,
    pub who: Option<&'a User>,
}

/// What is wrong with the headers of a page answered to a visitor (`signed_in` false) or to a
/// signed-in person, whose HTML is `html`: an empty list when nothing is.
pub fn header_problems(
    headers: &reqwest::header::HeaderMap,
    html: &str,
    signed_in: bool,
) -> Vec<String> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut problems = Vec::new();
    let mut expect = |name: &str, want: &str| {
        let got = get(name);
        if got != want {
            problems.push(format!("{name}: {got:?}, expected {want:?}"));
        }
    };
    expect("x-content-type-options", "nosniff");
    expect("x-frame-options", "DENY");
    expect("referrer-policy", "strict-origin-when-cross-origin");
    expect(
        "cache-control",
        if signed_in {
            "no-store"
        } else {
            "private, no-cache"
        },
    );
    let csp = get("content-security-policy");
    for part in [
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "default-src 'self'",
    ] {
        if !csp.contains(part) {
            problems.push(format!("content-security-policy lacks {part:?}: {csp:?}"));
        }
    }
    if csp.contains("unsafe-inline") {
        problems.push(format!(
            "content-security-policy allows inline code: {csp:?}"
        ));
    }
    let nonce = csp
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("script-src "))
        .and_then(|d| d.split(' ').find_map(|s| s.strip_prefix("'nonce-")))
        .map(|n| n.trim_end_matches('\''))
        .unwrap_or_default();
    if nonce.len() < 16 {
        problems.push(format!("no nonce in script-src: {csp:?}"));
    }
    // Every script of the page carries the answer's nonce: nothing inline runs without it.
    let wanted = format!("nonce=\"{nonce}\"");
    for (at, _) in html.match_indices("<script") {
        let tag = &html[at..html[at..].find('>').map_or(html.len(), |end| at + end)];
        if !tag.contains(&wanted) {
            problems.push(format!("a script without the answer's nonce: {tag}"));
        }
    }
    problems
}

impl TestApp {
    /// Visits every page of `visits` and checks its headers ([`header_problems`]), after
    /// checking that the visits cover every route of `routes` (the app's
    /// `AppDef::page_paths`): a page added later without a visit fails the test.
    pub async fn check_every_page(&self, routes: &[String], visits: &[Visit<'_>]) {
        let mut unvisited = routes
            .iter()
            .filter(|r| !visits.iter().any(|v| v.route == r.as_str()))
            .peekable();
        assert!(
            unvisited.peek().is_none(),
            "pages nobody visits: {:?}",
            unvisited.collect::<Vec<_>>()
        );
        let mut nonces = std::collections::HashSet::new();
        for visit in visits {
            assert!(
                routes.iter().any(|r| r == visit.route),
                "{} is not a route of the app: {routes:?}",
                visit.route
            );
            let res = self.get(&visit.path, visit.who).await;
            let status = res.status();
            let headers = res.headers().clone();
            let html = res.text().await.expect("body");
            let is_page = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/html"));
            assert!(is_page, "{} ({status}) is not a page: {html}", visit.path);
            assert!(
                html.contains("<script"),
                "{}: no hydration script to check",
                visit.path
            );
            let problems = header_problems(&headers, &html, visit.who.is_some());
            assert!(problems.is_empty(), "{}: {problems:#?}", visit.path);
            let csp = headers["content-security-policy"].to_str().expect("ascii");
            assert!(
                nonces.insert(csp.to_owned()),
                "{}: a nonce used twice",
                visit.path
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::header_problems;

    fn headers(csp: &str, cache: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("x-content-type-options", "nosniff"),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "strict-origin-when-cross-origin"),
            ("cache-control", cache),
            ("content-security-policy", csp),
        ] {
            h.insert(k, HeaderValue::from_str(v).expect("value"));
        }
        h
    }

    const CSP: &str = "default-src 'self'; script-src 'self' 'nonce-0123456789abcdef' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    #[test]
    fn the_check_finds_what_is_missing() {
        let page = "<script type=\"module\" nonce=\"0123456789abcdef\">x</script>";
        assert!(header_problems(&headers(CSP, "private, no-cache"), page, false).is_empty());
        assert_eq!(
            header_problems(&headers(CSP, "private, no-cache"), page, true).len(),
            1,
            "a signed-in page must not be stored"
        );
        let injected = format!("{page}<script>alert(1)</script>");
        assert_eq!(
            header_problems(&headers(CSP, "no-store"), &injected, true).len(),
            1
        );
        let framed = CSP.replace("; frame-ancestors 'none'", "");
        assert_eq!(
            header_problems(&headers(&framed, "no-store"), page, true).len(),
            1
        );
        assert!(!header_problems(&HeaderMap::new(), page, false).is_empty());
    }
}

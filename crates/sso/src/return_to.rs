//! Where to send someone after signing in or out.
//!
//! Accepted: a relative path on the current host (`/account`, `/r/soul-food?tab=menu`), or an
//! absolute URL whose scheme is the suite's (https in production; http only when the suite itself
//! runs over http, i.e. locally) and whose host and port are exactly one of the suite's apps.
//! Everything else — other hosts, look-alike hosts, user-info tricks, protocol-relative or
//! backslash paths, script and data URLs, control characters, encoded variants of these — is
//! refused, and the caller falls back to the portal home.

use platform::suite::Suite;

/// Longest `return_to` accepted.
const MAX_LEN: usize = 2048;

/// The validated target, normalized, or `None`.
pub fn validate(raw: &str, suite: &Suite) -> Option<String> {
    let decoded = plain(raw)?;
    if raw.starts_with('/') {
        return relative(raw, &decoded);
    }
    absolute(raw, suite)
}

/// Only a path on the current host (`/dashboard/r/x/menu?tab=1`), normalized, or `None`: where a
/// form may send its user back to.
pub fn local_path(raw: &str) -> Option<String> {
    let decoded = plain(raw)?;
    raw.starts_with('/')
        .then(|| relative(raw, &decoded))
        .flatten()
}

/// `raw` percent-decoded, when neither form hides anything (control characters, whitespace,
/// backslashes, non-ASCII) and it is not too long.
fn plain(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.len() > MAX_LEN {
        return None;
    }
    // Browsers strip tabs and newlines and treat backslashes as slashes: none may appear at all.
    // Nothing outside printable ASCII either (encoded forms are ASCII).
    if raw
        .bytes()
        .any(|b| !(0x21..0x7f).contains(&b) || b == b'\\')
    {
        return None;
    }
    // The decoded form must not hide what the raw form does not show.
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    if decoded
        .chars()
        .any(|c| c.is_control() || c == '\\' || c.is_whitespace())
    {
        return None;
    }
    Some(decoded.into_owned())
}

/// Validates, falling back to `fallback` (the portal home).
pub fn or_home(raw: Option<&str>, suite: &Suite) -> String {
    raw.and_then(|r| validate(r, suite))
        .unwrap_or_else(|| format!("{}/", suite.portal()))
}

fn relative(raw: &str, decoded: &str) -> Option<String> {
    // `//host` and its decoded look-alikes are protocol-relative: another host.
    if raw.starts_with("//") || decoded.starts_with("//") {
        return None;
    }
    // Resolve against a placeholder origin: the result must stay on it.
    let base = url::Url::parse("https://placeholder.invalid/").ok()?;
    let joined = base.join(raw).ok()?;
    if joined.origin() != base.origin() || !joined.username().is_empty() {
        return None;
    }
    let mut out = joined.path().to_owned();
    if let Some(q) = joined.query() {
        out.push('?');
        out.push_str(q);
    }
    if let Some(f) = joined.fragment() {
        out.push('#');
        out.push_str(f);
    }
    (!out.starts_with("//")).then_some(out)
}

fn absolute(raw: &str, suite: &Suite) -> Option<String> {
    // Only the two web schemes, spelled out with `//` (`https:evil.com` is refused).
    let lower = raw.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return None;
    }
    let url = url::Url::parse(raw).ok()?;
    if url.scheme() != suite.scheme {
        return None;
    }
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let url::Host::Domain(host) = url.host()? else {
        return None; // IP addresses are never suite hosts
    };
    suite.app_at(host, url.port())?;
    Some(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prod() -> Suite {
        Suite::production()
    }

    fn local() -> Suite {
        Suite::local()
    }

    #[test]
    fn hostile_return_urls_are_all_refused() {
        let hostile = [
            "//evil.com",
            "///evil.com",
            "////evil.com/",
            "/\\evil.com",
            "\\\\evil.com",
            "/\\/evil.com",
            "%2F%2Fevil.com",
            "/%2F%2Fevil.com",
            "/%2f/evil.com",
            "/%5Cevil.com",
            "/%09/evil.com",
            "\t//evil.com",
            " //evil.com",
            "/\t/evil.com",
            "/\n/evil.com",
            "https://evil.com",
            "http://evil.com",
            "https://stepperslife.com.evil.com",
            "https://stepperslife.com.evil.com/account",
            "https://evil.com@stepperslife.com",
            "https://stepperslife.com@evil.com",
            "https://stepperslife.com%40evil.com",
            "https://user:pass@stepperslife.com/",
            "https://evilstepperslife.com",
            "https://restaurants.stepperslife.com.evil.com",
            "https://evil.com/https://stepperslife.com",
            "https://evil.com#https://stepperslife.com",
            "https://evil.com?https://stepperslife.com",
            "https://stepperslife.com%2eevil.com",
            "https://stepperslife.com\u{ff0e}evil.com",
            "https://stepperslife.com:8443/",
            "https://mail.stepperslife.com/",
            "https://sub.restaurants.stepperslife.com/",
            "http://stepperslife.com/",
            "https:evil.com",
            "https:/evil.com",
            "https:stepperslife.com/account",
            "javascript:alert(1)",
            "JaVaScRiPt:alert(document.cookie)",
            "javascript%3Aalert(1)",
            "%6Aavascript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "ftp://stepperslife.com/",
            "https://127.0.0.1/",
            "https://[::1]/",
            "evil.com",
            "account",
            ".evil.com",
            "",
        ];
        for s in [prod(), local()] {
            for raw in hostile {
                assert_eq!(
                    validate(raw, &s),
                    None,
                    "{raw:?} was accepted for {}",
                    s.domain
                );
            }
        }
    }

    #[test]
    fn local_paths_stay_on_this_host() {
        assert_eq!(
            local_path("/dashboard/r/x/menu?tab=1").as_deref(),
            Some("/dashboard/r/x/menu?tab=1")
        );
        for bad in [
            "",
            "dashboard",
            "https://stepperslife.com/",
            "//evil.com/x",
            "/\\evil.com",
            "/%2F%2Fevil.com",
            "/a b",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_very_long_return_url_is_refused() {
        let long = format!("/{}", "a".repeat(MAX_LEN));
        assert_eq!(validate(&long, &prod()), None);
    }

    #[test]
    fn relative_paths_and_suite_urls_are_accepted() {
        let s = prod();
        assert_eq!(validate("/", &s).as_deref(), Some("/"));
        assert_eq!(
            validate("/account?tab=sessions#top", &s).as_deref(),
            Some("/account?tab=sessions#top")
        );
        assert_eq!(
            validate("https://restaurants.stepperslife.com/r/soul-food", &s).as_deref(),
            Some("https://restaurants.stepperslife.com/r/soul-food")
        );
        assert_eq!(
            validate("https://stepperslife.com", &s).as_deref(),
            Some("https://stepperslife.com/")
        );
        assert_eq!(
            validate("HTTPS://RESTAURANTS.STEPPERSLIFE.COM/", &s).as_deref(),
            Some("https://restaurants.stepperslife.com/")
        );
    }

    #[test]
    fn locally_http_urls_with_the_apps_ports_are_accepted() {
        let s = local();
        assert!(validate("http://restaurants.stepperslife.localhost:3010/new", &s).is_some());
        assert_eq!(
            validate("http://restaurants.stepperslife.localhost:3001/new", &s),
            None
        );
        assert_eq!(
            validate("https://restaurants.stepperslife.localhost:3010/", &s),
            None
        );
    }

    #[test]
    fn or_home_falls_back_to_the_portal() {
        assert_eq!(
            or_home(Some("//evil.com"), &prod()),
            "https://stepperslife.com/"
        );
        assert_eq!(or_home(None, &prod()), "https://stepperslife.com/");
        assert_eq!(or_home(Some("/account"), &prod()), "/account");
    }
}

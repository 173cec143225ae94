//! The suite manifest (`ecosystem/suite.toml`, embedded at compile time) and the public URL of
//! every app for this deployment's domain, scheme and port.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::config::{self, ConfigError};

const MANIFEST: &str = include_str!("../../../ecosystem/suite.toml");

/// The base name of every app's built browser files (`<name>.<hash>.js`, `…_bg.wasm`, `….css`).
pub const OUTPUT_NAME: &str = "stepperslife";

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Manifest {
    pub suite: SuiteInfo,
    #[serde(rename = "app")]
    pub apps: Vec<AppEntry>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SuiteInfo {
    pub name: String,
    pub domain: String,
    pub local_domain: String,
    pub local_proxy_port: u16,
    /// Addresses of the machines nginx runs on, when the apps run on others (a private
    /// network's): the apps' sockets accept connections from these only, and the apps believe
    /// their `X-Real-IP`. Empty (the default): nginx and every app on one machine.
    #[serde(default)]
    pub proxy_hosts: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct AppEntry {
    /// Short name: `portal`, `restaurants`, ...
    pub name: String,
    /// What the header calls it.
    pub title: String,
    /// Empty for the portal, which lives on the parent domain itself.
    pub subdomain: String,
    /// Default local port.
    pub port: u16,
    pub database: String,
    #[serde(default)]
    pub bucket: Option<String>,
    pub enabled: bool,
    /// The pages and endpoints `suite bench` measures for this app.
    #[serde(default)]
    pub bench: Vec<BenchTarget>,
    /// Paths of the owners' and staff's pages (patterns as in `appkit::gate`): they load a
    /// second browser bundle with the editors, so that customers' pages load only what they
    /// use. Empty: one bundle.
    #[serde(default)]
    pub manage_paths: Vec<String>,
    /// The app has sections on the portal's home page (`GET /api/v1/home`).
    #[serde(default)]
    pub home: bool,
    /// The app takes card payments: it needs `STRIPE_*`, and the payment provider sends its
    /// webhooks to the app's `/webhooks/stripe`.
    #[serde(default)]
    pub payments: bool,
    /// Endpoints nginx rate-limits per client address in production (sign-in, sign-up, orders):
    /// exact paths.
    #[serde(default)]
    pub limited_paths: Vec<String>,
    /// Where the app's instances run in production (`10.0.0.5`, or `host:port`; the app's
    /// port when none is given): nginx spreads the app's requests over them. Empty (the
    /// default): one instance on nginx's machine.
    #[serde(default)]
    pub hosts: Vec<String>,
    /// Port of the app's own object store in production (its MinIO on 127.0.0.1, made by
    /// `suite provision`), when it has a bucket. Default: the app's port + 6000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_store_port: Option<u16>,
}

impl AppEntry {
    /// Where nginx reaches each production instance (`host:port`).
    pub fn instances(&self) -> Vec<String> {
        if self.hosts.is_empty() {
            return vec![format!("127.0.0.1:{}", self.port)];
        }
        self.hosts
            .iter()
            .map(|h| {
                if h.rsplit_once(':')
                    .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
                    && !h.ends_with(']')
                {
                    h.clone()
                } else {
                    format!("{h}:{}", self.port)
                }
            })
            .collect()
    }

    /// Where the app's object store listens in production: the manifest's
    /// `object_store_port`, else the app's port + 6000.
    pub fn object_store_port(&self) -> u16 {
        self.object_store_port
            .unwrap_or_else(|| self.port.saturating_add(6000))
    }

    /// Whether the app talks to hosts outside this machine (a payment provider, sign-in
    /// providers): its unit may not be limited to localhost.
    pub fn needs_internet(&self) -> bool {
        self.payments || self.subdomain.is_empty()
    }
}

/// A page or endpoint of an app that the benchmark loads.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BenchTarget {
    /// What the figures are called in the report.
    pub name: String,
    /// The path on the app (`/r/mama-lous-soul-kitchen`).
    pub path: String,
}

impl Manifest {
    /// The manifest built into this binary.
    pub fn embedded() -> &'static Manifest {
        static PARSED: OnceLock<Manifest> = OnceLock::new();
        PARSED.get_or_init(|| Self::parse(MANIFEST).expect("ecosystem/suite.toml is valid"))
    }

    /// The manifest in force: the file `SUITE_MANIFEST` names (the launcher passes its own to
    /// every app, so that all of them agree on which apps are enabled), else the embedded one.
    pub fn current() -> Result<&'static Manifest, ConfigError> {
        static LOADED: OnceLock<Result<&'static Manifest, ConfigError>> = OnceLock::new();
        LOADED
            .get_or_init(|| match config::var_opt("SUITE_MANIFEST") {
                None => Ok(Self::embedded()),
                Some(path) => std::fs::read_to_string(&path)
                    .map_err(|e| ConfigError::invalid("SUITE_MANIFEST", format!("{path}: {e}")))
                    .and_then(|text| {
                        Self::parse(&text).map_err(|e| {
                            ConfigError::invalid("SUITE_MANIFEST", format!("{path}: {e}"))
                        })
                    })
                    .map(|m| &*Box::leak(Box::new(m))),
            })
            .clone()
    }

    pub fn parse(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }

    /// The manifest as TOML (what [`Manifest::parse`] reads back).
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string(self)
    }

    pub fn app(&self, name: &str) -> Option<&AppEntry> {
        self.apps.iter().find(|a| a.name == name)
    }

    /// Apps that are built and run, portal first.
    pub fn enabled(&self) -> impl Iterator<Item = &AppEntry> {
        self.apps.iter().filter(|a| a.enabled)
    }
}

/// Which port the public URLs carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicPort {
    /// No port (443 for https, 80 for http): production behind nginx.
    Default,
    /// One port for every host: the local nginx variant.
    Fixed(u16),
    /// Each app on its own manifest port: a local run without a proxy.
    PerApp,
}

/// This deployment's view of the suite: where every app is reachable from a browser.
#[derive(Debug, Clone)]
pub struct Suite {
    pub manifest: &'static Manifest,
    /// Parent domain, e.g. `stepperslife.com` or `stepperslife.localhost`.
    pub domain: String,
    /// `https` in production, `http` locally.
    pub scheme: String,
    pub port: PublicPort,
}

impl Suite {
    /// `SUITE_DOMAIN` (default: the manifest's local domain), `SUITE_SCHEME` (`http`|`https`,
    /// default `http`), `SUITE_PUBLIC_PORT` (a number, `default`, or `per-app`; default
    /// `per-app` over http and `default` over https).
    pub fn from_env() -> Result<Self, ConfigError> {
        let manifest = Manifest::current()?;
        let domain = config::var_or("SUITE_DOMAIN", &manifest.suite.local_domain);
        let scheme = config::var_or("SUITE_SCHEME", "http");
        if scheme != "http" && scheme != "https" {
            return Err(ConfigError::invalid(
                "SUITE_SCHEME",
                "must be http or https",
            ));
        }
        let port = match config::var_opt("SUITE_PUBLIC_PORT").as_deref() {
            None | Some("") if scheme == "https" => PublicPort::Default,
            None | Some("") | Some("per-app") => PublicPort::PerApp,
            Some("default") => PublicPort::Default,
            Some(n) => PublicPort::Fixed(n.parse().map_err(|_| {
                ConfigError::invalid(
                    "SUITE_PUBLIC_PORT",
                    "must be a port number, default or per-app",
                )
            })?),
        };
        Ok(Self::new(manifest, domain, scheme, port))
    }

    pub fn new(
        manifest: &'static Manifest,
        domain: String,
        scheme: String,
        port: PublicPort,
    ) -> Self {
        Self {
            manifest,
            domain: domain.trim_end_matches('.').to_ascii_lowercase(),
            scheme,
            port,
        }
    }

    /// The local suite without a proxy: `http://<app>.<local domain>:<app port>`.
    pub fn local() -> Self {
        let m = Manifest::embedded();
        Self::new(
            m,
            m.suite.local_domain.clone(),
            "http".into(),
            PublicPort::PerApp,
        )
    }

    /// Production: `https://<app>.<domain>`.
    pub fn production() -> Self {
        let m = Manifest::embedded();
        Self::new(
            m,
            m.suite.domain.clone(),
            "https".into(),
            PublicPort::Default,
        )
    }

    pub fn is_https(&self) -> bool {
        self.scheme == "https"
    }

    /// The host name of an app (`restaurants.stepperslife.com`; the portal is the bare domain).
    pub fn host(&self, app: &AppEntry) -> String {
        if app.subdomain.is_empty() {
            self.domain.clone()
        } else {
            format!("{}.{}", app.subdomain, self.domain)
        }
    }

    fn port_of(&self, app: &AppEntry) -> Option<u16> {
        let port = match self.port {
            PublicPort::Default => return None,
            PublicPort::Fixed(p) => p,
            PublicPort::PerApp => app.port,
        };
        let default = if self.is_https() { 443 } else { 80 };
        (port != default).then_some(port)
    }

    /// `scheme://host[:port]`, no trailing slash.
    pub fn origin(&self, app: &AppEntry) -> String {
        match self.port_of(app) {
            Some(p) => format!("{}://{}:{}", self.scheme, self.host(app), p),
            None => format!("{}://{}", self.scheme, self.host(app)),
        }
    }

    /// Origin of the app called `name`; panics if the manifest has no such app (a programming
    /// error: names are constants in the code).
    pub fn origin_of(&self, name: &str) -> String {
        let app = self
            .manifest
            .app(name)
            .unwrap_or_else(|| panic!("no app named {name} in the manifest"));
        self.origin(app)
    }

    /// The portal's origin.
    pub fn portal(&self) -> String {
        self.origin_of("portal")
    }

    /// Every enabled app's origin.
    pub fn origins(&self) -> Vec<String> {
        self.manifest.enabled().map(|a| self.origin(a)).collect()
    }

    /// Whether `origin` (as sent in an `Origin` header) is one of the suite's.
    pub fn is_suite_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.manifest
            .enabled()
            .any(|a| self.origin(a).eq_ignore_ascii_case(origin))
    }

    /// The enabled app whose host and port are exactly `host` and `port` (`None` = the scheme's
    /// default port), if any.
    pub fn app_at(&self, host: &str, port: Option<u16>) -> Option<&'static AppEntry> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.manifest
            .enabled()
            .find(|a| self.host(a) == host && self.port_of(a) == port)
    }

    /// The cookie `Domain` attribute: the parent domain, so every subdomain receives it.
    pub fn cookie_domain(&self) -> String {
        self.domain.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_manifest_has_the_portal_and_restaurants() {
        let m = Manifest::embedded();
        assert_eq!(m.app("portal").map(|a| a.port), Some(3001));
        assert_eq!(m.app("restaurants").map(|a| a.port), Some(3010));
        assert!(m.app("restaurants").is_some_and(|a| a.enabled));
    }

    #[test]
    fn local_origins_carry_each_apps_port() {
        let s = Suite::local();
        assert_eq!(s.portal(), "http://stepperslife.localhost:3001");
        assert_eq!(
            s.origin_of("restaurants"),
            "http://restaurants.stepperslife.localhost:3010"
        );
    }

    #[test]
    fn production_origins_have_no_port() {
        let s = Suite::production();
        assert_eq!(s.portal(), "https://stepperslife.com");
        assert!(s.is_suite_origin("https://restaurants.stepperslife.com"));
        assert!(!s.is_suite_origin("http://restaurants.stepperslife.com"));
        assert!(!s.is_suite_origin("https://restaurants.stepperslife.com.evil.com"));
    }

    #[test]
    fn a_fixed_port_applies_to_every_host() {
        let s = Suite::new(
            Manifest::embedded(),
            "stepperslife.localhost".into(),
            "http".into(),
            PublicPort::Fixed(8080),
        );
        assert_eq!(
            s.origin_of("restaurants"),
            "http://restaurants.stepperslife.localhost:8080"
        );
        assert!(
            s.app_at("restaurants.stepperslife.localhost", Some(8080))
                .is_some()
        );
        assert!(
            s.app_at("restaurants.stepperslife.localhost", Some(3010))
                .is_none()
        );
    }
}

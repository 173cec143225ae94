//! An app's configuration, read once from the environment at start. Every error names the
//! variable; secrets (database URLs, the bucket's key) print as `[REDACTED]` in `Debug`.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf};

use platform::{
    config::{self, ConfigError},
    suite::Suite,
};
use secrecy::SecretString;
use sso::SessionSettings;
use storage::BucketConfig;

/// Where the server listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bind {
    /// `BIND_ADDR=127.0.0.1:3010`: bind this address.
    Addr(SocketAddr),
    /// `BIND_ADDR=stdin`: the listening socket is standard input (bound by whoever started us).
    Stdin,
}

/// What an app needs configured besides what every app does.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// A bucket (`S3_*`).
    pub bucket: bool,
    /// The app keeps the sessions (the portal): no `SESSION_DATABASE_URL`.
    pub owns_sessions: bool,
    /// A payment provider (`STRIPE_*`).
    pub payments: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The app's name in the manifest (`restaurants`).
    pub app: &'static str,
    /// `DATABASE_URL`: the app's own database, as its own role.
    pub database_url: SecretString,
    /// `SESSION_DATABASE_URL`: the portal's database as the read-only session-reader role;
    /// `None` for the portal, which reads sessions from its own database.
    pub session_database_url: Option<SecretString>,
    /// `BIND_ADDR` (default `127.0.0.1:<the app's manifest port>`).
    pub bind: Bind,
    /// `SITE_ROOT` (default `site/<app>`): the built browser files are in its `pkg/`.
    pub site_root: PathBuf,
    pub suite: Suite,
    pub sessions: SessionSettings,
    /// `S3_*`: the app's bucket, for apps that have one.
    pub bucket: Option<BucketConfig>,
    /// `SEED_DEMO`: insert the demo data at start (idempotent).
    pub seed_demo: bool,
    /// `DATABASE_POOL_SIZE` (default 10): connections to the app's own database.
    pub pool_size: u32,
    /// The proxies whose `X-Real-IP` names the client: `TRUSTED_PROXIES` (addresses, comma
    /// separated), or `TRUST_PROXY=true` for one on this machine (127.0.0.1, ::1). A request from
    /// any other peer is taken to come from that peer, whatever its headers say.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `SMTP_URL`, `MAIL_FROM`: where the app's outbox is delivered.
    pub mail: mail::MailConfig,
    /// `STRIPE_*`: the payment provider, for apps that take card payments.
    pub payments: Option<payments::PaymentsConfig>,
    /// `<APP>_INTERNAL_URL` of every other enabled app (default `http://127.0.0.1:<port>`):
    /// where this app reaches it, server to server.
    pub internal_urls: BTreeMap<String, String>,
}

/// `SEED_DEMO`: never over https. The demo account's password is published, so a production
/// suite with demo data would hand out an account to anyone.
fn demo_seed(seed: bool, scheme: &str) -> Result<bool, ConfigError> {
    if seed && scheme == "https" {
        return Err(ConfigError::invalid(
            "SEED_DEMO",
            "demo data (with its published password) is for local runs only, not over https",
        ));
    }
    Ok(seed)
}

/// `TRUSTED_PROXIES`, else loopback when `TRUST_PROXY=true`.
fn trusted_proxies() -> Result<Vec<std::net::IpAddr>, ConfigError> {
    if let Some(list) = config::var_opt("TRUSTED_PROXIES").filter(|l| !l.trim().is_empty()) {
        return list
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().map_err(|_| {
                    ConfigError::invalid("TRUSTED_PROXIES", format!("{a} is not an IP address"))
                })
            })
            .collect();
    }
    Ok(if config::parse_or("TRUST_PROXY", false)? {
        LOOPBACK.to_vec()
    } else {
        Vec::new()
    })
}

/// A proxy on the same machine.
pub const LOOPBACK: [std::net::IpAddr; 2] = [
    std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
    std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
];

impl Config {
    /// Reads the configuration of `app`: what it `needs` besides what every app does.
    pub fn from_env(app: &'static str, needs: Needs) -> Result<Self, ConfigError> {
        let Needs {
            bucket,
            owns_sessions,
            payments,
        } = needs;
        let suite = Suite::from_env()?;
        let entry = suite.manifest.app(app).ok_or_else(|| {
            ConfigError::invalid("SUITE_APP", format!("the manifest has no app named {app}"))
        })?;
        let bind = match config::var_opt("BIND_ADDR").as_deref() {
            Some("stdin") => Bind::Stdin,
            _ => Bind::Addr(config::parse_or(
                "BIND_ADDR",
                SocketAddr::from(([127, 0, 0, 1], entry.port)),
            )?),
        };
        let internal_urls = suite
            .manifest
            .enabled()
            .map(|a| {
                let var = format!("{}_INTERNAL_URL", a.name.to_uppercase());
                let url =
                    config::var_opt(&var).unwrap_or_else(|| format!("http://127.0.0.1:{}", a.port));
                (a.name.clone(), url)
            })
            .collect();
        Ok(Self {
            app,
            database_url: SecretString::from(config::var("DATABASE_URL")?),
            session_database_url: if owns_sessions {
                None
            } else {
                Some(SecretString::from(config::var("SESSION_DATABASE_URL")?))
            },
            bind,
            site_root: PathBuf::from(config::var_or("SITE_ROOT", &format!("site/{app}"))),
            sessions: SessionSettings::from_env(&suite)?,
            bucket: if bucket {
                Some(BucketConfig::from_env()?)
            } else {
                None
            },
            seed_demo: demo_seed(config::parse_or("SEED_DEMO", false)?, &suite.scheme)?,
            pool_size: config::parse_or("DATABASE_POOL_SIZE", 10)?,
            trusted_proxies: trusted_proxies()?,
            internal_urls,
            mail: mail::MailConfig::from_env(&suite)?,
            payments: if payments {
                Some(payments::PaymentsConfig::from_env()?)
            } else {
                None
            },
            suite,
        })
    }

    /// Where this app reaches `app` (server to server).
    pub fn internal_url(&self, app: &str) -> Option<&str> {
        self.internal_urls.get(app).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_refused_over_https() {
        assert!(demo_seed(true, "https").is_err());
        assert_eq!(demo_seed(true, "http").ok(), Some(true));
        assert_eq!(demo_seed(false, "https").ok(), Some(false));
    }
}

//! `SMTP_URL` and `MAIL_FROM`.

use lettre::message::Mailbox;
use platform::{
    config::{self, ConfigError},
    suite::Suite,
};
use secrecy::{ExposeSecret, SecretString};

/// Where mail goes and whom it comes from.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `SMTP_URL`: `smtp://host:1025` (plain, local), `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host:465`. Unset: messages wait in the outbox.
    pub smtp_url: Option<SecretString>,
    /// `MAIL_FROM` (default `<suite name> <no-reply@<parent domain>>`).
    pub from: Mailbox,
}

impl MailConfig {
    pub fn from_env(suite: &Suite) -> Result<Self, ConfigError> {
        let smtp_url = config::var_opt("SMTP_URL")
            .filter(|u| !u.trim().is_empty())
            .map(SecretString::from);
        if let Some(url) = &smtp_url {
            crate::smtp::transport(url.expose_secret())
                .map_err(|e| ConfigError::invalid("SMTP_URL", e.to_string()))?;
        }
        let from = match config::var_opt("MAIL_FROM").filter(|f| !f.trim().is_empty()) {
            Some(f) => f
                .parse()
                .map_err(|e| ConfigError::invalid("MAIL_FROM", format!("not an address: {e}")))?,
            None => Self::default_from(suite),
        };
        Ok(Self { smtp_url, from })
    }

    /// The suite as sender: `SteppersLife <no-reply@stepperslife.com>`.
    pub fn default_from(suite: &Suite) -> Mailbox {
        let address = format!("no-reply@{}", suite.domain);
        Mailbox::new(
            Some(suite.manifest.suite.name.clone()),
            address
                .parse()
                .unwrap_or_else(|_| lettre::Address::new("no-reply", "localhost").expect("valid")),
        )
    }

    /// Mail sent to `smtp_url` (tests, the local launcher).
    pub fn smtp(suite: &Suite, smtp_url: &str) -> Self {
        Self {
            smtp_url: Some(SecretString::from(smtp_url.to_owned())),
            from: Self::default_from(suite),
        }
    }
}

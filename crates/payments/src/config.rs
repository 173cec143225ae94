//! Where the payment provider is, and the keys, from the environment.

use platform::config::{self, ConfigError};
use secrecy::SecretString;

/// The payment provider's configuration. Secrets print as `[REDACTED]` in `Debug`.
#[derive(Debug, Clone)]
pub struct PaymentsConfig {
    /// `STRIPE_API_BASE` (default `https://api.stripe.com`): localstripe's address locally.
    pub api_base: String,
    /// `STRIPE_SECRET_KEY`: the server's key (`sk_…`).
    pub secret_key: SecretString,
    /// `STRIPE_PUBLISHABLE_KEY`: the browser's key (`pk_…`), public.
    pub publishable_key: String,
    /// `STRIPE_WEBHOOK_SECRET`: what the provider signs the app's webhooks with (`whsec_…`).
    pub webhook_secret: SecretString,
    /// `STRIPE_JS_URL` (default `https://js.stripe.com/v3/`): the card form's script.
    pub js_url: String,
    /// `PAYMENTS_CURRENCY` (default `usd`): ISO 4217, lower case, as Stripe writes it.
    pub currency: String,
}

impl PaymentsConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        let secret_key = config::var("STRIPE_SECRET_KEY")?;
        if !secret_key.starts_with("sk_") && !secret_key.starts_with("rk_") {
            return Err(ConfigError::invalid(
                "STRIPE_SECRET_KEY",
                "a secret (sk_…) or restricted (rk_…) key is expected",
            ));
        }
        let api_base = config::var_or("STRIPE_API_BASE", "https://api.stripe.com");
        url::Url::parse(&api_base)
            .map_err(|e| ConfigError::invalid("STRIPE_API_BASE", e.to_string()))?;
        let js_url = config::var_or("STRIPE_JS_URL", "https://js.stripe.com/v3/");
        url::Url::parse(&js_url)
            .map_err(|e| ConfigError::invalid("STRIPE_JS_URL", e.to_string()))?;
        let currency = config::var_or("PAYMENTS_CURRENCY", "usd");
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ConfigError::invalid(
                "PAYMENTS_CURRENCY",
                "three lower-case letters (usd) are expected",
            ));
        }
        Ok(Self {
            api_base: api_base.trim_end_matches('/').to_owned(),
            secret_key: SecretString::from(secret_key),
            publishable_key: config::var("STRIPE_PUBLISHABLE_KEY")?,
            webhook_secret: SecretString::from(config::var("STRIPE_WEBHOOK_SECRET")?),
            js_url,
            currency,
        })
    }

    /// The origins the card form loads from, calls and frames (for the pages'
    /// Content-Security-Policy): the script's and the API's, and Stripe's 3-D Secure frames
    /// when it is Stripe's script.
    pub fn browser_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = [self.js_url.as_str(), self.api_base.as_str()]
            .into_iter()
            .filter_map(|u| url::Url::parse(u).ok())
            .map(|u| u.origin().ascii_serialization())
            .collect();
        if origins.iter().any(|o| o == "https://js.stripe.com") {
            origins.push("https://hooks.stripe.com".to_owned());
        }
        origins.dedup();
        origins
    }
}

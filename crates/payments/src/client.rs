//! The few Stripe calls the apps make, typed.

use std::{collections::BTreeMap, time::Duration};

use secrecy::ExposeSecret;
use serde::Deserialize;

use crate::PaymentsConfig;

/// The API version the types below are written against: sent with every call, so that a change
/// of the account's default version changes nothing here.
const API_VERSION: &str = "2024-06-20";

/// A Stripe client for one account.
#[derive(Debug, Clone)]
pub struct Stripe {
    http: reqwest::Client,
    cfg: PaymentsConfig,
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with an error (a declined card is one: `kind` `card_error`).
    #[error("stripe answered {status}: {message} ({kind}{})", code.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Api {
        status: u16,
        kind: String,
        code: Option<String>,
        message: String,
    },
    /// Stripe could not be reached, or did not answer in time: worth trying again later, with
    /// the same idempotency key.
    #[error("stripe could not be reached: {0}")]
    Unreachable(String),
    /// Stripe answered something this client does not understand.
    #[error("stripe answered something unexpected: {0}")]
    Unexpected(String),
}

impl StripeError {
    /// A card problem the buyer can act on (declined, expired, wrong number): Stripe's
    /// `card_error`, answered with 402 (localstripe calls its declines `invalid_request_error`,
    /// with the same 402).
    pub fn is_card_error(&self) -> bool {
        matches!(self, Self::Api { kind, status, .. } if kind == "card_error" || *status == 402)
    }
}

/// What a PaymentIntent is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
    /// A status newer than this client.
    #[serde(other)]
    Unknown,
}

/// A PaymentIntent, as far as the apps read it.
#[derive(Debug, Clone, Deserialize)]
pub struct Intent {
    pub id: String,
    /// In the currency's smallest unit (cents).
    pub amount: i64,
    pub currency: String,
    pub status: IntentStatus,
    /// What the browser confirms the payment with; never logged.
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub last_payment_error: Option<PaymentError>,
}

/// Why the last attempt to pay failed.
#[derive(Debug, Clone, Deserialize)]
pub struct PaymentError {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// A refund of (part of) a payment.
#[derive(Debug, Clone, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub status: Option<String>,
}

/// A PaymentIntent to create: an amount the app's database says, for one of its orders.
#[derive(Debug, Clone)]
pub struct NewIntent<'a> {
    pub amount_cents: i64,
    /// Names of the app's own records, for the dashboard and the webhook (`order` → its id).
    pub metadata: &'a [(&'a str, &'a str)],
    /// The same key gives the same intent however often the call is made (Stripe keeps keys for
    /// a day): derive it from the order.
    pub idempotency_key: &'a str,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

impl Stripe {
    pub fn new(cfg: &PaymentsConfig) -> Result<Self, StripeError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| StripeError::Unexpected(e.to_string()))?;
        Ok(Self {
            http,
            cfg: cfg.clone(),
        })
    }

    pub fn config(&self) -> &PaymentsConfig {
        &self.cfg
    }

    /// Creates a card PaymentIntent for `intent.amount_cents` in the configured currency.
    pub async fn create_intent(&self, intent: &NewIntent<'_>) -> Result<Intent, StripeError> {
        if intent.amount_cents <= 0 {
            return Err(StripeError::Unexpected(
                "a payment must be of more than nothing".into(),
            ));
        }
        let mut form = vec![
            ("amount".to_owned(), intent.amount_cents.to_string()),
            ("currency".to_owned(), self.cfg.currency.clone()),
            ("payment_method_types[]".to_owned(), "card".to_owned()),
        ];
        form.extend(
            intent
                .metadata
                .iter()
                .map(|(k, v)| (format!("metadata[{k}]"), (*v).to_owned())),
        );
        self.post("/v1/payment_intents", &form, Some(intent.idempotency_key))
            .await
    }

    /// The PaymentIntent `id` as Stripe has it now.
    pub async fn intent(&self, id: &str) -> Result<Intent, StripeError> {
        let path = format!("/v1/payment_intents/{}", path_segment(id)?);
        self.send(self.http.get(self.url(&path))).await
    }

    /// Pays the PaymentIntent `intent` with the card behind `token` (what Stripe.js's card form
    /// gives the page: `tok_…`): a PaymentMethod is made from it, set on the intent, and the
    /// intent confirmed here, on the server. The intent afterwards: `succeeded`, or
    /// `requires_action` (the bank asks the card holder, in the page, through Stripe.js); a
    /// declined card is a [`StripeError::is_card_error`].
    pub async fn pay_with_token(&self, intent: &str, token: &str) -> Result<Intent, StripeError> {
        let path = format!("/v1/payment_intents/{}", path_segment(intent)?);
        let token = path_segment(token)?;
        #[derive(Deserialize)]
        struct Created {
            id: String,
        }
        let method: Created = self
            .post(
                "/v1/payment_methods",
                &[
                    ("type".to_owned(), "card".to_owned()),
                    ("card[token]".to_owned(), token.to_owned()),
                ],
                None,
            )
            .await?;
        let _: Intent = self
            .post(&path, &[("payment_method".to_owned(), method.id)], None)
            .await?;
        self.post(&format!("{path}/confirm"), &[], None).await
    }

    /// Cancels the PaymentIntent `id` (one that has not succeeded), so that it can no longer be
    /// paid.
    pub async fn cancel_intent(&self, id: &str) -> Result<Intent, StripeError> {
        let path = format!("/v1/payment_intents/{}/cancel", path_segment(id)?);
        self.post(&path, &[], None).await
    }

    /// Refunds `amount_cents` of the PaymentIntent `intent`, once per `idempotency_key`.
    pub async fn refund(
        &self,
        intent: &str,
        amount_cents: i64,
        idempotency_key: &str,
    ) -> Result<Refund, StripeError> {
        let form = [
            ("payment_intent".to_owned(), intent.to_owned()),
            ("amount".to_owned(), amount_cents.to_string()),
        ];
        self.post("/v1/refunds", &form, Some(idempotency_key)).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.api_base)
    }

    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let mut req = self.http.post(self.url(path)).form(form);
        if let Some(key) = idempotency_key {
            req = req.header("Idempotency-Key", key);
        }
        self.send(req).await
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        req: reqwest::RequestBuilder,
    ) -> Result<T, StripeError> {
        let res = req
            .bearer_auth(self.cfg.secret_key.expose_secret())
            .header("Stripe-Version", API_VERSION)
            .send()
            .await
            .map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        let status = res.status();
        let body = res
            .bytes()
            .await
            .map_err(|e| StripeError::Unreachable(e.without_url().to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&body)
                .map_err(|e| StripeError::Unexpected(format!("{e}")));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(StripeError::Unreachable(format!("status {status}")));
        }
        let detail = serde_json::from_slice::<ErrorBody>(&body)
            .map(|b| b.error)
            .map_err(|_| StripeError::Unexpected(format!("status {status} without an error")))?;
        Err(StripeError::Api {
            status: status.as_u16(),
            kind: detail.kind,
            code: detail.code,
            message: detail.message.unwrap_or_default(),
        })
    }
}

/// An id as one path segment: Stripe's ids are letters, digits and `_`.
fn path_segment(id: &str) -> Result<&str, StripeError> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(id)
    } else {
        Err(StripeError::Unexpected(format!(
            "{id:?} is not a Stripe id"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_cannot_leave_its_path_segment() {
        assert!(path_segment("pi_3Abc_9").is_ok());
        assert!(path_segment("../v1/refunds").is_err());
        assert!(path_segment("pi_1?expand=x").is_err());
        assert!(path_segment("").is_err());
    }

    #[test]
    fn a_decline_is_a_card_error_and_a_bad_request_is_not() {
        let api = |status, kind: &str| StripeError::Api {
            status,
            kind: kind.into(),
            code: None,
            message: String::new(),
        };
        assert!(api(402, "card_error").is_card_error());
        assert!(api(402, "invalid_request_error").is_card_error());
        assert!(!api(400, "invalid_request_error").is_card_error());
        assert!(!StripeError::Unreachable("timeout".into()).is_card_error());
    }

    #[test]
    fn a_status_newer_than_the_client_is_read_as_unknown() {
        let s: IntentStatus =
            serde_json::from_str("\"requires_something_new\"").unwrap_or(IntentStatus::Succeeded);
        assert_eq!(s, IntentStatus::Unknown);
        let s: IntentStatus =
            serde_json::from_str("\"succeeded\"").unwrap_or(IntentStatus::Unknown);
        assert_eq!(s, IntentStatus::Succeeded);
    }
}

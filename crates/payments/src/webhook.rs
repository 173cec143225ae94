//! Webhooks: Stripe's signed notice that something happened to a payment.
//!
//! The signature is `Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`
//! (several `v1` while a secret is being rolled). It is checked over the raw bytes, before the
//! body is parsed; a timestamp more than [`TOLERANCE_SECS`] away is refused, so a captured
//! delivery cannot be replayed later.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

/// How far a signature's timestamp may be from now (Stripe's libraries use five minutes).
pub const TOLERANCE_SECS: i64 = 300;

/// A webhook event.
#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    /// `evt_…`: the same event delivered twice has the same id.
    pub id: String,
    /// `payment_intent.succeeded`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened (Unix seconds).
    #[serde(default)]
    pub created: i64,
    pub data: EventData,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
}

impl Event {
    /// The PaymentIntent the event is about, if it is about one.
    pub fn payment_intent(&self) -> Option<&str> {
        let object = &self.data.object;
        match object.get("object").and_then(|o| o.as_str()) {
            Some("payment_intent") => object.get("id").and_then(|i| i.as_str()),
            Some("charge" | "refund") => object.get("payment_intent").and_then(|i| i.as_str()),
            _ => None,
        }
    }
}

/// Why a webhook was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("no Stripe-Signature header")]
    Unsigned,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the signature's timestamp is too far from now")]
    Stale,
    #[error("no signature matches")]
    Mismatch,
    #[error("the signed body is not an event: {0}")]
    NotAnEvent(String),
}

/// The `v1` signature of `payload` at time `t`, as hex.
fn signature(payload: &[u8], secret: &str, t: i64) -> String {
    // HMAC takes a key of any length.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC-SHA256 accepts keys of any length")
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

/// The `Stripe-Signature` header Stripe would send for `payload` at time `t` (for tests, and
/// for forwarding a delivery by hand).
pub fn sign(payload: &[u8], secret: &str, t: i64) -> String {
    format!("t={t},v1={}", signature(payload, secret, t))
}

/// Checks `header` (the `Stripe-Signature` value) against `payload` and `secret` at `now` (Unix
/// seconds), then parses the event.
pub fn verify(
    payload: &[u8],
    header: Option<&str>,
    secret: &str,
    now: i64,
) -> Result<Event, WebhookError> {
    let header = header.ok_or(WebhookError::Unsigned)?;
    let mut t = None;
    let mut given = Vec::new();
    for part in header.split(',') {
        let (k, v) = part.trim().split_once('=').ok_or(WebhookError::Malformed)?;
        match k {
            "t" => t = Some(v.parse::<i64>().map_err(|_| WebhookError::Malformed)?),
            "v1" => given.push(hex::decode(v).map_err(|_| WebhookError::Malformed)?),
            _ => {}
        }
    }
    let t = t.ok_or(WebhookError::Malformed)?;
    if given.is_empty() {
        return Err(WebhookError::Mismatch);
    }
    if (now - t).abs() > TOLERANCE_SECS {
        return Err(WebhookError::Stale);
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC-SHA256 accepts keys of any length")
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    // `verify_slice` compares in constant time.
    if !given.iter().any(|g| mac.clone().verify_slice(g).is_ok()) {
        return Err(WebhookError::Mismatch);
    }
    serde_json::from_slice(payload).map_err(|e| WebhookError::NotAnEvent(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded","created":1700000000,"data":{"object":{"object":"payment_intent","id":"pi_9","amount":2500}}}"#;
    const SECRET: &str = "whsec_test";

    #[test]
    fn a_signed_event_is_read() {
        let event = verify(BODY, Some(&sign(BODY, SECRET, 1000)), SECRET, 1010);
        let event = event.expect("verified");
        assert_eq!(event.id, "evt_1");
        assert_eq!(event.kind, "payment_intent.succeeded");
        assert_eq!(event.payment_intent(), Some("pi_9"));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_time_dot_body() {
        // Computed independently: printf '1.x' | openssl dgst -sha256 -hmac k
        assert_eq!(
            signature(b"x", "k", 1),
            "976cb87e4f568d1c0f03f32859e90af8597cf00b978ba37c229c97d3a15b8449"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        let good = sign(BODY, SECRET, 1000);
        assert_eq!(
            verify(BODY, None, SECRET, 1000).err(),
            Some(WebhookError::Unsigned)
        );
        assert_eq!(
            verify(BODY, Some(&sign(BODY, "whsec_other", 1000)), SECRET, 1000).err(),
            Some(WebhookError::Mismatch)
        );
        let mut changed = BODY.to_vec();
        changed[60] ^= 1;
        assert_eq!(
            verify(&changed, Some(&good), SECRET, 1000).err(),
            Some(WebhookError::Mismatch)
        );
        assert_eq!(
            verify(BODY, Some(&good), SECRET, 1000 + TOLERANCE_SECS + 1).err(),
            Some(WebhookError::Stale)
        );
        assert_eq!(
            verify(BODY, Some("t=1000"), SECRET, 1000).err(),
            Some(WebhookError::Mismatch)
        );
        assert_eq!(
            verify(BODY, Some("garbage"), SECRET, 1000).err(),
            Some(WebhookError::Malformed)
        );
        // A timestamp moved forward with the old signature kept does not pass.
        let moved = good.replacen("t=1000", "t=1200", 1);
        assert_eq!(
            verify(BODY, Some(&moved), SECRET, 1200).err(),
            Some(WebhookError::Mismatch)
        );
    }

    #[test]
    fn while_a_secret_is_rolled_either_signature_passes() {
        let old = signature(BODY, "whsec_old", 1000);
        let new = signature(BODY, SECRET, 1000);
        let header = format!("t=1000,v1={old},v1={new}");
        assert!(verify(BODY, Some(&header), SECRET, 1000).is_ok());
    }
}

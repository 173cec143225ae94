//! Idempotency keys: a client sends one key per transaction it means to make; a retry with the
//! same key and the same request gets the first answer, the same key with another request is
//! refused. The app stores the key and the request's fingerprint with what the request created,
//! under a unique constraint, and inserts with `on conflict do nothing` (then reads back).

use serde::Serialize;

use crate::AppError;

/// A checked key: 8 to 100 letters, digits, `-` or `_` (a UUID fits).
pub fn key(raw: Option<&str>) -> Result<&str, AppError> {
    let Some(key) = raw else {
        return Err(AppError::BadRequest(
            "Send an Idempotency-Key header (a new UUID for each new transaction).".into(),
        ));
    };
    let ok = (8..=100).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(key)
    } else {
        Err(AppError::BadRequest(
            "Send an Idempotency-Key of 8 to 100 letters, digits, '-' or '_' (a UUID will do)."
                .into(),
        ))
    }
}

/// The request's fingerprint: a retry has the same one, another request reusing the key does
/// not.
pub fn fingerprint(request: &impl Serialize) -> String {
    crate::token::sha256_hex(&serde_json::to_vec(request).unwrap_or_default())
}

/// The refusal of a key reused for a different request.
pub fn reused() -> AppError {
    AppError::conflict(
        "idempotency_key",
        "This idempotency key was already used for a different request. Use a new key for a new one.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert_eq!(
            key(Some("3f2a9c1e-0000-4000-8000-000000000000")),
            Ok("3f2a9c1e-0000-4000-8000-000000000000")
        );
        for bad in [
            None,
            Some(""),
            Some("short"),
            Some("has space 12345"),
            Some("ümlauts-here"),
        ] {
            assert_eq!(key(bad).map_err(|e| e.status()), Err(400), "{bad:?}");
        }
        assert!(key(Some(&"a".repeat(101))).is_err());
    }

    #[test]
    fn fingerprints_tell_requests_apart() {
        assert_eq!(fingerprint(&(1, "a")), fingerprint(&(1, "a")));
        assert_ne!(fingerprint(&(1, "a")), fingerprint(&(2, "a")));
        assert_eq!(reused().status(), 409);
    }
}

//! Random secrets handed to a person (invitation links, reset links, ticket codes) of which the
//! database keeps only the SHA-256: reading the table yields nothing usable.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new secret and its SHA-256, both in lower-case hex: `(secret, hash)`. Give the secret to
/// the person; store the hash.
pub fn new() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let hash = sha256_hex(token.as_bytes());
    (token, hash)
}

/// A fresh value used once (a Content-Security-Policy nonce): 128 random bits in hex.
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// SHA-256 of `data` in lower-case hex (what is stored of a token; request fingerprints).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_stored_only_as_its_hash() {
        let (token, hash) = new();
        assert_eq!(token.len(), 64);
        assert_eq!(hash, sha256_hex(token.as_bytes()));
        assert_ne!(token, hash);
        assert_ne!(new().0, token, "tokens are random");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}

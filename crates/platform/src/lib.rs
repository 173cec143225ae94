#![doc = include_str!("../README.md")]

pub mod error;
pub use error::AppError;

/// Percent-encodes `s` for use as one query-string value (everything but `A-Z a-z 0-9 - _ . ~`).
pub fn percent_encode(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_encoded_whole() {
        assert_eq!(
            super::percent_encode("http://a.b:1/x?y=1&z=2 é"),
            "http%3A%2F%2Fa.b%3A1%2Fx%3Fy%3D1%26z%3D2%20%C3%A9"
        );
    }
}

#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod health;
#[cfg(feature = "server")]
pub mod serve;
#[cfg(feature = "server")]
pub mod shutdown;
#[cfg(feature = "server")]
pub mod suite;
#[cfg(feature = "server")]
pub mod telemetry;

#![doc = include_str!("../README.md")]

pub mod csv;
pub mod error;
pub mod headers;
pub mod money;
pub mod paging;
pub mod text;
pub mod upload;
pub use error::AppError;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but `A-Z a-z 0-9 - _ . ~` is encoded in a query-string value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `s` percent-encoded as one query-string value.
pub fn query_value(s: &str) -> String {
    utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// The portal's sign-in page, bringing the person back to `return_to` (an absolute URL on one
/// of the suite's hosts) afterwards.
pub fn sign_in_url(portal: &str, return_to: &str) -> String {
    format!("{portal}/signin?return_to={}", query_value(return_to))
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_values_are_encoded_whole() {
        assert_eq!(
            super::query_value("http://a.b:1/x?y=1&z=2 é"),
            "http%3A%2F%2Fa.b%3A1%2Fx%3Fy%3D1%26z%3D2%20%C3%A9"
        );
        assert_eq!(super::query_value("a-b_c.d~e"), "a-b_c.d~e");
    }

    #[test]
    fn sign_in_links_carry_the_way_back() {
        assert_eq!(
            super::sign_in_url(
                "https://stepperslife.com",
                "https://restaurants.stepperslife.com/r/x?y=1"
            ),
            "https://stepperslife.com/signin?return_to=https%3A%2F%2Frestaurants.stepperslife.com%2Fr%2Fx%3Fy%3D1"
        );
    }
}

#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod formatted;
#[cfg(feature = "server")]
pub mod health;
#[cfg(feature = "server")]
pub mod idempotency;
#[cfg(feature = "server")]
pub mod serve;
#[cfg(feature = "server")]
pub mod shutdown;
#[cfg(feature = "server")]
pub mod slug;
#[cfg(feature = "server")]
pub mod suite;
#[cfg(feature = "server")]
pub mod telemetry;
#[cfg(feature = "server")]
pub mod throttle;
#[cfg(feature = "server")]
pub mod time;
#[cfg(feature = "server")]
pub mod token;

//! A visitor's cart, kept in their browser: a cookie that names variants and quantities (no
//! prices: the server prices it like any cart, each time it is shown). Signing in moves it
//! into the member's cart on the server: the first request of that browser that is signed in
//! adds its lines (once: the cookie's id is written down in the same transaction) and removes
//! the cookie, so the next person at a shared computer does not find it.
//!
//! The cookie is `HttpOnly`, `SameSite=Lax`, for this host only (`__Host-` over https, so
//! no sibling subdomain can plant one), and lasts [`LIFETIME_DAYS`] from the last change.

use http::{HeaderMap, HeaderValue};
use platform::AppError;
use uuid::Uuid;

use super::MAX_QUANTITY;

/// Most lines a visitor's cart holds (the cookie stays under 2 KB).
pub const MAX_LINES: usize = 40;
/// How long a visitor's cart is kept after its last change.
pub const LIFETIME_DAYS: i64 = 30;

/// The cookie's name: `__Host-` prefixed over https.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-sl_cart" } else { "sl_cart" }
}

/// A visitor's cart as its cookie holds it: an id (to merge it once) and its lines, in the
/// order they were added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorCart {
    pub id: Uuid,
    pub lines: Vec<(Uuid, i32)>,
}

impl Default for VisitorCart {
    fn default() -> Self {
        Self {
            id: Uuid::new_v4(),
            lines: Vec::new(),
        }
    }
}

impl VisitorCart {
    /// The cart a cookie value holds: `id.variant-quantity.variant-quantity…` with ids in
    /// their simple (32 hex digits) form. Anything else is no cart.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split('.');
        let id = Uuid::try_parse(parts.next()?).ok()?;
        let mut lines: Vec<(Uuid, i32)> = Vec::new();
        for part in parts {
            let (variant, quantity) = part.split_once('-')?;
            let variant = Uuid::try_parse(variant).ok()?;
            let quantity: i32 = quantity.parse().ok()?;
            if !(1..=MAX_QUANTITY).contains(&quantity)
                || lines.len() >= MAX_LINES
                || lines.iter().any(|(v, _)| *v == variant)
            {
                return None;
            }
            lines.push((variant, quantity));
        }
        Some(Self { id, lines })
    }

    /// The cookie value.
    pub fn encode(&self) -> String {
        let mut out = self.id.simple().to_string();
        for (variant, quantity) in &self.lines {
            out.push('.');
            out.push_str(&variant.simple().to_string());
            out.push('-');
            out.push_str(&quantity.to_string());
        }
        out
    }

    /// The visitor's cart the request's cookie holds (the first well-formed one).
    pub fn from_headers(headers: &HeaderMap, secure: bool) -> Option<Self> {
        sso::session_cookies(headers, cookie_name(secure)).find_map(|v| Self::parse(&v))
    }

    /// `quantity` more of `variant` (at most [`MAX_QUANTITY`] in all).
    pub fn add(&mut self, variant: Uuid, quantity: i32) -> Result<(), AppError> {
        if let Some((_, q)) = self.lines.iter_mut().find(|(v, _)| *v == variant) {
            *q = (*q + quantity).min(MAX_QUANTITY);
            return Ok(());
        }
        if self.lines.len() >= MAX_LINES {
            return Err(AppError::conflict(
                "quantity",
                format!(
                    "A cart holds at most {MAX_LINES} different items before you sign in. Sign in to add more."
                ),
            ));
        }
        self.lines.push((variant, quantity));
        Ok(())
    }

    /// Exactly `quantity` of `variant` (0 takes it out).
    pub fn set(&mut self, variant: Uuid, quantity: i32) {
        if quantity == 0 {
            self.lines.retain(|(v, _)| *v != variant);
        } else if let Some((_, q)) = self.lines.iter_mut().find(|(v, _)| *v == variant) {
            *q = quantity;
        }
    }

    /// The `Set-Cookie` value that keeps this cart in the browser (or removes the cookie
    /// when the cart is empty).
    pub fn set_cookie(&self, secure: bool) -> HeaderValue {
        if self.lines.is_empty() {
            return removal(secure);
        }
        header(secure, &self.encode(), LIFETIME_DAYS * 24 * 60 * 60)
    }
}

/// The `Set-Cookie` value that removes a visitor's cart from the browser.
pub fn removal(secure: bool) -> HeaderValue {
    header(secure, "", 0)
}

fn header(secure: bool, value: &str, max_age: i64) -> HeaderValue {
    let secure_attr = if secure { "; Secure" } else { "" };
    let line = format!(
        "{}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure_attr}",
        cookie_name(secure)
    );
    // Hex digits, dots, dashes and ASCII attributes only.
    HeaderValue::from_str(&line).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cart_survives_its_cookie_and_bad_cookies_are_no_cart() {
        let mut cart = VisitorCart::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        cart.add(a, 2).expect("as built");
        cart.add(b, 1).expect("as built");
        cart.add(a, 98).expect("as built");
        assert_eq!(cart.lines, vec![(a, MAX_QUANTITY), (b, 1)]);
        assert_eq!(VisitorCart::parse(&cart.encode()), Some(cart.clone()));
        cart.set(a, 0);
        assert_eq!(cart.lines, vec![(b, 1)]);

        let id = Uuid::new_v4().simple().to_string();
        let v = a.simple().to_string();
        for bad in [
            String::new(),
            "x".into(),
            format!("{id}.{v}"),
            format!("{id}.{v}-0"),
            format!("{id}.{v}-100"),
            format!("{id}.{v}--1"),
            format!("{id}.{v}-1.{v}-2"),
            format!("{id}.nothex-1"),
        ] {
            assert_eq!(VisitorCart::parse(&bad), None, "{bad}");
        }
        assert_eq!(
            VisitorCart::parse(&id).map(|c| c.lines.len()),
            Some(0),
            "an id alone is an empty cart"
        );
    }

    #[test]
    fn a_full_cart_refuses_a_new_item_but_not_more_of_one_it_holds() {
        let mut cart = VisitorCart::default();
        for _ in 0..MAX_LINES {
            cart.add(Uuid::new_v4(), 99).expect("as built");
        }
        let first = cart.lines[0].0;
        assert!(cart.add(Uuid::new_v4(), 1).is_err());
        assert!(cart.add(first, 1).is_ok());
        let value = cart.encode();
        assert!(value.len() < 2048, "{} bytes", value.len());
        assert!(VisitorCart::parse(&value).is_some());
        let line = cart.set_cookie(false);
        let line = line.to_str().expect("as built");
        assert!(
            line.starts_with("sl_cart=") && line.contains("HttpOnly"),
            "{line}"
        );
        assert!(
            cart.set_cookie(true)
                .to_str()
                .expect("as built")
                .starts_with("__Host-sl_cart=")
        );
    }
}

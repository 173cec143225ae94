//! Prices as owners type them ("12.50", "$12", "+1.50") read into integer cents.

pub use api::restaurants::format_cents;

/// Reads a price in dollars into cents. `signed` lets it start with `+` or `-` (option price
/// changes). At most two decimals; at most `max_cents` either way.
pub fn parse_cents(raw: &str, signed: bool, max_cents: i64) -> Result<i64, String> {
    let mut s = raw.trim();
    let mut negative = false;
    if signed {
        if let Some(rest) = s.strip_prefix('-') {
            negative = true;
            s = rest;
        } else if let Some(rest) = s.strip_prefix('+') {
            s = rest;
        }
    }
    let s = s.trim_start().strip_prefix('$').unwrap_or(s).trim();
    if s.is_empty() {
        return Err("Enter a price, like 12.50.".to_owned());
    }
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && frac.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 {
        return Err("Write the price with digits and at most two decimals, like 12.50.".to_owned());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole
            .parse()
            .map_err(|_| format!("Use at most {}.", format_cents(max_cents)))?
    };
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().unwrap_or(0) * 10,
        _ => frac.parse().unwrap_or(0),
    };
    let cents = whole
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .filter(|c| *c <= max_cents)
        .ok_or_else(|| format!("Use at most {}.", format_cents(max_cents)))?;
    Ok(if negative { -cents } else { cents })
}

/// Cents as an owner's form shows them: `12.50` (`+1.50` / `-0.50` when `signed`).
pub fn cents_for_form(cents: i64, signed: bool) -> String {
    let sign = match (signed, cents < 0) {
        (_, true) => "-",
        (true, false) => "+",
        (false, false) => "",
    };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_read_into_cents() {
        assert_eq!(parse_cents("12.50", false, 100_000), Ok(1250));
        assert_eq!(parse_cents(" $12 ", false, 100_000), Ok(1200));
        assert_eq!(parse_cents("0.5", false, 100_000), Ok(50));
        assert_eq!(parse_cents(".99", false, 100_000), Ok(99));
        assert_eq!(parse_cents("+1.50", true, 100_000), Ok(150));
        assert_eq!(parse_cents("-0.75", true, 100_000), Ok(-75));
    }

    #[test]
    fn bad_prices_are_refused() {
        for bad in ["", "abc", "12.345", "1,50", "-1", "1e3", "12.", "."] {
            if bad == "12." {
                // "12." is a whole number with an empty fraction: accepted.
                assert_eq!(parse_cents(bad, false, 100_000), Ok(1200));
                continue;
            }
            assert!(parse_cents(bad, false, 100_000).is_err(), "{bad:?}");
        }
        assert!(parse_cents("1000.01", false, 100_000).is_err());
        assert!(parse_cents("99999999999999999999", false, 100_000).is_err());
    }

    #[test]
    fn cents_go_back_into_the_form() {
        assert_eq!(cents_for_form(1250, false), "12.50");
        assert_eq!(cents_for_form(150, true), "+1.50");
        assert_eq!(cents_for_form(-75, true), "-0.75");
        assert_eq!(parse_cents(&cents_for_form(-75, true), true, 1000), Ok(-75));
    }
}

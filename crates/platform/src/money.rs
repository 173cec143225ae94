//! Money in integer cents: formatting for people and reading what owners type into forms.
//! Never floating point: every amount in the suite is an integer number of cents, and sums are
//! checked for overflow.

/// `$12.50` from 1250 cents (`-$1.00` for negative amounts).
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}${}.{:02}", c / 100, c % 100)
}

/// Reads a price in dollars into cents ("12.50", "$12", ".99"; with `signed`, also "+1.50" and
/// "-0.75", for price changes). At most two decimals; at most `max_cents` either way. The error
/// is a sentence for the form.
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
    let too_much = || format!("Use at most {}.", format_cents(max_cents));
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_much())?
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
        .ok_or_else(too_much)?;
    Ok(if negative { -cents } else { cents })
}

/// Cents as a form shows them for editing: `12.50` (`+1.50` / `-0.50` when `signed`).
pub fn cents_for_form(cents: i64, signed: bool) -> String {
    let sign = match (signed, cents < 0) {
        (_, true) => "-",
        (true, false) => "+",
        (false, false) => "",
    };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

/// The sum of `amounts`, or `None` when it overflows.
pub fn sum_cents(amounts: impl IntoIterator<Item = i64>) -> Option<i64> {
    amounts.into_iter().try_fold(0i64, i64::checked_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_are_formatted_as_dollars() {
        assert_eq!(format_cents(0), "$0.00");
        assert_eq!(format_cents(1250), "$12.50");
        assert_eq!(format_cents(5), "$0.05");
        assert_eq!(format_cents(-100), "-$1.00");
        assert_eq!(format_cents(i64::MIN), "-$92233720368547758.08");
    }

    #[test]
    fn prices_read_into_cents() {
        assert_eq!(parse_cents("12.50", false, 100_000), Ok(1250));
        assert_eq!(parse_cents(" $12 ", false, 100_000), Ok(1200));
        assert_eq!(parse_cents("0.5", false, 100_000), Ok(50));
        assert_eq!(parse_cents(".99", false, 100_000), Ok(99));
        // A whole number with an empty fraction.
        assert_eq!(parse_cents("12.", false, 100_000), Ok(1200));
        assert_eq!(parse_cents("+1.50", true, 100_000), Ok(150));
        assert_eq!(parse_cents("-0.75", true, 100_000), Ok(-75));
    }

    #[test]
    fn bad_prices_are_refused_with_a_reason() {
        for bad in ["", "abc", "12.345", "1,50", "-1", "1e3", ".", "$", "+1"] {
            let err = parse_cents(bad, false, 100_000).expect_err(bad);
            assert!(err.ends_with('.'), "{bad:?}: {err}");
        }
        assert_eq!(
            parse_cents("1000.01", false, 100_000),
            Err("Use at most $1000.00.".to_owned())
        );
        assert_eq!(
            parse_cents("99999999999999999999", false, 100_000),
            Err("Use at most $1000.00.".to_owned())
        );
    }

    #[test]
    fn cents_go_back_into_the_form() {
        assert_eq!(cents_for_form(1250, false), "12.50");
        assert_eq!(cents_for_form(150, true), "+1.50");
        assert_eq!(cents_for_form(-75, true), "-0.75");
        assert_eq!(parse_cents(&cents_for_form(-75, true), true, 1000), Ok(-75));
    }

    #[test]
    fn sums_that_overflow_are_caught() {
        assert_eq!(sum_cents([1, 2, 3]), Some(6));
        assert_eq!(sum_cents([i64::MAX, 1]), None);
        assert_eq!(sum_cents([]), Some(0));
    }
}

//! Rules for free-text form fields, one way for every app: trimmed, within a length counted in
//! characters (not bytes), and free of control characters. Each refusal names the form field.

use crate::AppError;

/// Whether line breaks may appear (descriptions, notes) or not (names, titles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// A text field as typed: trimmed, `min..=max` characters, no control characters (line breaks
/// and tabs allowed with [`Lines::Many`]). `label` completes "Enter the …" when it is missing.
pub fn field(
    name: &str,
    label: &str,
    raw: &str,
    min: usize,
    max: usize,
    lines: Lines,
) -> Result<String, AppError> {
    let v = raw.trim();
    let n = v.chars().count();
    if n < min {
        return Err(AppError::validation(name, format!("Enter the {label}.")));
    }
    if n > max {
        return Err(AppError::validation(
            name,
            format!("Use at most {max} characters."),
        ));
    }
    let allowed = |c: char| lines == Lines::Many && matches!(c, '\n' | '\r' | '\t');
    if v.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err(AppError::validation(name, "Remove the special characters."));
    }
    Ok(v.to_owned())
}

/// Like [`field`], and it must hold at least one letter or digit (a name, not punctuation).
pub fn name(name: &str, label: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let v = field(name, label, raw, 1, max, Lines::One)?;
    if !v.chars().any(char::is_alphanumeric) {
        return Err(AppError::validation(
            name,
            "Use at least one letter or digit.",
        ));
    }
    Ok(v)
}

/// An email address as typed: trimmed, lower-cased, and plausible (one `@`, a dotted domain, no
/// spaces, at most 254 characters). The refusal names the form field `name`.
pub fn email(name: &str, raw: &str) -> Result<String, AppError> {
    let e = raw.trim().to_lowercase();
    if e.is_empty() {
        return Err(AppError::validation(name, "Enter your email address."));
    }
    let valid = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if valid {
        Ok(e)
    } else {
        Err(AppError::validation(
            name,
            "Enter an email address like name@example.com.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_counted_in_characters() {
        assert_eq!(
            field("city", "city", "  Chicago ", 1, 80, Lines::One),
            Ok("Chicago".into())
        );
        // Five characters, ten bytes.
        assert!(field("x", "x", "ééééé", 1, 5, Lines::One).is_ok());
    }

    #[test]
    fn each_refusal_names_its_field_and_says_what_to_do() {
        let cases = [
            (
                field("city", "city", "   ", 1, 80, Lines::One),
                "Enter the city.",
            ),
            (
                field("city", "city", &"x".repeat(81), 1, 80, Lines::One),
                "Use at most 80 characters.",
            ),
            (
                field("city", "city", "a\u{7}b", 1, 80, Lines::One),
                "Remove the special characters.",
            ),
            (
                field("city", "city", "a\nb", 1, 80, Lines::One),
                "Remove the special characters.",
            ),
            (
                name("city", "city", "!!!", 80),
                "Use at least one letter or digit.",
            ),
        ];
        for (got, message) in cases {
            let err = got.expect_err(message);
            assert_eq!(err.field(), Some("city"));
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn descriptions_keep_their_line_breaks() {
        assert_eq!(
            field("about", "text", "one\r\ntwo\tthree", 0, 100, Lines::Many),
            Ok("one\r\ntwo\tthree".into())
        );
        assert_eq!(
            field("about", "text", "", 0, 100, Lines::Many),
            Ok(String::new())
        );
    }
}

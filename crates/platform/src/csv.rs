//! CSV for spreadsheet exports (RFC 4180): fields quoted when they need it, lines ended by
//! CRLF, and a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at
//! its start) made plain text with a leading `'` (OWASP's CSV injection advice): an attendee
//! named `=HYPERLINK(…)` is a name, not a link, in the organizer's spreadsheet.

/// One CSV line of `cells`, CRLF included.
pub fn row<S: AsRef<str>>(cells: &[S]) -> String {
    let mut line = cells
        .iter()
        .map(|c| cell(c.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

fn cell(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{raw}")
    } else {
        raw.to_owned()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_when_they_must_be_and_formulas_are_text() {
        assert_eq!(row(&["a", "b c"]), "a,b c\r\n");
        assert_eq!(
            row(&["Smith, Jo", "say \"hi\""]),
            "\"Smith, Jo\",\"say \"\"hi\"\"\"\r\n"
        );
        assert_eq!(row(&["two\nlines"]), "\"two\nlines\"\r\n");
        assert_eq!(
            row(&["=HYPERLINK(\"x\")"]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        assert_eq!(
            row(&["+1", "-2", "@SUM(A1)", "ok"]),
            "'+1,'-2,'@SUM(A1),ok\r\n"
        );
        assert_eq!(row::<&str>(&[]), "\r\n");
    }
}

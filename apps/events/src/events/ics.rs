//! "Add to calendar": an event as an iCalendar file (RFC 5545), which phones and desktop
//! calendars import. Times are given in UTC, so every calendar shows them in its own zone.

use chrono::{DateTime, Utc};

/// What the file says about an event.
pub struct CalendarEvent<'a> {
    /// Unique and stable: the event's id at the app's host.
    pub uid: String,
    pub title: &'a str,
    pub description: &'a str,
    pub location: &'a str,
    pub url: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub stamp: DateTime<Utc>,
}

/// A text value with `\`, `;`, `,` and line breaks escaped.
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets (never inside a character), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut used = 0;
    for c in content.chars() {
        if used + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The `.ics` file of one event.
pub fn calendar(e: &CalendarEvent<'_>) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//SteppersLife//Events//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", text(&e.uid)),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.starts_at)),
        format!("DTEND:{}", utc(e.ends_at)),
        format!("SUMMARY:{}", text(e.title)),
        format!("DESCRIPTION:{}", text(e.description)),
        format!("LOCATION:{}", text(e.location)),
        format!("URL:{}", e.url),
        "END:VEVENT".to_owned(),
        "END:VCALENDAR".to_owned(),
    ] {
        line(&mut out, &l);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_becomes_a_calendar_file_with_escaped_folded_lines() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        let long = "Dance, dance; dance\\ all night\nand then some more, until the lights come up "
            .repeat(2);
        let ics = calendar(&CalendarEvent {
            uid: "1234@events.stepperslife.com".into(),
            title: "Saturday Social, Chicago",
            description: &long,
            location: "The Grand Ballroom",
            url: "https://events.stepperslife.com/e/saturday-social",
            starts_at: at("2026-12-13T02:00:00Z"),
            ends_at: at("2026-12-13T07:00:00Z"),
            stamp: at("2026-11-30T00:00:00Z"),
        });
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART:20261213T020000Z\r\n"));
        assert!(ics.contains("SUMMARY:Saturday Social\\, Chicago\r\n"));
        assert!(ics.contains("Dance\\, dance\\; dance\\\\ all night\\nand"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "folded: {l:?}");
        }
        // Unfolded, the description is whole again.
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", text(&long))));
    }
}

//! Moments as people type and read them: an IANA time zone named on a form, and a local date
//! and time in that zone turned into the instant it means. Stored instants are UTC; they are
//! shown in the zone of the place (a restaurant, an event).

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::AppError;

/// Time zone of a place whose form did not say.
pub const DEFAULT_TIME_ZONE: &str = "America/Chicago";

/// An IANA time zone name (`America/Chicago`) from form field `field`, or the default when
/// empty.
pub fn zone(field: &str, raw: &str) -> Result<Tz, AppError> {
    let raw = raw.trim();
    let name = if raw.is_empty() {
        DEFAULT_TIME_ZONE
    } else {
        raw
    };
    name.parse::<Tz>().map_err(|_| {
        AppError::validation(
            field,
            "Choose a time zone from the list (like America/Chicago).",
        )
    })
}

/// A zone name read back from the database, where only names [`zone`] accepted are written;
/// the default zone should one ever not parse (a name dropped from a later tz database).
pub fn stored_zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::America::Chicago)
}

/// A local date and time as a `datetime-local` input sends it (`2026-12-12T20:00`, seconds
/// optional), in `zone`, as the instant it means. A time the clocks skip (the spring-forward
/// hour) is refused with a message; one they pass twice (the fall-back hour) is the first.
pub fn local_instant(field: &str, raw: &str, zone: Tz) -> Result<DateTime<Utc>, AppError> {
    let raw = raw.trim();
    let naive = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .ok_or_else(|| AppError::validation(field, "Enter a date and time."))?;
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(AppError::validation(
            field,
            "The clocks change at that hour there, so that time does not exist. Choose another.",
        )),
    }
}

/// `at` in `zone` as a `datetime-local` input shows it.
pub fn for_input(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%dT%H:%M").to_string()
}

/// `at` in `zone` as people read it: "Sat 12 Dec 2026, 20:00".
pub fn label(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone)
        .format("%a %-d %b %Y, %H:%M")
        .to_string()
}

/// An end `ends` in `zone` as read after its start `starts`: only the time when both fall on
/// the same local day ("20:00 – 23:30"), else the whole label.
pub fn end_label(starts: DateTime<Utc>, ends: DateTime<Utc>, zone: Tz) -> String {
    let (s, e) = (starts.with_timezone(&zone), ends.with_timezone(&zone));
    if s.date_naive() == e.date_naive() {
        e.format("%H:%M").to_string()
    } else {
        label(ends, zone)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_time_means_the_instant_of_its_zone() {
        let chicago = zone("tz", "America/Chicago").expect("zone");
        let at = local_instant("starts", "2026-12-12T20:00", chicago).expect("instant");
        assert_eq!(at.to_rfc3339(), "2026-12-13T02:00:00+00:00");
        assert_eq!(for_input(at, chicago), "2026-12-12T20:00");
        assert_eq!(label(at, chicago), "Sat 12 Dec 2026, 20:00");
        let late = local_instant("ends", "2026-12-12T23:30", chicago).expect("instant");
        let after_midnight = local_instant("ends", "2026-12-13T01:00", chicago).expect("instant");
        assert_eq!(end_label(at, late, chicago), "23:30");
        assert_eq!(
            end_label(at, after_midnight, chicago),
            "Sun 13 Dec 2026, 01:00"
        );
        assert_eq!(zone("tz", "").expect("default").name(), DEFAULT_TIME_ZONE);
        assert!(zone("tz", "Mars/Olympus").is_err());
        assert!(local_instant("starts", "next friday", chicago).is_err());
    }

    #[test]
    fn the_hour_the_clocks_skip_is_refused_and_the_one_they_repeat_is_the_first() {
        let chicago = zone("tz", "America/Chicago").expect("zone");
        let err = local_instant("starts", "2026-03-08T02:30", chicago).expect_err("skipped");
        assert!(err.message_for("starts").is_some());
        let first = local_instant("starts", "2026-11-01T01:30", chicago).expect("repeated");
        assert_eq!(
            first.to_rfc3339(),
            "2026-11-01T06:30:00+00:00",
            "CDT, not CST"
        );
    }
}

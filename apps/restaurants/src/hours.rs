//! Opening hours: several periods a day in the restaurant's own IANA time zone; a period whose
//! closing time is not after its opening time runs past midnight into the next day.

#[cfg(feature = "ssr")]
use chrono::{DateTime, Datelike, Utc};
use chrono::{NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// One opening period, in the restaurant's local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// 0 = Monday … 6 = Sunday: the day the period starts.
    pub weekday: u8,
    pub opens: NaiveTime,
    /// At or before `opens`: the period ends on the next day.
    pub closes: NaiveTime,
}

impl Period {
    pub fn crosses_midnight(&self) -> bool {
        self.closes <= self.opens
    }

    /// Minutes from the start of the week (Monday 00:00) at which it opens and closes; the close
    /// may lie past the week's end.
    #[cfg(feature = "ssr")]
    fn span(&self) -> (u32, u32) {
        let start = u32::from(self.weekday) * DAY + minutes(self.opens);
        let mut end = u32::from(self.weekday) * DAY + minutes(self.closes);
        if self.crosses_midnight() {
            end += DAY;
        }
        (start, end)
    }
}

#[cfg(feature = "ssr")]
const DAY: u32 = 24 * 60;
#[cfg(feature = "ssr")]
const WEEK: u32 = 7 * DAY;

#[cfg(feature = "ssr")]
fn minutes(t: NaiveTime) -> u32 {
    use chrono::Timelike;
    t.hour() * 60 + t.minute()
}

/// Whether a restaurant is open at a moment, and what happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpenStatus {
    /// Open; closes at this local time (possibly tomorrow).
    OpenUntil(NaiveTime),
    /// Closed; opens on this weekday (0 = Monday) at this local time.
    OpensAt { weekday: u8, time: NaiveTime },
    /// No opening hours at all.
    NoHours,
}

impl OpenStatus {
    pub fn is_open(&self) -> bool {
        matches!(self, Self::OpenUntil(_))
    }
}

/// The status at `now` for `periods` kept in time zone `tz`.
#[cfg(feature = "ssr")]
pub fn status(periods: &[Period], tz: chrono_tz::Tz, now: DateTime<Utc>) -> OpenStatus {
    if periods.is_empty() {
        return OpenStatus::NoHours;
    }
    let local = now.with_timezone(&tz);
    let at = local.weekday().num_days_from_monday() * DAY + minutes(local.time());
    // A period that started late last week (Sunday night into Monday) is seen shifted by a week.
    for p in periods {
        let (start, end) = p.span();
        for shift in [0, WEEK] {
            let t = at + shift;
            if start <= t && t < end {
                return OpenStatus::OpenUntil(p.closes);
            }
        }
    }
    let next = periods
        .iter()
        .map(|p| {
            let (start, _) = p.span();
            let wait = (start + WEEK - at) % WEEK;
            (wait, p)
        })
        .min_by_key(|(wait, _)| *wait)
        .map(|(_, p)| *p);
    match next {
        Some(p) => OpenStatus::OpensAt {
            weekday: p.weekday,
            time: p.opens,
        },
        None => OpenStatus::NoHours,
    }
}

/// "Mon", "Tue", … for 0 = Monday.
pub fn day_name(weekday: u8) -> &'static str {
    match Weekday::try_from(weekday).unwrap_or(Weekday::Mon) {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// "Open now · closes 22:00", "Closed · opens Tue 11:00", "Hours not listed".
pub fn describe(status: OpenStatus) -> String {
    match status {
        OpenStatus::OpenUntil(t) => format!("Open now · closes {}", t.format("%H:%M")),
        OpenStatus::OpensAt { weekday, time } => {
            format!(
                "Closed · opens {} {}",
                day_name(weekday),
                time.format("%H:%M")
            )
        }
        OpenStatus::NoHours => "Hours not listed".to_owned(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use chrono::TimeZone;
    use chrono_tz::{America::Chicago, Europe::London, Tz};

    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    fn p(weekday: u8, opens: (u32, u32), closes: (u32, u32)) -> Period {
        Period {
            weekday,
            opens: t(opens.0, opens.1),
            closes: t(closes.0, closes.1),
        }
    }

    /// A UTC instant from a local wall-clock time in `tz`.
    fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("unambiguous")
            .with_timezone(&Utc)
    }

    // 2026-11-16 is a Monday.
    #[test]
    fn open_inside_a_period_and_closed_between_two_on_the_same_day() {
        let hours = [p(0, (11, 0), (14, 0)), p(0, (17, 0), (22, 0))];
        assert_eq!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 16, 12, 0)),
            OpenStatus::OpenUntil(t(14, 0))
        );
        assert_eq!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 16, 15, 30)),
            OpenStatus::OpensAt {
                weekday: 0,
                time: t(17, 0)
            }
        );
        // The closing minute itself is closed; the opening minute is open.
        assert!(!status(&hours, Chicago, at(Chicago, 2026, 11, 16, 14, 0)).is_open());
        assert!(status(&hours, Chicago, at(Chicago, 2026, 11, 16, 17, 0)).is_open());
    }

    #[test]
    fn a_period_crossing_midnight_keeps_it_open_into_the_next_day() {
        // Friday 20:00 to Saturday 02:00.
        let hours = [p(4, (20, 0), (2, 0))];
        assert!(status(&hours, Chicago, at(Chicago, 2026, 11, 20, 23, 59)).is_open());
        assert_eq!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 21, 1, 30)),
            OpenStatus::OpenUntil(t(2, 0))
        );
        assert!(!status(&hours, Chicago, at(Chicago, 2026, 11, 21, 2, 0)).is_open());
        assert_eq!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 21, 12, 0)),
            OpenStatus::OpensAt {
                weekday: 4,
                time: t(20, 0)
            }
        );
    }

    #[test]
    fn sunday_night_into_monday_wraps_around_the_week() {
        let hours = [p(6, (22, 0), (3, 0))];
        assert!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 23, 2, 59)).is_open(),
            "Monday 02:59"
        );
        assert!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 22, 22, 30)).is_open(),
            "Sunday 22:30"
        );
        assert!(!status(&hours, Chicago, at(Chicago, 2026, 11, 23, 3, 0)).is_open());
    }

    #[test]
    fn open_all_day_is_a_period_from_midnight_to_midnight() {
        let hours = [p(2, (0, 0), (0, 0))];
        assert!(status(&hours, Chicago, at(Chicago, 2026, 11, 18, 0, 0)).is_open());
        assert!(status(&hours, Chicago, at(Chicago, 2026, 11, 18, 23, 59)).is_open());
        assert!(!status(&hours, Chicago, at(Chicago, 2026, 11, 19, 0, 0)).is_open());
    }

    #[test]
    fn the_same_instant_is_open_in_one_zone_and_closed_in_another() {
        let hours = [p(0, (9, 0), (17, 0))];
        // Monday 10:00 in Chicago is 16:00 in London.
        let now = at(Chicago, 2026, 11, 16, 10, 0);
        assert!(status(&hours, Chicago, now).is_open());
        assert!(status(&hours, London, now).is_open());
        // Monday 12:00 in Chicago is 18:00 in London: open there, closed here.
        let now = at(Chicago, 2026, 11, 16, 12, 0);
        assert!(status(&hours, Chicago, now).is_open());
        assert!(!status(&hours, London, now).is_open());
    }

    #[test]
    fn hours_follow_local_time_across_a_daylight_saving_change() {
        // Chicago leaves daylight saving on Sunday 2026-11-01: 11:00 local is 16:00 UTC before
        // and 17:00 UTC after.
        let hours = [p(5, (11, 0), (12, 0)), p(6, (11, 0), (12, 0))];
        let sat = Utc
            .with_ymd_and_hms(2026, 10, 31, 16, 30, 0)
            .single()
            .expect("utc");
        let sun = Utc
            .with_ymd_and_hms(2026, 11, 1, 16, 30, 0)
            .single()
            .expect("utc");
        assert!(status(&hours, Chicago, sat).is_open(), "Saturday 11:30 CDT");
        assert!(!status(&hours, Chicago, sun).is_open(), "Sunday 10:30 CST");
        let sun_later = Utc
            .with_ymd_and_hms(2026, 11, 1, 17, 30, 0)
            .single()
            .expect("utc");
        assert!(
            status(&hours, Chicago, sun_later).is_open(),
            "Sunday 11:30 CST"
        );
    }

    #[test]
    fn the_next_opening_can_be_next_week() {
        let hours = [p(0, (11, 0), (14, 0))];
        assert_eq!(
            status(&hours, Chicago, at(Chicago, 2026, 11, 16, 15, 0)),
            OpenStatus::OpensAt {
                weekday: 0,
                time: t(11, 0)
            }
        );
        assert_eq!(
            status(&[], Chicago, at(Chicago, 2026, 11, 16, 15, 0)),
            OpenStatus::NoHours
        );
        assert_eq!(
            describe(OpenStatus::OpensAt {
                weekday: 1,
                time: t(11, 0)
            }),
            "Closed · opens Tue 11:00"
        );
    }
}

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

/// Most periods accepted on one day.
pub const MAX_PERIODS_PER_DAY: usize = 4;

/// The periods starting on `weekday`, as the owner's form shows them: `11:00-14:30, 17:00-22:00`
/// (empty when closed).
pub fn format_day(periods: &[Period], weekday: u8) -> String {
    periods
        .iter()
        .filter(|p| p.weekday == weekday)
        .map(|p| format!("{}-{}", p.opens.format("%H:%M"), p.closes.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_time(raw: &str) -> Option<NaiveTime> {
    let raw = raw.trim();
    let (h, m) = raw.split_once(':').unwrap_or((raw, "0"));
    let (h, m): (u32, u32) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
    if h == 24 && m == 0 {
        return Some(NaiveTime::MIN);
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// Reads one day of the owner's form: empty or `closed` for a closed day, else periods
/// `HH:MM-HH:MM` separated by commas. A period ending at or before its start runs past
/// midnight; `00:00-24:00` (or `00:00-00:00`) is the whole day. The message of an error says
/// what to fix.
pub fn parse_day(weekday: u8, raw: &str) -> Result<Vec<Period>, String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("closed") {
        return Ok(Vec::new());
    }
    let mut periods = Vec::new();
    for part in raw.split(',') {
        let part = part.trim();
        let (a, b) = part
            .split_once(['-', '–'])
            .ok_or_else(|| format!("Write each period as 11:00-14:30 (\"{part}\" is not one)."))?;
        let (opens, closes) = match (parse_time(a), parse_time(b)) {
            (Some(o), Some(c)) => (o, c),
            _ => return Err(format!("\"{part}\" has a time that is not HH:MM.")),
        };
        if opens == closes && opens != NaiveTime::MIN {
            return Err(format!("\"{part}\" opens and closes at the same time."));
        }
        periods.push(Period {
            weekday,
            opens,
            closes,
        });
    }
    if periods.len() > MAX_PERIODS_PER_DAY {
        return Err(format!("At most {MAX_PERIODS_PER_DAY} periods a day."));
    }
    // No two periods of the day may overlap (minutes from the day's start; past midnight counts
    // on).
    let mut spans: Vec<(u32, u32)> = periods
        .iter()
        .map(|p| {
            let (o, c) = (minutes(p.opens), minutes(p.closes));
            (o, if c <= o { c + 24 * 60 } else { c })
        })
        .collect();
    spans.sort_unstable();
    if spans.windows(2).any(|w| w[1].0 < w[0].1) {
        return Err("Two periods overlap.".to_owned());
    }
    periods.sort_by_key(|p| p.opens);
    Ok(periods)
}

/// The weekday of a period that overlaps another one across the week (Friday 20:00-02:00 and
/// Saturday 01:00-…), if any.
pub fn week_overlap(periods: &[Period]) -> Option<u8> {
    const DAY_MIN: u32 = 24 * 60;
    const WEEK_MIN: u32 = 7 * DAY_MIN;
    let mut spans: Vec<(u32, u32, u8)> = Vec::new();
    for p in periods {
        let start = u32::from(p.weekday) * DAY_MIN + minutes(p.opens);
        let mut end = u32::from(p.weekday) * DAY_MIN + minutes(p.closes);
        if p.crosses_midnight() {
            end += DAY_MIN;
        }
        // A copy one week later catches Sunday night running into Monday.
        spans.push((start, end, p.weekday));
        spans.push((start + WEEK_MIN, end + WEEK_MIN, p.weekday));
    }
    spans.sort_unstable();
    spans.windows(2).find(|w| w[1].0 < w[0].1).map(|w| w[1].2)
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

/// An order "as soon as possible" needs the restaurant open now and still open this much later
/// (no orders in the last minutes before closing).
#[cfg(feature = "ssr")]
pub const ASAP_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// Whether an order "as soon as possible" can be taken at `now`.
#[cfg(feature = "ssr")]
pub fn asap_open(periods: &[Period], tz: chrono_tz::Tz, now: DateTime<Utc>) -> bool {
    status(periods, tz, now).is_open() && status(periods, tz, now + ASAP_MARGIN).is_open()
}

/// Earliest a pickup slot is offered after now.
#[cfg(feature = "ssr")]
pub const SLOT_LEAD: chrono::TimeDelta = chrono::TimeDelta::minutes(20);
/// Earliest a chosen slot is still accepted after now (the customer may take a while to decide).
#[cfg(feature = "ssr")]
pub const SLOT_MIN_LEAD: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// How far ahead slots are offered, and accepted.
#[cfg(feature = "ssr")]
pub const SLOT_HORIZON: chrono::TimeDelta = chrono::TimeDelta::hours(24);
#[cfg(feature = "ssr")]
const SLOT_STEP_MINUTES: i64 = 15;

/// Pickup slots inside the opening hours: every quarter hour from [`SLOT_LEAD`] after `now` to
/// [`SLOT_HORIZON`] after it.
#[cfg(feature = "ssr")]
pub fn pickup_slots(
    periods: &[Period],
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let step = SLOT_STEP_MINUTES * 60;
    let first = (now + SLOT_LEAD).timestamp();
    let first = first + (step - first.rem_euclid(step)) % step;
    let end = (now + SLOT_HORIZON).timestamp();
    (0..)
        .map(|i| first + i * step)
        .take_while(|t| *t <= end)
        .filter_map(|t| DateTime::from_timestamp(t, 0))
        .filter(|t| status(periods, tz, *t).is_open())
        .collect()
}

/// Why a pickup time cannot be taken, or `None` when it can.
#[cfg(feature = "ssr")]
pub fn slot_problem(
    periods: &[Period],
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
    at: DateTime<Utc>,
) -> Option<String> {
    if at < now + SLOT_MIN_LEAD {
        return Some("That pickup time has passed. Choose a later one.".to_owned());
    }
    if at > now + SLOT_HORIZON {
        return Some("Pickup can be booked up to a day ahead. Choose an earlier time.".to_owned());
    }
    if !status(periods, tz, at).is_open() {
        return Some(
            "The restaurant is closed at that time. Choose a time within its hours.".to_owned(),
        );
    }
    None
}

/// A slot as the customer reads it, in the restaurant's zone: "Today 18:15", "Tomorrow 11:00".
#[cfg(feature = "ssr")]
pub fn slot_label(tz: chrono_tz::Tz, now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let today = now.with_timezone(&tz).date_naive();
    let local = at.with_timezone(&tz);
    let day = match (local.date_naive() - today).num_days() {
        0 => "Today".to_owned(),
        1 => "Tomorrow".to_owned(),
        _ => day_name(u8::try_from(local.weekday().num_days_from_monday()).unwrap_or(0)).to_owned(),
    };
    format!("{day} {}", local.format("%H:%M"))
}

#[cfg(all(test, feature = "ssr"))]
mod slot_tests {
    use chrono::TimeZone;
    use chrono_tz::America::Chicago;

    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    #[test]
    fn slots_lie_inside_the_hours_on_quarter_hours() {
        // Friday 17:00-02:00 (crossing midnight); now is Friday 2026-11-20 23:10 in Chicago.
        let hours = [Period {
            weekday: 4,
            opens: t(17, 0),
            closes: t(2, 0),
        }];
        let now = Chicago
            .with_ymd_and_hms(2026, 11, 20, 23, 10, 0)
            .unwrap()
            .with_timezone(&Utc);
        let slots = pickup_slots(&hours, Chicago, now);
        let local: Vec<String> = slots
            .iter()
            .map(|s| s.with_timezone(&Chicago).format("%a %H:%M").to_string())
            .collect();
        assert_eq!(local.first().map(String::as_str), Some("Fri 23:30"));
        assert_eq!(local.last().map(String::as_str), Some("Sat 01:45"));
        assert_eq!(slots.len(), 10);
        assert_eq!(slot_label(Chicago, now, slots[0]), "Today 23:30");
        assert_eq!(slot_label(Chicago, now, slots[9]), "Tomorrow 01:45");
        assert_eq!(slot_problem(&hours, Chicago, now, slots[0]), None);
        let closed = Chicago
            .with_ymd_and_hms(2026, 11, 21, 3, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert!(slot_problem(&hours, Chicago, now, closed).is_some_and(|m| m.contains("closed")));
        assert!(slot_problem(&hours, Chicago, now, now).is_some_and(|m| m.contains("passed")));
        // "As soon as possible" stops ten minutes before closing.
        let at = |h, m| {
            Chicago
                .with_ymd_and_hms(2026, 11, 21, h, m, 0)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert!(asap_open(&hours, Chicago, at(1, 45)));
        assert!(
            !asap_open(&hours, Chicago, at(1, 55)),
            "five minutes before closing"
        );
        assert!(!asap_open(&hours, Chicago, at(3, 0)), "closed");
        let far = now + chrono::TimeDelta::days(7);
        assert!(slot_problem(&hours, Chicago, now, far).is_some_and(|m| m.contains("a day ahead")));
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("valid time")
    }

    #[test]
    fn a_day_of_the_form_reads_into_periods_and_back() {
        let day = parse_day(4, " 11:00-14:30 , 17:00 – 2:00 ").expect("valid");
        assert_eq!(
            day,
            vec![
                Period {
                    weekday: 4,
                    opens: t(11, 0),
                    closes: t(14, 30)
                },
                Period {
                    weekday: 4,
                    opens: t(17, 0),
                    closes: t(2, 0)
                },
            ]
        );
        assert_eq!(format_day(&day, 4), "11:00-14:30, 17:00-02:00");
        assert_eq!(parse_day(0, ""), Ok(vec![]));
        assert_eq!(parse_day(0, "Closed"), Ok(vec![]));
        assert_eq!(
            parse_day(0, "00:00-24:00").map(|d| d[0].closes),
            Ok(NaiveTime::MIN)
        );
    }

    #[test]
    fn periods_may_not_overlap_across_midnight_either() {
        let fri_late = parse_day(4, "20:00-02:00").expect("valid");
        let sat_early = parse_day(5, "01:00-03:00").expect("valid");
        assert_eq!(
            week_overlap(&[fri_late.clone(), sat_early].concat()),
            Some(5)
        );
        let sun_late = parse_day(6, "22:00-03:00").expect("valid");
        let mon_early = parse_day(0, "02:00-04:00").expect("valid");
        assert_eq!(week_overlap(&[sun_late, mon_early].concat()), Some(0));
        let sat_noon = parse_day(5, "12:00-15:00").expect("valid");
        assert_eq!(week_overlap(&[fri_late, sat_noon].concat()), None);
    }

    #[test]
    fn bad_days_say_what_to_fix() {
        for (bad, message) in [
            ("11-", "\"11-\" has a time that is not HH:MM."),
            ("noon-3pm", "\"noon-3pm\" has a time that is not HH:MM."),
            (
                "25:00-26:00",
                "\"25:00-26:00\" has a time that is not HH:MM.",
            ),
            (
                "11:00",
                "Write each period as 11:00-14:30 (\"11:00\" is not one).",
            ),
            (
                "11:00-11:00",
                "\"11:00-11:00\" opens and closes at the same time.",
            ),
            ("11:00-15:00, 14:00-16:00", "Two periods overlap."),
            ("22:00-02:00, 23:00-23:30", "Two periods overlap."),
            ("1-2,3-4,5-6,7-8,9-10", "At most 4 periods a day."),
        ] {
            assert_eq!(parse_day(0, bad), Err(message.to_owned()), "{bad:?}");
        }
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

//! An event's and a ticket type's fields as typed on the organizer's forms, and what a page
//! says about places left. No I/O here.

use chrono::{DateTime, Utc};
use platform::{
    AppError,
    text::{Lines, field, name},
};

pub use super::{RawEvent, RawTicketType};

/// An event's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFields {
    pub title: String,
    pub description: String,
    pub venue: String,
    pub address: String,
    pub online: bool,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub cancel_hours: i32,
    pub door_payment: bool,
}

/// Until how many hours before its start an event's attendees may cancel, unless the
/// organizer says otherwise.
pub const DEFAULT_CANCEL_HOURS: i32 = 24;

/// A whole number of places from form field `field_name`, `0..=max`.
fn places(field_name: &str, raw: &str, max: i32) -> Result<i32, AppError> {
    raw.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| (0..=max).contains(n))
        .ok_or_else(|| {
            AppError::validation(field_name, format!("Enter a whole number from 0 to {max}."))
        })
}

impl EventFields {
    pub fn parse(raw: &RawEvent) -> Result<Self, AppError> {
        let zone = platform::time::zone("time_zone", &raw.time_zone)?;
        let starts_at = platform::time::local_instant("starts", &raw.starts, zone)?;
        let ends_at = platform::time::local_instant("ends", &raw.ends, zone)?;
        if ends_at <= starts_at {
            return Err(AppError::validation(
                "ends",
                "End the event after it starts.",
            ));
        }
        let online = raw.online.is_some();
        let venue = field("venue", "venue", &raw.venue, 0, 120, Lines::One)?;
        if !online && venue.is_empty() {
            return Err(AppError::validation(
                "venue",
                "Enter the venue, or tick \"Online\".",
            ));
        }
        Ok(Self {
            title: name("title", "event's title", &raw.title, 150)?,
            description: field(
                "description",
                "description",
                &raw.description,
                0,
                5000,
                Lines::Many,
            )?,
            venue,
            address: field("address", "address", &raw.address, 0, 200, Lines::One)?,
            online,
            time_zone: zone.name().to_owned(),
            starts_at,
            ends_at,
            capacity: match raw.capacity.trim() {
                "" => None,
                n => Some(places("capacity", n, 100_000)?),
            },
            cancel_hours: match raw.cancel_hours.as_deref().map(str::trim) {
                None | Some("") => DEFAULT_CANCEL_HOURS,
                Some(n) => places("cancel_hours", n, 720)?,
            },
            door_payment: raw.door_payment.is_some(),
        })
    }
}

/// A ticket type's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTypeFields {
    pub name: String,
    pub price_cents: i32,
    pub capacity: i32,
    pub max_per_order: i32,
    pub sales_start: Option<DateTime<Utc>>,
    pub sales_end: Option<DateTime<Utc>>,
}

/// Highest ticket price, in cents.
pub const MAX_PRICE_CENTS: i64 = 1_000_000;

impl TicketTypeFields {
    /// The form of a ticket type of an event in `zone` starting at `event_starts`.
    pub fn parse(
        raw: &RawTicketType,
        zone: chrono_tz::Tz,
        event_starts: DateTime<Utc>,
    ) -> Result<Self, AppError> {
        let when = |field: &str, value: &str| match value.trim() {
            "" => Ok(None),
            v => platform::time::local_instant(field, v, zone).map(Some),
        };
        let sales_start = when("sales_start", &raw.sales_start)?;
        let sales_end = when("sales_end", &raw.sales_end)?;
        if let (Some(s), Some(e)) = (sales_start, sales_end)
            && e <= s
        {
            return Err(AppError::validation(
                "sales_end",
                "Close sales after they open.",
            ));
        }
        if sales_end.is_some_and(|e| e > event_starts) {
            return Err(AppError::validation(
                "sales_end",
                "Close sales by the time the event starts.",
            ));
        }
        let price = raw.price.trim();
        let price_cents = if price.is_empty() {
            0
        } else {
            platform::money::parse_cents(price, false, MAX_PRICE_CENTS)
                .map_err(|m| AppError::validation("price", m))?
        };
        let max_per_order = match raw.max_per_order.trim() {
            "" => 10,
            n => places("max_per_order", n, 50)?.max(1),
        };
        Ok(Self {
            name: name("name", "ticket type's name", &raw.name, 80)?,
            price_cents: i32::try_from(price_cents)
                .map_err(|_| AppError::validation("price", "That price is too high."))?,
            capacity: places("capacity", &raw.capacity, 100_000)?,
            max_per_order,
            sales_start,
            sales_end,
        })
    }
}

/// Places a ticket type has left: its own capacity less what is taken, and no more than the
/// event's shared capacity leaves (when it has one).
pub fn places_left(
    type_capacity: i64,
    type_taken: i64,
    event_capacity: Option<i64>,
    event_taken: i64,
) -> i64 {
    let own = type_capacity - type_taken;
    let shared = event_capacity.map_or(i64::MAX, |c| c - event_taken);
    own.min(shared).max(0)
}

/// What a page says about places left: "Sold out", "3 left" when few are, else nothing.
pub fn availability(left: i64) -> Option<String> {
    match left {
        0 => Some("Sold out".to_owned()),
        1..=20 => Some(format!("{left} left")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawEvent {
        RawEvent {
            title: "Saturday Social".into(),
            venue: "The Grand Ballroom".into(),
            time_zone: "America/Chicago".into(),
            starts: "2026-12-12T20:00".into(),
            ends: "2026-12-13T01:00".into(),
            ..RawEvent::default()
        }
    }

    #[test]
    fn an_event_form_is_checked_field_by_field() {
        let f = EventFields::parse(&raw()).expect("valid");
        assert_eq!(f.starts_at.to_rfc3339(), "2026-12-13T02:00:00+00:00");
        assert_eq!(f.capacity, None);
        let field_of = |r: RawEvent| {
            EventFields::parse(&r)
                .expect_err("invalid")
                .field()
                .map(str::to_owned)
        };
        let mut r = raw();
        r.ends = "2026-12-12T19:00".into();
        assert_eq!(field_of(r).as_deref(), Some("ends"));
        let mut r = raw();
        r.venue = String::new();
        assert_eq!(field_of(r).as_deref(), Some("venue"));
        let mut r = raw();
        r.venue = String::new();
        r.online = Some("on".into());
        assert!(EventFields::parse(&r).is_ok(), "online needs no venue");
        let mut r = raw();
        r.capacity = "-1".into();
        assert_eq!(field_of(r).as_deref(), Some("capacity"));
        let mut r = raw();
        r.title = "   ".into();
        assert_eq!(field_of(r).as_deref(), Some("title"));
        assert_eq!(f.cancel_hours, DEFAULT_CANCEL_HOURS);
        let mut r = raw();
        r.cancel_hours = Some("721".into());
        assert_eq!(field_of(r).as_deref(), Some("cancel_hours"));
        let mut r = raw();
        r.cancel_hours = Some(" 0 ".into());
        assert_eq!(EventFields::parse(&r).map(|f| f.cancel_hours).ok(), Some(0));
    }

    #[test]
    fn a_ticket_type_is_free_or_priced_in_cents() {
        let t = |price: &str| {
            TicketTypeFields::parse(
                &RawTicketType {
                    name: "General".into(),
                    price: price.into(),
                    capacity: "100".into(),
                    ..RawTicketType::default()
                },
                chrono_tz::America::Chicago,
                Utc::now() + chrono::Duration::days(30),
            )
        };
        assert_eq!(t("").expect("free").price_cents, 0);
        assert_eq!(t("25.50").expect("priced").price_cents, 2550);
        assert_eq!(t("").expect("default").max_per_order, 10);
        assert!(t("-3").is_err());
        assert!(t("abc").is_err());
    }

    #[test]
    fn places_left_respect_the_type_and_the_whole_event() {
        assert_eq!(places_left(100, 40, None, 0), 60);
        assert_eq!(places_left(100, 40, Some(50), 45), 5);
        assert_eq!(places_left(10, 12, None, 0), 0, "never negative");
        assert_eq!(availability(0).as_deref(), Some("Sold out"));
        assert_eq!(availability(3).as_deref(), Some("3 left"));
        assert_eq!(availability(500), None);
    }
}

//! `events.` — upcoming events, an event, the signed-in user's tickets, and RSVP for free
//! places (what the portal's home page and account page use).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Path of the upcoming events (`GET`, `?limit=N`).
pub const EVENTS_PATH: &str = "/api/v1/events";

/// Largest `limit` the list accepts.
pub const MAX_LIMIT: u32 = 50;

/// Path of one event: `/api/v1/events/{slug}`.
pub fn detail_path(slug: &str) -> String {
    format!("{EVENTS_PATH}/{slug}")
}

/// Path of the signed-in user's tickets (`GET`).
pub const MY_TICKETS_PATH: &str = "/api/v1/tickets";

/// Path where free places are taken (`POST` JSON [`RsvpRequest`], with an `Idempotency-Key`
/// header, the user's session and a suite page's `Origin`).
pub const RSVP_PATH: &str = "/api/v1/rsvp";

/// Query string of `GET /api/v1/events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventQuery {
    /// How many: 1 to [`MAX_LIMIT`], 12 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// How many places are left, coarsely (the exact count is the event page's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Available,
    /// Ten or fewer left.
    FewLeft,
    SoldOut,
}

/// A free ticket type that can be taken now: what an "RSVP" button takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RsvpOffer {
    pub ticket_type_id: Uuid,
    pub name: String,
}

/// An event as other apps see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The IANA zone the event's times are given in.
    pub time_zone: String,
    /// "Sat 12 Dec 2026, 20:00", in that zone.
    pub when: String,
    pub venue: String,
    pub online: bool,
    /// Absolute URL of its cover picture's thumbnail (480 px wide, for lists and cards), when
    /// it has one.
    #[serde(default)]
    pub cover_url: Option<String>,
    /// The cheapest ticket type's price; `None` when it has none.
    pub lowest_price_cents: Option<i64>,
    pub availability: Availability,
    /// Absolute URL of its page.
    pub url: String,
    #[serde(default)]
    pub rsvp: Option<RsvpOffer>,
}

/// Answer of `GET /api/v1/events`: published events to come, soonest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventList {
    pub events: Vec<EventSummary>,
}

/// A ticket type of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTypeSummary {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i64,
    pub availability: Availability,
    /// Whether it can be had now (on sale, places left, the event to come).
    pub on_sale: bool,
    pub max_per_order: i32,
}

/// Answer of `GET /api/v1/events/{slug}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDetail {
    pub summary: EventSummary,
    pub description: String,
    pub address: String,
    pub organizer_name: String,
    pub ticket_types: Vec<TicketTypeSummary>,
}

/// One of the signed-in user's tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTicket {
    pub id: Uuid,
    pub event_title: String,
    /// Absolute URL of the event's page.
    pub event_url: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    pub when: String,
    pub type_name: String,
    /// False once cancelled.
    pub valid: bool,
}

/// Answer of `GET /api/v1/tickets`: soonest event first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyTickets {
    pub tickets: Vec<MyTicket>,
    /// Absolute URL of the page with their QR codes.
    pub tickets_url: String,
}

/// Body of `POST /api/v1/rsvp`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RsvpRequest {
    pub ticket_type_id: Uuid,
    pub quantity: u32,
}

/// Answer of `POST /api/v1/rsvp`: 201 for new places, 200 for those an earlier request with
/// the same key took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rsvp {
    pub order_id: Uuid,
    pub event_title: String,
    /// Absolute URL of the page with the tickets.
    pub tickets_url: String,
}

//! Events: what attendees see of one, and what its organizer does to it (create, ticket
//! types, publish).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
pub mod edit;
#[cfg(feature = "ssr")]
pub mod ics;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod rules;
pub mod types;

/// The ticket type form as sent.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct RawTicketType {
    pub name: String,
    /// "0" or empty for free; "25" or "25.50" dollars.
    pub price: String,
    pub capacity: String,
    pub max_per_order: String,
    /// When sales open and close (`datetime-local`, in the event's zone); empty: from
    /// publication, until the event starts.
    pub sales_start: String,
    pub sales_end: String,
}

/// The event form as sent.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct RawEvent {
    pub title: String,
    pub description: String,
    pub venue: String,
    pub address: String,
    /// A checkbox: present when ticked.
    pub online: Option<String>,
    pub time_zone: String,
    /// `datetime-local` values, in the event's zone.
    pub starts: String,
    pub ends: String,
    /// Places for the whole event; empty for none beyond the ticket types'.
    pub capacity: String,
    /// Until how many hours before the start attendees may cancel (empty: 24).
    pub cancel_hours: Option<String>,
    /// A checkbox: attendees may reserve paid places and pay at the door.
    #[serde(default)]
    pub door_payment: Option<String>,
}

/// A ticket type as its event's page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTypeView {
    pub id: Uuid,
    pub name: String,
    pub price_cents: i32,
    /// "Free" or "$25.00".
    pub price_label: String,
    pub left: i64,
    /// "Sold out", "3 left", or nothing when plenty are.
    pub availability: Option<String>,
    pub max_per_order: i32,
    /// Whether it can be had now (on sale, places left, the event to come).
    pub on_sale: bool,
    /// "On sale from Fri 4 Dec 2026, 10:00" before its sales open, "Sales have closed" after.
    pub sale_note: Option<String>,
}

/// One event, for its page and its organizer's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    /// The description as its organizer typed it (Markdown), and as the page shows it
    /// (sanitized HTML, `platform::formatted`).
    pub description: String,
    pub description_html: String,
    pub venue: String,
    pub address: String,
    pub online: bool,
    pub organizer_name: String,
    pub status: String,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Start and end in the event's zone: "Sat 12 Dec 2026, 20:00", and "23:30" for an end on
    /// the same day.
    pub starts_label: String,
    pub ends_label: String,
    pub capacity: Option<i32>,
    /// The cover picture (a path on this app), when there is one.
    pub cover_url: Option<String>,
    pub ticket_types: Vec<TicketTypeView>,
    pub is_organizer: bool,
    /// Where a visitor signs in to RSVP, coming back here; `None` when signed in.
    pub sign_in_url: Option<String>,
    /// A fresh idempotency key for the page's RSVP forms: a form sent twice takes its places
    /// once.
    pub form_key: String,
    /// The ticket types whose waiting list the viewer is on.
    pub waiting_for: Vec<Uuid>,
    /// Paid places may be reserved and paid at the door.
    pub door_payment: bool,
}

/// One of the organizer's events, in their list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizerEvent {
    pub slug: String,
    pub title: String,
    pub status: String,
    pub starts_label: String,
}

/// An event's page: published ones for everyone, a draft for its organizer only.
#[server(prefix = "/api/events", endpoint = "get")]
pub async fn get_event(slug: String) -> Result<EventView, AppError> {
    ssr::get(slug).await.map_err(AppError::respond)
}

/// Adds a ticket type to an event of the signed-in organizer.
#[server(prefix = "/api/events", endpoint = "add-ticket-type")]
pub async fn add_ticket_type(
    slug: String,
    name: String,
    price: String,
    capacity: String,
    max_per_order: String,
    sales_start: Option<String>,
    sales_end: Option<String>,
) -> Result<(), AppError> {
    ssr::add_ticket_type(
        slug,
        name,
        price,
        capacity,
        max_per_order,
        (
            sales_start.unwrap_or_default(),
            sales_end.unwrap_or_default(),
        ),
    )
    .await
    .map_err(AppError::respond)
}

/// Publishes a draft event of the signed-in organizer (it needs a ticket type first).
#[server(prefix = "/api/events", endpoint = "publish")]
pub async fn publish_event(slug: String) -> Result<(), AppError> {
    ssr::publish(slug).await.map_err(AppError::respond)
}

/// The signed-in organizer's events.
#[server(prefix = "/api/events", endpoint = "mine")]
pub async fn my_events() -> Result<Vec<OrganizerEvent>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::require_user;
    use chrono::Utc;
    use platform::AppError;

    use super::{EventView, OrganizerEvent, TicketTypeView, db, rules};

    /// An event's ticket types as its page shows them at `now`: places left (of the type and
    /// of the whole event), and whether each can be had.
    pub fn type_views(
        e: &db::EventRow,
        types: Vec<db::TicketTypeRow>,
        now: chrono::DateTime<Utc>,
    ) -> Vec<TicketTypeView> {
        let event_taken: i64 = types.iter().map(|t| t.taken).sum();
        types
            .into_iter()
            .map(|t| {
                let left = rules::places_left(
                    i64::from(t.capacity),
                    t.taken,
                    e.capacity.map(i64::from),
                    event_taken,
                );
                let in_window = t.sales_start.is_none_or(|s| s <= now)
                    && t.sales_end.unwrap_or(e.starts_at) > now;
                let sale_note = match (t.sales_start, t.sales_end) {
                    (Some(s), _) if s > now => Some(format!(
                        "On sale from {}",
                        platform::time::label(s, platform::time::stored_zone(&e.time_zone))
                    )),
                    (_, Some(end)) if end <= now && e.starts_at > now => {
                        Some("Sales have closed".to_owned())
                    }
                    _ => None,
                };
                TicketTypeView {
                    sale_note,
                    id: t.id,
                    name: t.name,
                    price_cents: t.price_cents,
                    price_label: if t.price_cents == 0 {
                        "Free".to_owned()
                    } else {
                        platform::money::format_cents(i64::from(t.price_cents))
                    },
                    left,
                    availability: rules::availability(left),
                    max_per_order: t.max_per_order,
                    on_sale: e.status == "published" && in_window && left > 0,
                }
            })
            .collect()
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn get(slug: String) -> Result<EventView, AppError> {
        let state = appkit::state()?;
        let user = appkit::user().await?;
        let e = db::by_slug(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such event."))?;
        let is_organizer = user.as_ref().is_some_and(|u| u.id == e.organizer_id);
        if e.status == "draft" && !is_organizer {
            return Err(AppError::not_found("There is no such event."));
        }
        let types = db::ticket_types(&state.pool, e.id).await?;
        let tz = platform::time::stored_zone(&e.time_zone);
        let ticket_types = type_views(&e, types, Utc::now());
        let sign_in_url = user
            .is_none()
            .then(|| state.sign_in_url(&format!("/e/{}", e.slug)));
        let waiting_for = match &user {
            Some(u) => crate::waitlist::db::waiting_for(&state.pool, e.id, u.id).await?,
            None => Vec::new(),
        };
        Ok(EventView {
            id: e.id,
            slug: e.slug,
            title: e.title,
            description_html: platform::formatted::to_html(&e.description),
            description: e.description,
            venue: e.venue,
            address: e.address,
            online: e.online,
            organizer_name: e.organizer_name,
            status: e.status,
            starts_label: platform::time::label(e.starts_at, tz),
            ends_label: platform::time::end_label(e.starts_at, e.ends_at, tz),
            time_zone: e.time_zone,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            capacity: e.capacity,
            cover_url: e.cover_key.as_deref().map(storage::Storage::public_path),
            ticket_types,
            is_organizer,
            sign_in_url,
            form_key: uuid::Uuid::new_v4().to_string(),
            waiting_for,
            door_payment: e.door_payment,
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn create(raw: rules::RawEvent) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let fields = rules::EventFields::parse(&raw)?;
        let slug = db::insert(&state.pool, user.id, &user.name, &fields).await?;
        tracing::info!(user_id = %user.id, slug, "event created");
        leptos_axum::redirect(&format!("/dashboard/e/{slug}"));
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn add_ticket_type(
        slug: String,
        name: String,
        price: String,
        capacity: String,
        max_per_order: String,
        (sales_start, sales_end): (String, String),
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = crate::access::ssr::organizer_of(&state.pool, &slug, user.id).await?;
        let fields = rules::TicketTypeFields::parse(
            &rules::RawTicketType {
                name,
                price,
                capacity,
                max_per_order,
                sales_start,
                sales_end,
            },
            platform::time::stored_zone(&event.time_zone),
            event.starts_at,
        )?;
        db::add_ticket_type(&state.pool, event.id, &fields).await?;
        leptos_axum::redirect(&format!("/dashboard/e/{slug}"));
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn publish(slug: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = crate::access::ssr::organizer_of(&state.pool, &slug, user.id).await?;
        if !db::publish(&state.pool, event.id).await? {
            return Err(AppError::Conflict {
                field: None,
                message: if event.status == "draft" {
                    "Add a ticket type (free or paid) before publishing.".into()
                } else {
                    "This event is already published.".into()
                },
            });
        }
        tracing::info!(user_id = %user.id, slug, "event published");
        leptos_axum::redirect(&format!("/e/{slug}"));
        Ok(())
    }

    /// `GET /e/{slug}/calendar.ics`: a published event as an iCalendar file.
    pub async fn calendar(
        axum::extract::State(state): axum::extract::State<appkit::AppState>,
        axum::extract::Path(slug): axum::extract::Path<String>,
    ) -> Result<axum::response::Response, AppError> {
        use axum::response::IntoResponse;
        let e = db::by_slug(&state.pool, &slug)
            .await?
            .filter(|e| e.status != "draft")
            .ok_or_else(|| AppError::not_found("There is no such event."))?;
        let location = if e.online {
            "Online".to_owned()
        } else {
            [e.venue.as_str(), e.address.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let url = state.url(&format!("/e/{}", e.slug));
        let host = state.origin.split("://").nth(1).unwrap_or("events");
        let body = super::ics::calendar(&super::ics::CalendarEvent {
            uid: format!("{}@{host}", e.id),
            title: &e.title,
            description: &e.description,
            location: &location,
            url: &url,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            stamp: Utc::now(),
        });
        let disposition = format!("attachment; filename=\"{}.ics\"", e.slug);
        Ok((
            [
                (
                    http::header::CONTENT_TYPE,
                    "text/calendar; charset=utf-8".to_owned(),
                ),
                (http::header::CONTENT_DISPOSITION, disposition),
            ],
            body,
        )
            .into_response())
    }

    pub async fn mine() -> Result<Vec<OrganizerEvent>, AppError> {
        let (state, user) = require_user().await?;
        Ok(db::of_organizer(&state.pool, user.id)
            .await?
            .into_iter()
            .map(|e| OrganizerEvent {
                starts_label: platform::time::label(
                    e.starts_at,
                    platform::time::stored_zone(&e.time_zone),
                ),
                slug: e.slug,
                title: e.title,
                status: e.status,
            })
            .collect())
    }
}

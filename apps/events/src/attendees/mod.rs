//! The organizer's sales and attendee list: per ticket type sold of capacity, money taken and
//! refunded, every ticket's holder with search and pages, and the whole list as CSV.

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

/// Tickets a page of the attendee list shows.
pub const PER_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeSalesView {
    pub name: String,
    pub sold: i64,
    pub capacity: i32,
    pub price_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeView {
    pub holder: String,
    pub email: String,
    pub type_name: String,
    /// "Paid", "Free", "Cancelled".
    pub status: String,
    pub checked_in: bool,
    pub ordered_label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeesState {
    pub slug: String,
    pub title: String,
    pub sales: Vec<TypeSalesView>,
    pub paid_label: String,
    pub refunded_label: String,
    pub net_label: String,
    pub attendees: platform::paging::Paged<AttendeeView>,
}

/// The event's sales and one page of its attendees (`q`: part of a name or address).
#[server(prefix = "/api/attendees", endpoint = "list")]
pub async fn get_attendees(slug: String, q: String, page: u32) -> Result<AttendeesState, AppError> {
    ssr::list(slug, q, page).await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user};
    use axum::{
        extract::{Path, State},
        response::{IntoResponse, Response},
    };
    use platform::{AppError, money::format_cents, paging};
    use sso::CurrentUser;

    use super::{AttendeeView, AttendeesState, PER_PAGE, TypeSalesView, db};
    use crate::access::ssr::door_of;

    fn status_of(row: &db::AttendeeRow) -> &'static str {
        if row.ticket_status != "valid" || row.order_status == "cancelled" {
            "Cancelled"
        } else if row.price_cents == 0 {
            "Free"
        } else if row.order_status == "door" {
            "Pay at the door"
        } else {
            "Paid"
        }
    }

    pub async fn list(slug: String, q: String, page: u32) -> Result<AttendeesState, AppError> {
        let (state, user) = require_user().await?;
        let event = door_of(&state.pool, &slug, user.id).await?;
        let tz: chrono_tz::Tz = platform::time::stored_zone(&event.time_zone);
        let page = page.clamp(1, paging::MAX_PAGE);
        let (rows, total) = db::page(
            &state.pool,
            event.id,
            q.trim(),
            i64::from(PER_PAGE),
            paging::offset(page, PER_PAGE),
        )
        .await?;
        let (paid, refunded) = db::money(&state.pool, event.id).await?;
        Ok(AttendeesState {
            slug: event.slug,
            title: event.title,
            sales: db::sales(&state.pool, event.id)
                .await?
                .into_iter()
                .map(|s| TypeSalesView {
                    price_label: if s.price_cents == 0 {
                        "Free".into()
                    } else {
                        format_cents(i64::from(s.price_cents))
                    },
                    name: s.name,
                    sold: s.sold,
                    capacity: s.capacity,
                })
                .collect(),
            paid_label: format_cents(paid),
            refunded_label: format_cents(refunded),
            net_label: format_cents(paid - refunded),
            attendees: paging::Paged {
                items: rows
                    .iter()
                    .map(|r| AttendeeView {
                        holder: r.holder.clone(),
                        email: r.email.clone(),
                        type_name: r.type_name.clone(),
                        status: status_of(r).to_owned(),
                        checked_in: r.checked_in_at.is_some(),
                        ordered_label: platform::time::label(r.ordered_at, tz),
                    })
                    .collect(),
                page,
                per_page: PER_PAGE,
                total: u64::try_from(total).unwrap_or(0),
            },
        })
    }

    /// `GET /dashboard/e/{slug}/attendees.csv`: every ticket of the event, for a spreadsheet
    /// (the organizer's only).
    pub async fn csv(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(slug): Path<String>,
    ) -> Result<Response, AppError> {
        let event = door_of(&state.pool, &slug, user.id).await?;
        let tz: chrono_tz::Tz = platform::time::stored_zone(&event.time_zone);
        let (rows, _) = db::page(&state.pool, event.id, "", 100_000, 0).await?;
        let mut body = platform::csv::row(&[
            "Name",
            "Email",
            "Ticket",
            "Price",
            "Status",
            "Ordered",
            "Checked in",
            "Code",
        ]);
        for r in &rows {
            body.push_str(&platform::csv::row(&[
                r.holder.as_str(),
                r.email.as_str(),
                r.type_name.as_str(),
                &format!("{}.{:02}", r.price_cents / 100, r.price_cents % 100),
                status_of(r),
                &platform::time::label(r.ordered_at, tz),
                &r.checked_in_at
                    .map(|t| platform::time::label(t, tz))
                    .unwrap_or_default(),
                r.code.as_str(),
            ]));
        }
        Ok((
            [
                (
                    http::header::CONTENT_TYPE,
                    "text/csv; charset=utf-8".to_owned(),
                ),
                (
                    http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}-attendees.csv\"", event.slug),
                ),
                (http::header::CACHE_CONTROL, "no-store".to_owned()),
            ],
            body,
        )
            .into_response())
    }
}

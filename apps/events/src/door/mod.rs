//! The door: an event's organizer lets attendees in by the QR code on their ticket (a phone's
//! camera opens the door page with the code), by typing or pasting the code, or by name. A
//! ticket is let in once; a second scan says when and by whom it was.

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

/// A ticket as the door sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorTicket {
    pub id: Uuid,
    pub holder: String,
    pub type_name: String,
    /// `ready` (can come in), `in`, `due` (to pay at the door first), `unpaid`, `cancelled`.
    pub state: String,
    /// What is due at the door ("$50.00"), for a `due` ticket.
    pub due: Option<String>,
    /// "Checked in Sat 12 Dec 2026, 20:14 by Ada", once in.
    pub note: Option<String>,
}

/// The door page of an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoorState {
    pub slug: String,
    pub title: String,
    pub checked_in: i64,
    pub tickets: i64,
    /// The ticket just let in.
    pub done: Option<DoorTicket>,
    /// The ticket whose code was scanned or typed (not let in yet).
    pub scanned: Option<DoorTicket>,
    /// Whether a code was given that names no ticket of this event.
    pub unknown_code: bool,
    /// Tickets whose holder matches the search.
    pub found: Vec<DoorTicket>,
}

/// The door page: counts, the ticket a code names, a search by name, the last one let in.
#[server(prefix = "/api/door", endpoint = "view")]
pub async fn get_door(
    slug: String,
    code: String,
    q: String,
    done: Option<Uuid>,
) -> Result<DoorState, AppError> {
    ssr::view(slug, code, q, done)
        .await
        .map_err(AppError::respond)
}

/// Lets in the ticket with `code` (typed, pasted or scanned) or the ticket `ticket` (from a
/// search), then goes back to the door page, which says who came in.
#[server(prefix = "/api/door", endpoint = "check-in")]
pub async fn check_in(
    slug: String,
    code: Option<String>,
    ticket: Option<Uuid>,
) -> Result<(), AppError> {
    ssr::check_in(&slug, code, ticket)
        .await
        .map(|id| leptos_axum::redirect(&format!("/dashboard/e/{slug}/door?done={id}")))
        .map_err(AppError::respond)
}

/// Takes the payment of a pay-at-the-door ticket's order (its whole amount) and lets the ticket
/// in, then goes back to the door page.
#[server(prefix = "/api/door", endpoint = "paid")]
pub async fn paid_at_door(slug: String, ticket: Uuid) -> Result<(), AppError> {
    ssr::paid_at_door(&slug, ticket)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/e/{slug}/door?done={ticket}")))
        .map_err(AppError::respond)
}

/// What the ticket's QR code carries: the door page of its event with its code, so that any
/// phone's camera opens it for the organizer.
#[cfg(feature = "ssr")]
pub fn door_url(origin: &str, slug: &str, code: &str) -> String {
    format!("{origin}/dashboard/e/{slug}/door?code={code}")
}

/// The ticket's code out of what a scanner or a person gives: the code itself, or the door URL
/// that carries it.
pub fn code_of(raw: &str) -> &str {
    let raw = raw.trim();
    raw.rsplit_once("code=").map_or(raw, |(_, code)| {
        code.split(['&', '#']).next().unwrap_or_default()
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::require_user;
    use platform::AppError;
    use uuid::Uuid;

    use super::{DoorState, DoorTicket, code_of, db};
    use crate::access::ssr::door_of;

    fn door_ticket(row: db::DoorRow, tz: chrono_tz::Tz) -> DoorTicket {
        let state = if row.ticket_status != "valid" || row.order_status == "cancelled" {
            "cancelled"
        } else if row.order_status == "door" {
            "due"
        } else if !matches!(row.order_status.as_str(), "paid" | "confirmed") {
            "unpaid"
        } else if row.checked_in_at.is_some() {
            "in"
        } else {
            "ready"
        };
        DoorTicket {
            due: (state == "due")
                .then(|| platform::money::format_cents(i64::from(row.total_cents))),
            id: row.id,
            holder: row.holder,
            type_name: row.type_name,
            state: state.to_owned(),
            note: row.checked_in_at.map(|at| {
                format!(
                    "Checked in {} by {}",
                    platform::time::label(at, tz),
                    row.checked_in_by_name.as_deref().unwrap_or("someone")
                )
            }),
        }
    }

    pub async fn view(
        slug: String,
        code: String,
        q: String,
        done: Option<Uuid>,
    ) -> Result<DoorState, AppError> {
        let (state, user) = require_user().await?;
        let event = door_of(&state.pool, &slug, user.id).await?;
        let tz: chrono_tz::Tz = platform::time::stored_zone(&event.time_zone);
        let code = code_of(&code);
        let scanned = if code.is_empty() {
            None
        } else {
            db::find(&state.pool, event.id, db::Which::Code(code)).await?
        };
        let done = match done {
            Some(id) => db::find(&state.pool, event.id, db::Which::Id(id)).await?,
            None => None,
        };
        let q = q.trim();
        let found = if q.len() >= 2 {
            db::search(&state.pool, event.id, q).await?
        } else {
            Vec::new()
        };
        let (checked_in, tickets) = db::counts(&state.pool, event.id).await?;
        Ok(DoorState {
            slug: event.slug,
            title: event.title,
            checked_in,
            tickets,
            unknown_code: !code.is_empty() && scanned.is_none(),
            scanned: scanned.map(|r| door_ticket(r, tz)),
            done: done.map(|r| door_ticket(r, tz)),
            found: found.into_iter().map(|r| door_ticket(r, tz)).collect(),
        })
    }

    /// Takes a pay-at-the-door order's payment and lets the ticket in, in one transaction.
    #[tracing::instrument(skip_all, fields(%slug, %ticket))]
    pub async fn paid_at_door(slug: &str, ticket: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = door_of(&state.pool, slug, user.id).await?;
        let row = db::find(&state.pool, event.id, db::Which::Id(ticket))
            .await?
            .ok_or_else(|| AppError::not_found("No ticket of this event has this code."))?;
        let mut tx = state.pool.begin().await?;
        if !db::paid_at_door(&mut tx, event.id, row.order_id).await? {
            return Err(AppError::Conflict {
                field: None,
                message: "Nothing is due at the door for this ticket.".into(),
            });
        }
        db::let_in(&mut tx, ticket, user.id, &user.name).await?;
        tx.commit().await?;
        tracing::info!(order = %row.order_id, by = %user.id, "paid at the door and let in");
        Ok(())
    }

    /// Lets the ticket in; why not, when it cannot come in.
    #[tracing::instrument(skip_all, fields(%slug))]
    pub async fn check_in(
        slug: &str,
        code: Option<String>,
        ticket: Option<Uuid>,
    ) -> Result<Uuid, AppError> {
        let (state, user) = require_user().await?;
        let event = door_of(&state.pool, slug, user.id).await?;
        let code = code.as_deref().map(code_of).unwrap_or_default();
        let which = match (ticket, code) {
            (Some(id), _) => db::Which::Id(id),
            (None, c) if !c.is_empty() => db::Which::Code(c),
            _ => {
                return Err(AppError::validation(
                    "code",
                    "Scan or type the ticket's code.",
                ));
            }
        };
        let row = db::find(&state.pool, event.id, which)
            .await?
            .ok_or_else(|| {
                AppError::validation("code", "No ticket of this event has this code.")
            })?;
        if let Some(id) = db::check_in(&state.pool, event.id, row.id, user.id, &user.name).await? {
            tracing::info!(ticket = %id, by = %user.id, "checked in");
            return Ok(id);
        }
        // Nothing changed: say why, from the ticket as it is now.
        let tz: chrono_tz::Tz = platform::time::stored_zone(&event.time_zone);
        let now = db::find(&state.pool, event.id, db::Which::Id(row.id))
            .await?
            .map(|r| door_ticket(r, tz))
            .ok_or_else(|| AppError::internal("a ticket went away"))?;
        let message = match now.state.as_str() {
            "in" => format!(
                "Already in: {} ({}). {}.",
                now.holder,
                now.type_name,
                now.note.unwrap_or_default()
            ),
            "cancelled" => format!("{}'s ticket is cancelled: do not let it in.", now.holder),
            "unpaid" => format!("{}'s ticket is not paid: do not let it in.", now.holder),
            "due" => format!(
                "{} pays at the door: take {} first, then let them in.",
                now.holder,
                now.due.unwrap_or_default()
            ),
            _ => "This ticket cannot come in now.".to_owned(),
        };
        Err(AppError::Conflict {
            field: Some("code".into()),
            message,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::code_of;

    #[test]
    fn a_code_comes_out_of_the_door_url_or_stands_alone() {
        assert_eq!(code_of(" abc123 "), "abc123");
        assert_eq!(
            code_of("https://events.example/dashboard/e/ball/door?code=abc123"),
            "abc123"
        );
        assert_eq!(code_of("/dashboard/e/ball/door?code=abc123&x=1"), "abc123");
        assert_eq!(code_of(""), "");
    }
}

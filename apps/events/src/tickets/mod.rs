//! Tickets: taking free places (RSVP) and the attendee's own tickets.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

/// One of the attendee's tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketView {
    pub id: Uuid,
    /// What the door checks (the QR code carries it).
    pub code: String,
    pub valid: bool,
    pub type_name: String,
    pub event_slug: String,
    pub event_title: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    /// In the event's zone.
    pub starts_label: String,
    /// The ticket's QR code (SVG, drawn on the server): the event's door page with the code.
    pub qr_svg: String,
    /// "Cancelled" / "Postponed" when the event is.
    pub event_note: Option<String>,
    /// Whether its holder may cancel it now, and what that says ("Cancel by Fri 11 Dec 2026,
    /// 20:00 for a $25.00 refund").
    pub cancellable: bool,
    pub cancel_note: Option<String>,
}

/// Takes `quantity` places of a free ticket type for the signed-in person, once per
/// `idempotency_key`; then opens their tickets.
#[server(prefix = "/api/tickets", endpoint = "rsvp")]
pub async fn rsvp(
    ticket_type_id: Uuid,
    quantity: u32,
    idempotency_key: String,
) -> Result<(), AppError> {
    ssr::rsvp(ticket_type_id, quantity, idempotency_key)
        .await
        .map(|_| leptos_axum::redirect("/tickets"))
        .map_err(AppError::respond)
}

/// The signed-in person's tickets.
#[server(prefix = "/api/tickets", endpoint = "mine")]
pub async fn my_tickets() -> Result<Vec<TicketView>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::require_user;
    use chrono::Utc;
    use platform::AppError;
    use uuid::Uuid;

    use super::{TicketView, db};
    use crate::events::rules;

    /// Takes free places for the signed-in person (see [`rsvp_as`]); the order's id.
    pub async fn rsvp(
        ticket_type_id: Uuid,
        quantity: u32,
        idempotency_key: String,
    ) -> Result<Uuid, AppError> {
        let (state, user) = require_user().await?;
        rsvp_as(&state, &user, ticket_type_id, quantity, &idempotency_key)
            .await
            .map(|t| t.order)
    }

    /// Takes free places of a ticket type for `user`, once per `idempotency_key`.
    pub async fn rsvp_as(
        state: &appkit::AppState,
        user: &sso::SessionUser,
        ticket_type_id: Uuid,
        quantity: u32,
        idempotency_key: &str,
    ) -> Result<db::Taken, AppError> {
        take_as(
            state,
            user,
            ticket_type_id,
            quantity,
            idempotency_key,
            db::Take::Free,
        )
        .await
    }

    /// Takes places of a ticket type for `user` (see [`db::take`]) the way `how` says (free,
    /// held for payment, or to pay at the door when the event allows it), once per
    /// `idempotency_key`; judged under the event's lock.
    #[tracing::instrument(skip_all, fields(%ticket_type_id, quantity, ?how))]
    pub async fn take_as(
        state: &appkit::AppState,
        user: &sso::SessionUser,
        ticket_type_id: Uuid,
        quantity: u32,
        idempotency_key: &str,
        how: db::Take,
    ) -> Result<db::Taken, AppError> {
        let (quantity, key, hash) = checked_request(ticket_type_id, quantity, idempotency_key)?;
        let req = db::Request {
            ticket_type: ticket_type_id,
            quantity,
            buyer: user,
            idempotency_key: key,
            request_hash: &hash,
            origin: &state.origin,
        };
        let taken = db::take(&state.pool, &req, how, |sale, type_taken, event_taken| {
            if how == db::Take::AtTheDoor && !sale.door_payment {
                return Err(AppError::Conflict {
                    field: None,
                    message: "This event takes card payments only.".into(),
                });
            }
            let paid = how != db::Take::Free;
            judge(sale, quantity, type_taken, event_taken, paid)
        })
        .await?;
        state.outbox.wake();
        tracing::info!(user_id = %user.id, order = %taken.order, "places taken");
        Ok(taken)
    }

    /// A request for places, checked: its quantity, its idempotency key and its fingerprint
    /// (the same key with another request is refused).
    pub fn checked_request(
        ticket_type_id: Uuid,
        quantity: u32,
        idempotency_key: &str,
    ) -> Result<(i32, &str, String), AppError> {
        let key = platform::idempotency::key(Some(idempotency_key))?;
        let quantity = i32::try_from(quantity)
            .ok()
            .filter(|q| (1..=50).contains(q))
            .ok_or_else(|| AppError::validation("quantity", "Choose from 1 to 50 places."))?;
        let hash = platform::idempotency::fingerprint(&(ticket_type_id, quantity));
        Ok((quantity, key, hash))
    }

    /// Whether `quantity` places of `sale` can be had now, `paid` or free, with `type_taken`
    /// and `event_taken` places gone (read under the event's lock).
    pub fn judge(
        sale: &db::Sale,
        quantity: i32,
        type_taken: i64,
        event_taken: i64,
        paid: bool,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        if sale.status != "published" || sale.starts_at <= now {
            return Err(AppError::Conflict {
                field: None,
                message: "This event is not taking orders.".into(),
            });
        }
        if sale.sales_start.is_some_and(|s| s > now) || sale.sales_end.is_some_and(|e| e <= now) {
            return Err(AppError::Conflict {
                field: None,
                message: "This ticket type is not on sale now.".into(),
            });
        }
        match (sale.price_cents > 0, paid) {
            (true, false) => {
                return Err(AppError::Conflict {
                    field: None,
                    message: "This ticket type is paid: buy it with a card.".into(),
                });
            }
            (false, true) => {
                return Err(AppError::Conflict {
                    field: None,
                    message: "This ticket type is free: RSVP instead.".into(),
                });
            }
            _ => {}
        }
        if quantity > sale.max_per_order {
            return Err(AppError::validation(
                "quantity",
                format!("At most {} in one order.", sale.max_per_order),
            ));
        }
        let left = rules::places_left(
            i64::from(sale.type_capacity),
            type_taken,
            sale.event_capacity.map(i64::from),
            event_taken,
        );
        if i64::from(quantity) > left {
            return Err(AppError::Conflict {
                field: Some("quantity".into()),
                message: match left {
                    0 => "Sold out.".to_owned(),
                    1 => "Only 1 place is left.".to_owned(),
                    n => format!("Only {n} places are left."),
                },
            });
        }
        Ok(())
    }

    /// `text` as a QR code in SVG (medium error correction: it survives a cracked phone
    /// screen), without the XML declaration, to sit in a page.
    pub fn qr_svg(text: &str) -> String {
        match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
            Ok(code) => {
                let svg = code
                    .render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(240, 240)
                    .build();
                match svg.find("<svg") {
                    Some(at) => svg[at..].to_owned(),
                    None => svg,
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "no QR code");
                String::new()
            }
        }
    }

    pub async fn mine() -> Result<Vec<TicketView>, AppError> {
        let (state, user) = require_user().await?;
        Ok(db::of_buyer(&state.pool, user.id)
            .await?
            .into_iter()
            .map(|t| {
                let tz: chrono_tz::Tz = platform::time::stored_zone(&t.time_zone);
                let qr = qr_svg(&crate::door::door_url(&state.origin, &t.slug, &t.secret));
                let until = crate::cancel::ssr::cancel_until(t.starts_at, t.cancel_hours);
                let valid = t.status == "valid";
                let postponed = t.event_status == "postponed";
                let cancellable = valid && (postponed || Utc::now() <= until);
                let refund = if t.price_cents > 0 {
                    format!(
                        " for a {} refund",
                        platform::money::format_cents(i64::from(t.price_cents))
                    )
                } else {
                    String::new()
                };
                TicketView {
                    qr_svg: qr,
                    event_note: match t.event_status.as_str() {
                        "cancelled" => Some("The event is cancelled".to_owned()),
                        "postponed" => {
                            Some("The event is postponed: a new date is coming".to_owned())
                        }
                        _ => None,
                    },
                    cancellable,
                    cancel_note: valid.then(|| {
                        if postponed {
                            format!("You can cancel{refund}.")
                        } else if cancellable {
                            format!("Cancel by {}{refund}.", platform::time::label(until, tz))
                        } else {
                            "Cancelling has closed: ask the organizer.".to_owned()
                        }
                    }),
                    id: t.id,
                    code: t.secret,
                    valid: t.status == "valid",
                    type_name: t.type_name,
                    event_slug: t.slug,
                    event_title: t.title,
                    place: if t.online {
                        "Online".to_owned()
                    } else {
                        t.venue
                    },
                    starts_label: platform::time::label(t.starts_at, tz),
                    starts_at: t.starts_at,
                }
            })
            .collect())
    }
}

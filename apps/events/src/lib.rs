#![recursion_limit = "256"]
//! SteppersLife events on the app kit: upcoming events, an event's page, free tickets (RSVP)
//! and paid ones (held while the buyer pays by card, see [`checkout`]) that never oversell, the
//! attendee's tickets, and the organizer's pages (create, ticket types, publish). QR codes,
//! check-in and the waiting list come next (see the planning issue).

pub mod access;
pub mod api;
pub mod app;
pub mod attendees;
pub mod cancel;
pub mod checkout;
pub mod cover;
pub mod door;
pub mod events;
#[cfg(feature = "ssr")]
mod seed;
#[cfg(feature = "ssr")]
pub mod server;
pub mod staff;
pub mod tickets;
pub mod upcoming;
pub mod waitlist;

appkit::browser_entry!();

#![recursion_limit = "256"]
//! SteppersLife events: the skeleton on the app kit. Its list of upcoming events and its
//! section on the portal's home page; ticket types, checkout, tickets and check-in come next
//! (see the planning issue).

pub mod app;
#[cfg(feature = "ssr")]
pub mod server;
pub mod upcoming;

appkit::browser_entry!();

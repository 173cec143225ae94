#![recursion_limit = "256"]
//! SteppersLife restaurants: listings with hours and menus, pickup ordering, and the owners'
//! dashboard (menu editor, live order queue, staff).
//!
//! One module per feature. Each holds its shared types and server functions in `mod.rs` (or the
//! file itself), its pages in `pages.rs`, and its database code in `db.rs` or an `ssr` module
//! compiled only into the server.

pub mod access;
pub mod api;
pub mod app;
pub mod dashboard;
pub mod hours;
pub mod menu;
pub mod orders;
pub mod photos;
pub mod restaurants;
#[cfg(feature = "ssr")]
mod seed;
#[cfg(feature = "ssr")]
pub mod server;
pub mod staff;

appkit::browser_entry!();

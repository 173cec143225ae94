//! The SteppersLife portal: the suite's identity provider (sign-up, sign-in, sessions, account)
//! and the home page that shows what is happening across every app.

pub mod account;
pub mod admin;
pub mod app;
pub mod auth;
pub mod events;
pub mod home;
pub mod oauth;
#[cfg(feature = "ssr")]
mod on_behalf;
pub mod orders;
#[cfg(feature = "ssr")]
pub mod server;
pub mod store;

appkit::browser_entry!();

//! HTTP tests of the portal: a real server on a free port, a real PostgreSQL database per test.

mod account;
mod admin;
mod email_change;
mod headers;
mod helpers;
mod home;
mod oauth;
mod passwords;
mod sessions;
mod sign_in;
pub mod verification;

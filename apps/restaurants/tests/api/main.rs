//! HTTP tests of the restaurants app: a real server, its own database, a portal-shaped session
//! database, and a real S3-compatible server.

mod fixtures;
mod json_api;
mod listing;
mod mail;
mod menu;
mod orders;
mod pages;
mod photos;
mod writes;

#![doc = include_str!("../README.md")]

mod document;
mod form;
mod header;
mod misc;
mod nav;
#[cfg(feature = "ssr")]
pub mod server;

pub use document::{Document, Page};
pub use form::{FormError, SubmitButton, TextArea, TextField};
pub use header::SuiteHeader;
pub use misc::{ErrorBox, NotFound};
#[cfg(feature = "ssr")]
pub use nav::ssr::{NavContext, require_user, signed_in_user};
pub use nav::{NavApp, NavUser, SuiteNav, get_suite_nav};

/// The name of the built stylesheet and scripts under `/pkg/` (same for every app).
pub const OUTPUT_NAME: &str = "stepperslife";

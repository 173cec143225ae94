#![doc = include_str!("../README.md")]

pub mod card;
mod document;
mod form;
mod header;
mod live;
mod misc;
mod nav;
mod pager;
mod picture;
pub mod staff;

pub use document::{AppFrame, Document, FAVICON_SVG, Page, page_title};
pub use form::{FORMATTING_HINT, FormError, SubmitButton, TextArea, TextField, TimeZoneSelect};
pub use header::SuiteHeader;
pub use live::{use_hydrated, use_live, use_tick};
pub use misc::{ErrorBox, NotFound};
#[cfg(feature = "ssr")]
pub use nav::ssr::{NavContext, require_user, signed_in_user};
pub use nav::{NavApp, NavUser, SuiteNav, get_suite_nav};
pub use pager::Pager;
pub use picture::PictureForm;

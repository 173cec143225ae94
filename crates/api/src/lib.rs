#![doc = include_str!("../README.md")]

pub mod events;
pub mod home;
pub mod restaurants;
pub mod store;

#[cfg(feature = "client")]
pub mod client;

use serde::{Deserialize, Serialize};

/// The body of every JSON error answer in the suite: a message a person can act on and, for
/// validation errors, the field it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

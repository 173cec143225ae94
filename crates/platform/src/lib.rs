#![doc = include_str!("../README.md")]

pub mod error;
pub use error::AppError;

#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod db;
#[cfg(feature = "server")]
pub mod health;
#[cfg(feature = "server")]
pub mod shutdown;
#[cfg(feature = "server")]
pub mod suite;
#[cfg(feature = "server")]
pub mod telemetry;

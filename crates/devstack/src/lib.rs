#![doc = include_str!("../README.md")]

#[cfg(feature = "harness")]
pub mod harness;
mod pg;
mod provision;
mod s3;
mod testdb;
pub mod testkit;

pub use pg::{Postgres, admin_url_from_env};
pub use provision::{AppCredentials, SESSION_READER_ROLE, provision_databases};
pub use s3::EmbeddedS3;
pub use testdb::TestDb;

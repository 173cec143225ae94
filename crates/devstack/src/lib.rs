#![doc = include_str!("../README.md")]

#[cfg(feature = "harness")]
pub mod harness;
pub mod localstripe;
mod maildev;
#[cfg(feature = "harness")]
pub mod pages;
mod pg;
mod provision;
mod s3;
mod testdb;
pub mod testkit;

pub use localstripe::Localstripe;
pub use maildev::{Maildev, link_in, maildev_dir};
pub use pg::{Postgres, admin_url_from_env, with_database};
pub use provision::{AppCredentials, SESSION_READER_ROLE, grants, ident, provision_databases};
pub use s3::EmbeddedS3;
pub use testdb::TestDb;

#![doc = include_str!("../README.md")]

mod extract;
pub mod origin;
mod reader;
pub mod return_to;
mod settings;
mod store;

pub use extract::{CurrentUser, MaybeUser};
pub use reader::{
    SessionReader, SessionUser, USER_KEY, UserSlot, drop_ambiguous_session_cookies, session_cookies,
};
pub use settings::SessionSettings;
pub use store::{SESSION_TABLE, SuiteStore, delete_expired, stored_id};
/// The demo account's user id: the portal's seed data creates the account, and the apps' seed
/// data makes it the owner of the demo content.
pub const DEMO_USER_ID: uuid::Uuid =
    uuid::Uuid::from_u128(0x5eed_0000_0000_4000_8000_0000_0000_0001);

/// The demo account's address (where the demo shop's orders are announced).
pub const DEMO_EMAIL: &str = "demo@stepperslife.com";

pub use tower_sessions::{Session, session::Id as SessionId};

/// Makes `session` end after `secs` seconds without use (a short-lived visitor's session).
pub fn expire_after_inactivity(session: &Session, secs: i64) {
    session.set_expiry(Some(tower_sessions::Expiry::OnInactivity(
        time::Duration::seconds(secs),
    )));
}

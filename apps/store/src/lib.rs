#![recursion_limit = "256"]
//! SteppersLife store on the app kit: a marketplace of shops run by members (approved by a
//! suite admin before their products are listed), products with variants that carry their own
//! price and stock, a cart kept on the server (in the browser for visitors, moved to the
//! server at sign-in), shop staff by invitation, and checkout: the stock is reserved while the
//! shopper pays by card (one payment for the whole cart), and the paid checkout becomes one
//! order per shop, whose totals add up to what was charged.

pub mod access;
pub mod api;
pub mod app;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod images;
pub mod orders;
pub mod products;
#[cfg(feature = "ssr")]
mod seed;
#[cfg(feature = "ssr")]
pub mod server;
pub mod shops;
pub mod staff;

appkit::browser_entry!();

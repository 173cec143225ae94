#![doc = include_str!("../README.md")]

#[cfg(feature = "ssr")]
mod app;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
mod config;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod headers;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
mod pages;
#[cfg(feature = "ssr")]
pub mod staff;
#[cfg(feature = "ssr")]
mod state;
#[cfg(feature = "ssr")]
pub mod webhook;

#[cfg(feature = "ssr")]
pub use app::{AppDef, Built, SeedFn};
#[cfg(feature = "ssr")]
pub use config::{Bind, Config, LOOPBACK, Needs};
#[cfg(feature = "ssr")]
pub use platform::serve::Listener;
#[cfg(feature = "ssr")]
pub use state::{AppState, Inner, require_user, state, user};

/// What the browser half of an app runs first: a readable panic message in the console, then
/// the islands runtime. Pages are rendered on the server; the page's script then hydrates each
/// `#[island]` on it, and nothing else.
#[cfg(feature = "hydrate")]
pub fn start_browser() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}

#[cfg(feature = "hydrate")]
#[doc(hidden)]
pub use wasm_bindgen as __wasm_bindgen;

/// The browser entry point of an app, in its `lib.rs`: `appkit::browser_entry!();` exports the
/// `hydrate` function that the page's script calls once the wasm is loaded (the islands export
/// their own).
#[macro_export]
macro_rules! browser_entry {
    () => {
        #[cfg(feature = "hydrate")]
        #[$crate::__wasm_bindgen::prelude::wasm_bindgen(wasm_bindgen = $crate::__wasm_bindgen)]
        pub fn hydrate() {
            $crate::start_browser();
        }
    };
}

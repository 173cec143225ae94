//! SteppersLife restaurants: the public list and pages, and owners' editing.

pub mod api;
pub mod app;
pub mod hours;
pub mod restaurants;
#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

//! An app's pages and server functions, and its built browser files.

use std::{net::SocketAddr, path::Path, sync::Arc};

use axum::{Router, middleware};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::services::ServeDir;
use ui::{Document, NavContext};

use crate::AppState;

/// An app's root component, type-erased.
pub(crate) type Root = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// The name of the built browser files (`<name>.js`, `<name>_bg.wasm`, `<name>.css` in
/// `pkg/`): what `suite build` wrote into `<site root>/build.txt` (`output=stepperslife.<hash>`,
/// content-hashed), or the plain suite name when there is no build (tests that render no page
/// scripts).
pub fn output_name(site_root: &Path) -> String {
    std::fs::read_to_string(site_root.join("build.txt"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("output="))
                .map(|v| v.trim().to_owned())
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| platform::suite::OUTPUT_NAME.to_owned())
}

/// The Leptos options of an app's server.
pub(crate) fn leptos_options(site_root: &Path, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(output_name(site_root))
        .site_root(site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// Adds an app's pages and server functions to `router`. Both see the state and the header's
/// context; the 404 page is the fallback; server functions answer with their `AppError`'s
/// status.
pub(crate) fn with_pages(
    router: Router<AppState>,
    state: &AppState,
    nav: NavContext,
    root: Root,
) -> Router<AppState> {
    let options = state.leptos_options.clone();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(nav.clone());
        }
    };
    let app = {
        let root = root.clone();
        move || root()
    };
    let shell = move |options: LeptosOptions| {
        let root = root.clone();
        view! { <Document options>{root()}</Document> }
    };
    let page = {
        let shell = shell.clone();
        move || shell(options.clone())
    };
    router
        .leptos_routes_with_context(state, generate_route_list(app), context.clone(), page)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(platform::error::server_fn_status))
}

/// `GET /pkg/…`: the built browser files, precompressed (brotli, gzip) and, their names being
/// content-hashed, cached for good (a missing file is not: it may arrive with the next deploy).
pub(crate) fn pkg_routes(site_root: &Path) -> Router {
    let files = ServeDir::new(site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(middleware::from_fn(crate::cache::immutable_when_found))
}

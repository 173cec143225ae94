//! Server-side wiring every app shares: its Leptos options, and its pages and server functions
//! added to its router the same way.

use std::net::SocketAddr;

use axum::{Router, extract::FromRef, middleware};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};

use crate::NavContext;

/// The Leptos options of an app's server: the suite's output name, `pkg/` under `site_root`.
pub fn leptos_options(site_root: &str, addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(crate::OUTPUT_NAME)
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

/// Adds an app's pages and server functions to `router`. Both see `state` and the header's
/// `nav` as Leptos context; static files (`/pkg/…`) and the 404 page are the fallback; server
/// functions answer with their `AppError`'s status.
pub fn with_pages<S, App, Shell, IV, Doc>(
    router: Router<S>,
    state: &S,
    nav: NavContext,
    app: App,
    shell: Shell,
) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    LeptosOptions: FromRef<S>,
    App: Fn() -> IV + Clone + Send + Sync + 'static,
    IV: IntoView + 'static,
    Shell: Fn(LeptosOptions) -> Doc + Clone + Send + Sync + 'static,
    Doc: IntoView + 'static,
{
    let options = LeptosOptions::from_ref(state);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(nav.clone());
        }
    };
    let page = {
        let shell = shell.clone();
        move || shell(options.clone())
    };
    router
        .leptos_routes_with_context(state, generate_route_list(app), context.clone(), page)
        .fallback(leptos_axum::file_and_error_handler_with_context::<S, _>(
            context, shell,
        ))
        .layer(middleware::from_fn(platform::error::server_fn_status))
}

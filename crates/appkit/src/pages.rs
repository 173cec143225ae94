//! An app's pages and server functions, and its built browser files.

use std::{net::SocketAddr, path::Path, sync::Arc, time::Duration};

use axum::{Router, middleware};
use leptos::prelude::*;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use leptos_router::SsrMode;
use tower_http::services::ServeDir;
use ui::{Document, NavContext};

use crate::AppState;

/// An app's root component, type-erased.
pub(crate) type Root = Arc<dyn Fn() -> AnyView + Send + Sync>;

/// A line of `<site root>/build.txt`, which `suite build` writes: `output=` names the customers'
/// bundle (`stepperslife.<hash>`: `<name>.js`, `<name>_bg.wasm`, `<name>.css` in `pkg/`),
/// `manage=` the owners' bundle of an app that has one.
fn recorded(site_root: &Path, key: &str) -> Option<String> {
    std::fs::read_to_string(site_root.join("build.txt"))
        .ok()?
        .lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{key}="))
                .map(|v| v.trim().to_owned())
        })
        .filter(|v| !v.is_empty())
}

/// The customers' bundle's name, or the plain suite name when there is no build (tests that
/// load no page scripts).
pub fn output_name(site_root: &Path) -> String {
    recorded(site_root, "output").unwrap_or_else(|| platform::suite::OUTPUT_NAME.to_owned())
}

/// Which bundle a page loads: the owners' one on the app's `manage_paths`, else the customers'.
#[derive(Debug, Clone)]
pub(crate) struct Bundles {
    manage: Option<Arc<str>>,
    manage_paths: Arc<[String]>,
}

impl Bundles {
    pub(crate) fn new(site_root: &Path, manage_paths: &[String]) -> Self {
        Self {
            manage: recorded(site_root, "manage").map(Arc::from),
            manage_paths: manage_paths.into(),
        }
    }

    /// The bundle of the page at `path`, when it is not the customers' one.
    fn manage_for(&self, path: &str) -> Option<Arc<str>> {
        let managed = self
            .manage_paths
            .iter()
            .any(|p| crate::gate::matches(p, path));
        self.manage.clone().filter(|_| managed)
    }
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

/// Held for writing while an app's routes are listed, for reading while a page renders.
///
/// Listing the routes renders the app once with resource loading switched off, and Leptos
/// switches it off for the whole process (`leptos_server`'s `SuppressResourceLoad` is a global
/// flag): a resource first polled meanwhile by a page of another app in the same process never
/// loads, and its page never answers (leptos-rs/leptos#4773). One app per process (production)
/// lists its routes before it serves; tests run several apps in one process, and starting one
/// while another renders hung a page about once in twenty runs.
static ROUTE_LISTING: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// The app's routes, every page rendered whole (see [`rendered_whole`]).
pub(crate) async fn route_list(root: &Root) -> Vec<AxumRouteListing> {
    let root = root.clone();
    let _listing = ROUTE_LISTING.write().await;
    rendered_whole(generate_route_list(move || root()))
}

/// How long a page may take to render before the visitor is told to try again: far beyond a
/// page's normal time (each call a page makes to another app has its own deadline of a second
/// or two), and well within nginx's 60 s, which would answer a bare "504 Gateway Time-out".
const PAGE_DEADLINE: Duration = Duration::from_secs(20);

async fn render_gate(
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let _rendering = ROUTE_LISTING.read().await;
    // Pages are read with GET; a server function (POST) may take its time over an upload.
    if req.method() != http::Method::GET {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    within(PAGE_DEADLINE, &path, next.run(req)).await
}

/// `page`'s answer, or a 503 that says to try again when it has not come within `deadline` (and
/// an error in the log naming the page: a render that never finishes is a bug to find).
async fn within(
    deadline: Duration,
    path: &str,
    page: impl Future<Output = axum::response::Response>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::time::timeout(deadline, page).await {
        Ok(res) => res,
        Err(_) => {
            tracing::error!(path, ?deadline, "a page did not render within its deadline");
            (
                http::StatusCode::SERVICE_UNAVAILABLE,
                [
                    (http::header::RETRY_AFTER, "5"),
                    (http::header::CACHE_CONTROL, "no-store"),
                ],
                axum::response::Html(
                    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                     <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
                     <title>Try again</title></head><body><h1>This page took too long</h1>\
                     <p>Reload it to try again.</p></body></html>",
                ),
            )
                .into_response()
        }
    }
}

/// Adds an app's pages (`routes`, from [`route_list`]) and server functions to `router`. Both
/// see the state and the header's context; the 404 page is the fallback; server functions
/// answer with their `AppError`'s status.
pub(crate) fn with_pages(
    router: Router<AppState>,
    state: &AppState,
    nav: NavContext,
    (root, routes): (Root, Vec<AxumRouteListing>),
    bundles: Bundles,
) -> Router<AppState> {
    let options = state.leptos_options.clone();
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(nav.clone());
            // The nonce the answer's Content-Security-Policy names (see `crate::headers`), in
            // place of the one Leptos made up, so that its scripts carry it.
            let nonce = use_context::<http::request::Parts>()
                .and_then(|p| p.extensions.get::<crate::headers::CspNonce>().cloned());
            if let Some(nonce) = nonce {
                provide_context(leptos::nonce::Nonce::from_value(nonce.0));
            }
        }
    };
    let shell = move |mut options: LeptosOptions| {
        let path = use_context::<http::request::Parts>().map(|p| p.uri.path().to_owned());
        if let Some(manage) = path.and_then(|p| bundles.manage_for(&p)) {
            options.output_name = manage;
        }
        let root = root.clone();
        view! { <Document options>{root()}</Document> }
    };
    let page = {
        let shell = shell.clone();
        move || shell(options.clone())
    };
    router
        .leptos_routes_with_context(state, routes, context.clone(), page)
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(platform::error::server_fn_status))
        .layer(middleware::from_fn(render_gate))
}

/// Every page is rendered whole before its first byte is sent (`SsrMode::Async`), instead of
/// Leptos' default out-of-order streaming. With islands nothing else on a page runs in the
/// browser, and streaming sent each `<Suspense>` as its fallback ("Loading…", an empty header
/// bar) followed by a script that swapped the content in: without JavaScript the page stayed
/// "Loading…", and with it the swap moved what was already painted (a layout shift Lighthouse
/// measured on phones whenever the data took a few milliseconds). Whole pages also settle
/// their status code (404, 403) and headers before anything is sent.
fn rendered_whole(routes: Vec<AxumRouteListing>) -> Vec<AxumRouteListing> {
    routes
        .into_iter()
        .map(|route| match route.mode() {
            SsrMode::OutOfOrder | SsrMode::PartiallyBlocked | SsrMode::InOrder => {
                AxumRouteListing::new(
                    route.path().to_owned(),
                    SsrMode::Async,
                    route.methods(),
                    Vec::new(),
                )
            }
            SsrMode::Async | SsrMode::Static(_) => route,
        })
        .collect()
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
        // Pages carry the icon inline; this is for what is not a page (a JSON error a browser
        // shows, a bookmark).
        .route(
            "/favicon.ico",
            axum::routing::get(|| async {
                (
                    [
                        (http::header::CONTENT_TYPE, "image/svg+xml"),
                        (http::header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    ui::FAVICON_SVG,
                )
            }),
        )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::response::IntoResponse;

    use super::within;

    #[tokio::test]
    async fn a_page_that_never_renders_is_answered_503_at_its_deadline() {
        let res = within(
            Duration::from_millis(20),
            "/stuck",
            std::future::pending::<axum::response::Response>(),
        )
        .await;
        assert_eq!(res.status(), http::StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[http::header::RETRY_AFTER], "5");

        let res = within(Duration::from_secs(5), "/quick", async {
            "the page".into_response()
        })
        .await;
        assert_eq!(res.status(), http::StatusCode::OK);
    }
}

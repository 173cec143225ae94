//! Serving a router: bind, report the bound address, serve with the client address available,
//! stop gracefully.

use std::net::SocketAddr;

use axum::{Router, serve::ListenerExt};

/// Binds `bind` (port 0 picks one), tells `on_bound` the address, and serves `router` until
/// `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    app: &str,
    router: Router,
    bind: SocketAddr,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    let addr = listener.local_addr()?;
    // A streamed page is written in several small pieces; with Nagle's algorithm each piece
    // after the first waits for the client's delayed ACK (40 ms here).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    tracing::info!(app, %addr, "listening");
    on_bound(addr);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

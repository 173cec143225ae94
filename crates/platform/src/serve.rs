//! Serving a router: take the listening socket (bound here, or handed over already bound),
//! serve with the client address available, stop gracefully.

use std::net::SocketAddr;

use axum::{Router, serve::ListenerExt};

/// Where a server gets its listening socket.
#[derive(Debug)]
pub enum Listener {
    /// Bind this address here (port 0 picks a free port).
    Addr(SocketAddr),
    /// A socket already bound and listening, handed over by whoever started us: a test harness,
    /// or a launcher that passed it as standard input (`BIND_ADDR=stdin`, as inetd and systemd's
    /// `StandardInput=socket` do). Bound once, never released and bound again, so no other
    /// process can take the port in between.
    Bound(std::net::TcpListener),
}

impl Listener {
    /// The listening socket passed as this process's standard input.
    pub fn from_stdin() -> std::io::Result<Self> {
        use std::os::fd::AsFd;
        let fd = std::io::stdin().as_fd().try_clone_to_owned()?;
        let listener = std::net::TcpListener::from(fd);
        // Fails when standard input is not a socket.
        listener.local_addr().map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("BIND_ADDR=stdin, but standard input is not a listening socket: {e}"),
            )
        })?;
        Ok(Self::Bound(listener))
    }

    async fn into_tokio(self) -> std::io::Result<tokio::net::TcpListener> {
        match self {
            Self::Addr(addr) => tokio::net::TcpListener::bind(addr).await,
            Self::Bound(l) => {
                l.set_nonblocking(true)?;
                tokio::net::TcpListener::from_std(l)
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    app: &str,
    router: Router,
    listener: Listener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = listener.into_tokio().await?;
    let addr = listener.local_addr()?;
    // A streamed page is written in several small pieces; with Nagle's algorithm each piece
    // after the first waits for the client's delayed ACK (40 ms here).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    tracing::info!(app, %addr, "listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

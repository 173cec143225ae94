//! Helpers for HTTP tests of the suite's servers: start one on a free port, call its server
//! functions as a browser page would, read what it answered.

use std::{net::SocketAddr, time::Duration};

use futures::future::BoxFuture;
use reqwest::{StatusCode, header};

/// A server started by [`spawn`]; stops when dropped.
#[derive(Debug)]
pub struct Spawned {
    pub addr: SocketAddr,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Starts a server: `serve(shutdown, on_bound)` must bind (port 0 is fine), call `on_bound` with
/// the address, and serve until `shutdown` resolves.
pub async fn spawn<Fut>(
    serve: impl FnOnce(BoxFuture<'static, ()>, Box<dyn FnOnce(SocketAddr) + Send>) -> Fut,
) -> Spawned
where
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel();
    let shutdown: BoxFuture<'static, ()> = Box::pin(async move {
        let _ = rx.await;
    });
    let on_bound: Box<dyn FnOnce(SocketAddr) + Send> = Box::new(move |a| {
        let _ = addr_tx.send(a);
    });
    let fut = serve(shutdown, on_bound);
    tokio::spawn(async move {
        if let Err(e) = fut.await {
            eprintln!("server failed: {e:#}");
        }
    });
    let addr = tokio::time::timeout(Duration::from_secs(30), addr_rx)
        .await
        .expect("the server starts within 30 s")
        .expect("the server bound an address");
    Spawned {
        addr,
        _shutdown: tx,
    }
}

/// A client that follows no redirects and keeps no cookies (tests pass cookies by hand, since
/// the suite's cookies are for `*.stepperslife.localhost`, not the loopback address).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// What a server answered.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    /// The JSON body, or the text as a JSON string.
    pub body: serde_json::Value,
}

impl Answer {
    /// The value of cookie `name` the answer set, and the whole `Set-Cookie` line.
    pub fn cookie(&self, name: &str) -> Option<(String, String)> {
        let prefix = format!("{name}=");
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&prefix))
            .map(|c| {
                let value = c[prefix.len()..].split(';').next().unwrap_or("").to_owned();
                (value, c.to_owned())
            })
    }

    /// The form field an error answer (an `AppError`) is about.
    pub fn error_field(&self) -> Option<String> {
        self.body
            .get("Validation")
            .or_else(|| self.body.get("Conflict"))
            .and_then(|v| v.get("field"))
            .and_then(|f| f.as_str())
            .map(str::to_owned)
    }

    /// The message of an error answer.
    pub fn error_message(&self) -> String {
        self.body
            .as_object()
            .and_then(|o| o.values().next())
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other
                    .get("message")
                    .and_then(|m| m.as_str())
                    .unwrap_or("")
                    .to_owned(),
            })
            .unwrap_or_default()
    }

    pub fn redirect_to(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// POSTs a form as a hydrated page calls a server function: `Accept: application/json`, the
/// given `Origin` (none if `None`) and `Cookie` (`name=value`).
pub async fn post_form(
    url: &str,
    form: &[(&str, &str)],
    cookie: Option<&str>,
    origin: Option<&str>,
) -> Answer {
    let mut req = client()
        .post(url)
        .header(header::ACCEPT, "application/json")
        .form(form);
    if let Some(o) = origin {
        req = req.header(header::ORIGIN, o);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = req.send().await.expect("request");
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

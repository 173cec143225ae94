//! A typed client for the suite's public endpoints, used on the server side (the portal's
//! aggregator). Every call has a deadline; the caller decides what to do when it passes.

use std::time::Duration;

use crate::ApiError;
use crate::home::{HOME_PATH, HomeSections};
use crate::restaurants::{
    IDEMPOTENCY_KEY, LIST_PATH, ORDERS_PATH, Order, PlaceOrder, RECENT_ORDERS_PATH, RecentOrders,
    RestaurantList, RestaurantQuery,
};

/// What can go wrong calling another app.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("could not reach {url}: {source}")]
    Transport { url: String, source: reqwest::Error },
    #[error("{url} answered {status}")]
    Status { url: String, status: u16 },
    #[error("{url} answered a body that is not the agreed JSON: {source}")]
    Body { url: String, source: reqwest::Error },
    #[error("bad base URL {0}")]
    BaseUrl(String),
    /// The app refused the request with a message meant for the user (a 4xx with [`ApiError`]).
    #[error("{url} refused ({status}): {message}")]
    Refused {
        url: String,
        status: u16,
        message: String,
    },
}

/// Calls one app. Cheap to clone (the HTTP client is shared).
#[derive(Debug, Clone)]
pub struct AppClient {
    http: reqwest::Client,
    base: url::Url,
}

impl AppClient {
    /// `base` is the app's internal origin, e.g. `http://127.0.0.1:3010`.
    pub fn new(http: reqwest::Client, base: &str) -> Result<Self, ClientError> {
        let base = url::Url::parse(base).map_err(|_| ClientError::BaseUrl(base.to_owned()))?;
        Ok(Self { http, base })
    }

    /// Builds the shared HTTP client: short deadline, no redirects followed.
    pub fn http(timeout: Duration) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    }

    fn url(&self, path: &str) -> Result<url::Url, ClientError> {
        self.base
            .join(path)
            .map_err(|_| ClientError::BaseUrl(self.base.to_string()))
    }

    /// Sends `req` (to `url`, for messages) and reads the agreed JSON; a 4xx with the suite's
    /// error body becomes [`ClientError::Refused`] with its message.
    async fn send<T: serde::de::DeserializeOwned>(
        url: String,
        mut req: reqwest::RequestBuilder,
        request_id: Option<&str>,
    ) -> Result<T, ClientError> {
        if let Some(id) = request_id {
            req = req.header("x-request-id", id);
        }
        let res = req.send().await.map_err(|source| ClientError::Transport {
            url: url.clone(),
            source,
        })?;
        let status = res.status();
        if status.is_client_error() {
            let message = res
                .json::<ApiError>()
                .await
                .map(|e| e.error)
                .unwrap_or_else(|_| "The request was refused.".to_owned());
            return Err(ClientError::Refused {
                url,
                status: status.as_u16(),
                message,
            });
        }
        if !status.is_success() {
            return Err(ClientError::Status {
                url,
                status: status.as_u16(),
            });
        }
        res.json()
            .await
            .map_err(|source| ClientError::Body { url, source })
    }

    /// `GET /api/v1/orders/recent` for the user whose session cookie (`name=value`) is given.
    pub async fn recent_orders(
        &self,
        session_cookie: &str,
        limit: u32,
        request_id: Option<&str>,
    ) -> Result<RecentOrders, ClientError> {
        let url = self.url(RECENT_ORDERS_PATH)?;
        let shown = url.to_string();
        let req = self
            .http
            .get(url)
            .query(&[("limit", limit)])
            .header("cookie", session_cookie);
        Self::send(shown, req, request_id).await
    }

    /// `POST /api/v1/orders` for the user whose session cookie is given, on behalf of a page
    /// at `origin` (the app accepts state-changing requests from the suite's origins only).
    pub async fn place_order(
        &self,
        session_cookie: &str,
        origin: &str,
        idempotency_key: &str,
        order: &PlaceOrder,
        request_id: Option<&str>,
    ) -> Result<Order, ClientError> {
        let url = self.url(ORDERS_PATH)?;
        let shown = url.to_string();
        let req = self
            .http
            .post(url)
            .json(order)
            .header("cookie", session_cookie)
            .header("origin", origin)
            .header(IDEMPOTENCY_KEY, idempotency_key);
        Self::send(shown, req, request_id).await
    }

    /// `GET /api/v1/home`, revalidating `known` (its ETag): `Ok(None)` when it has not changed.
    pub async fn home(
        &self,
        known: Option<&str>,
        request_id: Option<&str>,
    ) -> Result<Option<(HomeSections, Option<String>)>, ClientError> {
        let url = self.url(HOME_PATH)?;
        let shown = url.to_string();
        let mut req = self.http.get(url);
        if let Some(tag) = known {
            req = req.header("if-none-match", tag);
        }
        if let Some(id) = request_id {
            req = req.header("x-request-id", id);
        }
        let res = req.send().await.map_err(|source| ClientError::Transport {
            url: shown.clone(),
            source,
        })?;
        if res.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(None);
        }
        if !res.status().is_success() {
            return Err(ClientError::Status {
                url: shown,
                status: res.status().as_u16(),
            });
        }
        let tag = res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let sections = res
            .json()
            .await
            .map_err(|source| ClientError::Body { url: shown, source })?;
        Ok(Some((sections, tag)))
    }

    /// `GET /api/v1/restaurants`.
    pub async fn restaurants(
        &self,
        query: &RestaurantQuery,
        request_id: Option<&str>,
    ) -> Result<RestaurantList, ClientError> {
        let url = self.url(LIST_PATH)?;
        let shown = url.to_string();
        Self::send(shown, self.http.get(url).query(query), request_id).await
    }
}

//! A typed client for the suite's public endpoints, used on the server side (the portal's
//! aggregator). Every call has a deadline; the caller decides what to do when it passes.

use std::time::Duration;

use crate::restaurants::{LIST_PATH, RestaurantList, RestaurantQuery};

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

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        query: &impl serde::Serialize,
        request_id: Option<&str>,
    ) -> Result<T, ClientError> {
        let url = self
            .base
            .join(path)
            .map_err(|_| ClientError::BaseUrl(self.base.to_string()))?;
        let shown = url.to_string();
        let mut req = self.http.get(url).query(query);
        if let Some(id) = request_id {
            req = req.header("x-request-id", id);
        }
        let res = req.send().await.map_err(|source| ClientError::Transport {
            url: shown.clone(),
            source,
        })?;
        if !res.status().is_success() {
            return Err(ClientError::Status {
                url: shown,
                status: res.status().as_u16(),
            });
        }
        res.json()
            .await
            .map_err(|source| ClientError::Body { url: shown, source })
    }

    /// `GET /api/v1/restaurants`.
    pub async fn restaurants(
        &self,
        query: &RestaurantQuery,
        request_id: Option<&str>,
    ) -> Result<RestaurantList, ClientError> {
        self.get_json(LIST_PATH, query, request_id).await
    }
}

//! A typed client for the suite's public endpoints, used on the server side (the portal's
//! aggregator). Every call has a deadline; the caller decides what to do when it passes.

use std::time::Duration;

use crate::ApiError;
use crate::events::{
    EVENTS_PATH, EventList, MY_TICKETS_PATH, MyTickets, RSVP_PATH, Rsvp, RsvpRequest,
};
use crate::home::{HOME_PATH, HomeSections};
use crate::restaurants::{
    IDEMPOTENCY_KEY, LIST_PATH, ORDERS_PATH, Order, PlaceOrder, RECENT_ORDERS_PATH, RecentOrders,
    RestaurantList, RestaurantQuery,
};
use crate::store::{MY_ORDERS_PATH as STORE_ORDERS_PATH, MyOrders as StoreOrders};

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
    origin: String,
}

/// Whether `url` is an `http(s)` URL on `origin` (`https://restaurants.stepperslife.com`).
pub fn is_on_origin(url: &str, origin: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && u.origin().ascii_serialization() == origin.trim_end_matches('/')
    })
}

/// What the portal takes from an app's answer: links and pictures on that app's own public
/// origin, nothing else. A page the portal renders must not carry a `javascript:` link or send
/// a person elsewhere because an app (buggy, compromised, or one of the apps still to come)
/// said so; the portal holds everyone's sign-in.
pub trait OwnUrls {
    /// Replaces a link elsewhere by the app's home page and drops a picture from elsewhere.
    fn keep_own_urls(&mut self, origin: &str);
}

fn own_link(url: &mut String, origin: &str) {
    if !is_on_origin(url, origin) {
        *url = format!("{}/", origin.trim_end_matches('/'));
    }
}

fn own_picture(url: &mut Option<String>, origin: &str) {
    if url.as_deref().is_some_and(|u| !is_on_origin(u, origin)) {
        *url = None;
    }
}

impl OwnUrls for HomeSections {
    fn keep_own_urls(&mut self, origin: &str) {
        for section in &mut self.sections {
            own_link(&mut section.more_url, origin);
            for card in &mut section.cards {
                own_link(&mut card.url, origin);
                own_picture(&mut card.image_url, origin);
            }
        }
    }
}

impl OwnUrls for EventList {
    fn keep_own_urls(&mut self, origin: &str) {
        for e in &mut self.events {
            own_link(&mut e.url, origin);
            own_picture(&mut e.cover_url, origin);
        }
    }
}

impl OwnUrls for MyTickets {
    fn keep_own_urls(&mut self, origin: &str) {
        own_link(&mut self.tickets_url, origin);
        for t in &mut self.tickets {
            own_link(&mut t.event_url, origin);
        }
    }
}

impl OwnUrls for StoreOrders {
    fn keep_own_urls(&mut self, origin: &str) {
        own_link(&mut self.orders_url, origin);
        for o in &mut self.orders {
            own_link(&mut o.url, origin);
        }
    }
}

impl OwnUrls for Rsvp {
    fn keep_own_urls(&mut self, origin: &str) {
        own_link(&mut self.tickets_url, origin);
    }
}

impl OwnUrls for Order {
    fn keep_own_urls(&mut self, origin: &str) {
        own_link(&mut self.url, origin);
    }
}

impl OwnUrls for RecentOrders {
    fn keep_own_urls(&mut self, origin: &str) {
        for order in &mut self.orders {
            order.keep_own_urls(origin);
        }
    }
}

impl OwnUrls for RestaurantList {
    fn keep_own_urls(&mut self, origin: &str) {
        for r in &mut self.restaurants {
            own_link(&mut r.url, origin);
            own_picture(&mut r.cover_url, origin);
        }
    }
}

impl AppClient {
    /// `base` is the app's internal origin, e.g. `http://127.0.0.1:3010`; `origin` its public
    /// one, the only origin its answers' links may point to (see [`OwnUrls`]).
    pub fn new(http: reqwest::Client, base: &str, origin: &str) -> Result<Self, ClientError> {
        let base = url::Url::parse(base).map_err(|_| ClientError::BaseUrl(base.to_owned()))?;
        Ok(Self {
            http,
            base,
            origin: origin.trim_end_matches('/').to_owned(),
        })
    }

    /// The app's answer with its links kept to its own origin.
    fn own<T: OwnUrls>(&self, mut answer: T) -> T {
        answer.keep_own_urls(&self.origin);
        answer
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
        Self::send(shown, req, request_id)
            .await
            .map(|a| self.own::<RecentOrders>(a))
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
        Self::send(shown, req, request_id)
            .await
            .map(|a| self.own::<Order>(a))
    }

    /// `GET /api/v1/events?limit=N`: events to come, soonest first.
    pub async fn events(
        &self,
        limit: u32,
        request_id: Option<&str>,
    ) -> Result<EventList, ClientError> {
        let url = self.url(EVENTS_PATH)?;
        let shown = url.to_string();
        let req = self.http.get(url).query(&[("limit", limit)]);
        Self::send(shown, req, request_id)
            .await
            .map(|a| self.own::<EventList>(a))
    }

    /// `GET /api/v1/tickets` for the user whose session cookie (`name=value`) is given.
    pub async fn my_tickets(
        &self,
        session_cookie: &str,
        request_id: Option<&str>,
    ) -> Result<MyTickets, ClientError> {
        let url = self.url(MY_TICKETS_PATH)?;
        let shown = url.to_string();
        let req = self.http.get(url).header("cookie", session_cookie);
        Self::send(shown, req, request_id)
            .await
            .map(|a| self.own::<MyTickets>(a))
    }

    /// `GET /api/v1/orders` of the store for the user whose session cookie is given.
    pub async fn store_orders(
        &self,
        session_cookie: &str,
        request_id: Option<&str>,
    ) -> Result<StoreOrders, ClientError> {
        let url = self.url(STORE_ORDERS_PATH)?;
        let shown = url.to_string();
        let req = self.http.get(url).header("cookie", session_cookie);
        Self::send(shown, req, request_id)
            .await
            .map(|a| self.own::<StoreOrders>(a))
    }

    /// `POST /api/v1/rsvp` for the user whose session cookie is given, on behalf of a page at
    /// `origin`, once per `idempotency_key`.
    pub async fn rsvp(
        &self,
        session_cookie: &str,
        origin: &str,
        idempotency_key: &str,
        request: &RsvpRequest,
        request_id: Option<&str>,
    ) -> Result<Rsvp, ClientError> {
        let url = self.url(RSVP_PATH)?;
        let shown = url.to_string();
        let req = self
            .http
            .post(url)
            .json(request)
            .header("cookie", session_cookie)
            .header("origin", origin)
            .header(IDEMPOTENCY_KEY, idempotency_key);
        Self::send(shown, req, request_id)
            .await
            .map(|a| self.own::<Rsvp>(a))
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
        Ok(Some((self.own::<HomeSections>(sections), tag)))
    }

    /// `GET /api/v1/restaurants`.
    pub async fn restaurants(
        &self,
        query: &RestaurantQuery,
        request_id: Option<&str>,
    ) -> Result<RestaurantList, ClientError> {
        let url = self.url(LIST_PATH)?;
        let shown = url.to_string();
        Self::send(shown, self.http.get(url).query(query), request_id)
            .await
            .map(|a| self.own::<RestaurantList>(a))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::home::{Card, HomeSection};

    const ORIGIN: &str = "https://restaurants.stepperslife.com";

    #[test]
    fn only_links_on_the_apps_own_origin_are_kept() {
        assert!(is_on_origin(
            "https://restaurants.stepperslife.com/r/soul",
            ORIGIN
        ));
        assert!(is_on_origin(
            "https://restaurants.stepperslife.com:443/",
            ORIGIN
        ));
        for foreign in [
            "javascript:alert(document.cookie)",
            "data:text/html,<script>alert(1)</script>",
            "https://evil.example/r/soul",
            "https://restaurants.stepperslife.com.evil.example/",
            "http://restaurants.stepperslife.com/r/soul",
            "//evil.example/x",
            "/r/soul",
            "https://stepperslife.com/account",
        ] {
            assert!(!is_on_origin(foreign, ORIGIN), "{foreign}");
        }
        let card = |url: &str, image: &str| Card {
            title: "Soul".into(),
            subtitle: String::new(),
            url: url.into(),
            image_url: Some(image.into()),
            badge: None,
            action: None,
        };
        let mut sections = HomeSections {
            sections: vec![HomeSection {
                key: "featured".into(),
                title: "Featured".into(),
                more_url: "javascript:alert(1)".into(),
                more_label: "All".into(),
                empty: String::new(),
                cards: vec![
                    card(
                        "https://restaurants.stepperslife.com/r/soul",
                        "https://restaurants.stepperslife.com/media/a.jpg",
                    ),
                    card("javascript:alert(1)", "https://evil.example/track.gif"),
                ],
            }],
        };
        sections.keep_own_urls(ORIGIN);
        let s = &sections.sections[0];
        assert_eq!(s.more_url, "https://restaurants.stepperslife.com/");
        assert_eq!(
            s.cards[0].url,
            "https://restaurants.stepperslife.com/r/soul"
        );
        assert_eq!(
            s.cards[0].image_url.as_deref(),
            Some("https://restaurants.stepperslife.com/media/a.jpg")
        );
        assert_eq!(s.cards[1].url, "https://restaurants.stepperslife.com/");
        assert_eq!(s.cards[1].image_url, None);
    }
}

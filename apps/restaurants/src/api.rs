//! Public JSON endpoints under `/api/v1` (types in the `api` crate).

#[cfg(feature = "ssr")]
pub mod ssr {
    use api::restaurants::{
        HoursPeriod, IDEMPOTENCY_KEY, LIST_PATH, MAX_LIMIT, ORDERS_PATH, PlaceOrder,
        RECENT_ORDERS_PATH, RecentOrders, RestaurantDetail, RestaurantList, RestaurantQuery,
        RestaurantSummary,
    };
    use axum::{
        Json, Router,
        extract::{
            Path, Query, State,
            rejection::{JsonRejection, QueryRejection},
        },
        http::{HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::{get, post},
    };
    use chrono::Utc;
    use platform::AppError;
    use serde::Deserialize;
    use sso::CurrentUser;

    use api::home::{Badge, Card, HOME_PATH, HomeSection, HomeSections, MAX_CARDS};

    use crate::restaurants::{RestaurantCard, db::list, price};
    use appkit::AppState;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(HOME_PATH, get(home))
            .route(LIST_PATH, get(list_restaurants))
            .route(&format!("{LIST_PATH}/{{slug}}"), get(restaurant))
            .route(ORDERS_PATH, post(place_order))
            .route(RECENT_ORDERS_PATH, get(recent_orders))
    }

    fn summary(origin: &str, r: RestaurantCard) -> RestaurantSummary {
        RestaurantSummary {
            url: format!("{origin}/r/{}", r.slug),
            id: r.id,
            slug: r.slug,
            name: r.name,
            cuisine: r.cuisine,
            city: r.city,
            price_level: r.price_level,
            featured: r.featured,
            is_open_now: r.is_open,
            cover_url: r.cover_url.map(|path| format!("{origin}{path}")),
        }
    }

    fn card(origin: &str, r: RestaurantCard) -> Card {
        Card {
            subtitle: format!("{} · {} · {}", r.cuisine, r.city, price(r.price_level)),
            url: format!("{origin}/r/{}", r.slug),
            image_url: r.cover_url.map(|path| format!("{origin}{path}")),
            badge: Some(Badge {
                text: if r.is_open { "Open now" } else { "Closed now" }.to_owned(),
                good: r.is_open,
            }),
            action: None,
            title: r.name,
        }
    }

    /// `GET /api/v1/home`: the featured and the newest restaurants, for the portal's home page.
    async fn home(State(state): State<AppState>) -> Result<Json<HomeSections>, AppError> {
        let limit = i64::try_from(MAX_CARDS).unwrap_or(6);
        let (featured, newest) = tokio::try_join!(
            list(&state.pool, true, limit),
            list(&state.pool, false, limit)
        )?;
        let origin = &state.origin;
        let section = |key: &str, title: &str, list: Vec<RestaurantCard>| HomeSection {
            key: key.to_owned(),
            title: title.to_owned(),
            more_url: format!("{origin}/"),
            more_label: "All restaurants".to_owned(),
            empty: "No restaurants here yet.".to_owned(),
            cards: list.into_iter().map(|r| card(origin, r)).collect(),
        };
        Ok(Json(HomeSections {
            sections: vec![
                section("featured", "Featured restaurants", featured),
                section("new", "Just added", newest),
            ],
        }))
    }

    /// `GET /api/v1/restaurants?featured=true&limit=N`: newest first.
    async fn list_restaurants(
        State(state): State<AppState>,
        query: Result<Query<RestaurantQuery>, QueryRejection>,
    ) -> Result<Json<RestaurantList>, AppError> {
        let Query(q) = query.map_err(|_| {
            AppError::BadRequest(format!(
                "Use featured=true|false and limit=1..{MAX_LIMIT} in the query string."
            ))
        })?;
        let limit = q.limit.unwrap_or(12);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::validation(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ));
        }
        let restaurants = list(&state.pool, q.featured, i64::from(limit))
            .await?
            .into_iter()
            .map(|r| summary(&state.origin, r))
            .collect();
        Ok(Json(RestaurantList { restaurants }))
    }

    /// `GET /api/v1/restaurants/{slug}`: details, hours and the menu.
    async fn restaurant(
        State(state): State<AppState>,
        Path(slug): Path<String>,
    ) -> Result<Json<RestaurantDetail>, AppError> {
        let d = crate::restaurants::db::detail(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
        let mut menu = crate::menu::db::load(&state.pool, d.id, true).await?;
        for item in menu.categories.iter_mut().flat_map(|c| c.items.iter_mut()) {
            item.photo_url = item
                .photo_url
                .take()
                .map(|p| format!("{}{p}", state.origin));
        }
        let hours = d
            .hours
            .iter()
            .map(|p| HoursPeriod {
                weekday: p.weekday,
                opens: p.opens.format("%H:%M").to_string(),
                closes: p.closes.format("%H:%M").to_string(),
            })
            .collect();
        let card = RestaurantCard {
            id: d.id,
            slug: d.slug,
            name: d.name,
            cuisine: d.cuisine,
            city: d.city,
            price_level: d.price_level,
            featured: d.featured,
            is_open: d.is_open,
            status_text: d.status_text,
            cover_url: d.cover_url,
        };
        Ok(Json(RestaurantDetail {
            summary: summary(&state.origin, card),
            address: d.address,
            description: d.description,
            time_zone: d.time_zone,
            hours,
            menu,
        }))
    }

    /// `POST /api/v1/orders` with an `Idempotency-Key` header: 201 with the new order, or 200
    /// with the order an earlier request with the same key placed.
    async fn place_order(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        headers: HeaderMap,
        body: Result<Json<PlaceOrder>, JsonRejection>,
    ) -> Result<Response, AppError> {
        let key =
            platform::idempotency::key(headers.get(IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()))?;
        let Json(req) = body.map_err(|e| {
            AppError::BadRequest(format!("The order could not be read: {}", e.body_text()))
        })?;
        let placed =
            crate::orders::db::place(&state.pool, &state.origin, &user, key, &req, Utc::now())
                .await?;
        let status = if placed.created {
            state.outbox.wake();
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, Json(placed.order)).into_response())
    }

    #[derive(Debug, Deserialize)]
    struct RecentQuery {
        limit: Option<i64>,
    }

    /// `GET /api/v1/orders/recent?limit=N` (1..=20, 5 when absent): the signed-in user's orders.
    async fn recent_orders(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        query: Result<Query<RecentQuery>, QueryRejection>,
    ) -> Result<Json<RecentOrders>, AppError> {
        let Query(q) = query
            .map_err(|_| AppError::BadRequest("Use limit=1..20 in the query string.".into()))?;
        let limit = q.limit.unwrap_or(5);
        if !(1..=20).contains(&limit) {
            return Err(AppError::validation(
                "limit",
                "limit must be between 1 and 20.",
            ));
        }
        let orders =
            crate::orders::db::of_customer(&state.pool, &state.origin, user.id, limit).await?;
        Ok(Json(RecentOrders { orders }))
    }
}

//! Public JSON endpoints under `/api/v1` (types in the `api` crate).

#[cfg(feature = "ssr")]
pub mod ssr {
    use api::restaurants::{MAX_LIMIT, RestaurantList, RestaurantQuery, RestaurantSummary};
    use axum::{
        Json, Router,
        extract::{Query, State, rejection::QueryRejection},
        routing::get,
    };
    use platform::AppError;

    use crate::{restaurants::ssr::list, server::AppState};

    pub fn routes() -> Router<AppState> {
        Router::new().route(api::restaurants::LIST_PATH, get(list_restaurants))
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
        let origin = state.suite.origin_of("restaurants");
        let restaurants = list(&state.pool, q.featured, i64::from(limit))
            .await?
            .into_iter()
            .map(|r| RestaurantSummary {
                url: format!("{origin}/r/{}", r.slug),
                id: r.id,
                slug: r.slug,
                name: r.name,
                cuisine: r.cuisine,
                city: r.city,
                price_level: r.price_level,
                featured: r.featured,
                is_open_now: r.is_open,
            })
            .collect();
        Ok(Json(RestaurantList { restaurants }))
    }
}

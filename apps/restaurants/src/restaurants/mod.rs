//! Restaurants: the public list and page, and creating and editing one's own.

#[cfg(feature = "ssr")]
pub mod db;
mod pages;

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hours::Period;
pub use pages::{EditRestaurantPage, NewRestaurantPage, RestaurantListPage, RestaurantPage};
use platform::paging::Paged;

/// A restaurant in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantCard {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub price_level: i16,
    pub featured: bool,
    /// Open at the moment of the request (in the restaurant's time zone).
    pub is_open: bool,
    /// "Open now · closes 22:00", "Closed · opens Tue 11:00", ...
    pub status_text: String,
    /// Path of the cover photo.
    pub cover_url: Option<String>,
}

/// A restaurant's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantDetail {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub address: String,
    pub description: String,
    pub price_level: i16,
    pub featured: bool,
    /// IANA time zone of the hours, e.g. `America/Chicago`.
    pub time_zone: String,
    pub hours: Vec<Period>,
    pub is_open: bool,
    pub status_text: String,
    /// Path of the cover photo.
    pub cover_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantView {
    pub restaurant: RestaurantDetail,
    /// Whether the visitor owns it.
    pub can_edit: bool,
    /// The visitor's part in it, when they have one (the dashboard link).
    pub role: Option<crate::access::Role>,
    pub menu: api::restaurants::Menu,
    /// Pickup times on offer: (instant, "Today 18:15").
    pub pickup_slots: Vec<(chrono::DateTime<chrono::Utc>, String)>,
    /// Whether "as soon as possible" is on offer (open, and not about to close).
    pub asap: bool,
    /// Where to sign in and come back here; `None` when signed in (ordering needs it).
    pub sign_in_url: Option<String>,
}

/// "$" to "$$$$".
pub(crate) fn price(level: i16) -> String {
    "$".repeat(usize::try_from(level.clamp(1, 4)).unwrap_or(1))
}

/// Restaurants on one page of the list.
pub const PER_PAGE: u32 = 24;

/// Longest search accepted.
pub const MAX_SEARCH: usize = 100;

/// One page of the restaurants whose name, cuisine or city holds `q` (all when empty), open
/// now only when `open`, newest first.
#[server(prefix = "/api/restaurants", endpoint = "list")]
pub async fn list_restaurants(
    q: String,
    open: bool,
    page: u32,
) -> Result<Paged<RestaurantCard>, AppError> {
    ssr::list(q, open, page).await.map_err(AppError::respond)
}

/// One restaurant, and whether the visitor may edit it.
#[server(prefix = "/api/restaurants", endpoint = "get")]
pub async fn get_restaurant(slug: String) -> Result<RestaurantView, AppError> {
    ssr::get_view(slug).await.map_err(AppError::respond)
}

/// Answers 401 unless someone is signed in (the "add a restaurant" page asks first).
#[server(prefix = "/api/restaurants", endpoint = "can-create")]
pub async fn can_create_restaurant() -> Result<(), AppError> {
    appkit::require_user()
        .await
        .map(|_| ())
        .map_err(AppError::respond)
}

/// Adds a restaurant owned by the signed-in user, then opens its page.
#[server(prefix = "/api/restaurants", endpoint = "create")]
pub async fn create_restaurant(
    name: String,
    cuisine: String,
    city: String,
    address: String,
    description: String,
    price_level: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    ssr::create(db::RawFields {
        name,
        cuisine,
        city,
        address,
        description,
        price_level,
        time_zone: time_zone.unwrap_or_default(),
    })
    .await
    .map_err(AppError::respond)
}

/// Replaces the opening hours of a restaurant its owner owns (one form field a weekday, Monday
/// first; see [`crate::hours::parse_day`]), then opens its page.
#[server(prefix = "/api/restaurants", endpoint = "hours")]
pub async fn update_hours(
    id: Uuid,
    hours_0: String,
    hours_1: String,
    hours_2: String,
    hours_3: String,
    hours_4: String,
    hours_5: String,
    hours_6: String,
) -> Result<(), AppError> {
    let days = [
        hours_0, hours_1, hours_2, hours_3, hours_4, hours_5, hours_6,
    ];
    ssr::update_hours(id, &days)
        .await
        .map_err(AppError::respond)
}

/// A restaurant for its edit form: only for its owner.
#[server(prefix = "/api/restaurants", endpoint = "for-edit")]
pub async fn get_restaurant_for_edit(slug: String) -> Result<RestaurantDetail, AppError> {
    ssr::get_for_edit(slug).await.map_err(AppError::respond)
}

/// Saves the owner's changes, then opens the restaurant's page.
#[server(prefix = "/api/restaurants", endpoint = "update")]
pub async fn update_restaurant(
    id: Uuid,
    name: String,
    cuisine: String,
    city: String,
    address: String,
    description: String,
    price_level: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    ssr::update(
        id,
        db::RawFields {
            name,
            cuisine,
            city,
            address,
            description,
            price_level,
            time_zone: time_zone.unwrap_or_default(),
        },
    )
    .await
    .map_err(AppError::respond)
}

/// The bodies of the server functions above (server only).
#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::Utc;
    use platform::AppError;
    use uuid::Uuid;

    use super::db::{RawFields, RestaurantFields, find, hours_of, insert, replace_hours};
    use super::{MAX_SEARCH, PER_PAGE, RestaurantCard, RestaurantDetail, RestaurantView};
    use crate::access::{
        Role,
        ssr::{require, role},
    };
    use appkit::{require_user, state};
    use platform::paging::{MAX_PAGE, Paged};

    #[tracing::instrument(skip_all, fields(open, page))]
    pub async fn list(q: String, open: bool, page: u32) -> Result<Paged<RestaurantCard>, AppError> {
        let state = state()?;
        let text = q.trim();
        if text.chars().count() > MAX_SEARCH {
            return Err(AppError::validation(
                "q",
                format!("Search with at most {MAX_SEARCH} characters."),
            ));
        }
        let filter = super::db::Filter {
            text: (!text.is_empty()).then(|| text.to_owned()),
            featured_only: false,
            open_now: open,
        };
        super::db::search(
            &state.pool,
            &filter,
            page.clamp(1, MAX_PAGE),
            PER_PAGE,
            Utc::now(),
        )
        .await
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn get_view(slug: String) -> Result<RestaurantView, AppError> {
        let state = state()?;
        let row = find(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
        let user = appkit::user().await?;
        let role = match &user {
            Some(u) => role(&state.pool, row.id, u.id).await?,
            None => None,
        };
        let hours = hours_of(&state.pool, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        let now = Utc::now();
        let tz = row.tz();
        let pickup_slots = crate::hours::pickup_slots(&hours, tz, now)
            .into_iter()
            .map(|at| (at, crate::hours::slot_label(tz, now, at)))
            .collect();
        let menu = crate::menu::db::load(&state.pool, row.id, true).await?;
        let asap = crate::hours::asap_open(&hours, tz, now);
        Ok(RestaurantView {
            restaurant: row.detail(hours),
            can_edit: role.is_some_and(Role::is_owner),
            role,
            menu,
            pickup_slots,
            asap,
            sign_in_url: user
                .is_none()
                .then(|| state.sign_in_url(&format!("/r/{slug}"))),
        })
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn get_for_edit(slug: String) -> Result<RestaurantDetail, AppError> {
        let (state, user) = require_user().await?;
        let row = find(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
        require(&state.pool, row.id, user.id, Role::Owner).await?;
        let hours = hours_of(&state.pool, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        Ok(row.detail(hours))
    }

    #[tracing::instrument(skip_all)]
    pub async fn create(raw: RawFields) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let fields = RestaurantFields::parse(&raw)?;
        let slug = insert(&state.pool, user.id, &user.email, &fields).await?;
        tracing::info!(user_id = %user.id, slug, "restaurant created");
        leptos_axum::redirect(&format!("/r/{slug}"));
        Ok(())
    }

    /// Checks the caller, then every day, then replaces the hours in one transaction: a bad day
    /// changes nothing.
    #[tracing::instrument(skip_all, fields(%id))]
    pub async fn update_hours(id: Uuid, days: &[String; 7]) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        require(&state.pool, id, user.id, Role::Owner).await?;
        let mut periods = Vec::new();
        for (d, raw) in days.iter().enumerate() {
            let weekday = u8::try_from(d).unwrap_or(0);
            let day = crate::hours::parse_day(weekday, raw)
                .map_err(|m| AppError::validation(format!("hours_{d}"), m))?;
            periods.extend(day);
        }
        if let Some(d) = crate::hours::week_overlap(&periods) {
            return Err(AppError::validation(
                format!("hours_{d}"),
                "This day's hours overlap the previous day's late hours.",
            ));
        }
        let slug = replace_hours(&state.pool, id, &periods).await?;
        leptos_axum::redirect(&format!("/r/{slug}"));
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(%id))]
    pub async fn update(id: Uuid, raw: RawFields) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        require(&state.pool, id, user.id, Role::Owner).await?;
        let fields = RestaurantFields::parse(&raw)?;
        let slug = super::db::update(&state.pool, id, &fields).await?;
        leptos_axum::redirect(&format!("/r/{slug}"));
        Ok(())
    }
}

//! `restaurants.` — public read endpoints.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Path of the restaurant list endpoint, relative to the restaurants app's origin.
pub const LIST_PATH: &str = "/api/v1/restaurants";

/// Largest `limit` the list endpoint accepts.
pub const MAX_LIMIT: u32 = 50;

/// Query string of `GET /api/v1/restaurants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantQuery {
    /// Only restaurants marked as featured.
    #[serde(default)]
    pub featured: bool,
    /// How many to return: 1 to [`MAX_LIMIT`], 12 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// One restaurant as other apps see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantSummary {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub cuisine: String,
    pub city: String,
    /// 1 ($) to 4 ($$$$).
    pub price_level: i16,
    pub featured: bool,
    /// Open at the time of the answer, in the restaurant's own time zone.
    pub is_open_now: bool,
    /// Absolute URL of the restaurant's page on the restaurants app.
    pub url: String,
}

/// Answer of `GET /api/v1/restaurants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantList {
    pub restaurants: Vec<RestaurantSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restaurant_list_round_trips_through_json() {
        let list = RestaurantList {
            restaurants: vec![RestaurantSummary {
                id: Uuid::nil(),
                slug: "soul-food".into(),
                name: "Soul Food".into(),
                cuisine: "Southern".into(),
                city: "Chicago".into(),
                price_level: 2,
                featured: true,
                is_open_now: false,
                url: "https://restaurants.stepperslife.com/r/soul-food".into(),
            }],
        };
        let json = serde_json::to_string(&list).expect("serializes");
        let back: RestaurantList = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, list);
    }
}

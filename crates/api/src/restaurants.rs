//! `restaurants.` — public read endpoints.

use chrono::{DateTime, Utc};
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
    /// Absolute URL of its cover photo, when it has one.
    #[serde(default)]
    pub cover_url: Option<String>,
}

/// Answer of `GET /api/v1/restaurants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantList {
    pub restaurants: Vec<RestaurantSummary>,
}

/// Path of one restaurant with its menu: `/api/v1/restaurants/{slug}`.
pub fn detail_path(slug: &str) -> String {
    format!("{LIST_PATH}/{slug}")
}

/// Path where orders are placed (`POST`, with an `Idempotency-Key` header).
pub const ORDERS_PATH: &str = "/api/v1/orders";

/// Path of the signed-in user's recent orders (`GET`).
pub const RECENT_ORDERS_PATH: &str = "/api/v1/orders/recent";

/// Name of the header that makes `POST /api/v1/orders` safe to retry.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// One opening period in the restaurant's own time zone; `closes` at or before `opens` means
/// the period ends the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursPeriod {
    /// 0 = Monday ... 6 = Sunday: the day the period starts.
    pub weekday: u8,
    /// `HH:MM`.
    pub opens: String,
    /// `HH:MM`.
    pub closes: String,
}

/// A restaurant with its menu (`GET /api/v1/restaurants/{slug}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantDetail {
    #[serde(flatten)]
    pub summary: RestaurantSummary,
    pub address: String,
    pub description: String,
    /// IANA time zone of `hours`.
    pub time_zone: String,
    pub hours: Vec<HoursPeriod>,
    pub menu: Menu,
}

/// A restaurant's menu: categories in the owner's order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Menu {
    pub categories: Vec<MenuCategory>,
}

impl Menu {
    /// Every item, whatever its category.
    pub fn items(&self) -> impl Iterator<Item = &MenuItem> {
        self.categories.iter().flat_map(|c| c.items.iter())
    }

    pub fn item(&self, id: Uuid) -> Option<&MenuItem> {
        self.items().find(|i| i.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuCategory {
    pub id: Uuid,
    pub name: String,
    pub items: Vec<MenuItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuItem {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Base price in cents, before options.
    pub price_cents: i32,
    /// Path or absolute URL of its photo.
    pub photo_url: Option<String>,
    /// Allergens and dietary tags, from [`DIETARY_TAGS`].
    pub tags: Vec<String>,
    /// Shown, but cannot be ordered.
    pub sold_out: bool,
    pub option_groups: Vec<OptionGroup>,
}

/// A choice to make about an item ("Side", "Spice level"): between `min_choices` and
/// `max_choices` of its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionGroup {
    pub id: Uuid,
    pub name: String,
    pub min_choices: i16,
    pub max_choices: i16,
    pub options: Vec<MenuOption>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuOption {
    pub id: Uuid,
    pub name: String,
    /// Added to the item's price (may be negative or zero).
    pub price_delta_cents: i32,
}

/// The allergen and dietary tags an item may carry: (tag, label).
pub const DIETARY_TAGS: [(&str, &str); 14] = [
    ("vegetarian", "Vegetarian"),
    ("vegan", "Vegan"),
    ("gluten_free", "Gluten-free"),
    ("halal", "Halal"),
    ("spicy", "Spicy"),
    ("contains_gluten", "Contains gluten"),
    ("contains_dairy", "Contains dairy"),
    ("contains_egg", "Contains egg"),
    ("contains_peanuts", "Contains peanuts"),
    ("contains_tree_nuts", "Contains tree nuts"),
    ("contains_soy", "Contains soy"),
    ("contains_fish", "Contains fish"),
    ("contains_shellfish", "Contains shellfish"),
    ("contains_sesame", "Contains sesame"),
];

/// The label of a tag, or `None` for an unknown one.
pub fn tag_label(tag: &str) -> Option<&'static str> {
    DIETARY_TAGS
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, l)| *l)
}

/// When the customer collects the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Pickup {
    /// As soon as it is ready: the restaurant must be open now.
    Asap,
    /// At a time slot inside the opening hours.
    At { at: DateTime<Utc> },
}

/// One line of an order as the customer asks for it: prices are never sent, only chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLineRequest {
    pub item_id: Uuid,
    pub quantity: u32,
    #[serde(default)]
    pub option_ids: Vec<Uuid>,
}

/// Body of `POST /api/v1/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaceOrder {
    pub restaurant_id: Uuid,
    pub lines: Vec<OrderLineRequest>,
    pub pickup: Pickup,
    #[serde(default)]
    pub note: String,
    /// The total the customer was shown, in cents. When present and the prices have changed
    /// since, the order is refused (409) instead of charging a different amount.
    #[serde(default)]
    pub expected_total_cents: Option<i64>,
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Accepted,
    Preparing,
    Ready,
    PickedUp,
    Rejected,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [Self; 7] = [
        Self::Placed,
        Self::Accepted,
        Self::Preparing,
        Self::Ready,
        Self::PickedUp,
        Self::Rejected,
        Self::Cancelled,
    ];

    /// The name stored and sent: `placed`, `picked_up`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::Accepted => "accepted",
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::PickedUp => "picked_up",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// What a customer reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Placed => "Placed",
            Self::Accepted => "Accepted",
            Self::Preparing => "Preparing",
            Self::Ready => "Ready for pickup",
            Self::PickedUp => "Picked up",
            Self::Rejected => "Declined by the restaurant",
            Self::Cancelled => "Cancelled",
        }
    }

    /// Whether nothing more will happen to it.
    pub fn is_final(self) -> bool {
        matches!(self, Self::PickedUp | Self::Rejected | Self::Cancelled)
    }
}

/// One line of a placed order, as priced by the restaurant when it was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// `None` once the item has left the menu.
    pub item_id: Option<Uuid>,
    pub name: String,
    pub option_ids: Vec<Uuid>,
    /// Names of the chosen options.
    pub options: Vec<String>,
    pub quantity: u32,
    pub unit_cents: i64,
    pub line_cents: i64,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: Uuid,
    /// Short number to say at the counter.
    pub number: i64,
    pub restaurant_id: Uuid,
    pub restaurant_name: String,
    pub status: OrderStatus,
    /// `None` for "as soon as possible".
    pub pickup_at: Option<DateTime<Utc>>,
    pub note: String,
    pub lines: Vec<OrderLine>,
    pub total_cents: i64,
    pub created_at: DateTime<Utc>,
    /// Absolute URL of the order's page on the restaurants app.
    pub url: String,
    /// The restaurant's IANA time zone; the labels below are in it.
    pub time_zone: String,
    /// "As soon as possible" or the slot, e.g. "Sat 21 Nov 18:15".
    pub pickup_label: String,
    /// When it was placed, e.g. "Sat 21 Nov 17:52".
    pub placed_label: String,
}

impl Order {
    /// The request that orders the same again, as soon as possible, at the same total: the
    /// restaurant re-checks it like any order and refuses it when a price changed. `Err` names
    /// the dishes that have left the menu since.
    pub fn again(&self) -> Result<PlaceOrder, Vec<String>> {
        let gone: Vec<String> = self
            .lines
            .iter()
            .filter(|l| l.item_id.is_none())
            .map(|l| l.name.clone())
            .collect();
        if !gone.is_empty() {
            return Err(gone);
        }
        Ok(PlaceOrder {
            restaurant_id: self.restaurant_id,
            lines: self
                .lines
                .iter()
                .filter_map(|l| {
                    Some(OrderLineRequest {
                        item_id: l.item_id?,
                        quantity: l.quantity,
                        option_ids: l.option_ids.clone(),
                    })
                })
                .collect(),
            pickup: Pickup::Asap,
            note: String::new(),
            expected_total_cents: Some(self.total_cents),
        })
    }
}

/// Answer of `GET /api/v1/orders/recent`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecentOrders {
    pub orders: Vec<Order>,
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
                cover_url: None,
            }],
        };
        let json = serde_json::to_string(&list).expect("serializes");
        let back: RestaurantList = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, list);
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
            let json = serde_json::to_string(&s).expect("serializes");
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        assert_eq!(OrderStatus::parse("shipped"), None);
    }

    #[test]
    fn a_pickup_is_tagged_by_kind() {
        let asap = serde_json::to_string(&Pickup::Asap).expect("serializes");
        assert_eq!(asap, r#"{"kind":"asap"}"#);
        let at: Pickup =
            serde_json::from_str(r#"{"kind":"at","at":"2026-11-22T18:00:00Z"}"#).expect("reads");
        assert!(matches!(at, Pickup::At { .. }));
    }
}

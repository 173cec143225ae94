//! `GET /api/v1/home` on every app that has sections on the portal's home page (`home = true`
//! in the manifest): what is happening there, as cards. The portal renders every app's sections
//! the same way, so a new app appears on the home page by serving this and being enabled.

use serde::{Deserialize, Serialize};

/// The path, on every app that serves it.
pub const HOME_PATH: &str = "/api/v1/home";

/// Most cards in one section.
pub const MAX_CARDS: usize = 6;

/// An app's sections, in the order it wants them shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSections {
    pub sections: Vec<HomeSection>,
}

/// One section: a titled row of cards, with a link to more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeSection {
    /// Stable within the app (`featured`, `new`): the page's test ids and anchors use it.
    pub key: String,
    /// "Featured restaurants".
    pub title: String,
    /// Absolute URL of the full list.
    pub more_url: String,
    /// "All restaurants".
    pub more_label: String,
    /// What to say when there are no cards ("No restaurants here yet.").
    pub empty: String,
    pub cards: Vec<Card>,
}

/// One thing in a section: a restaurant, an event, a product…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub title: String,
    /// "Soul food · Chicago · $$".
    pub subtitle: String,
    /// Absolute URL of its page.
    pub url: String,
    /// Absolute URL of its picture (shown 16:9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<Badge>,
    /// Something the portal can do about it for the signed-in person, on the app's behalf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<CardAction>,
}

/// What a card's button does, through the app's public API with the person's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CardAction {
    /// Take one free place of a ticket type (`POST /api/v1/rsvp` of the events API).
    Rsvp { ticket_type_id: uuid::Uuid },
}

/// A short state line under a card ("Open now", "Sold out").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Badge {
    pub text: String,
    /// Shown in green: good news for the visitor.
    pub good: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cards_without_picture_or_badge_leave_them_out() {
        let card = Card {
            title: "Soul Kitchen".into(),
            subtitle: "Soul food · Chicago".into(),
            url: "https://restaurants.stepperslife.com/r/soul".into(),
            image_url: None,
            badge: None,
            action: None,
        };
        let json = serde_json::to_value(&card).expect("json");
        assert!(json.get("image_url").is_none() && json.get("badge").is_none());
        assert!(json.get("action").is_none());
        let back: Card = serde_json::from_value(json).expect("back");
        assert_eq!(back, card);
    }
}

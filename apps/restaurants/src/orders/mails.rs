//! The messages about orders: to the customer when it is placed and when it is ready, to the
//! restaurant when a new one comes in.

use mail::Message;
use platform::money::format_cents;

use super::rules::PricedLine;

/// What the messages about one order say.
pub struct About<'a> {
    pub number: i64,
    pub restaurant: &'a str,
    /// "as soon as possible" or a local time ("Wed 31 Dec 20:00").
    pub pickup: &'a str,
    pub total_cents: i64,
    pub url: &'a str,
}

fn lines_text(lines: &[PricedLine]) -> String {
    lines
        .iter()
        .map(|l| {
            let options = if l.options.is_empty() {
                String::new()
            } else {
                format!(" ({})", l.options.join(", "))
            };
            format!(
                "  {} × {}{options}  {}",
                l.quantity,
                l.name,
                format_cents(l.line_cents)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// To the customer: the order as placed.
pub fn placed(to: &str, name: &str, about: &About<'_>, lines: &[PricedLine]) -> Message {
    Message {
        kind: "order-placed",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: format!("Your order #{} at {}", about.number, about.restaurant),
        text: format!(
            "Thank you, {name}! {} has your order #{}.\n\n{}\n\nTotal: {} (pay at pickup)\nPickup: {}\n\nFollow it live: {}\n",
            about.restaurant,
            about.number,
            lines_text(lines),
            format_cents(about.total_cents),
            about.pickup,
            about.url,
        ),
        html: None,
    }
}

/// To the restaurant: a new order to accept.
pub fn new_order(
    to: &str,
    about: &About<'_>,
    customer: &str,
    lines: &[PricedLine],
    queue_url: &str,
) -> Message {
    Message {
        kind: "order-new",
        to_address: to.to_owned(),
        to_name: about.restaurant.to_owned(),
        subject: format!(
            "New order #{} from {customer}: {}",
            about.number,
            format_cents(about.total_cents)
        ),
        text: format!(
            "{customer} placed order #{} at {}.\n\n{}\n\nTotal: {}\nPickup: {}\n\nAccept it in your order queue: {queue_url}\n\n\
             You get this because new-order emails are on for {}; turn them off in the order queue.\n",
            about.number,
            about.restaurant,
            lines_text(lines),
            format_cents(about.total_cents),
            about.pickup,
            about.restaurant,
        ),
        html: None,
    }
}

/// To the customer: come and get it.
pub fn ready(to: &str, name: &str, about: &About<'_>) -> Message {
    Message {
        kind: "order-ready",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: format!(
            "Order #{} is ready for pickup at {}",
            about.number, about.restaurant
        ),
        text: format!(
            "{name}, your order #{} is ready at {}. Total to pay at pickup: {}.\n\nYour order: {}\n",
            about.number,
            about.restaurant,
            format_cents(about.total_cents),
            about.url,
        ),
        html: None,
    }
}

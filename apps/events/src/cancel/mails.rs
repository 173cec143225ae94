//! The messages about cancellations, written in the transaction that decides them.

use mail::Message;
use platform::money::format_cents;

fn refund_line(refund_cents: i32) -> String {
    if refund_cents > 0 {
        format!(
            "{} goes back to the card you paid with (banks take 5–10 days to show it).\n\n",
            format_cents(i64::from(refund_cents))
        )
    } else {
        String::new()
    }
}

fn note(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!("From the organizer:\n{message}\n\n")
    }
}

/// To an attendee who cancelled a ticket.
pub fn ticket_cancelled(
    to: &str,
    name: &str,
    title: &str,
    refund_cents: i32,
    url: &str,
) -> Message {
    Message {
        kind: "ticket-cancelled",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: format!("Your ticket for {title} is cancelled"),
        text: format!(
            "Hello {name},\n\nYour ticket for {title} is cancelled, as you asked; its place is \
             free for someone else.\n\n{}The event: {url}\n",
            refund_line(refund_cents)
        ),
        html: None,
    }
}

/// To every ticket holder of a cancelled event.
pub fn event_cancelled(
    to: &str,
    name: &str,
    title: &str,
    message: &str,
    refund_cents: i32,
    url: &str,
) -> Message {
    Message {
        kind: "event-cancelled",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: format!("{title} is cancelled"),
        text: format!(
            "Hello {name},\n\nWe are sorry: {title} is cancelled, and your tickets with it.\n\n{}{}The event: {url}\n",
            note(message),
            refund_line(refund_cents)
        ),
        html: None,
    }
}

/// To every ticket holder of a postponed event.
pub fn event_postponed(
    to: &str,
    name: &str,
    title: &str,
    message: &str,
    url: &str,
    tickets_url: &str,
) -> Message {
    Message {
        kind: "event-postponed",
        to_address: to.to_owned(),
        to_name: name.to_owned(),
        subject: format!("{title} is postponed"),
        text: format!(
            "Hello {name},\n\n{title} is postponed. Your tickets stay valid for the new date, \
             which the organizer will announce.\n\n{}If you cannot come then, cancel your \
             tickets for a full refund: {tickets_url}\n\nThe event: {url}\n",
            note(message)
        ),
        html: None,
    }
}

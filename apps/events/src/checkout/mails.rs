//! The messages about paid orders, written to the outbox in the transaction that decides them.

use appkit::AppState;
use mail::Message;
use platform::{AppError, money::format_cents};
use sqlx::PgConnection;

use super::db::{self, OrderRow};

fn lines_text(lines: &[db::Line]) -> String {
    lines
        .iter()
        .map(|l| {
            format!(
                "  {} × {}  {}",
                l.quantity,
                l.name,
                format_cents(i64::from(l.price_cents) * l.quantity)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// To the buyer: paid, with where the tickets are.
pub async fn paid(
    conn: &mut PgConnection,
    state: &AppState,
    order: &OrderRow,
) -> Result<(), AppError> {
    let lines = db::lines(&mut *conn, order.id).await?;
    let codes = crate::tickets::db::codes_text(&mut *conn, order.id).await?;
    let message = Message {
        kind: "tickets-paid",
        to_address: order.buyer_email.clone(),
        to_name: order.buyer_name.clone(),
        subject: format!("Your tickets for {}", order.title),
        text: format!(
            "Thank you, {}! Your payment went through.\n\n{}\n\nPaid: {}\n\nYour tickets, with the codes the door takes:\n{codes}\n\nWith their QR codes: {}\nThe event: {}\n",
            order.buyer_name,
            lines_text(&lines),
            format_cents(i64::from(order.total_cents)),
            state.url("/tickets"),
            state.url(&format!("/e/{}", order.slug)),
        ),
        html: None,
    };
    mail::enqueue(&mut *conn, &message).await?;
    Ok(())
}

/// To the buyer: a payment that found no place — it came after the hold ended and the places
/// had gone (`late_payment`), or after the order or the event was cancelled — so the money goes
/// back.
pub async fn refunded_unplaced(
    conn: &mut PgConnection,
    state: &AppState,
    order: &OrderRow,
    reason: &str,
) -> Result<(), AppError> {
    let why = if reason == "late_payment" {
        "arrived after your places' hold ended, and the places had gone meanwhile"
    } else {
        "arrived after the order or the event was cancelled"
    };
    let message = Message {
        kind: "tickets-refunded",
        to_address: order.buyer_email.clone(),
        to_name: order.buyer_name.clone(),
        subject: format!("Your payment for {} is refunded", order.title),
        text: format!(
            "Hello {},\n\nYour payment of {} for {} {why}, so there are no tickets for it. \
             The whole amount goes back to your card (banks take 5–10 days to show it).\n\n\
             The event: {}\n",
            order.buyer_name,
            format_cents(i64::from(order.total_cents)),
            order.title,
            state.url(&format!("/e/{}", order.slug)),
        ),
        html: None,
    };
    mail::enqueue(&mut *conn, &message).await?;
    Ok(())
}

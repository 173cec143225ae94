//! The messages about paid checkouts, written to the outbox in the transaction that decides
//! them: to the shopper (every shop's order), and to each shop (its own order only).

use appkit::AppState;
use mail::Message;
use platform::{AppError, money::format_cents};
use sqlx::PgConnection;
use uuid::Uuid;

use super::db::CheckoutRow;

#[derive(sqlx::FromRow)]
struct OrderMail {
    number: String,
    shop_name: String,
    owner_email: String,
    delivery: String,
    pickup_address: String,
    subtotal_cents: i32,
    shipping_cents: i32,
    total_cents: i32,
}

#[derive(sqlx::FromRow)]
struct LineMail {
    product_title: String,
    variant_name: String,
    unit_cents: i32,
    quantity: i32,
}

async fn lines_text(conn: &mut PgConnection, order: Uuid) -> Result<String, AppError> {
    let lines: Vec<LineMail> = sqlx::query_as(
        "select product_title, variant_name, unit_cents, quantity from order_lines
         where order_id = $1 order by product_title, variant_name",
    )
    .bind(order)
    .fetch_all(conn)
    .await?;
    Ok(lines
        .iter()
        .map(|l| {
            format!(
                "  {} × {} – {}  {}",
                l.quantity,
                l.product_title,
                l.variant_name,
                format_cents(i64::from(l.unit_cents) * i64::from(l.quantity))
            )
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

async fn order(conn: &mut PgConnection, id: Uuid) -> Result<OrderMail, AppError> {
    Ok(sqlx::query_as(
        "select o.number, s.name as shop_name, s.owner_email, o.delivery, s.pickup_address,
                o.subtotal_cents, o.shipping_cents, o.total_cents
         from orders o join shops s on s.id = o.shop_id where o.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// To the shopper: paid, with each shop's order; to each shop: its new order.
pub async fn paid(
    conn: &mut PgConnection,
    state: &AppState,
    c: &CheckoutRow,
    orders: &[Uuid],
) -> Result<(), AppError> {
    let mut parts = Vec::new();
    for id in orders {
        let o = order(&mut *conn, *id).await?;
        let lines = lines_text(&mut *conn, *id).await?;
        let how = if o.delivery == "pickup" {
            format!("Pick up at: {}", o.pickup_address)
        } else {
            format!("Shipping: {}", format_cents(i64::from(o.shipping_cents)))
        };
        parts.push(format!(
            "Order {} from {}\n{lines}\n  Items: {}\n  {how}\n  Total: {}",
            o.number,
            o.shop_name,
            format_cents(i64::from(o.subtotal_cents)),
            format_cents(i64::from(o.total_cents)),
        ));
        let to_shop = Message {
            kind: "store-new-order",
            to_address: o.owner_email.clone(),
            to_name: o.shop_name.clone(),
            subject: format!("New order {}", o.number),
            text: format!(
                "{} ordered from {}:\n\n{lines}\n\n{}\nShipping charged: {}\nTotal paid: {}\n\nAccept it and see where it goes: {}\n",
                c.buyer_name,
                o.shop_name,
                if o.delivery == "pickup" {
                    "To be picked up at your shop.".to_owned()
                } else {
                    format!("Ship to:\n{}\n{}", c.ship_name, c.ship_address)
                },
                format_cents(i64::from(o.shipping_cents)),
                format_cents(i64::from(o.total_cents)),
                state.url("/dashboard/orders"),
            ),
            html: None,
        };
        mail::enqueue(&mut *conn, &to_shop).await?;
    }
    let message = Message {
        kind: "store-paid",
        to_address: c.buyer_email.clone(),
        to_name: c.buyer_name.clone(),
        subject: "Your SteppersLife store order".to_owned(),
        text: format!(
            "Thank you, {}! Your payment of {} went through.\n\n{}\n\nEach shop sends its own part and tells you when it ships or is ready to pick up.\nYour orders: {}\n",
            c.buyer_name,
            format_cents(i64::from(c.total_cents)),
            parts.join("\n\n"),
            state.url(&format!("/orders/{}", c.id)),
        ),
        html: None,
    };
    mail::enqueue(&mut *conn, &message).await?;
    Ok(())
}

/// To the shopper: a payment that came after the reservation ended and the units had gone.
pub async fn refunded_late(
    conn: &mut PgConnection,
    state: &AppState,
    c: &CheckoutRow,
) -> Result<(), AppError> {
    let message = Message {
        kind: "store-refunded-late",
        to_address: c.buyer_email.clone(),
        to_name: c.buyer_name.clone(),
        subject: "Your payment is being refunded".to_owned(),
        text: format!(
            "Hello {},\n\nYour payment of {} came after your items' reservation had ended, and some of them had sold meanwhile. Nothing was ordered, and the whole amount goes back to your card (it can take a few days to show).\n\nYour cart still holds the items: {}\n",
            c.buyer_name,
            format_cents(i64::from(c.total_cents)),
            state.url("/cart"),
        ),
        html: None,
    };
    mail::enqueue(conn, &message).await?;
    Ok(())
}

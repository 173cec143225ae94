//! Orders and tickets in the database: taking places under the event's lock.

use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use crate::events::db::TAKES_A_PLACE;

/// What a request for places asks.
pub struct Request<'a> {
    pub ticket_type: Uuid,
    pub quantity: i32,
    pub buyer: &'a sso::SessionUser,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    /// The app's public origin, for the links in the confirmation mail.
    pub origin: &'a str,
}

/// What the event and the ticket type say, read under the event's lock.
#[derive(sqlx::FromRow)]
pub struct Sale {
    pub event_id: Uuid,
    pub title: String,
    pub slug: String,
    pub type_name: String,
    pub event_capacity: Option<i32>,
    pub status: String,
    pub starts_at: DateTime<Utc>,
    pub price_cents: i32,
    pub type_capacity: i32,
    pub max_per_order: i32,
    pub sales_start: Option<DateTime<Utc>>,
    pub sales_end: Option<DateTime<Utc>>,
    pub door_payment: bool,
}

/// How the places are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    /// Free places, confirmed at once.
    Free,
    /// Places held for `hold_secs` while the buyer pays; they count against capacity until
    /// then.
    Held { hold_secs: i32 },
    /// Paid places taken now, to be paid at the door.
    AtTheDoor,
}

/// The order that took the places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Taken {
    pub order: Uuid,
    pub total_cents: i32,
    /// False when an earlier request with the same key took them.
    pub created: bool,
}

/// Takes `quantity` places of a ticket type for the buyer: an order (confirmed, or reserved for
/// payment) and one ticket a place. Every taking of an event's places holds the event's row
/// lock, so the count read under it is the truth: no more places go than there are, however
/// many ask at once. A retry with the same idempotency key answers the first order; the same
/// key with another request is refused. `check` judges the sale (status, window, quantity,
/// price) from what is read under the lock.
pub async fn take(
    pool: &PgPool,
    req: &Request<'_>,
    how: Take,
    check: impl FnOnce(&Sale, i64, i64) -> Result<(), AppError>,
) -> Result<Taken, AppError> {
    let mut tx = pool.begin().await?;
    let sale: Sale = sqlx::query_as(
        "select e.id as event_id, e.title, e.slug, tt.name as type_name,
                e.capacity as event_capacity, e.status, e.starts_at,
                tt.price_cents, tt.capacity as type_capacity, tt.max_per_order, tt.sales_start,
                tt.sales_end, e.door_payment
         from ticket_types tt join events e on e.id = tt.event_id
         where tt.id = $1 for update of e",
    )
    .bind(req.ticket_type)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::not_found("There is no such ticket type."))?;
    let earlier: Option<(Uuid, i32, String)> = sqlx::query_as(
        "select id, total_cents, request_hash from orders
         where buyer_id = $1 and idempotency_key = $2",
    )
    .bind(req.buyer.id)
    .bind(req.idempotency_key)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((order, total_cents, hash)) = earlier {
        return if hash == req.request_hash {
            Ok(Taken {
                order,
                total_cents,
                created: false,
            })
        } else {
            Err(platform::idempotency::reused())
        };
    }
    let (type_taken, event_taken): (i64, i64) = sqlx::query_as(&format!(
        "select count(*) filter (where t.ticket_type_id = $2), count(*)
         from tickets t join orders o on o.id = t.order_id
         where t.event_id = $1 and {TAKES_A_PLACE}"
    ))
    .bind(sale.event_id)
    .bind(req.ticket_type)
    .fetch_one(&mut *tx)
    .await?;
    check(&sale, type_taken, event_taken)?;
    let (status, price, hold_secs) = match how {
        Take::Free => ("confirmed", 0, None),
        Take::Held { hold_secs } => ("reserved", sale.price_cents, Some(hold_secs)),
        Take::AtTheDoor => ("door", sale.price_cents, None),
    };
    let order = insert_order(
        &mut tx,
        &NewOrder {
            event: sale.event_id,
            ticket_type: req.ticket_type,
            buyer_id: req.buyer.id,
            buyer_name: &req.buyer.name,
            buyer_email: &req.buyer.email,
            status,
            price_cents: price,
            quantity: req.quantity,
            hold_secs,
            idempotency_key: req.idempotency_key,
            request_hash: req.request_hash,
        },
    )
    .await?;
    let codes = codes_text(&mut tx, order).await?;
    if how == Take::AtTheDoor {
        let message = mail::Message {
            kind: "door-reserved",
            to_address: req.buyer.email.clone(),
            to_name: req.buyer.name.clone(),
            subject: format!("Your places for {}: pay at the door", sale.title),
            text: format!(
                "Hello {},\n\nYour places are reserved: {} × {} at {}. Pay {} at the door; \
                 show your tickets there.\n\n{codes}\n\nWith their QR codes: {}/tickets\n\
                 The event: {}/e/{}\n",
                req.buyer.name,
                req.quantity,
                sale.type_name,
                sale.title,
                platform::money::format_cents(i64::from(price) * i64::from(req.quantity)),
                req.origin,
                req.origin,
                sale.slug,
            ),
            html: None,
        };
        mail::enqueue(&mut *tx, &message).await?;
    }
    if how == Take::Free {
        let message = mail::Message {
            kind: "rsvp-confirmed",
            to_address: req.buyer.email.clone(),
            to_name: req.buyer.name.clone(),
            subject: format!("You're going to {}", sale.title),
            text: format!(
                "Hello {},\n\nYour places are confirmed: {} × {} at {}.\n\nYour tickets, \
                 with the codes the door takes:\n{codes}\n\nWith their QR codes: {}/tickets\n\
                 The event: {}/e/{}\n",
                req.buyer.name,
                req.quantity,
                sale.type_name,
                sale.title,
                req.origin,
                req.origin,
                sale.slug,
            ),
            html: None,
        };
        mail::enqueue(&mut *tx, &message).await?;
    }
    tx.commit().await?;
    Ok(Taken {
        order,
        total_cents: price * req.quantity,
        created: true,
    })
}

/// An order to write: `quantity` tickets of one type at `price_cents` each.
pub struct NewOrder<'a> {
    pub event: Uuid,
    pub ticket_type: Uuid,
    pub buyer_id: Uuid,
    pub buyer_name: &'a str,
    pub buyer_email: &'a str,
    /// `confirmed` or `reserved` (then held for `hold_secs`).
    pub status: &'a str,
    pub price_cents: i32,
    pub quantity: i32,
    pub hold_secs: Option<i32>,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
}

/// Writes an order and its tickets (each with a fresh 256-bit secret) in `conn`'s transaction,
/// which holds the event's lock and has judged the places; the order's id. A key used before
/// by the buyer is refused.
pub async fn insert_order(
    conn: &mut sqlx::PgConnection,
    o: &NewOrder<'_>,
) -> Result<Uuid, AppError> {
    // At most 1,000,000 cents a ticket and 50 tickets an order (the columns' checks).
    let total_cents = o
        .price_cents
        .checked_mul(o.quantity)
        .ok_or_else(|| AppError::validation("quantity", "That order is too large."))?;
    let order: Uuid = sqlx::query_scalar(
        "insert into orders (event_id, buyer_id, buyer_name, buyer_email, status, total_cents,
                             expires_at, idempotency_key, request_hash)
         values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7), $8, $9)
         returning id",
    )
    .bind(o.event)
    .bind(o.buyer_id)
    .bind(o.buyer_name)
    .bind(o.buyer_email)
    .bind(o.status)
    .bind(total_cents)
    .bind(o.hold_secs.map(f64::from))
    .bind(o.idempotency_key)
    .bind(o.request_hash)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        // The key was used meanwhile for another event's order (that one held another lock).
        sqlx::Error::Database(d) if d.is_unique_violation() => platform::idempotency::reused(),
        _ => e.into(),
    })?;
    let secrets: Vec<String> = (0..o.quantity).map(|_| platform::token::new().0).collect();
    sqlx::query(
        "insert into tickets (order_id, event_id, ticket_type_id, secret, price_cents)
         select $1, $2, $3, s, $5 from unnest($4::text[]) s",
    )
    .bind(order)
    .bind(o.event)
    .bind(o.ticket_type)
    .bind(&secrets)
    .bind(o.price_cents)
    .execute(&mut *conn)
    .await?;
    Ok(order)
}

/// The tickets of `order` as its mails list them: one line per ticket, its type and the code
/// the door takes (typed, or scanned from the QR code on the tickets page).
pub async fn codes_text(conn: &mut sqlx::PgConnection, order: Uuid) -> Result<String, AppError> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select tt.name, t.secret from tickets t join ticket_types tt on tt.id = t.ticket_type_id
         where t.order_id = $1 and t.status = 'valid' order by tt.created_at, t.id",
    )
    .bind(order)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .enumerate()
        .map(|(i, (name, code))| format!("  Ticket {} ({name}): {code}", i + 1))
        .collect::<Vec<_>>()
        .join("\n"))
}

/// A ticket of the buyer's, with its event.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    pub id: Uuid,
    pub secret: String,
    pub status: String,
    pub type_name: String,
    pub slug: String,
    pub title: String,
    pub venue: String,
    pub online: bool,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub event_status: String,
    pub cancel_hours: i32,
    pub price_cents: i32,
}

/// The buyer's tickets of confirmed or paid orders, soonest event first.
pub async fn of_buyer(pool: &PgPool, buyer: Uuid) -> Result<Vec<TicketRow>, AppError> {
    Ok(sqlx::query_as(
        "select t.id, t.secret, t.status, tt.name as type_name, e.slug, e.title, e.venue,
                e.online, e.time_zone, e.starts_at, e.status as event_status, e.cancel_hours,
                t.price_cents
         from tickets t join orders o on o.id = t.order_id
              join ticket_types tt on tt.id = t.ticket_type_id
              join events e on e.id = t.event_id
         where o.buyer_id = $1 and o.status in ('confirmed', 'paid', 'door')
         order by e.starts_at, t.created_at, t.id
         limit 500",
    )
    .bind(buyer)
    .fetch_all(pool)
    .await?)
}

//! Orders in the database: placing one (idempotently), reading them, and moving them on.

use std::collections::HashMap;

use api::restaurants::{Order, OrderLine, OrderStatus, Pickup, PlaceOrder};
use chrono::{DateTime, Utc};
use platform::AppError;
use sqlx::PgPool;
use sso::SessionUser;
use uuid::Uuid;

use super::rules::{self, Actor, Step};

/// Most characters of a customer's note to the kitchen.
pub const MAX_NOTE: usize = 300;

/// The customer's note to the kitchen, as typed: at most [`MAX_NOTE`] characters.
fn check_note(raw: &str) -> Result<String, AppError> {
    platform::text::field(
        "note",
        "note",
        raw,
        0,
        MAX_NOTE,
        platform::text::Lines::Many,
    )
}

/// The order this customer already placed with this key, if any. A key reused for a different
/// request is refused.
async fn by_key(
    pool: &PgPool,
    origin: &str,
    customer: Uuid,
    key: &str,
    hash: &str,
) -> Result<Option<Order>, AppError> {
    let found: Option<(Uuid, String)> = sqlx::query_as(
        "select id, request_hash from orders where customer_id = $1 and idempotency_key = $2",
    )
    .bind(customer)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    match found {
        None => Ok(None),
        Some((_, h)) if h != hash => Err(platform::idempotency::reused()),
        Some((id, _)) => Ok(get(pool, origin, id).await?.map(|(o, _)| o)),
    }
}

/// Places an order for `user`. Everything is checked against the database: the restaurant is
/// open (now, or at the chosen slot), every item is on the menu and not sold out, options follow
/// their groups' rules, prices are the menu's. The same `key` with the same request returns the
/// order the first call made, also when the calls race; `created` tells which it was.
pub async fn place(
    pool: &PgPool,
    origin: &str,
    user: &SessionUser,
    key: &str,
    req: &PlaceOrder,
    now: DateTime<Utc>,
) -> Result<Placed, AppError> {
    let key = platform::idempotency::key(Some(key))?;
    let hash = platform::idempotency::fingerprint(req);
    if let Some(order) = by_key(pool, origin, user.id, key, &hash).await? {
        return Ok(Placed {
            order,
            created: false,
        });
    }
    let note = check_note(&req.note)?;
    let (name, tz, hours) = crate::restaurants::db::hours_by_id(pool, req.restaurant_id)
        .await?
        .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
    let pickup_at = match req.pickup {
        Pickup::Asap => {
            let status = crate::hours::status(&hours, tz, now);
            if !status.is_open() {
                return Err(AppError::conflict(
                    "pickup",
                    format!(
                        "{name} is closed right now ({}). Choose a pickup time instead.",
                        crate::hours::describe(status).to_lowercase()
                    ),
                ));
            }
            if !crate::hours::asap_open(&hours, tz, now) {
                return Err(AppError::conflict(
                    "pickup",
                    format!(
                        "{name} is about to close ({}), too late for an order now. Choose a pickup time instead.",
                        crate::hours::describe(status).to_lowercase()
                    ),
                ));
            }
            None
        }
        Pickup::At { at } => {
            if let Some(problem) = crate::hours::slot_problem(&hours, tz, now, at) {
                return Err(AppError::validation("pickup", problem));
            }
            Some(at)
        }
    };
    let menu = crate::menu::db::load(pool, req.restaurant_id, true).await?;
    let priced = rules::price_order(&menu, &req.lines)?;
    if let Some(expected) = req.expected_total_cents
        && expected != priced.total_cents
    {
        return Err(AppError::conflict(
            "lines",
            format!(
                "Prices have changed: this order now comes to {}. Check it and place it again.",
                platform::money::format_cents(priced.total_cents)
            ),
        ));
    }

    // Read before the transaction: inside it, this request must need no second connection
    // (others may hold the rest of the pool while they wait for the lock below).
    let slug = crate::restaurants::db::slug_of(pool, req.restaurant_id).await?;
    let notice_to = {
        let mut conn = pool.acquire().await?;
        crate::restaurants::db::order_notice_to(&mut conn, req.restaurant_id).await?
    };
    let mut tx = pool.begin().await?;
    // A concurrent retry with the same key waits here on the unique index until the first one
    // commits, then inserts nothing and reads the first one's order below.
    let inserted: Option<(Uuid, i64)> = sqlx::query_as(
        "insert into orders (restaurant_id, customer_id, customer_name, idempotency_key, request_hash,
                             pickup_at, note, total_cents, customer_email)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict on constraint orders_idempotency_key do nothing
         returning id, number",
    )
    .bind(req.restaurant_id)
    .bind(user.id)
    .bind(&user.name)
    .bind(key)
    .bind(&hash)
    .bind(pickup_at)
    .bind(&note)
    .bind(priced.total_cents)
    .bind(&user.email)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, number)) = inserted else {
        tx.rollback().await?;
        let order = by_key(pool, origin, user.id, key, &hash)
            .await?
            .ok_or(AppError::Internal)?;
        return Ok(Placed {
            order,
            created: false,
        });
    };
    // A new order: one customer's new orders are counted one at a time (each after the ones
    // before it have committed), so the open-order limit holds however many arrive at once.
    sqlx::query("select pg_advisory_xact_lock(hashtextextended($1::text, 7))")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    let open: i64 = sqlx::query_scalar(
        "select count(*) from orders
         where customer_id = $1 and restaurant_id = $2
           and status in ('placed', 'accepted', 'preparing', 'ready')",
    )
    .bind(user.id)
    .bind(req.restaurant_id)
    .fetch_one(&mut *tx)
    .await?;
    if open > MAX_OPEN_ORDERS {
        tx.rollback().await?;
        return Err(AppError::TooManyRequests(format!(
            "You have {} orders at {name} that are not picked up yet. Pick one up (or cancel one) before ordering more.",
            open - 1
        )));
    }
    for (pos, l) in priced.lines.iter().enumerate() {
        sqlx::query(
            "insert into order_lines (order_id, position, item_id, name, option_ids, options, quantity, unit_cents, line_cents)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(i16::try_from(pos).unwrap_or(i16::MAX))
        .bind(l.item_id)
        .bind(&l.name)
        .bind(&l.option_ids)
        .bind(&l.options)
        .bind(i32::try_from(l.quantity).unwrap_or(i32::MAX))
        .bind(l.unit_cents)
        .bind(l.line_cents)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "insert into order_events (order_id, from_status, to_status, actor_id, actor_role)
         values ($1, null, 'placed', $2, 'customer')",
    )
    .bind(id)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    // The customer's confirmation and the restaurant's notice, committed with the order.
    let url = format!("{origin}/orders/{id}");
    let pickup = pickup_at.map_or_else(
        || "as soon as possible".to_owned(),
        |at| local_label(tz.name(), at),
    );
    let about = super::mails::About {
        number,
        restaurant: &name,
        pickup: &pickup,
        total_cents: priced.total_cents,
        url: &url,
    };
    if !user.email.is_empty() {
        mail::enqueue(
            &mut *tx,
            &super::mails::placed(&user.email, &user.name, &about, &priced.lines),
        )
        .await?;
    }
    if let Some(to) = notice_to {
        let queue = format!("{origin}/dashboard/r/{slug}/orders");
        mail::enqueue(
            &mut *tx,
            &super::mails::new_order(&to, &about, &user.name, &priced.lines, &queue),
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(order_id = %id, restaurant_id = %req.restaurant_id, total_cents = priced.total_cents, "order placed");
    let order = get(pool, origin, id)
        .await?
        .map(|(o, _)| o)
        .ok_or(AppError::Internal)?;
    Ok(Placed {
        order,
        created: true,
    })
}

/// Orders one customer may have open (not yet picked up) at one restaurant: enough for a
/// family, too few to bury a kitchen's queue (security review, finding 7).
pub const MAX_OPEN_ORDERS: i64 = 5;

/// The outcome of [`place`].
#[derive(Debug, Clone)]
pub struct Placed {
    pub order: Order,
    /// `false` when the key had already placed it.
    pub created: bool,
}

#[derive(sqlx::FromRow)]
struct OrderRow {
    id: Uuid,
    number: i64,
    restaurant_id: Uuid,
    restaurant_name: String,
    customer_id: Uuid,
    customer_name: String,
    status: String,
    pickup_at: Option<DateTime<Utc>>,
    note: String,
    total_cents: i64,
    created_at: DateTime<Utc>,
    time_zone: String,
}

const SELECT: &str =
    "select o.id, o.number, o.restaurant_id, r.name as restaurant_name, o.customer_id,
        o.customer_name, o.status, o.pickup_at, o.note, o.total_cents, o.created_at, r.time_zone
    from orders o join restaurants r on r.id = o.restaurant_id";

/// A moment as the restaurant's people and customers read it: "Sat 21 Nov 18:15", local time.
pub fn local_label(zone: &str, at: DateTime<Utc>) -> String {
    let tz: chrono_tz::Tz = platform::time::stored_zone(zone);
    at.with_timezone(&tz).format("%a %-d %b %H:%M").to_string()
}

/// Who placed an order, as its restaurant sees it.
#[derive(Debug, Clone)]
pub struct Customer {
    pub id: Uuid,
    pub name: String,
}

async fn assemble(
    pool: &PgPool,
    origin: &str,
    rows: Vec<OrderRow>,
) -> Result<Vec<(Order, Customer)>, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    #[allow(clippy::type_complexity)]
    let lines: Vec<(
        Uuid,
        Option<Uuid>,
        String,
        Vec<Uuid>,
        Vec<String>,
        i32,
        i64,
        i64,
    )> = sqlx::query_as(
        "select order_id, item_id, name, option_ids, options, quantity, unit_cents, line_cents
         from order_lines where order_id = any($1) order by order_id, position",
    )
    .bind(&ids)
    .fetch_all(pool)
    .await?;
    let mut by_order: HashMap<Uuid, Vec<OrderLine>> = HashMap::new();
    for (order, item_id, name, option_ids, options, quantity, unit_cents, line_cents) in lines {
        by_order.entry(order).or_default().push(OrderLine {
            item_id,
            name,
            option_ids,
            options,
            quantity: u32::try_from(quantity).unwrap_or(0),
            unit_cents,
            line_cents,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let pickup_label = r.pickup_at.map_or_else(
                || "As soon as possible".to_owned(),
                |at| local_label(&r.time_zone, at),
            );
            let placed_label = local_label(&r.time_zone, r.created_at);
            (
                Order {
                    id: r.id,
                    number: r.number,
                    restaurant_id: r.restaurant_id,
                    restaurant_name: r.restaurant_name,
                    status: OrderStatus::parse(&r.status).unwrap_or(OrderStatus::Placed),
                    pickup_at: r.pickup_at,
                    note: r.note,
                    lines: by_order.remove(&r.id).unwrap_or_default(),
                    total_cents: r.total_cents,
                    created_at: r.created_at,
                    url: format!("{origin}/orders/{}", r.id),
                    time_zone: r.time_zone,
                    pickup_label,
                    placed_label,
                },
                Customer {
                    id: r.customer_id,
                    name: r.customer_name,
                },
            )
        })
        .collect())
}

/// One order and who placed it.
pub async fn get(
    pool: &PgPool,
    origin: &str,
    id: Uuid,
) -> Result<Option<(Order, Customer)>, AppError> {
    let rows: Vec<OrderRow> = sqlx::query_as(&format!("{SELECT} where o.id = $1"))
        .bind(id)
        .fetch_all(pool)
        .await?;
    Ok(assemble(pool, origin, rows).await?.pop())
}

/// A customer's orders, newest first.
pub async fn of_customer(
    pool: &PgPool,
    origin: &str,
    customer: Uuid,
    limit: i64,
) -> Result<Vec<Order>, AppError> {
    let rows: Vec<OrderRow> = sqlx::query_as(&format!(
        "{SELECT} where o.customer_id = $1 order by o.created_at desc, o.number desc limit $2"
    ))
    .bind(customer)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(assemble(pool, origin, rows)
        .await?
        .into_iter()
        .map(|(o, _)| o)
        .collect())
}

/// A restaurant's queue: every open order, the one due first first (its pickup time, or when it
/// was placed for "as soon as possible"), then those finished in the last 12 hours (newest
/// first).
/// Orders on one page of a kitchen's queue.
pub const QUEUE_PAGE: u32 = 40;

/// One page of a restaurant's queue, open orders first (soonest pickup first), then those
/// finished in the last 12 hours; with how many the queue holds in all, and how many are open.
/// An open order is never left out: it is on a later page, and the count says so.
pub async fn queue(
    pool: &PgPool,
    origin: &str,
    restaurant: Uuid,
    page: u32,
) -> Result<(Vec<(Order, Customer)>, u64, u64), AppError> {
    const SHOWN: &str = "o.restaurant_id = $1
        and (o.status not in ('picked_up', 'rejected', 'cancelled') or o.updated_at > now() - interval '12 hours')";
    let rows: Vec<OrderRow> = sqlx::query_as(&format!(
        "{SELECT} where {SHOWN}
         order by (o.status in ('picked_up', 'rejected', 'cancelled')),
                  case when o.status in ('picked_up', 'rejected', 'cancelled') then null
                       else coalesce(o.pickup_at, o.created_at) end asc,
                  o.updated_at desc, o.id
         limit $2 offset $3"
    ))
    .bind(restaurant)
    .bind(i64::from(QUEUE_PAGE))
    .bind(platform::paging::offset(page, QUEUE_PAGE))
    .fetch_all(pool)
    .await?;
    let (total, open): (i64, i64) = sqlx::query_as(&format!(
        "select count(*), count(*) filter (where o.status not in ('picked_up', 'rejected', 'cancelled'))
         from orders o where {SHOWN}"
    ))
    .bind(restaurant)
    .fetch_one(pool)
    .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    Ok((
        assemble(pool, origin, rows).await?,
        count(total),
        count(open),
    ))
}

/// One recorded change of status.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Event {
    pub to_status: OrderStatus,
    pub actor_role: String,
    pub at: DateTime<Utc>,
}

pub async fn events(pool: &PgPool, order: Uuid) -> Result<Vec<Event>, AppError> {
    let rows: Vec<(String, String, DateTime<Utc>)> = sqlx::query_as(
        "select to_status, actor_role, at from order_events where order_id = $1 order by id",
    )
    .bind(order)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(to, role, at)| {
            Some(Event {
                to_status: OrderStatus::parse(&to)?,
                actor_role: role,
                at,
            })
        })
        .collect())
}

/// Takes `step` on an order for `user`: the customer may cancel before acceptance, the
/// restaurant's owner and staff move it along. The change and who made it are recorded in one
/// transaction; a step raced by someone else's is refused.
pub async fn advance(
    pool: &PgPool,
    origin: &str,
    user: Uuid,
    order: Uuid,
    step: Step,
) -> Result<OrderStatus, AppError> {
    let row: Option<(Uuid, Uuid, String)> =
        sqlx::query_as("select restaurant_id, customer_id, status from orders where id = $1")
            .bind(order)
            .fetch_optional(pool)
            .await?;
    let Some((restaurant, customer, status)) = row else {
        return Err(AppError::not_found("There is no such order."));
    };
    let from = OrderStatus::parse(&status).ok_or(AppError::Internal)?;
    // Someone with nothing to do with the order learns nothing about it, not even that it
    // exists.
    let is_customer = customer == user;
    let role = crate::access::ssr::role(pool, restaurant, user).await?;
    if !is_customer && role.is_none() {
        return Err(AppError::not_found("There is no such order."));
    }
    let (actor, role) = if step == Step::Cancel {
        if !is_customer {
            return Err(AppError::Forbidden(
                "Only the customer who placed this order can cancel it.".into(),
            ));
        }
        (Actor::Customer, "customer")
    } else {
        let Some(role) = role else {
            return Err(AppError::Forbidden(
                "Only the restaurant can do this to an order.".into(),
            ));
        };
        (Actor::Restaurant, role.as_str())
    };
    let to = rules::next(from, step, actor)?;
    let mut tx = pool.begin().await?;
    let moved = sqlx::query(
        "update orders set status = $3, updated_at = now() where id = $1 and status = $2",
    )
    .bind(order)
    .bind(from.as_str())
    .bind(to.as_str())
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 0 {
        return Err(AppError::Conflict {
            field: None,
            message: "Someone else changed this order just now. The page has been refreshed."
                .into(),
        });
    }
    sqlx::query(
        "insert into order_events (order_id, from_status, to_status, actor_id, actor_role)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(order)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(user)
    .bind(role)
    .execute(&mut *tx)
    .await?;
    if to == OrderStatus::Ready {
        let (number, email, name, total_cents, restaurant_name): (
            i64,
            String,
            String,
            i64,
            String,
        ) = sqlx::query_as(
            "select o.number, o.customer_email, o.customer_name, o.total_cents, r.name
                 from orders o join restaurants r on r.id = o.restaurant_id where o.id = $1",
        )
        .bind(order)
        .fetch_one(&mut *tx)
        .await?;
        if !email.is_empty() {
            let url = format!("{origin}/orders/{order}");
            let about = super::mails::About {
                number,
                restaurant: &restaurant_name,
                pickup: "",
                total_cents,
                url: &url,
            };
            mail::enqueue(&mut *tx, &super::mails::ready(&email, &name, &about)).await?;
        }
    }
    tx.commit().await?;
    tracing::info!(order_id = %order, from = from.as_str(), to = to.as_str(), role, "order moved");
    Ok(to)
}

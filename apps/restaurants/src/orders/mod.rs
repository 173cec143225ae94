//! Pickup orders: the cart and checkout on a restaurant's page, the customer's orders, and the
//! restaurant's queue.

#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod mails;
pub mod pages;
pub mod rules;

use api::restaurants::{Order, PlaceOrder};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use rules::Step;

/// An order's page: the order, its history, and what the viewer may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPageData {
    pub order: Order,
    /// (status label, by whom, when in the restaurant's zone) in order.
    pub history: Vec<(String, String, String)>,
    pub can_cancel: bool,
    /// The restaurant's page, for "order more".
    pub restaurant_slug: String,
}

/// One order in a restaurant's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    pub order: Order,
    pub customer_name: String,
    /// The buttons to show.
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub restaurant_name: String,
    pub slug: String,
    pub entries: Vec<QueueEntry>,
    /// This page (1-based) and how many there are.
    pub page: u32,
    pub pages: u32,
    /// Open orders in the whole queue, on every page.
    pub open: u64,
}

/// Where a restaurant's word of new orders goes (its owner's choice).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OrderEmails {
    pub restaurant_id: uuid::Uuid,
    pub email: String,
    pub on: bool,
}

/// The owner's new-order email setting (owners only).
#[server(prefix = "/api/orders", endpoint = "emails")]
pub async fn get_order_emails(slug: String) -> Result<OrderEmails, AppError> {
    ssr::order_emails(slug).await.map_err(AppError::respond)
}

/// Sets where new-order emails go, or turns them off (`on` absent: off, as an unticked box).
#[server(prefix = "/api/orders", endpoint = "set-emails")]
pub async fn set_order_emails(
    restaurant_id: uuid::Uuid,
    email: String,
    on: Option<String>,
) -> Result<(), AppError> {
    ssr::set_order_emails(restaurant_id, email, on.is_some())
        .await
        .map_err(AppError::respond)
}

/// Places an order for the signed-in customer. `key` makes retries safe: the same key and
/// request give back the same order.
#[server(prefix = "/api/orders", endpoint = "submit", input = Json)]
pub async fn submit_order(request: PlaceOrder, key: String) -> Result<Order, AppError> {
    ssr::place(request, key).await.map_err(AppError::respond)
}

/// An order, for the customer who placed it or the restaurant's owner and staff.
#[server(prefix = "/api/orders", endpoint = "get")]
pub async fn get_order(id: Uuid) -> Result<OrderPageData, AppError> {
    ssr::page(id).await.map_err(AppError::respond)
}

/// The signed-in customer's orders, newest first.
#[server(prefix = "/api/orders", endpoint = "mine")]
pub async fn my_orders() -> Result<Vec<Order>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

/// Moves an order on (`step` is one of [`Step::as_str`]): the customer cancels, the restaurant
/// accepts, declines, prepares, readies, hands over.
#[server(prefix = "/api/orders", endpoint = "step")]
pub async fn step_order(id: Uuid, step: String) -> Result<(), AppError> {
    ssr::step(id, step).await.map_err(AppError::respond)
}

/// A restaurant's order queue, for its owner and staff.
#[server(prefix = "/api/orders", endpoint = "queue")]
pub async fn order_queue(slug: String, page: Option<u32>) -> Result<Queue, AppError> {
    ssr::queue(slug, page.unwrap_or(1))
        .await
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use api::restaurants::{Order, OrderStatus, PlaceOrder};
    use chrono::Utc;
    use platform::AppError;
    use uuid::Uuid;

    use super::rules::{Actor, Step, steps};
    use super::{OrderPageData, Queue, QueueEntry};
    use crate::access::{Role, ssr::require};
    use appkit::require_user;

    #[tracing::instrument(skip_all, fields(restaurant_id = %request.restaurant_id))]
    pub async fn place(request: PlaceOrder, key: String) -> Result<Order, AppError> {
        let (state, user) = require_user().await?;
        let placed = super::db::place(
            &state.pool,
            &state.origin,
            &user,
            &key,
            &request,
            Utc::now(),
        )
        .await?;
        if placed.created {
            state.outbox.wake();
        }
        Ok(placed.order)
    }

    #[tracing::instrument(skip_all, fields(%id))]
    pub async fn page(id: Uuid) -> Result<OrderPageData, AppError> {
        let (state, user) = require_user().await?;
        let (order, customer) = super::db::get(&state.pool, &state.origin, id)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such order."))?;
        if customer.id != user.id {
            // Not the customer's: only the restaurant's people may look (404 for anyone else,
            // so order ids cannot be probed).
            require(&state.pool, order.restaurant_id, user.id, Role::Staff)
                .await
                .map_err(|_| AppError::not_found("There is no such order."))?;
        }
        let history = super::db::events(&state.pool, id)
            .await?
            .into_iter()
            .map(|e| {
                let by = match (e.actor_role.as_str(), customer.id == user.id) {
                    ("customer", true) => "you",
                    ("customer", false) => "the customer",
                    _ => "the restaurant",
                }
                .to_owned();
                let at = super::db::local_label(&order.time_zone, e.at);
                (e.to_status.label().to_owned(), by, at)
            })
            .collect();
        let slug = crate::restaurants::db::slug_of(&state.pool, order.restaurant_id).await?;
        Ok(OrderPageData {
            can_cancel: customer.id == user.id && order.status == OrderStatus::Placed,
            order,
            history,
            restaurant_slug: slug,
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn mine() -> Result<Vec<Order>, AppError> {
        let (state, user) = require_user().await?;
        super::db::of_customer(&state.pool, &state.origin, user.id, 50).await
    }

    #[tracing::instrument(skip_all, fields(%id, step = %step))]
    pub async fn step(id: Uuid, step: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let step = Step::parse(&step)
            .ok_or_else(|| AppError::BadRequest("There is no such step.".into()))?;
        super::db::advance(&state.pool, &state.origin, user.id, id, step).await?;
        state.outbox.wake();
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn order_emails(slug: String) -> Result<super::OrderEmails, AppError> {
        let (state, user) = require_user().await?;
        let (id, _) = crate::restaurants::db::id_and_name(&state.pool, &slug).await?;
        require(&state.pool, id, user.id, Role::Owner).await?;
        let (email, on) = crate::restaurants::db::order_notices(&state.pool, id).await?;
        Ok(super::OrderEmails {
            restaurant_id: id,
            email,
            on,
        })
    }

    #[tracing::instrument(skip_all, fields(%restaurant_id, on))]
    pub async fn set_order_emails(
        restaurant_id: Uuid,
        email: String,
        on: bool,
    ) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        require(&state.pool, restaurant_id, user.id, Role::Owner).await?;
        let email = if on || !email.trim().is_empty() {
            platform::text::email("email", &email)?
        } else {
            String::new()
        };
        crate::restaurants::db::set_order_notices(&state.pool, restaurant_id, &email, on).await
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn queue(slug: String, page: u32) -> Result<Queue, AppError> {
        let (state, user) = require_user().await?;
        let (id, name) = crate::restaurants::db::id_and_name(&state.pool, &slug).await?;
        require(&state.pool, id, user.id, Role::Staff).await?;
        let page = page.clamp(1, platform::paging::MAX_PAGE);
        let (entries, total, open) = super::db::queue(&state.pool, &state.origin, id, page).await?;
        let entries = entries
            .into_iter()
            .map(|(order, customer)| QueueEntry {
                steps: steps(order.status, Actor::Restaurant),
                order,
                customer_name: customer.name,
            })
            .collect();
        Ok(Queue {
            restaurant_name: name,
            slug,
            entries,
            page,
            pages: platform::paging::pages(total, super::db::QUEUE_PAGE),
            open,
        })
    }
}

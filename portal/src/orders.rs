//! The account page's "Recent restaurant orders", with "Order again". The portal asks the
//! restaurants app on the user's behalf, forwarding their session cookie; restaurants checks
//! everything as for any order (open now, on the menu, not sold out, today's prices).

use api::restaurants::Order;
use leptos::prelude::*;
use platform::AppError;
use platform::money::format_cents;
use serde::{Deserialize, Serialize};
use ui::FormError;
use uuid::Uuid;

/// A past order and the idempotency key its "Order again" button sends: pressing twice (or a
/// retried request) places one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastOrder {
    pub order: Order,
    pub again_key: String,
}

/// The signed-in person's recent restaurant orders, loading.
pub fn recent_orders_resource() -> Resource<Result<Vec<PastOrder>, AppError>> {
    Resource::new_blocking(|| (), |()| recent_restaurant_orders())
}

#[server(prefix = "/api/account", endpoint = "restaurant-orders")]
pub async fn recent_restaurant_orders() -> Result<Vec<PastOrder>, AppError> {
    ssr::recent().await.map_err(AppError::respond_as_section)
}

/// Places the same order again, then opens it on the restaurants app.
#[server(prefix = "/api/account", endpoint = "order-again")]
pub async fn order_again(order_id: Uuid, key: String) -> Result<(), AppError> {
    ssr::again(order_id, key).await.map_err(AppError::respond)
}

/// The account page's list of recent orders. The page creates `orders` (with
/// [`recent_orders_resource`]) beside its own data: a resource created inside another's
/// `Suspense` can leave the server's answer unfinished (leptos-rs/leptos#4866).
#[component]
pub fn RecentOrders(orders: Resource<Result<Vec<PastOrder>, AppError>>) -> impl IntoView {
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-5 md:col-span-2" data-testid="recent-orders">
            <h2 class="text-lg font-semibold">"Recent restaurant orders"</h2>
            <Suspense fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match orders.await {
                        Err(e) => view! { <p class="mt-2 text-sm text-slate-600">{e.to_string()}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="mt-2 text-sm text-slate-600">"No orders yet."</p> }.into_any(),
                        Ok(list) => view! { <PastOrders list/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The past orders with their "Order again" buttons (an island: a refusal shows in place).
#[island]
fn PastOrders(list: Vec<PastOrder>) -> impl IntoView {
    let again = ServerAction::<OrderAgain>::new();
    let error = Signal::derive(move || again.value().get().and_then(Result::err));
    view! {
        <FormError error/>
        <ul class="mt-2 divide-y divide-slate-100 text-sm">
            {list.into_iter().map(|p| {
                let o = p.order;
                let items = o.lines.iter().map(|l| format!("{} × {}", l.quantity, l.name)).collect::<Vec<_>>().join(", ");
                view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="past-order">
                        <div>
                            <a href=o.url.clone() class="font-medium hover:underline">{format!("{} · #{}", o.restaurant_name, o.number)}</a>
                            <p class="text-slate-600">{format!("{items} · {} · {} · {}", format_cents(o.total_cents), o.status.label(), o.created_at.format("%d %b %Y"))}</p>
                        </div>
                        <ActionForm action=again>
                            <input type="hidden" name="order_id" value=o.id.to_string()/>
                            <input type="hidden" name="key" value=p.again_key/>
                            <button class="rounded-md border border-amber-600 px-3 py-1.5 font-medium text-amber-700 hover:bg-amber-50" data-testid="order-again">"Order again"</button>
                        </ActionForm>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use api::client::ClientError;
    use appkit::require_user;
    use platform::AppError;
    use uuid::Uuid;

    use super::PastOrder;
    use crate::{on_behalf::session_cookie, server::portal};

    fn from_client(e: ClientError) -> AppError {
        crate::on_behalf::from_client(e, "Restaurant orders")
    }

    #[tracing::instrument(skip_all)]
    pub async fn recent() -> Result<Vec<PastOrder>, AppError> {
        let (state, _) = require_user().await?;
        let cookie = session_cookie(&state).await?;
        let list = portal(&state)?
            .app("restaurants")?
            .recent_orders(&cookie, 5, None)
            .await
            .map_err(from_client)?;
        Ok(list
            .orders
            .into_iter()
            .map(|order| PastOrder {
                order,
                again_key: Uuid::new_v4().to_string(),
            })
            .collect())
    }

    #[tracing::instrument(skip_all, fields(%order_id))]
    pub async fn again(order_id: Uuid, key: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let cookie = session_cookie(&state).await?;
        let client = portal(&state)?.app("restaurants")?;
        let past = client
            .recent_orders(&cookie, 20, None)
            .await
            .map_err(from_client)?
            .orders
            .into_iter()
            .find(|o| o.id == order_id)
            .ok_or_else(|| AppError::not_found("That order is not among your recent ones."))?;
        let request = past.again().map_err(|gone| AppError::Conflict {
            field: None,
            message: format!(
                "{} no longer on the menu. Open the restaurant's page to order.",
                gone.iter()
                    .map(|n| format!("“{n}”"))
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if gone.len() == 1 { " is" } else { " are" }
            ),
        })?;
        let order = client
            .place_order(&cookie, &state.suite.portal(), &key, &request, None)
            .await
            .map_err(from_client)?;
        tracing::info!(user_id = %user.id, order_id = %order.id, "ordered again");
        leptos_axum::redirect(&order.url);
        Ok(())
    }
}

//! The store on the portal: "My store orders" on the account page, through the store's public
//! API with the person's session (the store checks everything as for its own pages).

use api::store::MyOrders;
use leptos::prelude::*;
use platform::{AppError, money::format_cents};

/// The signed-in person's store orders; `None` when the suite has no store.
#[server(prefix = "/api/account", endpoint = "store-orders")]
pub async fn my_store_orders() -> Result<Option<MyOrders>, AppError> {
    ssr::orders().await.map_err(AppError::respond_as_section)
}

/// The signed-in person's store orders, loading (see [`crate::orders::RecentOrders`] for why
/// the page creates it).
pub fn my_store_orders_resource() -> Resource<Result<Option<MyOrders>, AppError>> {
    Resource::new_blocking(|| (), |()| my_store_orders())
}

/// The account page's "My store orders" (nothing when the suite has no store).
#[component]
pub fn MyStoreOrders(orders: Resource<Result<Option<MyOrders>, AppError>>) -> impl IntoView {
    let frame = "rounded-lg border border-slate-200 bg-white p-5 md:col-span-2";
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match orders.await {
                    Ok(None) => ().into_any(),
                    Err(e) => view! {
                        <section class=frame data-testid="my-store-orders">
                            <h2 class="text-lg font-semibold">"My store orders"</h2>
                            <p class="mt-2 text-sm text-slate-600">{e.to_string()}</p>
                        </section>
                    }.into_any(),
                    Ok(Some(o)) => view! {
                        <section class=frame data-testid="my-store-orders">
                            <div class="flex flex-wrap items-baseline justify-between gap-2">
                                <h2 class="text-lg font-semibold">"My store orders"</h2>
                                <a href=o.orders_url.clone() class="text-sm font-medium text-amber-700 hover:underline">"All your orders →"</a>
                            </div>
                            {if o.orders.is_empty() {
                                view! { <p class="mt-2 text-sm text-slate-600">"No store orders yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-2 divide-y divide-slate-100 text-sm">
                                        {o.orders.into_iter().map(|order| view! {
                                            <li class="flex flex-wrap justify-between gap-2 py-2" data-testid="my-store-order">
                                                <span>
                                                    <a href=order.url class="font-medium hover:underline">{format!("Order {}", order.number)}</a>
                                                    <span class="ml-2 text-slate-600">{order.vendor}</span>
                                                </span>
                                                <span>
                                                    <span class="font-medium text-amber-800">{order.status_label}</span>
                                                    {format!(" · {}", format_cents(order.total_cents))}
                                                </span>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use api::store::MyOrders;
    use appkit::require_user;
    use platform::AppError;

    use crate::{
        on_behalf::{from_client, session_cookie},
        server::portal,
    };

    pub async fn orders() -> Result<Option<MyOrders>, AppError> {
        let (state, _) = require_user().await?;
        let Ok(store) = portal(&state)?.app("store") else {
            return Ok(None);
        };
        let cookie = session_cookie(&state).await?;
        store
            .store_orders(&cookie, None)
            .await
            .map(Some)
            .map_err(|e| from_client(e, "Your store orders"))
    }
}

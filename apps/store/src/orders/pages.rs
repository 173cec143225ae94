//! `/orders`: the shopper's orders; `/dashboard/orders`: a shop's own orders, moved on from
//! there (`?shop=` names a shop the signed-in person is on the staff of).

use leptos::prelude::*;
use leptos_meta::Title;
use ui::{ErrorBox, FormError};

use super::{AdvanceOrder, ShopOrder, my_orders, shop_orders};

#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new_blocking(|| (), |()| my_orders());
    view! {
        <Title text="Your orders"/>
        <h1 class="text-2xl font-bold">"Your orders"</h1>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-4 text-slate-600">"No orders yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="my-orders">
                            {list.into_iter().map(|o| view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
                                    <span><a class="font-medium hover:underline" href=format!("/orders/{}", o.checkout_id)>{format!("Order {}", o.number)}</a>
                                        <span class="ml-2 text-sm text-slate-600">{o.shop_name}</span></span>
                                    <span class="text-sm"><span class="font-medium text-amber-800">{o.status_label}</span>{format!(" · {}", o.total_label)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ShopOrdersPage() -> impl IntoView {
    let shop = move || {
        leptos_router::hooks::use_query_map()
            .read_untracked()
            .get("shop")
    };
    let orders = Resource::new_blocking(shop, shop_orders);
    view! {
        <Title text="Shop orders"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(d) => view! {
                        <p class="text-sm">
                            {if d.owner {
                                view! { <a class="underline" href="/dashboard">"Your shop"</a> }.into_any()
                            } else {
                                view! { <a class="underline" href=format!("/s/{}", d.shop_slug)>{d.shop_name.clone()}</a>" · you are on its staff" }.into_any()
                            }}
                        </p>
                        <h1 class="mt-1 text-2xl font-bold">"Orders"</h1>
                        {if d.orders.is_empty() {
                            view! { <p class="mt-4 text-slate-600">"No orders yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="mt-4 space-y-3" data-testid="shop-orders">
                                    {d.orders.into_iter().map(|o| view! { <Order o/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Order(o: ShopOrder) -> impl IntoView {
    let advance = ServerAction::<AdvanceOrder>::new();
    let error = Signal::derive(move || advance.value().get().and_then(Result::err));
    let id = o.id.to_string();
    view! {
        <li class="rounded-lg border border-slate-200 bg-white p-4" data-testid="shop-order" data-status=o.status.clone()>
            <p class="flex flex-wrap justify-between gap-2">
                <span class="font-semibold">{format!("Order {} · {}", o.number, o.buyer_name)}</span>
                <span class="font-medium text-amber-800">{o.status_label.clone()}</span>
            </p>
            <p class="text-sm text-slate-600">{o.delivery_label.clone()}</p>
            <ul class="mt-1 text-sm">
                {o.lines.into_iter().map(|l| view! {
                    <li class="flex justify-between gap-2"><span>{format!("{} × {} – {}", l.quantity, l.title, l.variant_name)}</span><span>{l.amount_label}</span></li>
                }).collect_view()}
            </ul>
            <p class="text-sm font-semibold">{format!("Paid {}", o.total_label)}</p>
            {(!o.tracking_note.is_empty()).then(|| view! { <p class="text-sm">{format!("Tracking: {}", o.tracking_note)}</p> })}
            {o.next.into_iter().map(|(to, label)| {
                let id = id.clone();
                let shipping = to == "shipped";
                let danger = to == "cancelled";
                view! {
                    <ActionForm action=advance attr:class="mt-2 inline-flex flex-wrap items-end gap-2 mr-2">
                        <input type="hidden" name="id" value=id/>
                        <input type="hidden" name="status" value=to.clone()/>
                        {shipping.then(|| view! {
                            <label class="text-sm">"Tracking note"
                                <input name="tracking_note" maxlength="300" class="mt-1 block rounded-md border border-slate-300 px-2 py-1.5 text-base"/>
                            </label>
                        })}
                        <button type="submit" class=if danger { "rounded-md bg-red-700 px-3 py-2 text-sm font-semibold text-white hover:bg-red-800" } else { "rounded-md bg-amber-700 px-3 py-2 text-sm font-semibold text-white hover:bg-amber-800" }>{label}</button>
                    </ActionForm>
                }
            }).collect_view()}
            <FormError error/>
        </li>
    }
}

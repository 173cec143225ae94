//! The vendor's dashboard (open a shop, or run it), a shop's public page, and the admins' list
//! of shops to approve.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextArea, TextField};

use super::{OpenShop, OwnShop, SetShopStatus, UpdateShop, admin_shops, get_shop, my_shop};
use crate::{catalog::ProductGrid, products::my_products, staff::my_staffed_shops};

fn slug_param() -> String {
    use_params_map()
        .read_untracked()
        .get("slug")
        .unwrap_or_default()
}

const BUTTON: &str = "inline-block rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800";

/// `/dashboard`: open a shop, or the shop's status, products and orders.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let shop = Resource::new_blocking(|| (), |()| my_shop());
    let staffed = Resource::new_blocking(|| (), |()| my_staffed_shops());
    view! {
        <Title text="Your shop"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                staffed.await.ok().filter(|l| !l.is_empty()).map(|list| view! {
                    <section class="mb-6 rounded-lg border border-slate-200 bg-white p-4" data-testid="staffed-shops">
                        <h2 class="font-semibold">"Shops you work at"</h2>
                        <ul class="mt-1">
                            {list.into_iter().map(|s| view! {
                                <li><a class="inline-block py-1 font-medium text-amber-800 hover:underline" href=format!("/dashboard/orders?shop={}", s.slug)>{format!("{}: orders", s.name)}</a></li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shop.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(None) => view! { <OpenShopForm/> }.into_any(),
                    Ok(Some(s)) => view! { <Dashboard s/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn OpenShopForm() -> impl IntoView {
    let open = ServerAction::<OpenShop>::new();
    let error = Signal::derive(move || open.value().get().and_then(Result::err));
    view! {
        <h1 class="text-2xl font-bold">"Open your shop"</h1>
        <p class="mt-1 max-w-xl text-slate-600">"Sell to the community. A SteppersLife admin looks at every new shop before its products are listed; you can set everything up meanwhile."</p>
        <ActionForm action=open attr:class="mt-4 max-w-xl space-y-4" attr:data-testid="shop-form">
            <TextField name="name" label="Shop name" required=true error/>
            <TextArea name="description" label="About the shop" hint=ui::FORMATTING_HINT error/>
            <TextArea name="pickup_address" label="Pickup address (leave empty if shoppers cannot collect from you)" error/>
            <TextField name="shipping" label="Shipping per order, in dollars (0 for free)" value="0" error/>
            <FormError error/>
            <SubmitButton label="Open the shop" pending=open.pending()/>
        </ActionForm>
    }
}

#[component]
fn Dashboard(s: OwnShop) -> impl IntoView {
    let update = ServerAction::<UpdateShop>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let products = Resource::new_blocking(|| (), |()| my_products());
    // A refused logo upload comes back here with why: the logo's section shows it open.
    let logo_refused = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get(platform::upload::QUERY_PARAM)
        .is_some();
    let status = match s.status.as_str() {
        "approved" => "Approved: your published products are listed.",
        "suspended" => {
            "Suspended by an admin: your products are not listed. Write to the SteppersLife team."
        }
        _ => "Waiting for an admin's approval: your products are listed once it is approved.",
    };
    view! {
        <div class="flex items-center gap-3">
            {s.logo_url.clone().map(|src| view! { <img src=src alt="" width="64" height="64" class="h-16 w-16 rounded-full object-cover"/> })}
            <h1 class="text-2xl font-bold">{s.name.clone()}</h1>
        </div>
        <p class="mt-1 text-slate-700" data-testid="shop-status" data-status=s.status.clone()>{status}</p>
        <p class="mt-3 flex flex-wrap gap-2">
            <a class=BUTTON href="/dashboard/products/new">"Add a product"</a>
            <a class=BUTTON href="/dashboard/orders">"Orders"</a>
            <a class=BUTTON href="/dashboard/staff">"Staff"</a>
            <a class="inline-block rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold hover:bg-slate-50" href=format!("/s/{}", s.slug)>"See the shop's page"</a>
        </p>
        <h2 class="mt-6 text-lg font-semibold">"Products"</h2>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match products.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-2 text-slate-600">"No products yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="my-products">
                            {list.into_iter().map(|p| view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
                                    <a class="font-medium hover:underline" href=format!("/dashboard/p/{}", p.slug)>{p.title}</a>
                                    <span class="text-sm text-slate-600">
                                        {if p.published { "Published" } else { "Draft" }}
                                        {format!(" · {} left", p.left)}
                                        {p.low.then(|| view! { <span class="ml-2 rounded bg-amber-100 px-1.5 py-0.5 font-medium text-amber-900" data-testid="low-stock">"Low stock"</span> })}
                                    </span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
        <details class="mt-6 max-w-xl" open=logo_refused>
            <summary class="cursor-pointer font-semibold">"Logo"</summary>
            <ui::PictureForm action="/dashboard/logo".to_owned() back="/dashboard".to_owned() label="Logo" current=s.logo_url.clone() testid="logo-form"/>
        </details>
        <details class="mt-4 max-w-xl">
            <summary class="cursor-pointer font-semibold">"Shop details"</summary>
            <ActionForm action=update attr:class="mt-3 space-y-4">
                <TextField name="name" label="Shop name" value=s.name.clone() required=true error/>
                <TextArea name="description" label="About the shop" value=s.description.clone() hint=ui::FORMATTING_HINT error/>
                <TextArea name="pickup_address" label="Pickup address (leave empty if shoppers cannot collect from you)" value=s.pickup_address.clone() error/>
                <TextField name="shipping" label="Shipping per order, in dollars (0 for free)" value=s.shipping.clone() error/>
                <FormError error/>
                <SubmitButton label="Save" pending=update.pending()/>
            </ActionForm>
        </details>
    }
}

/// `/s/{slug}`: a shop and its listed products.
#[component]
pub fn ShopPage() -> impl IntoView {
    let shop = Resource::new_blocking(slug_param, get_shop);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shop.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="shop"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(s) => view! {
                        <Title text=s.name.clone()/>
                        <div class="flex items-center gap-3">
                            {s.logo_url.clone().map(|src| view! { <img src=src alt="" width="80" height="80" class="h-20 w-20 rounded-full object-cover" data-testid="shop-logo"/> })}
                            <h1 class="text-2xl font-bold">{s.name.clone()}</h1>
                        </div>
                        {(s.status != "approved").then(|| view! { <p class="mt-1 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">"Not listed yet: only you and the admins see this page."</p> })}
                        <div class="formatted mt-2 max-w-2xl text-slate-700" inner_html=s.description_html.clone()></div>
                        <p class="mt-2 text-sm text-slate-600">
                            {s.shipping_label.clone()}
                            {(!s.pickup_address.is_empty()).then(|| format!(" · Pickup at {}", s.pickup_address))}
                        </p>
                        {if s.products.is_empty() {
                            view! { <p class="mt-4 text-slate-600">"No products listed yet."</p> }.into_any()
                        } else {
                            view! { <ProductGrid products=s.products.clone()/> }.into_any()
                        }}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/admin/shops`: every shop, those waiting first; approve or suspend.
#[component]
pub fn AdminShopsPage() -> impl IntoView {
    let shops = Resource::new_blocking(|| (), |()| admin_shops());
    let set = ServerAction::<SetShopStatus>::new();
    view! {
        <Title text="Shops to approve"/>
        <h1 class="text-2xl font-bold">"Shops"</h1>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shops.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-2 text-slate-600">"No shops yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="admin-shops">
                            {list.into_iter().map(|s| {
                                let (to, label) = if s.status == "approved" { ("suspended", "Suspend") } else { ("approved", "Approve") };
                                view! {
                                    <li class="flex flex-wrap items-center justify-between gap-2 px-4 py-3">
                                        <span><a class="font-medium hover:underline" href=format!("/s/{}", s.slug)>{s.name}</a>
                                            <span class="ml-2 text-sm text-slate-600">{s.status}</span></span>
                                        <ActionForm action=set>
                                            <input type="hidden" name="slug" value=s.slug/>
                                            <input type="hidden" name="status" value=to/>
                                            <button type="submit" class=BUTTON>{label}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

//! Ordering pages: the menu with its cart on a restaurant's page, an order's page, the
//! customer's orders and the restaurant's live queue.

use api::restaurants::{
    Menu, MenuItem, Order, OrderLineRequest, OrderStatus, Pickup, PlaceOrder, tag_label,
};
use chrono::{DateTime, Utc};
use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use platform::money::format_cents;
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, NotFound, use_hydrated, use_live};
use uuid::Uuid;

use super::rules::{Step, price_line};
use super::{
    OrderEmails, OrderPageData, Queue, SetOrderEmails, StepOrder, SubmitOrder, get_order,
    get_order_emails, my_orders, order_queue,
};

/// One line of the cart, as shown (the server prices it again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CartLine {
    item_id: Uuid,
    name: String,
    option_ids: Vec<Uuid>,
    options: Vec<String>,
    quantity: u32,
    unit_cents: i64,
}

impl CartLine {
    fn request(&self) -> OrderLineRequest {
        OrderLineRequest {
            item_id: self.item_id,
            quantity: self.quantity,
            option_ids: self.option_ids.clone(),
        }
    }
}

#[cfg(feature = "hydrate")]
fn storage_key(restaurant: Uuid) -> String {
    format!("stepperslife.cart.{restaurant}")
}

/// The cart kept in the browser's local storage, so a reload keeps it.
#[cfg(feature = "hydrate")]
fn load_cart(restaurant: Uuid) -> Vec<CartLine> {
    window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(&storage_key(restaurant)).ok().flatten())
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

#[cfg(feature = "hydrate")]
fn save_cart(restaurant: Uuid, lines: &[CartLine]) {
    if let Some(s) = window().local_storage().ok().flatten() {
        let key = storage_key(restaurant);
        let _ = if lines.is_empty() {
            s.remove_item(&key)
        } else {
            s.set_item(&key, &serde_json::to_string(lines).unwrap_or_default())
        };
    }
}

#[cfg(not(feature = "hydrate"))]
fn load_cart(_restaurant: Uuid) -> Vec<CartLine> {
    Vec::new()
}

#[cfg(not(feature = "hydrate"))]
fn save_cart(_restaurant: Uuid, _lines: &[CartLine]) {}

/// A saved cart against today's menu: current names and prices; lines that can no longer be
/// ordered (gone, sold out, choices changed) are dropped.
fn reprice(menu: &Menu, lines: Vec<CartLine>) -> Vec<CartLine> {
    lines
        .into_iter()
        .filter_map(|l| {
            let p = price_line(menu, &l.request()).ok()?;
            Some(CartLine {
                item_id: p.item_id,
                name: p.name,
                option_ids: p.option_ids,
                options: p.options,
                quantity: l.quantity,
                unit_cents: p.unit_cents,
            })
        })
        .collect()
}

/// An item's tags as read: dietary ones ("Vegan · Halal") and allergens ("Contains egg").
fn tags_text(tags: &[String]) -> (String, String) {
    let (allergens, dietary): (Vec<&String>, Vec<&String>) =
        tags.iter().partition(|t| t.starts_with("contains_"));
    let join = |ts: Vec<&String>| {
        ts.into_iter()
            .filter_map(|t| tag_label(t))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    (join(dietary), join(allergens))
}

/// The menu with "Add" buttons and the cart with checkout (an island: the part of a restaurant's
/// page that runs in the browser).
#[island]
pub fn OrderingMenu(
    restaurant_id: Uuid,
    menu: Menu,
    /// Pickup slots on offer.
    slots: Vec<(DateTime<Utc>, String)>,
    /// "As soon as possible" on offer (open, and not about to close).
    open_now: bool,
    /// Where to sign in when not signed in.
    sign_in_url: Option<String>,
) -> impl IntoView {
    if menu.categories.is_empty() {
        return view! { <p class="mt-6 text-slate-500" data-testid="no-menu">"This restaurant has not put its menu online yet."</p> }.into_any();
    }
    let menu = StoredValue::new(menu);
    let cart = RwSignal::new(Vec::<CartLine>::new());
    // Read the saved cart once in the browser, then save on every change after that.
    let loaded = StoredValue::new(false);
    Effect::new(move |_| {
        if !loaded.get_value() {
            let saved = load_cart(restaurant_id);
            cart.set(menu.with_value(|m| reprice(m, saved)));
            loaded.set_value(true);
        }
    });
    Effect::new(move |_| {
        let lines = cart.get();
        if loaded.get_value() {
            save_cart(restaurant_id, &lines);
        }
    });
    let choosing = RwSignal::new(None::<Uuid>);

    let add = move |line: CartLine| {
        cart.update(|c| {
            if let Some(same) = c
                .iter_mut()
                .find(|l| l.item_id == line.item_id && l.option_ids == line.option_ids)
            {
                same.quantity = (same.quantity + line.quantity).min(super::rules::MAX_QUANTITY);
            } else {
                c.push(line);
            }
        });
        choosing.set(None);
    };

    let categories = menu.with_value(|m| m.categories.clone());
    let hydrated = use_hydrated();
    view! {
        <div class="mt-8 grid gap-6 pb-20 lg:grid-cols-3 lg:pb-0" data-hydrated=move || hydrated.get().to_string()>
            <section class="lg:col-span-2" data-testid="menu">
                <h2 class="text-xl font-bold">"Menu"</h2>
                {categories.into_iter().map(|cat| view! {
                    <div class="mt-5">
                        <h3 class="border-b border-slate-200 pb-1 text-lg font-semibold">{cat.name}</h3>
                        <ul class="mt-2 divide-y divide-slate-100">
                            {cat.items.into_iter().map(|item| view! {
                                <MenuItemRow item=item.clone() choosing menu on_add=Callback::new(add) hydrated/>
                            }).collect_view()}
                        </ul>
                    </div>
                }).collect_view()}
            </section>
            <CartPanel restaurant_id cart slots open_now sign_in_url hydrated/>
        </div>
    }
    .into_any()
}

#[component]
fn MenuItemRow(
    item: MenuItem,
    choosing: RwSignal<Option<Uuid>>,
    menu: StoredValue<Menu>,
    on_add: Callback<CartLine>,
    /// Until the island is hydrated its buttons would do nothing: they are disabled.
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let id = item.id;
    let has_choices = !item.option_groups.is_empty();
    let chosen = RwSignal::new(Vec::<Uuid>::new());
    let error = RwSignal::new(None::<String>);
    let try_add = move || {
        let req = OrderLineRequest {
            item_id: id,
            quantity: 1,
            option_ids: chosen.get_untracked(),
        };
        match menu.with_value(|m| price_line(m, &req)) {
            Ok(p) => {
                error.set(None);
                chosen.set(Vec::new());
                on_add.run(CartLine {
                    item_id: p.item_id,
                    name: p.name,
                    option_ids: p.option_ids,
                    options: p.options,
                    quantity: 1,
                    unit_cents: p.unit_cents,
                });
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let groups = item.option_groups.clone();
    let tags = tags_text(&item.tags);
    view! {
        <li class="flex gap-3 py-3" data-testid="menu-item" data-item=item.name.clone()>
            {item.photo_url.clone().map(|src| view! {
                <img src=src alt="" class="h-20 w-20 shrink-0 rounded-md object-cover" loading="lazy"/>
            })}
            <div class="min-w-0 flex-1">
                <div class="flex items-start justify-between gap-2">
                    <div>
                        <p class="font-medium">{item.name.clone()}</p>
                        {(!item.description.is_empty()).then(|| view! { <p class="text-sm text-slate-600">{item.description.clone()}</p> })}
                        {(!tags.0.is_empty()).then(|| view! { <p class="mt-0.5 text-xs text-emerald-700">{tags.0.clone()}</p> })}
                        {(!tags.1.is_empty()).then(|| view! { <p class="mt-0.5 text-xs text-amber-800">{tags.1.clone()}</p> })}
                    </div>
                    <div class="shrink-0 text-right">
                        <p class="font-medium">{format_cents(i64::from(item.price_cents))}</p>
                        {if item.sold_out {
                            Either::Left(view! { <p class="text-sm font-medium text-red-700" data-testid="sold-out">"Sold out"</p> })
                        } else {
                            Either::Right(view! {
                                <button type="button" class="mt-1 rounded-md bg-amber-700 px-3 py-1 text-sm font-semibold text-white hover:bg-amber-800 disabled:opacity-60"
                                    data-testid="add-item" disabled=move || !hydrated.get()
                                    on:click=move |_| if has_choices { choosing.set(Some(id)) } else { try_add() }>
                                    "Add"
                                </button>
                            })
                        }}
                    </div>
                </div>
                <Show when=move || choosing.get() == Some(id)>
                    <div class="mt-2 rounded-md border border-slate-200 bg-slate-50 p-3" data-testid="chooser">
                        {groups.clone().into_iter().map(|g| {
                            let single = g.max_choices == 1;
                            let rule = match (g.min_choices, g.max_choices) {
                                (1, 1) => "choose 1".to_owned(),
                                (0, max) => format!("optional, up to {max}"),
                                (min, max) if min == max => format!("choose {min}"),
                                (min, max) => format!("choose {min} to {max}"),
                            };
                            let group_options: Vec<Uuid> = g.options.iter().map(|o| o.id).collect();
                            view! {
                                <fieldset class="mt-1">
                                    <legend class="text-sm font-medium">{g.name.clone()}<span class="ml-1 text-xs text-slate-500">{format!("({rule})")}</span></legend>
                                    {g.options.into_iter().map(|o| {
                                        let oid = o.id;
                                        let others = group_options.clone();
                                        let delta = if o.price_delta_cents == 0 { String::new() } else {
                                            format!(" ({}{})", if o.price_delta_cents > 0 { "+" } else { "" }, format_cents(i64::from(o.price_delta_cents)))
                                        };
                                        view! {
                                            <label class="mr-4 inline-flex items-center gap-1 text-sm">
                                                <input type=if single { "radio" } else { "checkbox" } name=format!("g-{}", g.id)
                                                    prop:checked=move || chosen.with(|c| c.contains(&oid))
                                                    on:change=move |_| chosen.update(|c| {
                                                        if c.contains(&oid) {
                                                            c.retain(|x| *x != oid);
                                                        } else {
                                                            if single { c.retain(|x| !others.contains(x)); }
                                                            c.push(oid);
                                                        }
                                                    })/>
                                                {format!("{}{delta}", o.name)}
                                            </label>
                                        }
                                    }).collect_view()}
                                </fieldset>
                            }
                        }).collect_view()}
                        <p class="mt-1 text-sm text-red-600">{move || error.get()}</p>
                        <div class="mt-2 flex gap-2">
                            <button type="button" class="rounded-md bg-amber-700 px-3 py-1 text-sm font-semibold text-white" data-testid="add-choice" on:click=move |_| try_add()>"Add to order"</button>
                            <button type="button" class="rounded-md border border-slate-300 px-3 py-1 text-sm" on:click=move |_| choosing.set(None)>"Cancel"</button>
                        </div>
                    </div>
                </Show>
            </div>
        </li>
    }
}

#[component]
fn CartPanel(
    restaurant_id: Uuid,
    cart: RwSignal<Vec<CartLine>>,
    slots: Vec<(DateTime<Utc>, String)>,
    open_now: bool,
    sign_in_url: Option<String>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let pickup = RwSignal::new(if open_now {
        "asap".to_owned()
    } else {
        slots
            .first()
            .map(|(t, _)| t.to_rfc3339())
            .unwrap_or_default()
    });
    let note = RwSignal::new(String::new());
    // One key per checkout attempt: a retry of the same cart reuses it, a changed cart gets a new
    // one.
    let key = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        cart.track();
        key.set(None);
    });
    let submit = ServerAction::<SubmitOrder>::new();
    let total = move || {
        cart.with(|c| {
            c.iter()
                .map(|l| l.unit_cents * i64::from(l.quantity))
                .sum::<i64>()
        })
    };
    let place = move |_| {
        let pickup = match pickup.get_untracked().as_str() {
            "asap" => Pickup::Asap,
            other => match DateTime::parse_from_rfc3339(other) {
                Ok(t) => Pickup::At {
                    at: t.with_timezone(&Utc),
                },
                Err(_) => Pickup::Asap,
            },
        };
        let k = key
            .get_untracked()
            .unwrap_or_else(|| Uuid::new_v4().to_string());
        key.set(Some(k.clone()));
        submit.dispatch(SubmitOrder {
            request: PlaceOrder {
                restaurant_id,
                lines: cart.with_untracked(|c| c.iter().map(CartLine::request).collect()),
                pickup,
                note: note.get_untracked(),
                expected_total_cents: Some(total()),
            },
            key: k,
        });
    };
    Effect::new(move |_| {
        if let Some(Ok(order)) = submit.value().get() {
            cart.set(Vec::new());
            save_cart(restaurant_id, &[]);
            let _ = window()
                .location()
                .set_href(&format!("/orders/{}", order.id));
        }
    });
    let error = move || submit.value().get().and_then(Result::err);
    // After that refusal the next attempt is a new order: it gets a new key.
    Effect::new(move |_| {
        if submit
            .value()
            .get()
            .is_some_and(|r| r.is_err_and(|e| e.field() == Some("idempotency_key")))
        {
            key.set(None);
        }
    });
    let no_slots = slots.is_empty();
    view! {
        // On a phone the cart is below the whole menu: a bar at the bottom of the screen
        // shows the total and jumps to it.
        <Show when=move || cart.with(|c| !c.is_empty())>
            <a href="#cart" class="fixed inset-x-3 bottom-3 z-10 flex items-center justify-between rounded-lg bg-amber-700 px-4 py-3 font-semibold text-white shadow-lg lg:hidden" data-testid="cart-bar">
                <span>{move || {
                    let n: u32 = cart.with(|c| c.iter().map(|l| l.quantity).sum());
                    format!("Your order · {n} item{}", if n == 1 { "" } else { "s" })
                }}</span>
                <span>{move || format_cents(total())}</span>
            </a>
        </Show>
        <aside id="cart" class="h-fit scroll-mt-4 rounded-lg border border-slate-200 bg-white p-4 lg:sticky lg:top-4" data-testid="cart">
            <h2 class="text-lg font-bold">"Your pickup order"</h2>
            <Show when=move || cart.with(|c| !c.is_empty()) fallback=|| view! { <p class="mt-2 text-sm text-slate-500">"Add dishes from the menu."</p> }>
                <ul class="mt-2 space-y-2 text-sm">
                    <For each=move || cart.get().into_iter().enumerate() key=|(i, l)| (*i, l.item_id, l.quantity, l.option_ids.clone()) let:((i, l))>
                        <li class="flex items-start justify-between gap-2" data-testid="cart-line">
                            <div>
                                <p><span class="font-medium">{format!("{} × ", l.quantity)}</span>{l.name.clone()}</p>
                                {(!l.options.is_empty()).then(|| view! { <p class="text-xs text-slate-500">{l.options.join(", ")}</p> })}
                            </div>
                            <div class="flex shrink-0 items-center gap-1">
                                <span>{format_cents(l.unit_cents * i64::from(l.quantity))}</span>
                                <button type="button" aria-label="One fewer" class="rounded border px-1.5" on:click=move |_| cart.update(|c| {
                                    if let Some(x) = c.get_mut(i) { if x.quantity > 1 { x.quantity -= 1 } else { c.remove(i); } }
                                })>"−"</button>
                                <button type="button" aria-label="One more" class="rounded border px-1.5" on:click=move |_| cart.update(|c| {
                                    if let Some(x) = c.get_mut(i) { x.quantity = (x.quantity + 1).min(super::rules::MAX_QUANTITY) }
                                })>"+"</button>
                            </div>
                        </li>
                    </For>
                </ul>
                <p class="mt-3 flex justify-between border-t pt-2 font-semibold"><span>"Total"</span><span data-testid="cart-total">{move || format_cents(total())}</span></p>
                <label class="mt-3 block text-sm font-medium" for="pickup">"Pickup"</label>
                <select id="pickup" class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5" data-testid="pickup"
                    on:change=move |ev| pickup.set(event_target_value(&ev)) prop:value=move || pickup.get()>
                    {open_now.then(|| view! { <option value="asap">"As soon as possible"</option> })}
                    {slots.iter().map(|(t, label)| view! { <option value=t.to_rfc3339()>{label.clone()}</option> }).collect_view()}
                </select>
                {(no_slots && !open_now).then(|| view! { <p class="mt-1 text-sm text-slate-600">"No pickup times in the next day."</p> })}
                <label class="mt-3 block text-sm font-medium" for="note">"Note for the kitchen (optional)"</label>
                <textarea id="note" rows="2" maxlength="300" class="mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                {match sign_in_url.clone() {
                    Some(url) => Either::Left(view! {
                        <a href=url rel="external" class="mt-3 block rounded-md bg-amber-700 px-4 py-2 text-center font-semibold text-white" data-testid="sign-in-to-order">"Sign in to order"</a>
                    }),
                    None => Either::Right(view! {
                        <button type="button" class="mt-3 w-full rounded-md bg-amber-700 px-4 py-2 font-semibold text-white hover:bg-amber-800 disabled:opacity-60"
                            data-testid="place-order" disabled=move || !hydrated.get() || submit.pending().get() || (no_slots && !open_now) on:click=place>
                            {move || if submit.pending().get() { "Placing…" } else { "Place pickup order" }}
                        </button>
                    }),
                }}
                <div class="mt-2 text-sm text-red-700" role="alert" data-testid="order-error">
                    {move || error().map(|e| {
                        // The menu changed under the page: reloading shows today's menu and
                        // re-prices the saved cart.
                        let stale = e.field() == Some("lines");
                        if e.field() == Some("idempotency_key") {
                            // This checkout already placed an order (its answer was lost) and the
                            // cart was changed since: the order is in "My orders".
                            return view! {
                                <p>"An order was already placed from this page. "<a href="/orders" class="underline">"See My orders"</a>"."</p>
                            }.into_any();
                        }
                        view! {
                            <p>{e.to_string()}</p>
                            {stale.then(|| view! { <a href="" rel="external" class="underline">"Reload the menu"</a> })}
                        }.into_any()
                    })}
                </div>
            </Show>
        </aside>
    }
}

/// Status in colour.
#[component]
fn StatusBadge(status: OrderStatus) -> impl IntoView {
    let class = match status {
        OrderStatus::Ready => "bg-green-100 text-green-800",
        OrderStatus::Rejected | OrderStatus::Cancelled => "bg-red-100 text-red-800",
        OrderStatus::PickedUp => "bg-slate-100 text-slate-700",
        _ => "bg-amber-100 text-amber-800",
    };
    view! {
        <span class=format!("rounded px-2 py-0.5 text-sm font-semibold {class}") data-testid="order-status" data-status=status.as_str()>
            {status.label()}
        </span>
    }
}

#[component]
fn OrderLines(order: Order) -> impl IntoView {
    view! {
        <ul class="mt-2 space-y-1 text-sm">
            {order.lines.into_iter().map(|l| view! {
                <li class="flex justify-between gap-2">
                    <span>{format!("{} × {}", l.quantity, l.name)}
                        {(!l.options.is_empty()).then(|| view! { <span class="text-slate-500">{format!(" ({})", l.options.join(", "))}</span> })}
                    </span>
                    <span>{format_cents(l.line_cents)}</span>
                </li>
            }).collect_view()}
        </ul>
        <p class="mt-2 flex justify-between border-t pt-1 font-semibold"><span>"Total"</span><span>{format_cents(order.total_cents)}</span></p>
        {(!order.note.is_empty()).then(|| view! { <p class="mt-1 text-sm text-slate-600">{format!("Note: {}", order.note)}</p> })}
    }
}

/// `/orders/:id`: the order, live.
#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|s| s.parse::<Uuid>().ok());
    let data = Resource::new_blocking(
        move || id,
        |id| async move {
            match id {
                Some(id) => get_order(id).await,
                None => Err(AppError::not_found("There is no such order.")),
            }
        },
    );
    view! {
        <Title text="Your order"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="order"/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <p>"Sign in to see your orders."</p> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(d) => view! { <LiveOrder initial=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An order that keeps itself up to date (every 4 s), with the customer's "Cancel".
#[island]
fn LiveOrder(initial: OrderPageData) -> impl IntoView {
    let id = initial.order.id;
    let cancel = ServerAction::<StepOrder>::new();
    let data = use_live(
        initial,
        4000,
        Signal::derive(move || cancel.version().get()),
        move || get_order(id),
    );
    let hydrated = use_hydrated();
    move || {
        let d = data.get();
        let o = d.order.clone();
        view! {
            <article class="mx-auto max-w-xl rounded-lg border border-slate-200 bg-white p-6" data-testid="order" data-hydrated=move || hydrated.get().to_string()>
                <p class="text-sm text-slate-500"><a class="underline" href=format!("/r/{}", d.restaurant_slug)>{o.restaurant_name.clone()}</a></p>
                <div class="mt-1 flex flex-wrap items-center justify-between gap-2">
                    <h1 class="text-2xl font-bold">{format!("Order #{}", o.number)}</h1>
                    <StatusBadge status=o.status/>
                </div>
                <p class="mt-1 text-sm" data-testid="pickup-time">{format!("Pickup: {}", o.pickup_label)}</p>
                <OrderLines order=o.clone()/>
                <h2 class="mt-4 text-sm font-semibold">"History"</h2>
                <ul class="text-sm text-slate-600" data-testid="history">
                    {d.history.into_iter().map(|(label, by, at)| view! {
                        <li>{format!("{at} — {label} by {by}")}</li>
                    }).collect_view()}
                </ul>
                {d.can_cancel.then(|| view! {
                    <ActionForm action=cancel attr:class="mt-4">
                        <input type="hidden" name="id" value=o.id.to_string()/>
                        <input type="hidden" name="step" value=Step::Cancel.as_str()/>
                        <button class="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50" data-testid="cancel-order">"Cancel order"</button>
                    </ActionForm>
                })}
                <p class="mt-2 text-sm text-red-700">{move || cancel.value().get().and_then(Result::err).map(|e| e.to_string())}</p>
            </article>
        }
    }
}

/// `/orders`: the customer's orders, live.
#[component]
pub fn MyOrdersPage() -> impl IntoView {
    let orders = Resource::new_blocking(|| (), |()| my_orders());
    view! {
        <Title text="My orders"/>
        <h1 class="text-2xl font-bold">"My orders"</h1>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match orders.await {
                    Err(AppError::Unauthorized) => view! { <p class="mt-4">"Sign in to see your orders."</p> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(list) => view! { <LiveOrders initial=list/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The customer's orders, refreshed every 10 s.
#[island]
fn LiveOrders(initial: Vec<Order>) -> impl IntoView {
    let orders = use_live(initial, 10_000, Signal::stored(0), my_orders);
    move || {
        let list = orders.get();
        if list.is_empty() {
            return view! { <p class="mt-4 text-slate-600">"No orders yet. "<a class="underline" href="/">"Find a restaurant"</a></p> }.into_any();
        }
        view! {
            <ul class="mt-4 space-y-3" data-testid="my-orders">
                {list.into_iter().map(|o| view! {
                    <li class="rounded-lg border border-slate-200 bg-white p-4">
                        <a href=format!("/orders/{}", o.id) class="flex flex-wrap items-center justify-between gap-2">
                            <span><span class="font-semibold">{o.restaurant_name.clone()}</span>{format!(" · #{} · {}", o.number, format_cents(o.total_cents))}</span>
                            <StatusBadge status=o.status/>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    }
}

/// `/dashboard/r/:slug/orders`: the restaurant's queue, refreshed every few seconds.
#[component]
pub fn QueuePage() -> impl IntoView {
    let params = use_params_map();
    let slug = params.read_untracked().get("slug").unwrap_or_default();
    let page = platform::paging::page_param(
        leptos_router::hooks::use_query_map()
            .read_untracked()
            .get("page")
            .as_deref(),
    );
    let queue = Resource::new_blocking(
        {
            let slug = slug.clone();
            move || slug.clone()
        },
        move |slug| order_queue(slug, Some(page)),
    );
    let emails = Resource::new_blocking(move || slug.clone(), get_order_emails);
    view! {
        <Title text="Orders"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (queue.await, emails.await) {
                    (Err(AppError::NotFound(_)), _) => view! { <NotFound what="restaurant"/> }.into_any(),
                    (Err(e), _) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    // Staff see the queue; only the owner decides where mail goes.
                    (Ok(q), emails) => view! {
                        <LiveQueue initial=q/>
                        {emails.ok().map(|initial| view! { <OrderEmailsForm initial/> })}
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The owner's new-order emails: on or off, and to which address.
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn OrderEmailsForm(initial: OrderEmails) -> impl IntoView {
    let action = ServerAction::<SetOrderEmails>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="mt-8 rounded-lg border border-slate-200 bg-white p-5">
            <h2 class="text-lg font-semibold">"New-order emails"</h2>
            <ActionForm action attr:class="mt-3 space-y-3" attr:data-testid="order-emails-form">
                <input type="hidden" name="restaurant_id" value=initial.restaurant_id.to_string()/>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="on" value="on" checked=initial.on class="h-5 w-5"/>
                    "Email me when a new order comes in"
                </label>
                <ui::TextField name="email" label="Send them to" kind="email" autocomplete="email" value=initial.email.clone() error/>
                <ui::FormError error/>
                <Show when=saved>
                    <p class="text-sm text-green-700" role="status">"Saved."</p>
                </Show>
                <ui::SubmitButton label="Save" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}

/// The queue: new orders appear by themselves (every 3 s), and each step is a button.
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn LiveQueue(initial: Queue) -> impl IntoView {
    let slug = initial.slug.clone();
    let page = initial.page;
    let step = ServerAction::<StepOrder>::new();
    let queue = use_live(
        initial,
        3000,
        Signal::derive(move || step.version().get()),
        move || order_queue(slug.clone(), Some(page)),
    );
    let hydrated = use_hydrated();
    view! {
        <div data-testid="live-queue" data-hydrated=move || hydrated.get().to_string()>
        {move || {
            let q = queue.get();
            view! {
                <div class="flex flex-wrap items-center justify-between gap-2">
                    <h1 class="text-2xl font-bold">{format!("Orders · {}", q.restaurant_name)}</h1>
                    <a class="text-sm underline" href=format!("/dashboard/r/{}/menu", q.slug)>"Menu and sold-out"</a>
                </div>
                <p class="text-sm text-slate-500">"New orders appear here by themselves."</p>
                {(q.open > 0).then(|| view! {
                    <p class="mt-1 text-sm font-medium" data-testid="queue-open">{match q.open {
                        1 => "1 open order.".to_owned(),
                        n => format!("{n} open orders."),
                    }}{(q.pages > 1).then(|| format!(" The queue has {} pages: open orders come first, soonest pickup first.", q.pages))}</p>
                })}
                {if q.entries.is_empty() {
                    Either::Left(view! { <p class="mt-4 text-slate-600" data-testid="queue-empty">"No orders yet today."</p> })
                } else {
                    Either::Right(view! {
                        <ul class="mt-4 grid gap-3 md:grid-cols-2" data-testid="queue">
                            {q.entries.into_iter().map(|e| {
                                let o = e.order.clone();
                                view! {
                                    <li class="rounded-lg border border-slate-200 bg-white p-4" data-testid="queue-order" data-number=o.number.to_string()>
                                        <div class="flex items-center justify-between gap-2">
                                            <p class="font-semibold">{format!("#{} · {}", o.number, e.customer_name)}</p>
                                            <StatusBadge status=o.status/>
                                        </div>
                                        <p class="text-sm text-slate-600">{format!("Pickup: {} · placed {}", o.pickup_label, o.placed_label)}</p>
                                        <OrderLines order=o.clone()/>
                                        <div class="mt-3 flex flex-wrap gap-2">
                                            {e.steps.into_iter().map(|s| view! {
                                                <ActionForm action=step>
                                                    <input type="hidden" name="id" value=o.id.to_string()/>
                                                    <input type="hidden" name="step" value=s.as_str()/>
                                                    <button class=if matches!(s, Step::Reject | Step::Withdraw) { "rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700" } else { "rounded-md bg-amber-700 px-3 py-1.5 text-sm font-semibold text-white" }
                                                        data-step=s.as_str()>{s.label()}</button>
                                                </ActionForm>
                                            }).collect_view()}
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    })
                }}
                <ui::Pager page=q.page pages=q.pages query=Vec::new()/>
            }
        }}
        <p class="mt-2 text-sm text-red-700" role="alert">{move || step.value().get().and_then(Result::err).map(|e| e.to_string())}</p>
        </div>
    }
}

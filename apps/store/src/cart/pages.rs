//! `/cart`: what the cart holds now, shop by shop, each shipped or picked up; then checkout.

use leptos::prelude::*;
use leptos_meta::Title;
use ui::{ErrorBox, FormError, SubmitButton, TextArea, TextField};

use super::{CartShop, CartView, SetDelivery, SetQuantity, get_cart};
use crate::checkout::StartCheckout;

#[component]
pub fn CartPage() -> impl IntoView {
    let cart = Resource::new_blocking(|| (), |()| get_cart());
    view! {
        <Title text="Your cart"/>
        <h1 class="text-2xl font-bold">"Your cart"</h1>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match cart.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(c) if c.shops.is_empty() => view! {
                        <p class="mt-4 text-slate-600" data-testid="cart-empty">"Your cart is empty. "<a class="font-medium text-amber-700 hover:underline" href="/">"Browse the store"</a></p>
                        {c.sign_in_url.map(|url| view! {
                            <p class="mt-2 text-slate-600">"Shopped here before? "<a class="font-medium text-amber-700 hover:underline" href=url>"Sign in"</a>" to see your cart: it is the same on every device you use."</p>
                        })}
                    }.into_any(),
                    Ok(c) => view! { <Cart c/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Cart(mut c: CartView) -> impl IntoView {
    let checkout = ServerAction::<StartCheckout>::new();
    let error = Signal::derive(move || checkout.value().get().and_then(Result::err));
    let sign_in_url = c.sign_in_url.take();
    let visitor = sign_in_url.is_some();
    let shops = std::mem::take(&mut c.shops);
    view! {
        <div class="mt-4 space-y-4" data-testid="cart">
            {shops.into_iter().map(|s| view! { <ShopPart s visitor/> }).collect_view()}
        </div>
        <dl class="mt-4 ml-auto max-w-xs space-y-1 text-sm">
            <div class="flex justify-between"><dt>"Items"</dt><dd>{c.subtotal_label.clone()}</dd></div>
            <div class="flex justify-between"><dt>"Shipping"</dt><dd>{c.shipping_label.clone()}</dd></div>
            <div class="flex justify-between text-base font-semibold"><dt>"Total"</dt><dd data-testid="cart-total">{c.total_label.clone()}</dd></div>
        </dl>
        {match sign_in_url {
            Some(url) => view! {
                <div class="mt-4 max-w-xl space-y-2" data-testid="sign-in-to-check-out">
                    <a class="inline-block rounded-md bg-amber-700 px-4 py-3 text-base font-semibold text-white hover:bg-amber-800" href=url>"Sign in to check out"</a>
                    <p class="text-sm text-slate-600">"Your cart comes with you, and you choose delivery or pickup for each shop."</p>
                </div>
            }.into_any(),
            None => view! { <Checkout c checkout error/> }.into_any(),
        }}
    }
}

/// The checkout form of a signed-in shopper's cart.
#[component]
fn Checkout(
    c: CartView,
    checkout: ServerAction<StartCheckout>,
    error: Signal<Option<platform::AppError>>,
) -> impl IntoView {
    view! {
        <ActionForm action=checkout attr:class="mt-4 max-w-xl space-y-4" attr:data-testid="checkout-form">
            <input type="hidden" name="idempotency_key" value=c.form_key.clone()/>
            {if c.ships {
                view! {
                    <h2 class="text-lg font-semibold">"Ship to"</h2>
                    <TextField name="ship_name" label="Name" autocomplete="name" required=true error/>
                    <TextArea name="ship_address" label="Address (street, city, ZIP)" error/>
                }.into_any()
            } else {
                view! {
                    <input type="hidden" name="ship_name" value=""/>
                    <input type="hidden" name="ship_address" value=""/>
                }.into_any()
            }}
            <p class="text-sm text-red-700" role="alert">{move || error.get().and_then(|e| e.message_for("cart"))}</p>
            <FormError error/>
            {if c.ready {
                view! { <SubmitButton label="Check out" pending=checkout.pending()/> }.into_any()
            } else {
                view! { <p class="text-sm font-medium text-slate-700">"Fix the lines marked above to check out."</p> }.into_any()
            }}
        </ActionForm>
    }
}

/// A shop's part of the cart; a visitor chooses delivery or pickup once signed in.
#[component]
fn ShopPart(s: CartShop, visitor: bool) -> impl IntoView {
    let delivery = ServerAction::<SetDelivery>::new();
    view! {
        <section class="rounded-lg border border-slate-200 bg-white p-4" data-testid="cart-shop">
            <h2 class="font-semibold">{s.name.clone()}</h2>
            <ul class="mt-2 divide-y divide-slate-100">
                {s.lines.into_iter().map(|l| {
                    let set = ServerAction::<SetQuantity>::new();
                    let id = l.variant_id.to_string();
                    view! {
                        <li class="flex flex-wrap items-center gap-3 py-2" data-testid="cart-line">
                            {l.thumbnail_url.clone().map(|src| view! { <img src=src alt="" width="64" height="64" class="h-16 w-16 rounded-md object-cover"/> })}
                            // At least 10rem for the title: on a phone the quantity wraps below it.
                            <div class="min-w-0 flex-1 basis-40">
                                <a class="font-medium hover:underline" href=format!("/p/{}", l.product_slug)>{l.title.clone()}</a>
                                <p class="text-sm text-slate-600">{format!("{} · {} each", l.variant_name, l.unit_label)}</p>
                                {l.problem.clone().map(|p| view! { <p class="text-sm font-medium text-red-700" data-testid="line-problem">{p}</p> })}
                            </div>
                            <ActionForm action=set attr:class="flex items-end gap-2">
                                <input type="hidden" name="variant_id" value=id.clone()/>
                                <label class="text-sm">"Quantity"
                                    <input name="quantity" type="number" min="0" max="99" value=l.quantity.to_string() inputmode="numeric" class="mt-1 block w-20 rounded-md border border-slate-300 px-2 py-1.5 text-base"/>
                                </label>
                                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">"Update"</button>
                            </ActionForm>
                            <span class="w-20 text-right font-medium">{l.amount_label.clone()}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
            {if visitor {
                view! {
                    <p class="mt-2 text-right text-sm text-slate-700">{s.shipping_label.clone()}{format!(" · items {}", s.subtotal_label)}</p>
                }.into_any()
            } else { view! {
            <ActionForm action=delivery attr:class="mt-2 flex flex-wrap items-center gap-3 text-sm">
                <input type="hidden" name="shop" value=s.slug.clone()/>
                <label class="flex items-center gap-1.5">
                    <input type="radio" name="delivery" value="ship" checked=s.delivery == "ship" class="h-5 w-5"/>"Ship to me"
                </label>
                {s.pickup_address.clone().map(|a| view! {
                    <label class="flex items-center gap-1.5">
                        <input type="radio" name="delivery" value="pickup" checked=s.delivery == "pickup" class="h-5 w-5"/>{format!("Pick up at {a}")}
                    </label>
                    <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-50">"Change"</button>
                })}
                <span class="ml-auto text-slate-700">{s.shipping_label.clone()}{format!(" · items {}", s.subtotal_label)}</span>
            </ActionForm>
            }.into_any() }}
        </section>
    }
}

//! `/orders/{id}`: a checkout — while it is being paid, what it holds and until when; once
//! paid, each shop's order and where it stands.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, NotFound};
use uuid::Uuid;

use super::{CheckoutView, PayView, get_checkout};

fn id_param() -> Option<Uuid> {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|s| s.parse().ok())
}

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let checkout = Resource::new_blocking(id_param, |id| async move {
        match id {
            Some(id) => get_checkout(id).await,
            None => Err(AppError::not_found("There is no such order.")),
        }
    });
    view! {
        <Title text="Your order"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match checkout.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="order"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(c) => view! { <Checkout c/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Cancel this order": one shop's part, before it ships; its money goes back.
#[component]
fn CancelOrder(id: Uuid) -> impl IntoView {
    let cancel = ServerAction::<crate::orders::CancelMyOrder>::new();
    let error = Signal::derive(move || cancel.value().get().and_then(Result::err));
    view! {
        <ActionForm action=cancel attr:class="mt-2" attr:data-testid="cancel-order">
            <input type="hidden" name="id" value=id.to_string()/>
            <ui::FormError error/>
            <p class="text-sm text-red-700">{move || error.get().and_then(|e| e.message_for("status"))}</p>
            <ui::SubmitButton label="Cancel this order" pending=cancel.pending() danger=true/>
        </ActionForm>
    }
}

#[component]
fn Checkout(c: CheckoutView) -> impl IntoView {
    let (headline, note) = match c.status.as_str() {
        "pending" => (
            "Pay for your order",
            c.held_minutes.map(|m| match m {
                1 => "Your items are reserved for one more minute.".to_owned(),
                m => format!("Your items are reserved for {m} more minutes."),
            }),
        ),
        "paid" => ("Thank you: your order is paid", Some("Each shop sends its part and tells you when it ships or is ready to pick up.".to_owned())),
        "expired" => ("This reservation has ended", Some("The items went back on the shelves; your cart still holds them. Check out again from your cart.".to_owned())),
        "failed" => ("The payment did not go through", Some("Your cart still holds the items: check out again, with another card.".to_owned())),
        _ => ("Your payment is being refunded", Some("It came after the reservation ended and some items had sold meanwhile.".to_owned())),
    };
    view! {
        <article class="mx-auto max-w-2xl" data-testid="checkout" data-status=c.status.clone()>
            <p class="text-sm"><a class="underline" href="/orders">"Your orders"</a></p>
            <h1 class="mt-1 text-2xl font-bold">{headline}</h1>
            {note.map(|n| view! { <p class="mt-2 text-slate-700" role="status">{n}</p> })}
            <div class="mt-4 space-y-4">
                {c.parts.into_iter().map(|p| view! {
                    <section class="rounded-lg border border-slate-200 bg-white p-4" data-testid="order-part">
                        <h2 class="font-semibold">
                            {p.shop_name.clone()}
                            {p.order_number.clone().map(|n| view! { <span class="ml-2 text-sm font-normal text-slate-600">{format!("Order {n}")}</span> })}
                        </h2>
                        {p.order_status.clone().map(|s| view! { <p class="text-sm font-medium text-amber-800" data-testid="order-status">{s}</p> })}
                        {(!p.tracking_note.is_empty()).then(|| view! { <p class="text-sm text-slate-700">{format!("Tracking: {}", p.tracking_note)}</p> })}
                        <p class="text-sm text-slate-600">{p.delivery_label.clone()}</p>
                        <ul class="mt-2 text-sm">
                            {p.lines.into_iter().map(|l| view! {
                                <li class="flex justify-between gap-2 py-1"><span>{format!("{} × {} – {}", l.quantity, l.title, l.variant_name)}</span><span>{l.amount_label}</span></li>
                            }).collect_view()}
                        </ul>
                        <p class="mt-1 flex justify-between text-sm text-slate-600"><span>"Shipping"</span><span>{p.shipping_label.clone()}</span></p>
                        <p class="flex justify-between text-sm font-semibold"><span>"Total"</span><span>{p.total_label.clone()}</span></p>
                        {p.refunded_label.clone().map(|r| view! { <p class="text-sm text-slate-700">{r}</p> })}
                        {p.order_id.filter(|_| p.cancellable).map(|id| view! { <CancelOrder id/> })}
                    </section>
                }).collect_view()}
            </div>
            <p class="mt-4 flex justify-between text-lg font-semibold">
                <span>{if c.status == "pending" { "To pay" } else { "Charged" }}</span>
                <span data-testid="checkout-total">{c.total_label.clone()}</span>
            </p>
            {c.pay.clone().map(|pay| view! {
                // Stripe.js, before the page's own script: the card form mounts from it.
                <script src=pay.js_url.clone() nonce=leptos::nonce::use_nonce()></script>
                <noscript><p class="mt-4 text-sm text-red-700">"Card payment needs JavaScript: turn it on to pay."</p></noscript>
                <CardForm id=c.id pay total=c.total_label.clone()/>
            })}
        </article>
    }
}

/// The card form (an island): the shared card fields and payment (`ui::card`), paying this
/// checkout through this app's server functions.
#[island]
pub fn CardForm(id: Uuid, pay: PayView, total: String) -> impl IntoView {
    let (error, busy, on_submit) = ui::card::use_card_form(
        pay.publishable_key,
        pay.client_secret,
        format!("/orders/{id}"),
        move |token| async move { super::pay(id, token).await.map_err(|e| e.to_string()) },
        move || async move { super::confirm_payment(id).await.map_err(|e| e.to_string()) },
    );
    view! { <ui::card::CardFields total error busy on_submit/> }
}

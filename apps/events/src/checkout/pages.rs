//! The order's page: what is held or paid, until when, and the card form while it can be paid.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, NotFound};
use uuid::Uuid;

use super::{OrderView, PayView, get_order};

fn id_param() -> Option<Uuid> {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|s| s.parse().ok())
}

/// `/orders/{id}`: one of the signed-in person's orders.
#[component]
pub fn OrderPage() -> impl IntoView {
    let order = Resource::new_blocking(id_param, |id| async move {
        match id {
            Some(id) => get_order(id).await,
            None => Err(AppError::not_found("There is no such order.")),
        }
    });
    view! {
        <Title text="Your order"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match order.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="order"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(o) => view! { <Order o/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Order(o: OrderView) -> impl IntoView {
    let (headline, note) = match o.status.as_str() {
        "reserved" => (
            if o.total_cents == 0 {
                "Confirm your place"
            } else {
                "Pay to get your tickets"
            },
            o.held_until
                .as_ref()
                .map(|t| format!("Your places are held until {t} ({}).", o.time_zone)),
        ),
        "paid" => ("Paid: your tickets are ready", None),
        "door" => (
            "Reserved: pay at the door",
            Some(format!(
                "Pay {} at the door; show your tickets there.",
                o.total_label
            )),
        ),
        "confirmed" => ("Your places are confirmed", None),
        "expired" => (
            "This hold has ended",
            Some("The places were released. Choose them again on the event's page.".to_owned()),
        ),
        _ => ("This order is cancelled", None),
    };
    view! {
        <article class="mx-auto max-w-xl" data-testid="order" data-status=o.status.clone()>
            <p class="text-sm"><a class="underline" href=format!("/e/{}", o.event_slug)>{o.event_title.clone()}</a></p>
            <h1 class="mt-1 text-2xl font-bold" data-testid="order-headline">{headline}</h1>
            {note.map(|n| view! { <p class="mt-2 text-slate-700" role="status" data-testid="order-note">{n}</p> })}
            <table class="mt-4 w-full text-left text-sm">
                <caption class="sr-only">"What the order holds"</caption>
                <thead><tr class="border-b border-slate-200">
                    <th scope="col" class="py-2">"Ticket"</th>
                    <th scope="col" class="py-2 text-right">"Places"</th>
                    <th scope="col" class="py-2 text-right">"Amount"</th>
                </tr></thead>
                <tbody>
                    {o.lines.iter().map(|l| view! {
                        <tr class="border-b border-slate-100">
                            <td class="py-2">{l.name.clone()}</td>
                            <td class="py-2 text-right">{l.quantity}</td>
                            <td class="py-2 text-right">{l.amount_label.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot><tr>
                    <th scope="row" colspan="2" class="py-2">"Total"</th>
                    <td class="py-2 text-right font-semibold" data-testid="order-total">{o.total_label.clone()}</td>
                </tr></tfoot>
            </table>
            {o.refunded_label.clone().map(|r| view! { <p class="mt-2 text-sm text-slate-700" data-testid="order-refunded">{r}</p> })}
            {matches!(o.status.as_str(), "paid" | "confirmed" | "door").then(|| view! {
                <a class="mt-4 inline-block rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" href="/tickets">"See my tickets"</a>
            })}
            {(o.status == "reserved" && o.total_cents == 0).then(|| view! { <ConfirmFree id=o.id/> })}
            {o.pay.clone().map(|pay| view! {
                // Stripe.js, before the page's own script: the card form below mounts from it.
                <script src=pay.js_url.clone() nonce=leptos::nonce::use_nonce()></script>
                // Outside the island: the browser's DOM of a <noscript> is not what was sent.
                <noscript><p class="mt-4 text-sm text-red-700">"Card payment needs JavaScript: turn it on to pay."</p></noscript>
                <CardForm order=o.id pay total=o.total_label.clone()/>
            })}
        </article>
    }
}

/// "Confirm my place" for a free place held for its person (a waiting list's offer).
#[component]
fn ConfirmFree(id: Uuid) -> impl IntoView {
    let confirm = ServerAction::<crate::waitlist::ConfirmFree>::new();
    let error = Signal::derive(move || confirm.value().get().and_then(Result::err));
    view! {
        <ActionForm action=confirm attr:class="mt-6">
            <input type="hidden" name="id" value=id.to_string()/>
            <ui::FormError error/>
            <button type="submit" class="w-full rounded-md bg-amber-700 px-4 py-3 text-base font-semibold text-white hover:bg-amber-800 sm:w-auto" data-testid="confirm-free">"Confirm my place"</button>
        </ActionForm>
    }
}

/// The card form (an island): the shared card fields and payment (`ui::card`: Stripe.js turns
/// what is typed into a token, which never carries the number to this server), paying this
/// order through this app's server functions.
#[island]
pub fn CardForm(order: Uuid, pay: PayView, total: String) -> impl IntoView {
    let (error, busy, on_submit) = ui::card::use_card_form(
        pay.publishable_key,
        pay.client_secret,
        format!("/orders/{order}"),
        move |token| async move { super::pay(order, token).await.map_err(|e| e.to_string()) },
        move || async move {
            super::confirm_payment(order)
                .await
                .map_err(|e| e.to_string())
        },
    );
    view! { <ui::card::CardFields total error busy on_submit/> }
}

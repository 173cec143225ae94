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

/// The card form (an island): Stripe.js draws the card fields and turns what is typed into a
/// token, which never carries the number to this server; the server pays the order with it and
/// the order's page shows the outcome. When the bank asks the card holder to confirm (3-D
/// Secure), Stripe.js does it in the page, and the server is asked again.
#[island]
pub fn CardForm(order: Uuid, pay: PayView, total: String) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let hydrated = ui::use_hydrated();
    #[cfg(feature = "hydrate")]
    let card = {
        let card = StoredValue::new_local(None::<stripe_js::Card>);
        let key = pay.publishable_key.clone();
        Effect::new(
            move |_| match stripe_js::Card::mount(&key, "#card-element") {
                Ok(c) => card.set_value(Some(c)),
                Err(message) => error.set(Some(message)),
            },
        );
        card
    };
    let secret = StoredValue::new(pay.client_secret.clone());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        #[cfg(feature = "hydrate")]
        {
            let Some(c) = card.get_value() else {
                busy.set(false);
                error.set(Some("The card form did not load. Reload the page.".into()));
                return;
            };
            let secret = secret.get_value();
            leptos::task::spawn_local(async move {
                match stripe_js::pay(&c, order, &secret).await {
                    Ok(()) => {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().set_href(&format!("/orders/{order}"));
                        }
                    }
                    Err(message) => {
                        error.set(Some(message));
                        busy.set(false);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (secret, order);
    };
    view! {
        <form class="mt-6 rounded-lg border border-slate-200 bg-white p-5" on:submit=submit data-testid="card-form">
            <h2 class="text-lg font-semibold">"Pay by card"</h2>
            <label class="mt-3 block text-sm font-medium" for="card-element">"Card"</label>
            <div id="card-element" class="mt-1 rounded-md border border-slate-300 p-3" data-testid="card-element"></div>
            <p class="mt-2 text-sm text-red-700" role="alert" aria-live="assertive" data-testid="card-error">{move || error.get()}</p>
            <button type="submit" class="mt-3 w-full rounded-md bg-amber-700 px-4 py-3 text-base font-semibold text-white hover:bg-amber-800 disabled:opacity-60 sm:w-auto"
                disabled=move || busy.get() || !hydrated.get() data-testid="pay">
                {move || if busy.get() { "Paying…".to_owned() } else { format!("Pay {total}") }}
            </button>
        </form>
    }
}

/// Stripe.js, from the page's card form.
#[cfg(feature = "hydrate")]
mod stripe_js {
    use js_sys::{Promise, Reflect};
    use uuid::Uuid;
    use wasm_bindgen::{JsValue, prelude::wasm_bindgen};
    use wasm_bindgen_futures::JsFuture;

    #[wasm_bindgen]
    extern "C" {
        #[derive(Clone)]
        type Stripe;
        #[wasm_bindgen(catch, js_name = Stripe)]
        fn stripe(key: &str) -> Result<Stripe, JsValue>;
        #[wasm_bindgen(method, catch)]
        fn elements(this: &Stripe) -> Result<Elements, JsValue>;
        #[wasm_bindgen(method, catch, js_name = createToken)]
        fn create_token(this: &Stripe, card: &Element) -> Result<Promise, JsValue>;
        #[wasm_bindgen(method, catch, js_name = confirmCardPayment)]
        fn confirm_card_payment(this: &Stripe, secret: &str) -> Result<Promise, JsValue>;

        #[derive(Clone)]
        type Elements;
        #[wasm_bindgen(method, catch)]
        fn create(this: &Elements, kind: &str) -> Result<Element, JsValue>;

        #[derive(Clone)]
        type Element;
        #[wasm_bindgen(method, catch)]
        fn mount(this: &Element, selector: &str) -> Result<(), JsValue>;
    }

    /// The card fields, mounted.
    #[derive(Clone)]
    pub struct Card {
        stripe: Stripe,
        element: Element,
    }

    const NOT_LOADED: &str =
        "The card form could not load. Check your connection and reload the page.";

    impl Card {
        pub fn mount(key: &str, selector: &str) -> Result<Self, String> {
            let loaded = web_sys::window()
                .is_some_and(|w| Reflect::has(&w, &JsValue::from_str("Stripe")).unwrap_or(false));
            if !loaded {
                return Err(NOT_LOADED.into());
            }
            let stripe = stripe(key).map_err(|_| NOT_LOADED.to_owned())?;
            let element = stripe
                .elements()
                .and_then(|e| e.create("card"))
                .map_err(|_| NOT_LOADED.to_owned())?;
            element.mount(selector).map_err(|_| NOT_LOADED.to_owned())?;
            Ok(Self { stripe, element })
        }
    }

    /// `{ error: { message } }` of a Stripe.js answer, if it is one.
    fn error_of(answer: &JsValue) -> Option<String> {
        let error = Reflect::get(answer, &"error".into()).ok()?;
        if error.is_null() || error.is_undefined() {
            return None;
        }
        Some(
            Reflect::get(&error, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "The card was refused.".into()),
        )
    }

    async fn settled(promise: Result<Promise, JsValue>) -> Result<JsValue, String> {
        let promise = promise.map_err(|_| NOT_LOADED.to_owned())?;
        let answer = JsFuture::from(promise)
            .await
            .map_err(|_| "The card service did not answer. Try again.".to_owned())?;
        match error_of(&answer) {
            Some(message) => Err(message),
            None => Ok(answer),
        }
    }

    /// Pays `order` with the card typed in: a token from Stripe.js, the server's payment with
    /// it, and the bank's confirmation in the page when it asks for one.
    pub async fn pay(card: &Card, order: Uuid, secret: &str) -> Result<(), String> {
        let answer = settled(card.stripe.create_token(&card.element)).await?;
        let token = Reflect::get(&answer, &"token".into())
            .ok()
            .and_then(|t| Reflect::get(&t, &"id".into()).ok())
            .and_then(|id| id.as_string())
            .ok_or_else(|| "The card form gave no card. Check the number.".to_owned())?;
        let status = super::super::pay(order, token)
            .await
            .map_err(|e| e.to_string())?;
        if status == "requires_action" {
            settled(card.stripe.confirm_card_payment(secret)).await?;
            let status = super::super::confirm_payment(order)
                .await
                .map_err(|e| e.to_string())?;
            if status != "paid" {
                return Err(
                    "Your bank did not confirm the payment. Try again, or another card.".into(),
                );
            }
        }
        Ok(())
    }
}

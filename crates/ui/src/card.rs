//! The card form every payment page shares: Stripe.js draws the card fields and turns what is
//! typed into a token, which never carries the number to the suite's servers. An app's own
//! island (it knows its server functions) mounts the fields with [`stripe::Card::mount`],
//! shows them with [`CardFields`], and pays with [`stripe::pay`].

use leptos::prelude::*;

/// Where Stripe.js mounts the card fields.
pub const CARD_ELEMENT: &str = "#card-element";

/// The card form's state, for an app's island: the last error, whether it is paying, and the
/// submit handler, which pays through the app's server functions `pay` (the token → `paid` or
/// `requires_action`) and `confirm` (after the bank's check), then sends the browser to
/// `done_href`.
pub fn use_card_form<P, PF, C, CF>(
    publishable_key: String,
    client_secret: String,
    done_href: String,
    pay: P,
    confirm: C,
) -> (
    RwSignal<Option<String>>,
    RwSignal<bool>,
    Callback<leptos::ev::SubmitEvent>,
)
where
    P: Fn(String) -> PF + Copy + Send + Sync + 'static,
    PF: Future<Output = Result<String, String>> + 'static,
    C: Fn() -> CF + Copy + Send + Sync + 'static,
    CF: Future<Output = Result<String, String>> + 'static,
{
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    let card = {
        let card = StoredValue::new_local(None::<stripe::Card>);
        Effect::new(move |_| match stripe::Card::mount(&publishable_key) {
            Ok(c) => card.set_value(Some(c)),
            Err(message) => error.set(Some(message)),
        });
        card
    };
    #[cfg(not(feature = "hydrate"))]
    let _ = publishable_key;
    let secret = StoredValue::new(client_secret);
    let done = StoredValue::new(done_href);
    let on_submit = Callback::new(move |ev: leptos::ev::SubmitEvent| {
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
            let (secret, done) = (secret.get_value(), done.get_value());
            leptos::task::spawn_local(async move {
                match stripe::pay(&c, &secret, pay, confirm).await {
                    Ok(()) => stripe::go(&done),
                    Err(message) => {
                        error.set(Some(message));
                        busy.set(false);
                    }
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (secret, done, pay, confirm);
    });
    (error, busy, on_submit)
}

/// The form: the card fields, the last error, and the pay button (disabled until the page's
/// script runs, and while paying).
#[component]
pub fn CardFields(
    /// "$54.97": the button says "Pay $54.97".
    total: String,
    error: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
    on_submit: Callback<leptos::ev::SubmitEvent>,
) -> impl IntoView {
    let hydrated = crate::use_hydrated();
    view! {
        <form class="mt-6 rounded-lg border border-slate-200 bg-white p-5" on:submit=move |ev| on_submit.run(ev) data-testid="card-form">
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
pub mod stripe {
    use js_sys::{Promise, Reflect};
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
        /// Mounts the card fields at [`super::CARD_ELEMENT`] with the publishable `key`.
        pub fn mount(key: &str) -> Result<Self, String> {
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
            element
                .mount(super::CARD_ELEMENT)
                .map_err(|_| NOT_LOADED.to_owned())?;
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

    /// Pays with the card typed in: a token from Stripe.js, given to `pay` (the app's server
    /// function: `paid`, or `requires_action`); when the bank asks the card holder, Stripe.js
    /// confirms in the page with the PaymentIntent's `secret` and `confirm` asks the server
    /// again. The error is a sentence for the card holder.
    pub async fn pay<P, PF, C, CF>(
        card: &Card,
        secret: &str,
        pay: P,
        confirm: C,
    ) -> Result<(), String>
    where
        P: FnOnce(String) -> PF,
        PF: Future<Output = Result<String, String>>,
        C: FnOnce() -> CF,
        CF: Future<Output = Result<String, String>>,
    {
        let answer = settled(card.stripe.create_token(&card.element)).await?;
        let token = Reflect::get(&answer, &"token".into())
            .ok()
            .and_then(|t| Reflect::get(&t, &"id".into()).ok())
            .and_then(|id| id.as_string())
            .ok_or_else(|| "The card form gave no card. Check the number.".to_owned())?;
        let status = pay(token).await?;
        if status == "requires_action" {
            settled(card.stripe.confirm_card_payment(secret)).await?;
            if confirm().await? != "paid" {
                return Err(
                    "Your bank did not confirm the payment. Try again, or another card.".into(),
                );
            }
        }
        Ok(())
    }

    /// Sends the browser to `href` (the paid order's page).
    pub fn go(href: &str) {
        if let Some(w) = web_sys::window() {
            let _ = w.location().set_href(href);
        }
    }
}

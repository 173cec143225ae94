use leptos::prelude::*;

/// The "not found" page body; also sets the 404 status on the server.
#[component]
pub fn NotFound(
    /// What was not found, for the message.
    #[prop(default = "page")]
    what: &'static str,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="py-16 text-center">
            <h1 class="text-2xl font-bold">"Not found"</h1>
            <p class="mt-2 text-slate-600">{format!("This {what} does not exist, or it has been removed.")}</p>
        </div>
    }
}

/// A boxed error message.
#[component]
pub fn ErrorBox(
    /// The message.
    #[prop(into)]
    message: String,
) -> impl IntoView {
    view! {
        <div role="alert" class="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {message}
        </div>
    }
}

//! The suite's picture upload form: a plain multipart form (it works without JavaScript) that
//! posts to an app's upload route (`storage::upload`), which comes back to `back` with
//! `?upload_error=<code>` when the picture was refused; the form then says why.

use leptos::prelude::*;

use crate::ErrorBox;

/// A picture upload form: the current picture (if any), why the last upload was refused (if
/// it was), a file field and its button.
#[component]
pub fn PictureForm(
    /// The upload route (`/dashboard/e/ball/cover`).
    action: String,
    /// Where to come back to (a path on this site: this page).
    back: String,
    /// The file field's label ("Cover picture").
    label: &'static str,
    /// The current picture's URL.
    current: Option<String>,
    /// `data-testid` of the form.
    #[prop(default = "picture-form")]
    testid: &'static str,
) -> impl IntoView {
    let refused = leptos_router::hooks::use_query_map()
        .read_untracked()
        .get(platform::upload::QUERY_PARAM)
        .and_then(|code| platform::upload::Problem::message_for(&code));
    let id = format!("{testid}-file");
    view! {
        {current.map(|src| view! { <img src=src alt="" class="mt-2 h-32 rounded-md object-cover"/> })}
        {refused.map(|m| view! { <div class="mt-2"><ErrorBox message=m/></div> })}
        <form method="post" action=action enctype="multipart/form-data" class="mt-3 flex flex-wrap items-center gap-2" data-testid=testid>
            <input type="hidden" name="back" value=back/>
            <label for=id.clone() class="sr-only">{label}</label>
            <input id=id type="file" name="photo" accept="image/jpeg,image/png,image/webp,image/gif" required class="text-sm"/>
            <button class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Upload"</button>
        </form>
        <p class="mt-1 text-xs text-slate-500">{format!("JPEG, PNG, WebP or GIF, up to {} MiB.", platform::upload::MAX_MIB)}</p>
    }
}

//! The page a link in a mail opens (confirm a sign-up, reset a password, confirm a new address):
//! the link's token is checked first, then the page offers its form, or says why the link no
//! longer works. Following a link never acts by itself (mail scanners open links): a person
//! presses the form's button.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use platform::AppError;

/// `check(token)` answers what the link is about (an address, a name) or why it is dead;
/// `form(token, answer)` is shown while it works. `dead_testid` marks the "dead link" message,
/// `retry` is where to go then: `(href, label)`.
#[component]
pub fn MailLinkPage<C, Fut, F, V>(
    title: &'static str,
    check: C,
    form: F,
    dead_testid: &'static str,
    #[prop(optional)] retry: Option<(&'static str, &'static str)>,
) -> impl IntoView
where
    C: Fn(String) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Result<String, AppError>> + Send + 'static,
    F: Fn(String, String) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let token = use_query_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let link = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        check,
    );
    view! {
        <Title text=title/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-2xl font-bold">{title}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    let (token, form) = (token.clone(), form.clone());
                    Suspend::new(async move {
                        match link.await {
                            Ok(answer) => form(token, answer).into_any(),
                            Err(e) => view! {
                                <p class="mt-3 text-slate-700" data-testid=dead_testid>{e.to_string()}</p>
                                {retry.map(|(href, label)| view! {
                                    <p class="mt-4"><a href=href class="font-medium text-amber-700 hover:underline">{label}</a></p>
                                })}
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

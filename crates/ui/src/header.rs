use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::nav::{SuiteNav, get_suite_nav};

/// The suite-wide header: the suite's name (home), a link to every app (the current one marked),
/// and either the signed-in user's name with a sign-out button or a sign-in link that returns to
/// this page. Rendered on the server; works without JavaScript.
#[component]
pub fn SuiteHeader() -> impl IntoView {
    // Rendered on the server with the page (pages are not hydrated: only islands are), and
    // before the rest is sent, so nothing moves when it arrives.
    let nav = Resource::new_blocking(|| (), |()| get_suite_nav());
    view! {
        <header class="border-b border-slate-200 bg-white">
            <Suspense fallback=|| view! { <div class="h-14"></div> }>
                {move || Suspend::new(async move {
                    match nav.await {
                        Ok(nav) => view! { <HeaderBar nav/> }.into_any(),
                        Err(_) => view! {
                            <div class="mx-auto flex h-14 max-w-6xl items-center px-4 text-sm text-slate-500">
                                "SteppersLife"
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn HeaderBar(nav: SuiteNav) -> impl IntoView {
    let location = use_location();
    let here = {
        let origin = nav.self_origin.clone();
        move || {
            format!(
                "{origin}{}{}",
                location.pathname.get(),
                location.search.get()
            )
        }
    };
    let home = format!("{}/", nav.portal);
    let signin = {
        let portal = nav.portal.clone();
        let here = here.clone();
        move || ::platform::sign_in_url(&portal, &here())
    };
    let signout_action = format!("{}/signout", nav.portal);
    let account = format!("{}/account", nav.portal);
    let current = nav.current.clone();
    let links = nav
        .apps
        .into_iter()
        .map(|app| {
            let active = app.name == current;
            let class = if active {
                "whitespace-nowrap rounded-md bg-slate-900 px-3 py-1.5 text-sm font-medium text-white"
            } else {
                "whitespace-nowrap rounded-md px-3 py-1.5 text-sm font-medium text-slate-700 hover:bg-slate-100"
            };
            view! {
                <a href=app.url class=class aria-current=active.then_some("page")>{app.title}</a>
            }
        })
        .collect_view();
    let user_part = match nav.user {
        Some(user) => view! {
            <div class="flex items-center gap-2">
                <a href=account class="max-w-[10rem] truncate text-sm font-medium text-slate-800 hover:underline" data-testid="header-user">
                    {user.name}
                </a>
                <form method="post" action=signout_action>
                    <input type="hidden" name="return_to" value=here.clone()/>
                    <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-100" data-testid="sign-out">
                        "Sign out"
                    </button>
                </form>
            </div>
        }
        .into_any(),
        None => view! {
            <a href=signin class="rounded-md bg-amber-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-amber-800" data-testid="sign-in">
                "Sign in"
            </a>
        }
        .into_any(),
    };
    view! {
        <div class="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-3 gap-y-1 px-4 py-2">
            <a href=home class="shrink-0 text-lg font-bold tracking-tight text-amber-700">{nav.suite_name}</a>
            // On phones the app links get a row of their own under the name and the user menu.
            <nav
                class="order-last -mx-1 flex w-full gap-1 overflow-x-auto [scrollbar-width:none] sm:order-none sm:mx-0 sm:w-auto sm:min-w-0 sm:flex-1"
                aria-label="SteppersLife apps"
            >
                {links}
            </nav>
            {user_part}
        </div>
    }
}

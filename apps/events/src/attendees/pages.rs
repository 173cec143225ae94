//! `/dashboard/e/{slug}/attendees`: sales and the attendee list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use platform::AppError;
use ui::{ErrorBox, NotFound, Pager};

use super::{AttendeesState, get_attendees};

#[component]
pub fn AttendeesPage() -> impl IntoView {
    let args = move || {
        let query = use_query_map().read_untracked();
        (
            use_params_map()
                .read_untracked()
                .get("slug")
                .unwrap_or_default(),
            query.get("q").unwrap_or_default(),
            platform::paging::page_param(query.get("page").as_deref()),
        )
    };
    let data = Resource::new_blocking(args, |(slug, q, page)| get_attendees(slug, q, page));
    view! {
        <Title text="Attendees"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="event"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(a) => view! { <Attendees a/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Attendees(a: AttendeesState) -> impl IntoView {
    let q = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default();
    let pages = a.attendees.pages();
    view! {
        <p class="text-sm"><a class="underline" href=format!("/dashboard/e/{}", a.slug)>{a.title.clone()}</a></p>
        <div class="flex flex-wrap items-center justify-between gap-2">
            <h1 class="text-2xl font-bold">"Sales and attendees"</h1>
            <a class="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium" href=format!("/dashboard/e/{}/attendees.csv", a.slug) download="" data-testid="attendees-csv">"Download CSV"</a>
        </div>
        <section class="mt-4 grid gap-3 sm:grid-cols-3" data-testid="sales">
            {a.sales.iter().map(|s| view! {
                <div class="rounded-lg border border-slate-200 bg-white p-4">
                    <p class="font-medium">{s.name.clone()}</p>
                    <p class="text-sm text-slate-600">{format!("{} of {} sold · {}", s.sold, s.capacity, s.price_label)}</p>
                </div>
            }).collect_view()}
        </section>
        <p class="mt-3 text-sm text-slate-700" data-testid="money">
            {format!("Paid {} · refunded {} · net {}", a.paid_label, a.refunded_label, a.net_label)}
        </p>
        <form method="get" class="mt-4" role="search">
            <label for="attendees-q" class="block text-sm font-medium">"Find by name or email"</label>
            <div class="mt-1 flex gap-2">
                <input id="attendees-q" name="q" type="search" value=q.clone() class="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-base"/>
                <button type="submit" class="rounded-md border border-slate-300 bg-white px-4 py-2 text-base">"Find"</button>
            </div>
        </form>
        <p class="mt-3 text-sm text-slate-600">{format!("{} tickets", a.attendees.total)}</p>
        <div class="mt-2 overflow-x-auto">
            <table class="w-full text-left text-sm" data-testid="attendees">
                <caption class="sr-only">"Attendees"</caption>
                <thead><tr class="border-b border-slate-200">
                    <th scope="col" class="py-2 pr-3">"Name"</th>
                    <th scope="col" class="py-2 pr-3">"Email"</th>
                    <th scope="col" class="py-2 pr-3">"Ticket"</th>
                    <th scope="col" class="py-2 pr-3">"Status"</th>
                    <th scope="col" class="py-2 pr-3">"In"</th>
                    <th scope="col" class="py-2">"Ordered"</th>
                </tr></thead>
                <tbody>
                    {a.attendees.items.iter().map(|t| view! {
                        <tr class="border-b border-slate-100">
                            <td class="py-2 pr-3">{t.holder.clone()}</td>
                            <td class="py-2 pr-3 break-all">{t.email.clone()}</td>
                            <td class="py-2 pr-3">{t.type_name.clone()}</td>
                            <td class="py-2 pr-3">{t.status.clone()}</td>
                            <td class="py-2 pr-3">{if t.checked_in { "Yes" } else { "" }}</td>
                            <td class="py-2">{t.ordered_label.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pager page=a.attendees.page pages query=vec![("q".to_owned(), q)]/>
    }
}

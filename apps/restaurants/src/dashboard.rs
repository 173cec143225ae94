//! `/dashboard`: the restaurants the signed-in user owns or works at, with their open orders.

use leptos::prelude::*;
use leptos_meta::Title;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::ErrorBox;

use crate::access::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardEntry {
    pub slug: String,
    pub name: String,
    pub role: Role,
    /// Orders placed, accepted, preparing or ready.
    pub open_orders: i64,
}

#[server(prefix = "/api/dashboard", endpoint = "mine")]
pub async fn my_restaurants() -> Result<Vec<DashboardEntry>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let list = Resource::new_blocking(|| (), |()| my_restaurants());
    view! {
        <Title text="Dashboard"/>
        <div class="flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-bold">"Your restaurants"</h1>
            <a href="/new" rel="external" class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800">"Add a restaurant"</a>
        </div>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-4 text-slate-600">"You do not run a restaurant here yet. Add yours, or ask its owner for a staff invitation link."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-6 grid gap-4 sm:grid-cols-2" data-testid="dashboard">
                            {list.into_iter().map(|r| {
                                let owner = r.role.is_owner();
                                view! {
                                    <li class="rounded-lg border border-slate-200 bg-white p-4" data-testid="dashboard-restaurant">
                                        <p class="font-semibold">{r.name.clone()}<span class="ml-2 text-xs text-slate-500">{if owner { "Owner" } else { "Staff" }}</span></p>
                                        <p class="text-sm text-slate-600">{format!("{} open order{}", r.open_orders, if r.open_orders == 1 { "" } else { "s" })}</p>
                                        <div class="mt-3 flex flex-wrap gap-3 text-sm">
                                            <a class="font-medium text-amber-700 underline" href=format!("/dashboard/r/{}/orders", r.slug) data-testid="open-queue">"Orders"</a>
                                            <a class="underline" href=format!("/dashboard/r/{}/menu", r.slug)>"Menu"</a>
                                            {owner.then(|| view! {
                                                <a class="underline" href=format!("/r/{}/edit", r.slug) rel="external">"Details, hours and photo"</a>
                                                <a class="underline" href=format!("/dashboard/r/{}/staff", r.slug)>"Staff"</a>
                                            })}
                                            <a class="underline" href=format!("/r/{}", r.slug)>"Page"</a>
                                        </div>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use platform::AppError;

    use super::DashboardEntry;
    use crate::access::Role;
    use appkit::require_user;

    #[tracing::instrument(skip_all)]
    pub async fn mine() -> Result<Vec<DashboardEntry>, AppError> {
        let (state, user) = require_user().await?;
        let rows = crate::restaurants::db::of_member(&state.pool, user.id).await?;
        Ok(rows
            .into_iter()
            .map(|(slug, name, owner, open_orders)| DashboardEntry {
                slug,
                name,
                role: if owner { Role::Owner } else { Role::Staff },
                open_orders,
            })
            .collect())
    }
}

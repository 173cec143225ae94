//! The portal home: what is happening across the suite, fetched from each app's public API.

use api::restaurants::RestaurantSummary;
use leptos::prelude::*;
use leptos_meta::Title;

#[cfg(feature = "ssr")]
pub mod feed;
use platform::AppError;
use serde::{Deserialize, Serialize};

/// One section of the home page, as fresh as the owning app let us have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section<T> {
    /// Just fetched.
    Fresh(T),
    /// The app did not answer in time; this is the last good copy, `age_secs` old.
    Stale { data: T, age_secs: u64 },
    /// The app did not answer and there is no earlier copy.
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeFeed {
    /// URL of the restaurants app.
    pub restaurants_url: String,
    /// Restaurants marked as featured.
    pub featured_restaurants: Section<Vec<RestaurantSummary>>,
    /// The newest restaurants.
    pub new_restaurants: Section<Vec<RestaurantSummary>>,
}

/// Everything the home page shows.
#[server(prefix = "/api/home", endpoint = "feed")]
pub async fn get_home_feed() -> Result<HomeFeed, AppError> {
    let state = appkit::state()?;
    let parts: http::request::Parts = leptos_axum::extract().await.map_err(AppError::internal)?;
    let request_id = parts
        .headers
        .get(platform::telemetry::REQUEST_ID)
        .and_then(|v| v.to_str().ok());
    Ok(crate::server::portal(&state)?
        .aggregator
        .feed(request_id)
        .await)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let feed = Resource::new_blocking(|| (), |()| get_home_feed());
    view! {
        <Title text=""/>
        <section class="rounded-xl bg-gradient-to-r from-amber-600 to-rose-600 px-6 py-10 text-white">
            <h1 class="text-3xl font-bold sm:text-4xl">"SteppersLife"</h1>
            <p class="mt-2 max-w-2xl text-lg text-amber-50">
                "Where to eat, what's on, and who's teaching — the stepping community in one place."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="mt-6 text-slate-500">"Loading what's happening…"</p> }>
            {move || Suspend::new(async move {
                match feed.await {
                    Ok(feed) => view! {
                        <RestaurantsSection title="Featured restaurants" testid="home-featured" url=feed.restaurants_url.clone() section=feed.featured_restaurants/>
                        <RestaurantsSection title="Just added" testid="home-new-restaurants" url=feed.restaurants_url section=feed.new_restaurants/>
                    }.into_any(),
                    Err(e) => view! { <p class="mt-6 text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RestaurantsSection(
    title: &'static str,
    testid: &'static str,
    url: String,
    section: Section<Vec<RestaurantSummary>>,
) -> impl IntoView {
    let (list, note) = match section {
        Section::Fresh(l) => (Some(l), None),
        Section::Stale { data, .. } => (
            Some(data),
            Some("Restaurants isn't answering right now; this list may be a little out of date."),
        ),
        Section::Unavailable => (
            None,
            Some("Restaurants can't be reached right now. Try again in a moment."),
        ),
    };
    view! {
        <section class="mt-8" data-testid=testid>
            <div class="flex items-baseline justify-between">
                <h2 class="text-xl font-bold">{title}</h2>
                <a href=url class="text-sm font-medium text-amber-700 hover:underline">"All restaurants →"</a>
            </div>
            {note.map(|n| view! { <p class="mt-2 text-sm text-slate-500" data-testid="section-note">{n}</p> })}
            {list.map(|l| if l.is_empty() {
                view! { <p class="mt-3 text-slate-600">"No restaurants here yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                        {l.into_iter().map(|r| view! {
                            <li class="overflow-hidden rounded-lg border border-slate-200 bg-white hover:shadow" data-testid="home-restaurant">
                                <a href=r.url class="block">
                                    {r.cover_url.map(|src| view! { <img src=src alt="" class="h-36 w-full object-cover" loading="lazy" data-testid="home-cover"/> })}
                                    <div class="p-4">
                                        <div class="font-semibold text-slate-900">{r.name}</div>
                                        <div class="text-sm text-slate-600">{format!("{} · {} · {}", r.cuisine, r.city, "$".repeat(usize::try_from(r.price_level).unwrap_or(1)))}</div>
                                        <div class=if r.is_open_now { "text-sm font-medium text-green-700" } else { "text-sm text-slate-500" }>{if r.is_open_now { "Open now" } else { "Closed now" }}</div>
                                    </div>
                                </a>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
        </section>
    }
}

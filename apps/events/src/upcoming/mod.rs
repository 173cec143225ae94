//! The upcoming published events: the app's home page and its section on the portal's.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::ErrorBox;

#[cfg(feature = "ssr")]
pub mod db;

/// An event in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCard {
    pub slug: String,
    pub title: String,
    pub venue: String,
    /// "Sat 12 Dec, 20:00" in the event's own zone.
    pub when: String,
    pub starts_at: DateTime<Utc>,
}

/// The next published events, soonest first.
#[server(prefix = "/api/events", endpoint = "upcoming")]
pub async fn upcoming_events() -> Result<Vec<EventCard>, AppError> {
    let state = appkit::state()?;
    db::upcoming(&state.pool, 24)
        .await
        .map_err(AppError::respond)
}

#[component]
pub fn UpcomingPage() -> impl IntoView {
    let list = Resource::new_blocking(|| (), |()| upcoming_events());
    view! {
        <Title text=""/>
        <h1 class="text-2xl font-bold">"Upcoming events"</h1>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-4 text-slate-600" data-testid="no-events">"No events coming up yet."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 space-y-3" data-testid="event-list">
                            {list.into_iter().map(|e| view! {
                                <li class="rounded-lg border border-slate-200 bg-white p-4">
                                    <a class="font-semibold hover:underline" href=format!("/e/{}", e.slug)>{e.title}</a>
                                    <p class="text-sm text-slate-600">{format!("{} · {}", e.when, e.venue)}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

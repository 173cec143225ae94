//! The events to come: the app's home page, with filters (this week, this weekend, free,
//! online), text search and pages. Filters live in the URL: a filtered page can be shared and
//! works without JavaScript.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use platform::{AppError, paging::Paged};
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, Pager};

#[cfg(feature = "ssr")]
pub mod db;

/// Events a page of the list shows.
pub const PER_PAGE: u32 = 20;

/// An event in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCard {
    pub slug: String,
    pub title: String,
    /// The venue, or "Online".
    pub place: String,
    /// "Sat 12 Dec 2026, 20:00" in the event's own zone.
    pub when: String,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    /// Its cover's thumbnail (a path on this app).
    pub thumbnail_url: Option<String>,
    /// "Free", "from $25.00", or nothing when it has no ticket types yet.
    pub price: Option<String>,
    /// "Sold out", "3 left", or nothing when plenty are.
    pub availability: Option<String>,
}

/// Published events to come matching the filters, soonest first, a page at a time.
#[server(prefix = "/api/events", endpoint = "list")]
pub async fn list_events(
    q: String,
    when: String,
    free: bool,
    online: bool,
    page: u32,
) -> Result<Paged<EventCard>, AppError> {
    ssr::list(q, when, free, online, page)
        .await
        .map_err(AppError::respond)
}

/// The list's query, as the URL has it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    q: String,
    when: String,
    free: bool,
    online: bool,
    page: u32,
}

fn read_query() -> Query {
    let query = use_query_map().read_untracked();
    let when = query.get("when").unwrap_or_default();
    Query {
        q: query.get("q").unwrap_or_default(),
        when: if matches!(when.as_str(), "week" | "weekend") {
            when
        } else {
            String::new()
        },
        free: query.get("free").is_some_and(|v| !v.is_empty()),
        online: query.get("online").is_some_and(|v| !v.is_empty()),
        page: platform::paging::page_param(query.get("page").as_deref()),
    }
}

#[component]
pub fn UpcomingPage() -> impl IntoView {
    let query = read_query();
    let list = Resource::new_blocking(read_query, |q| {
        list_events(q.q, q.when, q.free, q.online, q.page)
    });
    let filtered = !query.q.is_empty() || !query.when.is_empty() || query.free || query.online;
    let pager_query = vec![
        ("q".to_owned(), query.q.clone()),
        ("when".to_owned(), query.when.clone()),
        (
            "free".to_owned(),
            if query.free {
                "1".into()
            } else {
                String::new()
            },
        ),
        (
            "online".to_owned(),
            if query.online {
                "1".into()
            } else {
                String::new()
            },
        ),
    ];
    let chip = |value: &str, label: &'static str, current: &str| {
        let selected = value == current;
        view! {
            <label class="cursor-pointer rounded-full border border-slate-300 bg-white px-3 py-1.5 text-sm has-[:checked]:border-amber-600 has-[:checked]:bg-amber-50 has-[:checked]:font-semibold has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-amber-600">
                <input type="radio" name="when" value=value.to_owned() checked=selected class="sr-only"/>
                {label}
            </label>
        }
    };
    view! {
        <Title text=""/>
        <h1 class="text-2xl font-bold">"Upcoming events"</h1>
        <form method="get" class="mt-4 space-y-3" role="search" data-testid="event-filters">
            <div class="flex gap-2">
                <label for="events-q" class="sr-only">"Search events"</label>
                <input id="events-q" name="q" type="search" value=query.q.clone() placeholder="Search: salsa, workshop, Chicago…"
                    class="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-base"/>
                <button type="submit" class="rounded-md bg-amber-700 px-4 py-2 text-base font-semibold text-white hover:bg-amber-800">"Search"</button>
            </div>
            <fieldset class="flex flex-wrap items-center gap-2">
                <legend class="sr-only">"When"</legend>
                {chip("", "Any time", &query.when)}
                {chip("week", "This week", &query.when)}
                {chip("weekend", "This weekend", &query.when)}
                <label class="ml-2 flex items-center gap-1.5 text-sm">
                    <input type="checkbox" name="free" value="1" checked=query.free class="h-5 w-5"/>"Free"
                </label>
                <label class="flex items-center gap-1.5 text-sm">
                    <input type="checkbox" name="online" value="1" checked=query.online class="h-5 w-5"/>"Online"
                </label>
            </fieldset>
        </form>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || {
                let pager_query = pager_query.clone();
                Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <p class="mt-4 text-slate-600" data-testid="no-events">
                                {if filtered { "No events match. Try fewer filters." } else { "No events coming up yet." }}
                            </p>
                        }.into_any(),
                        Ok(p) => {
                            let pages = p.pages();
                            view! {
                                <p class="mt-4 text-sm text-slate-600" data-testid="event-count">
                                    {match p.total { 1 => "1 event".to_owned(), n => format!("{n} events") }}
                                </p>
                                <ul class="mt-2 space-y-3" data-testid="event-list">
                                    {p.items.into_iter().map(|e| view! {
                                        <li class="flex gap-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="event-card">
                                            {e.thumbnail_url.map(|src| view! {
                                                <img src=src alt="" width="480" height="270" loading="lazy" class="aspect-video h-auto w-28 shrink-0 rounded-md object-cover sm:w-40" data-testid="event-thumbnail"/>
                                            })}
                                            <div class="min-w-0">
                                            <a class="font-semibold hover:underline" href=format!("/e/{}", e.slug)>{e.title}</a>
                                            <p class="text-sm text-slate-600">
                                                <time datetime=e.starts_at.to_rfc3339()>{e.when}</time>
                                                {format!(" · {}", e.place)}
                                            </p>
                                            <p class="text-sm">
                                                {e.price.map(|p| view! { <span class="text-slate-700">{p}</span> })}
                                                {e.availability.map(|a| view! { <span class="ml-2 font-medium text-amber-800">{a}</span> })}
                                            </p>
                                            </div>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <Pager page=p.page pages query=pager_query/>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::{AppError, money::format_cents, paging};

    use super::{EventCard, PER_PAGE, db};

    pub async fn list(
        q: String,
        when: String,
        free: bool,
        online: bool,
        page: u32,
    ) -> Result<paging::Paged<EventCard>, AppError> {
        let state = appkit::state()?;
        let q = q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "Search with at most 100 characters.",
            ));
        }
        let filters = db::Filters {
            q: q.to_owned(),
            when: if matches!(when.as_str(), "week" | "weekend") {
                when
            } else {
                String::new()
            },
            free,
            online,
        };
        let page = page.clamp(1, paging::MAX_PAGE);
        let (rows, total) = db::page(
            &state.pool,
            &filters,
            i64::from(PER_PAGE),
            paging::offset(page, PER_PAGE),
        )
        .await?;
        Ok(paging::Paged {
            items: rows
                .into_iter()
                .map(|r| {
                    let tz: chrono_tz::Tz = platform::time::stored_zone(&r.time_zone);
                    EventCard {
                        when: platform::time::label(r.starts_at, tz),
                        place: if r.online {
                            "Online".to_owned()
                        } else {
                            r.venue
                        },
                        price: r.lowest_price_cents.map(|c| {
                            if c == 0 {
                                "Free".to_owned()
                            } else {
                                format!("from {}", format_cents(i64::from(c)))
                            }
                        }),
                        availability: r.left.and_then(crate::events::rules::availability),
                        slug: r.slug,
                        thumbnail_url: r.cover_key.as_deref().map(storage::Storage::thumbnail_path),
                        title: r.title,
                        time_zone: r.time_zone,
                        starts_at: r.starts_at,
                    }
                })
                .collect(),
            page,
            per_page: PER_PAGE,
            total: u64::try_from(total).unwrap_or(0),
        })
    }
}

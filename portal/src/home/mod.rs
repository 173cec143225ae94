//! The portal home: what is happening across the suite, from each app's `GET /api/v1/home`.

use api::home::{Card, CardAction, HomeSections};
use leptos::prelude::*;
use leptos_meta::Title;
use platform::AppError;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod feed;

/// One app's sections, as fresh as the app let us have them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Section<T> {
    /// The app's latest answer.
    Fresh(T),
    /// The app did not answer; this is the last good copy, `age_secs` old.
    Stale { data: T, age_secs: u64 },
    /// The app did not answer and there is no earlier copy.
    Unavailable,
}

/// One app on the home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSections {
    /// The app's name in the manifest.
    pub app: String,
    /// "Restaurants".
    pub title: String,
    /// Its public home page.
    pub url: String,
    pub sections: Section<HomeSections>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeFeed {
    /// In the manifest's order.
    pub apps: Vec<AppSections>,
    /// Where a visitor signs in to use a card's button (`None`: signed in).
    pub sign_in_url: Option<String>,
    /// A fresh idempotency key for the cards' buttons: pressed twice, one RSVP.
    pub form_key: String,
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
    let apps = crate::server::portal(&state)?
        .aggregator
        .feed(request_id)
        .await;
    let signed_in = state.sessions.user_of(&parts).await?.is_some();
    Ok(HomeFeed {
        apps,
        sign_in_url: (!signed_in).then(|| state.sign_in_url("/")),
        form_key: uuid::Uuid::new_v4().to_string(),
    })
}

#[component]
pub fn HomePage() -> impl IntoView {
    let feed = Resource::new_blocking(|| (), |()| get_home_feed());
    let rsvp = ServerAction::<crate::events::HomeRsvp>::new();
    let error = Signal::derive(move || rsvp.value().get().and_then(Result::err));
    view! {
        <Title text=""/>
        <section class="rounded-xl bg-gradient-to-r from-amber-600 to-rose-600 px-6 py-10 text-white">
            <h1 class="text-3xl font-bold sm:text-4xl">"SteppersLife"</h1>
            <p class="mt-2 max-w-2xl text-lg text-amber-50">
                "Where to eat, what's on, and who's teaching — the stepping community in one place."
            </p>
        </section>
        <div class="mt-4"><ui::FormError error/></div>
        <Suspense fallback=|| view! { <p class="mt-6 text-slate-500">"Loading what's happening…"</p> }>
            {move || Suspend::new(async move {
                match feed.await {
                    Ok(feed) => {
                        let buttons = Buttons { sign_in_url: feed.sign_in_url, key: feed.form_key, rsvp };
                        feed.apps.into_iter().map(|app| view! { <AppBlock app buttons=buttons.clone()/> }).collect_view().into_any()
                    }
                    Err(e) => view! { <p class="mt-6 text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the cards' buttons need.
#[derive(Clone)]
struct Buttons {
    sign_in_url: Option<String>,
    key: String,
    rsvp: ServerAction<crate::events::HomeRsvp>,
}

/// One app's sections, or why they are missing.
#[component]
fn AppBlock(app: AppSections, buttons: Buttons) -> impl IntoView {
    let AppSections {
        app: name,
        title,
        url,
        sections,
    } = app;
    let (data, note) = match sections {
        Section::Fresh(d) => (Some(d), None),
        Section::Stale { data, .. } => (
            Some(data),
            Some(format!(
                "{title} isn't answering right now; this list may be a little out of date."
            )),
        ),
        Section::Unavailable => (None, None),
    };
    let Some(data) = data else {
        return view! {
            <section class="mt-8" data-testid=format!("home-{name}")>
                <div class="flex items-baseline justify-between">
                    <h2 class="text-xl font-bold">{title.clone()}</h2>
                    <a href=url class="text-sm font-medium text-amber-700 hover:underline">{format!("Open {title} →")}</a>
                </div>
                <p class="mt-2 text-sm text-slate-500" data-testid="section-note">
                    {format!("{title} can't be reached right now. Try again in a moment.")}
                </p>
            </section>
        }
        .into_any();
    };
    data.sections
        .into_iter()
        .map(|s| {
            view! {
                <section class="mt-8" data-testid=format!("home-{name}-{}", s.key)>
                    <div class="flex items-baseline justify-between">
                        <h2 class="text-xl font-bold">{s.title}</h2>
                        <a href=s.more_url class="text-sm font-medium text-amber-700 hover:underline">{format!("{} →", s.more_label)}</a>
                    </div>
                    {note.clone().map(|n| view! { <p class="mt-2 text-sm text-slate-500" data-testid="section-note">{n}</p> })}
                    {if s.cards.is_empty() {
                        view! { <p class="mt-3 text-slate-600">{s.empty}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                                {s.cards.into_iter().map(|c| view! { <CardView card=c app=name.clone() buttons=buttons.clone()/> }).collect_view()}
                            </ul>
                        }
                        .into_any()
                    }}
                </section>
            }
        })
        .collect_view()
        .into_any()
}

#[component]
fn CardView(card: Card, app: String, buttons: Buttons) -> impl IntoView {
    let title = card.title.clone();
    let action = card.action.clone().map(|a| match a {
        CardAction::Rsvp { ticket_type_id } => match buttons.sign_in_url.clone() {
            Some(href) => view! {
                <a href=href class="mx-4 mb-4 inline-block rounded-md border border-amber-600 px-3 py-1.5 text-sm font-medium text-amber-700 hover:bg-amber-50" data-testid="home-sign-in-to-rsvp">"Sign in to RSVP"</a>
            }.into_any(),
            None => view! {
                <ActionForm action=buttons.rsvp attr:class="px-4 pb-4">
                    <input type="hidden" name="app" value=app.clone()/>
                    <input type="hidden" name="ticket_type_id" value=ticket_type_id.to_string()/>
                    <input type="hidden" name="key" value=format!("{}-{}", buttons.key, ticket_type_id.simple())/>
                    <button type="submit" class="rounded-md bg-amber-700 px-3 py-1.5 text-sm font-semibold text-white hover:bg-amber-800" data-testid="home-rsvp">
                        <span aria-hidden="true">"RSVP"</span>
                        <span class="sr-only">{format!("RSVP to {title}")}</span>
                    </button>
                </ActionForm>
            }.into_any(),
        },
    });
    view! {
        <li class="overflow-hidden rounded-lg border border-slate-200 bg-white hover:shadow" data-testid="home-card">
            <a href=card.url class="block">
                {card.image_url.map(|src| view! {
                    <img src=src alt="" width="640" height="360" class="aspect-video h-auto w-full object-cover" loading="lazy" data-testid="home-cover"/>
                })}
                <div class="p-4">
                    <div class="font-semibold text-slate-900">{card.title}</div>
                    <div class="text-sm text-slate-600">{card.subtitle}</div>
                    {card.badge.map(|b| view! {
                        <div class=if b.good { "text-sm font-medium text-green-700" } else { "text-sm text-slate-500" }>{b.text}</div>
                    })}
                </div>
            </a>
            {action}
        </li>
    }
}

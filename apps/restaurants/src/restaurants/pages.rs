//! The restaurants' pages: the list, a restaurant's page (with its menu and cart), adding
//! and editing one.

use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, FormError, NotFound, Pager, SubmitButton, TextArea, TextField};

use super::{
    CreateRestaurant, RestaurantDetail, RestaurantView, UpdateHours, UpdateRestaurant,
    can_create_restaurant, get_restaurant, get_restaurant_for_edit, list_restaurants, price,
};
use crate::hours::{Period, day_name};

#[component]
pub fn RestaurantListPage() -> impl IntoView {
    // The search, the "open now" filter and the page are in the URL: a plain GET form.
    let query = leptos_router::hooks::use_query_map();
    let (q, open, page) = query.with_untracked(|m| {
        (
            m.get("q").unwrap_or_default(),
            m.get("open").is_some_and(|v| v == "1"),
            platform::paging::page_param(m.get("page").as_deref()),
        )
    });
    let list = Resource::new_blocking(
        {
            let q = q.clone();
            move || (q.clone(), open, page)
        },
        |(q, open, page)| list_restaurants(q, open, page),
    );
    let searched = !q.trim().is_empty() || open;
    view! {
        <Title text=""/>
        <div class="flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-bold">"Restaurants"</h1>
            <a href="/new" class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" data-testid="add-restaurant">
                "Add your restaurant"
            </a>
        </div>
        <form method="get" action="/" role="search" class="mt-4 flex flex-wrap items-center gap-2" data-testid="restaurant-search">
            <label for="q" class="sr-only">"Search restaurants"</label>
            <input id="q" name="q" type="search" value=q.clone() maxlength=super::MAX_SEARCH.to_string()
                placeholder="Name, cuisine or city"
                class="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-base shadow-sm focus:border-amber-600 focus:outline-none focus:ring-1 focus:ring-amber-600"/>
            <label class="inline-flex items-center gap-2 text-sm">
                <input type="checkbox" name="open" value="1" checked=open class="h-4 w-4"/>
                "Open now"
            </label>
            <button type="submit" class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-100">"Search"</button>
            {searched.then(|| view! { <a href="/" class="text-sm text-amber-700 underline">"Clear"</a> })}
        </form>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || {
                let q = q.clone();
                Suspend::new(async move {
                    match list.await {
                        Err(e) => Either::Left(view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }),
                        Ok(found) => {
                            let pages = found.pages();
                            let summary = match (found.total, searched) {
                                (0, true) => "No restaurant matches your search.".to_owned(),
                                (0, false) => "No restaurants yet.".to_owned(),
                                (1, _) => "1 restaurant".to_owned(),
                                (n, _) => format!("{n} restaurants"),
                            };
                            let mut filters = vec![("q".to_owned(), q.trim().to_owned())];
                            if open {
                                filters.push(("open".to_owned(), "1".to_owned()));
                            }
                            Either::Right(view! {
                                <p class="mt-4 text-sm text-slate-600" data-testid="result-count">{summary}</p>
                                <ul class="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="restaurant-list">
                                    {found.items.into_iter().map(|r| view! {
                                        <li class="overflow-hidden rounded-lg border border-slate-200 bg-white hover:shadow">
                                            <a href=format!("/r/{}", r.slug) class="block">
                                                {r.cover_url.map(|src| view! { <img src=src alt="" width="640" height="360" class="h-32 w-full object-cover" loading="lazy"/> })}
                                                <div class="p-4">
                                                    <div class="flex items-center gap-2">
                                                        <span class="font-semibold">{r.name}</span>
                                                        {r.featured.then(|| view! { <span class="rounded bg-amber-100 px-1.5 text-xs text-amber-800">"Featured"</span> })}
                                                    </div>
                                                    <div class="text-sm text-slate-600">{format!("{} · {} · {}", r.cuisine, r.city, price(r.price_level))}</div>
                                                    <OpenBadge is_open=r.is_open text=r.status_text/>
                                                </div>
                                            </a>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <Pager page=found.page pages query=filters/>
                            })
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
pub fn RestaurantPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    // Blocking: the answer's status (404) depends on it, so it must be known before headers go.
    let view_res = Resource::new_blocking(slug, get_restaurant);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view_res.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="restaurant"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(RestaurantView { restaurant: r, can_edit, role, menu, pickup_slots, asap, sign_in_url }) => view! {
                        <Title text=r.name.clone()/>
                        {r.cover_url.clone().map(|src| view! {
                            <img src=src alt="" class="mb-4 h-48 w-full rounded-lg object-cover sm:h-64" data-testid="cover-photo"/>
                        })}
                        <article class="rounded-lg border border-slate-200 bg-white p-6">
                            <div class="flex flex-wrap items-start justify-between gap-3">
                                <div>
                                    <h1 class="text-3xl font-bold" data-testid="restaurant-name">{r.name.clone()}</h1>
                                    <p class="mt-1 text-slate-600">{format!("{} · {} · {}", r.cuisine, r.city, price(r.price_level))}</p>
                                    <OpenBadge is_open=r.is_open text=r.status_text.clone()/>
                                </div>
                                <div class="flex gap-2">
                                    {role.is_some().then(|| view! {
                                        <a href=format!("/dashboard/r/{}/orders", r.slug) class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100" data-testid="manage-orders">"Orders"</a>
                                        <a href=format!("/dashboard/r/{}/menu", r.slug) class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100" data-testid="edit-menu">"Menu"</a>
                                    })}
                                    {can_edit.then(|| view! {
                                        <a href=format!("/r/{}/edit", r.slug) rel="external" class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100" data-testid="edit-restaurant">"Edit"</a>
                                    })}
                                </div>
                            </div>
                            {(!r.address.is_empty()).then(|| view! { <p class="mt-4 text-sm"><span class="font-medium">"Address: "</span>{r.address.clone()}</p> })}
                            {(!r.description.is_empty()).then(|| view! { <p class="mt-4 whitespace-pre-line">{r.description.clone()}</p> })}
                            <HoursTable hours=r.hours.clone() time_zone=r.time_zone.clone()/>
                        </article>
                        <crate::orders::pages::OrderingMenu restaurant_id=r.id menu open_now=asap slots=pickup_slots sign_in_url/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Open now · closes 22:00" in green, or the next opening in grey.
#[component]
fn OpenBadge(
    /// Whether it is open now.
    is_open: bool,
    /// The status line.
    text: String,
) -> impl IntoView {
    let class = if is_open {
        "mt-1 text-sm font-medium text-green-700"
    } else {
        "mt-1 text-sm text-slate-500"
    };
    view! { <p class=class data-testid="open-status">{text}</p> }
}

/// The week's opening hours, one line a day.
#[component]
fn HoursTable(
    /// The periods.
    hours: Vec<Period>,
    /// The zone they are in.
    time_zone: String,
) -> impl IntoView {
    if hours.is_empty() {
        return ().into_any();
    }
    let days = (0..7u8)
        .map(|d| {
            let periods: Vec<String> = hours
                .iter()
                .filter(|p| p.weekday == d)
                .map(|p| {
                    let next_day = if p.crosses_midnight() && p.closes != chrono::NaiveTime::MIN {
                        " (next day)"
                    } else {
                        ""
                    };
                    format!(
                        "{}–{}{next_day}",
                        p.opens.format("%H:%M"),
                        p.closes.format("%H:%M")
                    )
                })
                .collect();
            let text = if periods.is_empty() {
                "Closed".to_owned()
            } else {
                periods.join(", ")
            };
            view! {
                <tr>
                    <td class="py-0.5 pr-4 font-medium">{day_name(d)}</td>
                    <td class="py-0.5">{text}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="mt-6">
            <h2 class="text-lg font-semibold">"Hours"</h2>
            // An explicit tbody: the browser adds one anyway, and hydration must find what SSR sent.
            <table class="mt-2 text-sm" data-testid="hours"><tbody>{days}</tbody></table>
            <p class="mt-1 text-xs text-slate-500">{format!("Times are local ({time_zone}).")}</p>
        </section>
    }
    .into_any()
}

/// The form shared by "add" and "edit".
#[component]
fn RestaurantForm(
    /// Current values (empty when adding).
    initial: Option<RestaurantDetail>,
    /// The form's last error.
    error: Signal<Option<AppError>>,
    /// Whether the form is being sent.
    pending: Signal<bool>,
    /// Submit button text.
    submit: &'static str,
) -> impl IntoView {
    let r = initial.clone();
    let get = move |f: fn(&RestaurantDetail) -> String| r.as_ref().map(f).unwrap_or_default();
    let level = initial.as_ref().map_or(2, |r| r.price_level);
    let level_error = move || error.get().and_then(|e| e.message_for("price_level"));
    view! {
        {initial.as_ref().map(|r| view! { <input type="hidden" name="id" value=r.id.to_string()/> })}
        <TextField name="name" label="Name" value=get(|r| r.name.clone()) required=true error/>
        <div class="grid gap-4 sm:grid-cols-2">
            <TextField name="cuisine" label="Cuisine (e.g. Soul food, Caribbean)" value=get(|r| r.cuisine.clone()) required=true error/>
            <TextField name="city" label="City" value=get(|r| r.city.clone()) required=true error/>
        </div>
        <TextField name="address" label="Address" value=get(|r| r.address.clone()) error/>
        <div class="space-y-1">
            <label for="price_level" class="block text-sm font-medium text-slate-700">"Price"</label>
            <select id="price_level" name="price_level" class="block w-full rounded-md border border-slate-300 px-3 py-2 text-base">
                {(1..=4).map(|l: i16| view! { <option value=l.to_string() selected=l == level>{price(l)}</option> }).collect_view()}
            </select>
            <p class="text-sm text-red-600" data-field-error="price_level">{level_error}</p>
        </div>
        <ui::TimeZoneSelect label="Time zone of your hours" current=initial.as_ref().map(|r| r.time_zone.clone()) error/>
        <TextArea name="description" label="About" value=get(|r| r.description.clone()) error/>
        <FormError error/>
        <SubmitButton label=submit pending/>
    }
}

#[component]
pub fn NewRestaurantPage() -> impl IntoView {
    let gate = Resource::new_blocking(|| (), |()| can_create_restaurant());
    view! {
        <Title text="Add your restaurant"/>
        <div class="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            <h1 class="text-2xl font-bold">"Add your restaurant"</h1>
            <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match gate.await {
                        Err(AppError::Unauthorized) => view! {
                            <p class="mt-4">"Sign in first, then come back to add your restaurant."</p>
                        }.into_any(),
                        Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                        Ok(()) => view! { <NewRestaurantForm/> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

/// The "add" form (an island: errors show under their fields, what was typed stays).
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn NewRestaurantForm() -> impl IntoView {
    let action = ServerAction::<CreateRestaurant>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="restaurant-form">
            <RestaurantForm initial=None error pending=action.pending().into() submit="Add restaurant"/>
        </ActionForm>
    }
}

/// The hours form's fields, Monday first.
const HOURS_FIELDS: [(&str, &str); 7] = [
    ("hours_0", "Monday"),
    ("hours_1", "Tuesday"),
    ("hours_2", "Wednesday"),
    ("hours_3", "Thursday"),
    ("hours_4", "Friday"),
    ("hours_5", "Saturday"),
    ("hours_6", "Sunday"),
];

#[component]
pub fn EditRestaurantPage() -> impl IntoView {
    let params = use_params_map();
    let slug = params.read_untracked().get("slug").unwrap_or_default();
    let current = Resource::new_blocking(move || slug.clone(), get_restaurant_for_edit);
    view! {
        <Title text="Edit restaurant"/>
        <div class="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            <h1 class="text-2xl font-bold">"Edit restaurant"</h1>
            <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
                {move || {
                    Suspend::new(async move {
                        match current.await {
                            Err(AppError::NotFound(_)) => view! { <NotFound what="restaurant"/> }.into_any(),
                            Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                            Ok(r) => {
                                let cover = r.cover_url.clone();
                                let photo_action = format!("/dashboard/photos/cover/{}", r.id);
                                let back = format!("/r/{}/edit", r.slug);
                                view! {
                                    <EditRestaurantForm initial=r.clone()/>
                                    <h2 class="mt-10 text-xl font-bold">"Opening hours"</h2>
                                    <p class="mt-1 text-sm text-slate-600">
                                        "Periods like 11:00-14:30, 17:00-22:00. A period may run past midnight (20:00-02:00). Leave a day empty when closed."
                                    </p>
                                    <HoursForm id=r.id hours=r.hours/>
                                    <h2 class="mt-10 text-xl font-bold">"Cover photo"</h2>
                                    <ui::PictureForm action=photo_action back label="Cover photo" current=cover testid="cover-form"/>
                                }.into_any()
                            }
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// The "edit" form.
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn EditRestaurantForm(initial: RestaurantDetail) -> impl IntoView {
    let action = ServerAction::<UpdateRestaurant>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="restaurant-form">
            <RestaurantForm initial=Some(initial) error pending=action.pending().into() submit="Save changes"/>
        </ActionForm>
    }
}

/// The opening hours, one field a weekday.
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn HoursForm(id: uuid::Uuid, hours: Vec<Period>) -> impl IntoView {
    let hours_action = ServerAction::<UpdateHours>::new();
    let hours_error = Signal::derive(move || hours_action.value().get().and_then(Result::err));
    view! {
        <ActionForm action=hours_action attr:class="mt-4 space-y-3" attr:data-testid="hours-form">
            <input type="hidden" name="id" value=id.to_string()/>
            {HOURS_FIELDS.iter().enumerate().map(|(d, (name, label))| {
                let value = crate::hours::format_day(&hours, u8::try_from(d).unwrap_or(0));
                view! { <TextField name=*name label=*label value error=hours_error/> }
            }).collect_view()}
            <FormError error=hours_error/>
            <SubmitButton label="Save hours" pending=hours_action.pending()/>
        </ActionForm>
    }
}

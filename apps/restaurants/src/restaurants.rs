//! Restaurants: the public list and page, and creating and editing one's own.

use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextArea, TextField};
use uuid::Uuid;

use crate::hours::{Period, day_name};

/// A restaurant in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantCard {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub price_level: i16,
    pub featured: bool,
    /// Open at the moment of the request (in the restaurant's time zone).
    pub is_open: bool,
    /// "Open now · closes 22:00", "Closed · opens Tue 11:00", ...
    pub status_text: String,
    /// Path of the cover photo.
    pub cover_url: Option<String>,
}

/// A restaurant's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantDetail {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub cuisine: String,
    pub city: String,
    pub address: String,
    pub description: String,
    pub price_level: i16,
    pub featured: bool,
    /// IANA time zone of the hours, e.g. `America/Chicago`.
    pub time_zone: String,
    pub hours: Vec<Period>,
    pub is_open: bool,
    pub status_text: String,
    /// Path of the cover photo.
    pub cover_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestaurantView {
    pub restaurant: RestaurantDetail,
    /// Whether the visitor owns it.
    pub can_edit: bool,
    /// The visitor's part in it, when they have one (the dashboard link).
    pub role: Option<crate::access::Role>,
    pub menu: api::restaurants::Menu,
    /// Pickup times on offer: (instant, "Today 18:15").
    pub pickup_slots: Vec<(chrono::DateTime<chrono::Utc>, String)>,
    /// Where to sign in and come back here; `None` when signed in (ordering needs it).
    pub sign_in_url: Option<String>,
}

fn price(level: i16) -> String {
    "$".repeat(usize::try_from(level.clamp(1, 4)).unwrap_or(1))
}

/// Every restaurant, newest first.
#[server(prefix = "/api/restaurants", endpoint = "list")]
pub async fn list_restaurants() -> Result<Vec<RestaurantCard>, AppError> {
    let state = ssr::state()?;
    ssr::list(&state.pool, false, 200)
        .await
        .map_err(AppError::respond)
}

/// One restaurant, and whether the visitor may edit it.
#[server(prefix = "/api/restaurants", endpoint = "get")]
pub async fn get_restaurant(slug: String) -> Result<RestaurantView, AppError> {
    ssr::get_view(slug).await.map_err(AppError::respond)
}

/// Answers 401 unless someone is signed in (the "add a restaurant" page asks first).
#[server(prefix = "/api/restaurants", endpoint = "can-create")]
pub async fn can_create_restaurant() -> Result<(), AppError> {
    ssr::require_user()
        .await
        .map(|_| ())
        .map_err(AppError::respond)
}

/// Adds a restaurant owned by the signed-in user, then opens its page.
#[server(prefix = "/api/restaurants", endpoint = "create")]
pub async fn create_restaurant(
    name: String,
    cuisine: String,
    city: String,
    address: String,
    description: String,
    price_level: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    ssr::create(ssr::RawFields {
        name,
        cuisine,
        city,
        address,
        description,
        price_level,
        time_zone: time_zone.unwrap_or_default(),
    })
    .await
    .map_err(AppError::respond)
}

/// Replaces the opening hours of a restaurant its owner owns (one form field a weekday, Monday
/// first; see [`crate::hours::parse_day`]), then opens its page.
#[server(prefix = "/api/restaurants", endpoint = "hours")]
pub async fn update_hours(
    id: Uuid,
    hours_0: String,
    hours_1: String,
    hours_2: String,
    hours_3: String,
    hours_4: String,
    hours_5: String,
    hours_6: String,
) -> Result<(), AppError> {
    let days = [
        hours_0, hours_1, hours_2, hours_3, hours_4, hours_5, hours_6,
    ];
    ssr::update_hours(id, &days)
        .await
        .map_err(AppError::respond)
}

/// A restaurant for its edit form: only for its owner.
#[server(prefix = "/api/restaurants", endpoint = "for-edit")]
pub async fn get_restaurant_for_edit(slug: String) -> Result<RestaurantDetail, AppError> {
    ssr::get_for_edit(slug).await.map_err(AppError::respond)
}

/// Saves the owner's changes, then opens the restaurant's page.
#[server(prefix = "/api/restaurants", endpoint = "update")]
pub async fn update_restaurant(
    id: Uuid,
    name: String,
    cuisine: String,
    city: String,
    address: String,
    description: String,
    price_level: String,
    time_zone: Option<String>,
) -> Result<(), AppError> {
    ssr::update(
        id,
        ssr::RawFields {
            name,
            cuisine,
            city,
            address,
            description,
            price_level,
            time_zone: time_zone.unwrap_or_default(),
        },
    )
    .await
    .map_err(AppError::respond)
}

#[component]
pub fn RestaurantListPage() -> impl IntoView {
    let list = Resource::new(|| (), |()| list_restaurants());
    view! {
        <Title text=""/>
        <div class="flex flex-wrap items-center justify-between gap-3">
            <h1 class="text-2xl font-bold">"Restaurants"</h1>
            <a href="/new" rel="external" class="rounded-md bg-amber-600 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-700" data-testid="add-restaurant">
                "Add your restaurant"
            </a>
        </div>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(e) => Either::Left(view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }),
                    Ok(list) => Either::Right(view! {
                        <ul class="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="restaurant-list">
                            {list.into_iter().map(|r| view! {
                                <li class="rounded-lg border border-slate-200 bg-white p-4 hover:shadow">
                                    <a href=format!("/r/{}", r.slug) class="block">
                                        <div class="flex items-center gap-2">
                                            <span class="font-semibold">{r.name}</span>
                                            {r.featured.then(|| view! { <span class="rounded bg-amber-100 px-1.5 text-xs text-amber-800">"Featured"</span> })}
                                        </div>
                                        <div class="text-sm text-slate-600">{format!("{} · {} · {}", r.cuisine, r.city, price(r.price_level))}</div>
                                        <OpenBadge is_open=r.is_open text=r.status_text/>
                                    </a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }),
                }
            })}
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
                    Ok(RestaurantView { restaurant: r, can_edit, role, menu, pickup_slots, sign_in_url }) => view! {
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
                        <crate::orders::pages::OrderingMenu restaurant_id=r.id menu open_now=r.is_open slots=pickup_slots sign_in_url/>
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
        <TimeZoneSelect current=initial.as_ref().map(|r| r.time_zone.clone()) error/>
        <TextArea name="description" label="About" value=get(|r| r.description.clone()) error/>
        <FormError error/>
        <SubmitButton label=submit pending/>
    }
}

/// Time zones offered in the form (the restaurant's hours are kept in its own zone).
const TIME_ZONES: [(&str, &str); 7] = [
    ("America/New_York", "Eastern (New York, Atlanta, Detroit)"),
    ("America/Chicago", "Central (Chicago, Houston)"),
    ("America/Denver", "Mountain (Denver)"),
    ("America/Phoenix", "Arizona (Phoenix)"),
    ("America/Los_Angeles", "Pacific (Los Angeles, Seattle)"),
    ("America/Anchorage", "Alaska"),
    ("Pacific/Honolulu", "Hawaii"),
];

#[component]
fn TimeZoneSelect(
    /// The restaurant's zone (Central when adding).
    current: Option<String>,
    /// The form's last error.
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let current = current.unwrap_or_else(|| "America/Chicago".to_owned());
    let listed = TIME_ZONES.iter().any(|(z, _)| *z == current);
    let message = move || error.get().and_then(|e| e.message_for("time_zone"));
    view! {
        <div class="space-y-1">
            <label for="time_zone" class="block text-sm font-medium text-slate-700">"Time zone of your hours"</label>
            <select id="time_zone" name="time_zone" class="block w-full rounded-md border border-slate-300 px-3 py-2 text-base">
                {(!listed).then(|| view! { <option value=current.clone() selected=true>{current.clone()}</option> })}
                {TIME_ZONES.iter().map(|(zone, label)| view! {
                    <option value=*zone selected=*zone == current>{*label}</option>
                }).collect_view()}
            </select>
            <p class="text-sm text-red-600" data-field-error="time_zone">{message}</p>
        </div>
    }
}

#[component]
pub fn NewRestaurantPage() -> impl IntoView {
    let gate = Resource::new(|| (), |()| can_create_restaurant());
    let action = ServerAction::<CreateRestaurant>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
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
                        Ok(()) => view! {
                            <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="restaurant-form">
                                <RestaurantForm initial=None error pending=action.pending().into() submit="Add restaurant"/>
                            </ActionForm>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </div>
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
    let slug = move || params.read().get("slug").unwrap_or_default();
    let current = Resource::new_blocking(slug, get_restaurant_for_edit);
    let action = ServerAction::<UpdateRestaurant>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let hours_action = ServerAction::<UpdateHours>::new();
    let query = leptos_router::hooks::use_query_map();
    let photo_error = move || query.read().get("photo_error");
    let hours_error = Signal::derive(move || hours_action.value().get().and_then(Result::err));
    view! {
        <Title text="Edit restaurant"/>
        <div class="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            <h1 class="text-2xl font-bold">"Edit restaurant"</h1>
            <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Err(AppError::NotFound(_)) => view! { <NotFound what="restaurant"/> }.into_any(),
                        Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                        Ok(r) => {
                            let id = r.id.to_string();
                            let hours = r.hours.clone();
                            let cover = r.cover_url.clone();
                            let photo_action = format!("/dashboard/photos/cover/{}", r.id);
                            let back = format!("/r/{}/edit", r.slug);
                            view! {
                                <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="restaurant-form">
                                    <RestaurantForm initial=Some(r) error pending=action.pending().into() submit="Save changes"/>
                                </ActionForm>
                                <h2 class="mt-10 text-xl font-bold">"Opening hours"</h2>
                                <p class="mt-1 text-sm text-slate-600">
                                    "Periods like 11:00-14:30, 17:00-22:00. A period may run past midnight (20:00-02:00). Leave a day empty when closed."
                                </p>
                                <ActionForm action=hours_action attr:class="mt-4 space-y-3" attr:data-testid="hours-form">
                                    <input type="hidden" name="id" value=id/>
                                    {HOURS_FIELDS.iter().enumerate().map(|(d, (name, label))| {
                                        let value = crate::hours::format_day(&hours, u8::try_from(d).unwrap_or(0));
                                        view! { <TextField name=*name label=*label value error=hours_error/> }
                                    }).collect_view()}
                                    <FormError error=hours_error/>
                                    <SubmitButton label="Save hours" pending=hours_action.pending()/>
                                </ActionForm>
                                <h2 class="mt-10 text-xl font-bold">"Cover photo"</h2>
                                {cover.map(|src| view! { <img src=src alt="" class="mt-2 h-32 rounded-md object-cover"/> })}
                                {move || photo_error().map(|m| view! { <div class="mt-2"><ErrorBox message=m/></div> })}
                                <form method="post" action=photo_action enctype="multipart/form-data" class="mt-3 flex flex-wrap items-center gap-2" data-testid="cover-form">
                                    <input type="hidden" name="back" value=back/>
                                    <input type="file" name="photo" accept="image/jpeg,image/png,image/webp,image/gif" required class="text-sm" aria-label="Cover photo"/>
                                    <button class="rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100">"Upload"</button>
                                </form>
                                <p class="mt-1 text-xs text-slate-500">"JPEG, PNG, WebP or GIF, up to 5 MiB."</p>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use chrono::{NaiveTime, Utc};
    use chrono_tz::Tz;
    use leptos::prelude::*;
    use platform::AppError;
    use sqlx::PgPool;
    use sso::SessionUser;
    use uuid::Uuid;

    use super::{RestaurantCard, RestaurantDetail, RestaurantView};
    use crate::hours::{Period, describe};
    use crate::server::AppState;

    pub fn state() -> Result<AppState, AppError> {
        use_context::<AppState>().ok_or_else(|| AppError::internal("no AppState"))
    }

    pub async fn require_user() -> Result<(AppState, SessionUser), AppError> {
        Ok((state()?, ui::require_user().await?))
    }

    /// Form input as typed.
    #[derive(Debug, Clone, Default)]
    pub struct RawFields {
        pub name: String,
        pub cuisine: String,
        pub city: String,
        pub address: String,
        pub description: String,
        pub price_level: String,
        /// IANA name; empty means the default zone.
        pub time_zone: String,
    }

    /// Form input once checked: every field within its limits.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RestaurantFields {
        pub name: String,
        pub cuisine: String,
        pub city: String,
        pub address: String,
        pub description: String,
        pub price_level: i16,
        pub time_zone: String,
    }

    fn text(
        field: &'static str,
        label: &str,
        raw: &str,
        min: usize,
        max: usize,
    ) -> Result<String, AppError> {
        let v = raw.trim();
        let n = v.chars().count();
        if n < min {
            return Err(AppError::validation(field, format!("Enter the {label}.")));
        }
        if n > max {
            return Err(AppError::validation(
                field,
                format!("Use at most {max} characters."),
            ));
        }
        if v.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(AppError::validation(
                field,
                "Remove the special characters.",
            ));
        }
        Ok(v.to_owned())
    }

    impl RestaurantFields {
        pub fn parse(raw: &RawFields) -> Result<Self, AppError> {
            let name = text("name", "restaurant's name", &raw.name, 1, 100)?;
            if !name.chars().any(char::is_alphanumeric) {
                return Err(AppError::validation(
                    "name",
                    "The name needs at least one letter or digit.",
                ));
            }
            Ok(Self {
                name,
                cuisine: text("cuisine", "cuisine", &raw.cuisine, 1, 60)?,
                city: text("city", "city", &raw.city, 1, 80)?,
                address: text("address", "address", &raw.address, 0, 200)?,
                description: text("description", "description", &raw.description, 0, 2000)?,
                price_level: raw
                    .price_level
                    .trim()
                    .parse()
                    .ok()
                    .filter(|l| (1..=4).contains(l))
                    .ok_or_else(|| {
                        AppError::validation("price_level", "Choose a price from $ to $$$$.")
                    })?,
                time_zone: parse_time_zone(&raw.time_zone)?,
            })
        }
    }

    /// Default time zone of a restaurant whose form did not say.
    pub const DEFAULT_TIME_ZONE: &str = "America/Chicago";

    /// An IANA time zone name (`America/Chicago`), or the default when empty.
    pub fn parse_time_zone(raw: &str) -> Result<String, AppError> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(DEFAULT_TIME_ZONE.to_owned());
        }
        raw.parse::<Tz>()
            .map(|tz| tz.name().to_owned())
            .map_err(|_| {
                AppError::validation(
                    "time_zone",
                    "Choose the restaurant's time zone from the list.",
                )
            })
    }

    /// A URL slug from a name: lower-case ASCII letters and digits joined by single dashes.
    pub fn slugify(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            let c = match c {
                'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
                'è' | 'é' | 'ê' | 'ë' => 'e',
                'ì' | 'í' | 'î' | 'ï' => 'i',
                'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
                'ù' | 'ú' | 'û' | 'ü' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                c => c,
            };
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let out = out.trim_end_matches('-');
        let out: String = out.chars().take(60).collect();
        if out.is_empty() {
            "restaurant".to_owned()
        } else {
            out.trim_end_matches('-').to_owned()
        }
    }

    #[derive(sqlx::FromRow)]
    struct Row {
        id: Uuid,
        owner_id: Uuid,
        slug: String,
        name: String,
        cuisine: String,
        city: String,
        address: String,
        description: String,
        price_level: i16,
        featured: bool,
        time_zone: String,
        cover_key: Option<String>,
    }

    impl Row {
        fn tz(&self) -> Tz {
            self.time_zone
                .parse()
                .unwrap_or(chrono_tz::America::Chicago)
        }

        fn detail(self, hours: Vec<Period>) -> RestaurantDetail {
            let status = crate::hours::status(&hours, self.tz(), Utc::now());
            RestaurantDetail {
                id: self.id,
                slug: self.slug,
                name: self.name,
                cuisine: self.cuisine,
                city: self.city,
                address: self.address,
                description: self.description,
                price_level: self.price_level,
                featured: self.featured,
                time_zone: self.time_zone,
                hours,
                is_open: status.is_open(),
                status_text: describe(status),
                cover_url: self.cover_key.as_deref().map(storage::Storage::public_path),
            }
        }
    }

    /// The opening hours of each of `ids`.
    async fn hours_of(pool: &PgPool, ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Period>>, AppError> {
        let rows: Vec<(Uuid, i16, NaiveTime, NaiveTime)> = sqlx::query_as(
            "select restaurant_id, weekday, opens, closes from opening_hours
             where restaurant_id = any($1) order by weekday, opens",
        )
        .bind(ids)
        .fetch_all(pool)
        .await?;
        let mut by_id: HashMap<Uuid, Vec<Period>> = HashMap::new();
        for (id, weekday, opens, closes) in rows {
            by_id.entry(id).or_default().push(Period {
                weekday: u8::try_from(weekday).unwrap_or(0),
                opens,
                closes,
            });
        }
        Ok(by_id)
    }

    macro_rules! columns {
        () => {
            "id, owner_id, slug, name, cuisine, city, address, description, price_level, featured, time_zone, cover_key"
        };
    }

    /// Newest first; featured ones only when `featured_only`.
    pub async fn list(
        pool: &PgPool,
        featured_only: bool,
        limit: i64,
    ) -> Result<Vec<RestaurantCard>, AppError> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "select ",
            columns!(),
            " from restaurants
             where ($1 = false or featured) order by created_at desc, id limit $2"
        ))
        .bind(featured_only)
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut hours = hours_of(pool, &ids).await?;
        let now = Utc::now();
        Ok(rows
            .into_iter()
            .map(|r| {
                let periods = hours.remove(&r.id).unwrap_or_default();
                let status = crate::hours::status(&periods, r.tz(), now);
                let cover_url = r.cover_key.as_deref().map(storage::Storage::public_path);
                RestaurantCard {
                    id: r.id,
                    slug: r.slug,
                    name: r.name,
                    cuisine: r.cuisine,
                    city: r.city,
                    price_level: r.price_level,
                    featured: r.featured,
                    is_open: status.is_open(),
                    status_text: describe(status),
                    cover_url,
                }
            })
            .collect())
    }

    async fn find(pool: &PgPool, slug: &str) -> Result<Option<Row>, AppError> {
        Ok(sqlx::query_as(concat!(
            "select ",
            columns!(),
            " from restaurants where slug = $1"
        ))
        .bind(slug)
        .fetch_optional(pool)
        .await?)
    }

    pub async fn get_view(slug: String) -> Result<RestaurantView, AppError> {
        let state = state()?;
        let row = find(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
        let user = ui::signed_in_user().await?;
        let can_edit = user.as_ref().is_some_and(|u| u.id == row.owner_id);
        let role = match &user {
            Some(u) => crate::access::ssr::role(&state.pool, row.id, u.id).await?,
            None => None,
        };
        let hours = hours_of(&state.pool, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        let now = Utc::now();
        let tz = row.tz();
        let pickup_slots = crate::hours::pickup_slots(&hours, tz, now)
            .into_iter()
            .map(|at| (at, crate::hours::slot_label(tz, now, at)))
            .collect();
        let menu = crate::menu::db::load(&state.pool, row.id, true).await?;
        Ok(RestaurantView {
            restaurant: row.detail(hours),
            can_edit,
            role,
            menu,
            pickup_slots,
            sign_in_url: user.is_none().then(|| {
                let here = format!("{}/r/{}", state.suite.origin_of("restaurants"), slug);
                format!(
                    "{}/signin?return_to={}",
                    state.suite.portal(),
                    platform::percent_encode(&here)
                )
            }),
        })
    }

    /// Name, time zone and hours of a restaurant by id (what an order is checked against).
    pub async fn hours_by_id(
        pool: &PgPool,
        id: Uuid,
    ) -> Result<Option<(String, Tz, Vec<Period>)>, AppError> {
        let row: Option<(String, String)> =
            sqlx::query_as("select name, time_zone from restaurants where id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
        let Some((name, zone)) = row else {
            return Ok(None);
        };
        let hours = hours_of(pool, &[id]).await?.remove(&id).unwrap_or_default();
        Ok(Some((
            name,
            zone.parse().unwrap_or(chrono_tz::America::Chicago),
            hours,
        )))
    }

    /// Id and name of the restaurant at `slug`; `NotFound` when there is none.
    pub async fn id_and_name(pool: &PgPool, slug: &str) -> Result<(Uuid, String), AppError> {
        sqlx::query_as("select id, name from restaurants where slug = $1")
            .bind(slug)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such restaurant."))
    }

    /// A restaurant's details with its hours, by slug.
    pub async fn detail(pool: &PgPool, slug: &str) -> Result<Option<RestaurantDetail>, AppError> {
        let Some(row) = find(pool, slug).await? else {
            return Ok(None);
        };
        let hours = hours_of(pool, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        Ok(Some(row.detail(hours)))
    }

    pub async fn get_for_edit(slug: String) -> Result<RestaurantDetail, AppError> {
        let (state, user) = require_user().await?;
        let row = find(&state.pool, &slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such restaurant."))?;
        if row.owner_id != user.id {
            return Err(AppError::Forbidden(
                "Only the restaurant's owner can edit it.".into(),
            ));
        }
        let hours = hours_of(&state.pool, &[row.id])
            .await?
            .remove(&row.id)
            .unwrap_or_default();
        Ok(row.detail(hours))
    }

    /// Inserts with a slug derived from the name; a taken slug gets a numeric suffix.
    pub async fn insert(
        pool: &PgPool,
        owner: Uuid,
        f: &RestaurantFields,
    ) -> Result<String, AppError> {
        let base = slugify(&f.name);
        for attempt in 1..=10 {
            // name, name-2 … name-5, then a random suffix (a name nobody can exhaust).
            let slug = match attempt {
                1 => base.clone(),
                2..=5 => format!("{base}-{attempt}"),
                _ => format!("{base}-{}", &Uuid::new_v4().simple().to_string()[..6]),
            };
            let result = sqlx::query(
                "insert into restaurants (owner_id, slug, name, cuisine, city, address, description, price_level, time_zone)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(owner)
            .bind(&slug)
            .bind(&f.name)
            .bind(&f.cuisine)
            .bind(&f.city)
            .bind(&f.address)
            .bind(&f.description)
            .bind(f.price_level)
            .bind(&f.time_zone)
            .execute(pool)
            .await;
            match result {
                Ok(_) => return Ok(slug),
                Err(sqlx::Error::Database(db))
                    if db.constraint() == Some("restaurants_slug_key") =>
                {
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::conflict(
            "name",
            "That name is taken many times over; add your neighbourhood to it.",
        ))
    }

    /// Updates a restaurant its owner owns. The slug stays, so links keep working.
    pub async fn update_owned(
        pool: &PgPool,
        id: Uuid,
        owner: Uuid,
        f: &RestaurantFields,
    ) -> Result<String, AppError> {
        let slug: Option<String> = sqlx::query_scalar(
            "update restaurants set name = $3, cuisine = $4, city = $5, address = $6, description = $7,
                    price_level = $8, time_zone = $9, updated_at = now()
             where id = $1 and owner_id = $2
             returning slug",
        )
        .bind(id)
        .bind(owner)
        .bind(&f.name)
        .bind(&f.cuisine)
        .bind(&f.city)
        .bind(&f.address)
        .bind(&f.description)
        .bind(f.price_level)
        .bind(&f.time_zone)
        .fetch_optional(pool)
        .await?;
        if let Some(slug) = slug {
            return Ok(slug);
        }
        let exists: bool =
            sqlx::query_scalar("select exists(select 1 from restaurants where id = $1)")
                .bind(id)
                .fetch_one(pool)
                .await?;
        Err(if exists {
            AppError::Forbidden("Only the restaurant's owner can edit it.".into())
        } else {
            AppError::not_found("There is no such restaurant.")
        })
    }

    pub async fn create(raw: RawFields) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let fields = RestaurantFields::parse(&raw)?;
        let slug = insert(&state.pool, user.id, &fields).await?;
        tracing::info!(user_id = %user.id, slug, "restaurant created");
        leptos_axum::redirect(&format!("/r/{slug}"));
        Ok(())
    }

    /// Checks every day first, then replaces the hours in one transaction: a bad day changes
    /// nothing.
    pub async fn update_hours(id: Uuid, days: &[String; 7]) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let mut periods = Vec::new();
        for (d, raw) in days.iter().enumerate() {
            let weekday = u8::try_from(d).unwrap_or(0);
            let day = crate::hours::parse_day(weekday, raw)
                .map_err(|m| AppError::validation(format!("hours_{d}"), m))?;
            periods.extend(day);
        }
        if let Some(d) = crate::hours::week_overlap(&periods) {
            return Err(AppError::validation(
                format!("hours_{d}"),
                "This day's hours overlap the previous day's late hours.",
            ));
        }
        let mut tx = state.pool.begin().await?;
        let slug: Option<String> = sqlx::query_scalar(
            "select slug from restaurants where id = $1 and owner_id = $2 for update",
        )
        .bind(id)
        .bind(user.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(slug) = slug else {
            let exists: bool =
                sqlx::query_scalar("select exists(select 1 from restaurants where id = $1)")
                    .bind(id)
                    .fetch_one(&state.pool)
                    .await?;
            return Err(if exists {
                AppError::Forbidden("Only the restaurant's owner can edit it.".into())
            } else {
                AppError::not_found("There is no such restaurant.")
            });
        };
        sqlx::query("delete from opening_hours where restaurant_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for p in &periods {
            sqlx::query(
                "insert into opening_hours (restaurant_id, weekday, opens, closes) values ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(i16::from(p.weekday))
            .bind(p.opens)
            .bind(p.closes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        leptos_axum::redirect(&format!("/r/{slug}"));
        Ok(())
    }

    pub async fn update(id: Uuid, raw: RawFields) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let fields = RestaurantFields::parse(&raw)?;
        let slug = update_owned(&state.pool, id, user.id, &fields).await?;
        leptos_axum::redirect(&format!("/r/{slug}"));
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn raw() -> RawFields {
            RawFields {
                name: "  Soul Food Kitchen ".into(),
                cuisine: "Southern".into(),
                city: "Chicago".into(),
                address: String::new(),
                description: String::new(),
                price_level: "2".into(),
                time_zone: String::new(),
            }
        }

        #[test]
        fn valid_fields_are_trimmed() {
            let f = RestaurantFields::parse(&raw()).expect("valid");
            assert_eq!(f.name, "Soul Food Kitchen");
            assert_eq!(f.price_level, 2);
        }

        #[test]
        fn each_bad_field_is_named() {
            type Spoil = fn(&mut RawFields);
            let cases: [(Spoil, &str); 6] = [
                (|r| r.name = " ".into(), "name"),
                (|r| r.name = "!!!".into(), "name"),
                (|r| r.cuisine = String::new(), "cuisine"),
                (|r| r.city = "x".repeat(81), "city"),
                (|r| r.price_level = "5".into(), "price_level"),
                (|r| r.price_level = "two".into(), "price_level"),
            ];
            for (spoil, field) in cases {
                let mut r = raw();
                spoil(&mut r);
                let err = RestaurantFields::parse(&r).expect_err(field);
                assert_eq!(err.field(), Some(field));
                assert_eq!(err.status(), 422);
            }
        }

        #[test]
        fn slugs_are_plain_ascii() {
            assert_eq!(slugify("Soul Food Kitchen"), "soul-food-kitchen");
            assert_eq!(slugify("  Café  Olé!! "), "cafe-ole");
            assert_eq!(slugify("徐"), "restaurant");
            assert!(slugify(&"a ".repeat(100)).len() <= 60);
        }
    }
}

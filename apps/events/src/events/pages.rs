//! The event's page, and the organizer's pages: their events, a new event, one event's ticket
//! types and publication. Plain forms: they work without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextArea, TextField};

use super::{
    AddTicketType, EventView, PublishEvent, TicketTypeView, edit::CreateEvent, get_event, my_events,
};
use crate::{
    cancel::{CancelEvent, PostponeEvent},
    checkout::{Checkout, ReserveAtDoor},
    tickets::Rsvp,
    waitlist::{JoinWaitlist, LeaveWaitlist},
};

fn slug_param() -> String {
    use_params_map()
        .read_untracked()
        .get("slug")
        .unwrap_or_default()
}

/// `/e/{slug}`: an event, its ticket types and the RSVP forms of free ones.
#[component]
pub fn EventPage() -> impl IntoView {
    let event = Resource::new_blocking(slug_param, get_event);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="event"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(e) => view! { <EventDetails e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EventDetails(e: EventView) -> impl IntoView {
    let rsvp = ServerAction::<Rsvp>::new();
    let buy = ServerAction::<Checkout>::new();
    let door = ServerAction::<ReserveAtDoor>::new();
    let error = Signal::derive(move || {
        rsvp.value()
            .get()
            .and_then(Result::err)
            .or_else(|| buy.value().get().and_then(Result::err))
            .or_else(|| door.value().get().and_then(Result::err))
    });
    let door = e.door_payment.then_some(door);
    let place = if e.online {
        "Online".to_owned()
    } else if e.address.is_empty() {
        e.venue.clone()
    } else {
        format!("{} · {}", e.venue, e.address)
    };
    let key = e.form_key.clone();
    view! {
        <Title text=e.title.clone()/>
        <article class="mx-auto max-w-3xl" data-testid="event">
            {(e.status == "draft").then(|| view! {
                <p class="mb-3 rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="status">"A draft: only you see it until you publish it."</p>
            })}
            {(e.status == "cancelled").then(|| view! {
                <p class="mb-3 rounded-md bg-red-50 p-3 font-semibold text-red-900" role="status" data-testid="event-cancelled">"This event is cancelled. Ticket holders are refunded."</p>
            })}
            {(e.status == "postponed").then(|| view! {
                <p class="mb-3 rounded-md bg-amber-50 p-3 font-semibold text-amber-900" role="status" data-testid="event-postponed">"This event is postponed: a new date is coming. Tickets stay valid."</p>
            })}
            {e.cover_url.clone().map(|src| view! {
                <img src=src alt="" width="1600" height="900" fetchpriority="high" class="mb-4 aspect-video h-auto w-full rounded-lg object-cover" data-testid="event-cover"/>
            })}
            <h1 class="text-3xl font-bold" data-testid="event-title">{e.title.clone()}</h1>
            <p class="mt-2 text-slate-700" data-testid="event-when">
                <time datetime=e.starts_at.to_rfc3339()>{e.starts_label.clone()}</time>
                " – " {e.ends_label.clone()} " (" {e.time_zone.clone()} ")"
            </p>
            <InYourZone starts_at=e.starts_at.to_rfc3339() ends_at=e.ends_at.to_rfc3339() zone=e.time_zone.clone()/>
            <p class="text-slate-700" data-testid="event-place">{place}</p>
            {(!e.organizer_name.is_empty()).then(|| view! {
                <p class="text-sm text-slate-500">"By " {e.organizer_name.clone()}</p>
            })}
            {(e.status != "draft").then(|| view! {
                <a class="mt-2 mr-4 inline-block text-sm underline" href=format!("/e/{}/calendar.ics", e.slug) data-testid="add-to-calendar">"Add to calendar"</a>
            })}
            {e.is_organizer.then(|| view! {
                <a class="mt-2 inline-block text-sm underline" href=format!("/dashboard/e/{}", e.slug)>"Manage this event"</a>
            })}
            <div class="formatted mt-4" data-testid="event-description" inner_html=e.description_html.clone()></div>
            <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
                <h2 class="text-lg font-semibold">"Tickets"</h2>
                <ul class="mt-3 divide-y divide-slate-100" data-testid="ticket-types">
                    {e.ticket_types.into_iter().map(|t| view! { <TicketTypeRow waiting=e.waiting_for.contains(&t.id) t rsvp buy door key=key.clone() sign_in=e.sign_in_url.clone() published=e.status == "published"/> }).collect_view()}
                </ul>
                <FormError error/>
            </section>
        </article>
    }
}

#[component]
fn TicketTypeRow(
    t: TicketTypeView,
    rsvp: ServerAction<Rsvp>,
    buy: ServerAction<Checkout>,
    /// "Reserve, pay at the door", when the event allows it.
    door: Option<ServerAction<ReserveAtDoor>>,
    key: String,
    /// Whether the viewer is on this type's waiting list.
    waiting: bool,
    /// Whether the event takes orders (and so a waiting list).
    published: bool,
    /// Where a visitor signs in first (`None`: signed in).
    sign_in: Option<String>,
) -> impl IntoView {
    let free = t.price_cents == 0;
    let most = t
        .max_per_order
        .min(i32::try_from(t.left).unwrap_or(i32::MAX))
        .max(1);
    let qty_id = format!("qty-{}", t.id);
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3" data-testid="ticket-type" data-name=t.name.clone()>
            <div>
                <p class="font-medium">{t.name.clone()}</p>
                <p class="text-sm text-slate-600">
                    {t.price_label.clone()}
                    {t.availability.clone().map(|a| view! { <span class="ml-2 font-medium text-amber-800" data-testid="availability">{a}</span> })}
                    {t.sale_note.clone().map(|n| view! { <span class="ml-2 text-slate-600" data-testid="sale-note">{n}</span> })}
                </p>
            </div>
            {match (t.on_sale, sign_in) {
                (true, Some(href)) => view! {
                    <a href=href class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" data-testid="sign-in-to-rsvp">
                        {if free { "Sign in to RSVP" } else { "Sign in to buy" }}
                    </a>
                }.into_any(),
                (true, None) => {
                    // One key per form and page: sent twice, the places are taken once.
                    let form_key = format!("{key}-{}", t.id.simple());
                    let fields = view! {
                        <input type="hidden" name="ticket_type_id" value=t.id.to_string()/>
                        <input type="hidden" name="idempotency_key" value=form_key/>
                        <label for=qty_id.clone() class="text-sm">"Places"</label>
                        <select id=qty_id name="quantity" class="rounded-md border border-slate-300 px-2 py-2 text-base">
                            {(1..=most).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                        </select>
                    };
                    if free {
                        view! {
                            <ActionForm action=rsvp attr:class="flex items-end gap-2">
                                {fields}
                                <button type="submit" class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" data-testid="rsvp">"RSVP"</button>
                            </ActionForm>
                        }.into_any()
                    } else {
                        let door_form = door.map(|door| {
                            let door_qty = format!("door-qty-{}", t.id);
                            view! {
                                <ActionForm action=door attr:class="flex items-end gap-2">
                                    <input type="hidden" name="ticket_type_id" value=t.id.to_string()/>
                                    <input type="hidden" name="idempotency_key" value=format!("{key}-door-{}", t.id.simple())/>
                                    <label for=door_qty.clone() class="text-sm">"Places"</label>
                                    <select id=door_qty name="quantity" class="rounded-md border border-slate-300 px-2 py-2 text-base">
                                        {(1..=most).map(|n| view! { <option value=n.to_string()>{n}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="rounded-md border border-amber-600 px-4 py-2 text-sm font-semibold text-amber-700 hover:bg-amber-50" data-testid="pay-at-door">"Reserve, pay at the door"</button>
                                </ActionForm>
                            }
                        });
                        view! {
                            <div class="flex flex-col items-end gap-2">
                                <ActionForm action=buy attr:class="flex items-end gap-2">
                                    {fields}
                                    <button type="submit" class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" data-testid="buy">"Buy"</button>
                                </ActionForm>
                                {door_form}
                            </div>
                        }.into_any()
                    }
                }
                (false, sign_in) if published && t.left == 0 => view! { <WaitlistButton ticket_type=t.id waiting sign_in/> }.into_any(),
                (false, _) => ().into_any(),
            }}
        </li>
    }
}

/// `/dashboard`: the organizer's events.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let events = Resource::new_blocking(|| (), |()| my_events());
    let staffed = Resource::new_blocking(|| (), |()| crate::staff::my_staffed_events());
    view! {
        <Title text="Your events"/>
        <div class="flex flex-wrap items-center justify-between gap-2">
            <h1 class="text-2xl font-bold">"Your events"</h1>
            <a href="/dashboard/new" class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white hover:bg-amber-800" data-testid="new-event">"New event"</a>
        </div>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="mt-4 text-slate-600">"No events yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 space-y-2" data-testid="my-events">
                            {list.into_iter().map(|e| view! {
                                <li class="rounded-lg border border-slate-200 bg-white p-4">
                                    <a class="font-semibold underline" href=format!("/dashboard/e/{}", e.slug)>{e.title}</a>
                                    <p class="text-sm text-slate-600">{format!("{} · {}", e.starts_label, e.status)}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match staffed.await {
                    Ok(list) if !list.is_empty() => view! {
                        <h2 class="mt-8 text-xl font-bold">"Events you work at"</h2>
                        <ul class="mt-3 space-y-2" data-testid="staffed-events">
                            {list.into_iter().map(|e| view! {
                                <li class="rounded-lg border border-slate-200 bg-white p-4">
                                    <p class="font-semibold">{e.title}</p>
                                    <p class="text-sm text-slate-600">{e.starts_label}</p>
                                    <p class="mt-1 flex gap-4 text-sm">
                                        <a class="underline" href=format!("/dashboard/e/{}/door", e.slug)>"Door"</a>
                                        <a class="underline" href=format!("/dashboard/e/{}/attendees", e.slug)>"Attendees"</a>
                                    </p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/dashboard/new`: a new event, as a draft.
#[component]
pub fn NewEventPage() -> impl IntoView {
    let create = ServerAction::<CreateEvent>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    view! {
        <Title text="New event"/>
        <h1 class="text-2xl font-bold">"New event"</h1>
        <ActionForm action=create attr:class="mt-4 max-w-xl space-y-4" attr:data-testid="event-form">
            <TextField name="title" label="Title" required=true error/>
            <TextArea name="description" label="Description" hint=ui::FORMATTING_HINT error/>
            <TextField name="venue" label="Venue" error/>
            <TextField name="address" label="Address" autocomplete="street-address" error/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="online" value="on" class="h-5 w-5"/>
                "Online"
            </label>
            <ui::TimeZoneSelect label="Time zone of the event" current=None error/>
            <TextField name="starts" label="Starts (the event's local time)" kind="datetime-local" required=true error/>
            <TextField name="ends" label="Ends" kind="datetime-local" required=true error/>
            <TextField name="capacity" label="Places in all (leave empty for only each ticket type's)" kind="number" error/>
            <TextField name="cancel_hours" label="Attendees may cancel (and get their money back) until this many hours before the start" kind="number" value="24" error/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="door_payment" value="on" class="h-5 w-5"/>
                "Attendees may reserve paid tickets and pay at the door"
            </label>

            <FormError error/>
            <SubmitButton label="Create as a draft" pending=create.pending()/>
        </ActionForm>
    }
}

/// `/dashboard/e/{slug}`: one event's ticket types and publication, for its organizer.
#[component]
pub fn ManageEventPage() -> impl IntoView {
    let event = Resource::new_blocking(slug_param, get_event);
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match event.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="event"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(e) if !e.is_organizer => view! { <ErrorBox message="Only the event's organizer can manage it."/> }.into_any(),
                    Ok(e) => view! { <ManageEvent e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ManageEvent(e: EventView) -> impl IntoView {
    let add = ServerAction::<AddTicketType>::new();
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let publish = ServerAction::<PublishEvent>::new();
    let publish_error = Signal::derive(move || publish.value().get().and_then(Result::err));
    let slug = e.slug.clone();
    let publish_slug = e.slug.clone();
    view! {
        <Title text=format!("Manage · {}", e.title)/>
        <h1 class="text-2xl font-bold">{e.title.clone()}</h1>
        <p class="text-slate-600">{format!("{} · {}", e.starts_label, e.status)}</p>
        <p class="flex flex-wrap gap-4 text-sm">
            <a class="underline" href=format!("/e/{}", e.slug)>"See its page"</a>
            {(e.status != "cancelled").then(|| view! {
                <a class="underline" href=format!("/dashboard/e/{}/edit", e.slug) data-testid="edit-link">"Edit"</a>
            })}
            {(e.status == "published").then(|| view! {
                <a class="underline" href=format!("/dashboard/e/{}/door", e.slug) data-testid="door-link">"Door: check tickets in"</a>
                <a class="underline" href=format!("/dashboard/e/{}/attendees", e.slug) data-testid="attendees-link">"Sales and attendees"</a>
                <a class="underline" href=format!("/dashboard/e/{}/staff", e.slug) data-testid="staff-link">"Staff"</a>
            })}
        </p>
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <h2 class="text-lg font-semibold">"Cover picture"</h2>
            <ui::PictureForm action=format!("/dashboard/e/{}/cover", e.slug) back=format!("/dashboard/e/{}", e.slug) label="Cover picture" current=e.cover_url.clone() testid="cover-form"/>
        </section>
        <section class="mt-6 rounded-lg border border-slate-200 bg-white p-5">
            <h2 class="text-lg font-semibold">"Ticket types"</h2>
            <ul class="mt-2 space-y-1 text-sm" data-testid="manage-ticket-types">
                {e.ticket_types.iter().map(|t| view! {
                    <li class="flex flex-wrap items-baseline gap-x-3">
                        <span>{format!("{} · {} · {} left", t.name, t.price_label, t.left)}</span>
                        {(e.status != "cancelled").then(|| view! {
                            <a class="underline" href=format!("/dashboard/e/{}/types/{}", e.slug, t.id) data-testid="edit-ticket-type">
                                "Edit" <span class="sr-only">{format!(" {}", t.name)}</span>
                            </a>
                        })}
                    </li>
                }).collect_view()}
            </ul>
            <ActionForm action=add attr:class="mt-4 grid gap-3 sm:grid-cols-2" attr:data-testid="ticket-type-form">
                <input type="hidden" name="slug" value=slug.clone()/>
                <TextField name="name" label="Name (General, VIP…)" required=true error=add_error/>
                <TextField name="price" label="Price in dollars (empty: free)" error=add_error/>
                <TextField name="capacity" label="Places" kind="number" required=true error=add_error/>
                <TextField name="max_per_order" label="Most in one order (default 10)" kind="number" error=add_error/>
                <TextField name="sales_start" label="Sales open (optional, the event's local time)" kind="datetime-local" error=add_error/>
                <TextField name="sales_end" label="Sales close (optional; else when the event starts)" kind="datetime-local" error=add_error/>
                <div class="sm:col-span-2"><FormError error=add_error/></div>
                <SubmitButton label="Add ticket type" pending=add.pending()/>
            </ActionForm>
        </section>
        {(e.status == "draft").then(move || view! {
            <ActionForm action=publish attr:class="mt-6" attr:data-testid="publish-form">
                <input type="hidden" name="slug" value=publish_slug/>
                <FormError error=publish_error/>
                <SubmitButton label="Publish" pending=publish.pending()/>
            </ActionForm>
        })}
        {matches!(e.status.as_str(), "published" | "postponed").then(|| view! { <CallOff slug=e.slug.clone() postponable=e.status == "published"/> })}
    }
}

/// Postponing or cancelling an event: each asks for a tick and takes a note to the holders.
#[component]
fn CallOff(slug: String, postponable: bool) -> impl IntoView {
    let cancel = ServerAction::<CancelEvent>::new();
    let cancel_error = Signal::derive(move || cancel.value().get().and_then(Result::err));
    let postpone = ServerAction::<PostponeEvent>::new();
    let postpone_error = Signal::derive(move || postpone.value().get().and_then(Result::err));
    let postpone_slug = slug.clone();
    view! {
        <section class="mt-8 rounded-lg border border-red-200 bg-white p-5">
            <h2 class="text-lg font-semibold">"Postpone or cancel"</h2>
            {postponable.then(move || view! {
                <h3 class="mt-3 font-semibold">"Postpone"</h3>
                <ActionForm action=postpone attr:class="mt-2 space-y-3" attr:data-testid="postpone-form">
                    <input type="hidden" name="slug" value=postpone_slug/>
                    <TextArea name="message" id="postpone-message" label="A note to every ticket holder (optional)" error=postpone_error/>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="checkbox" name="confirm" value="yes" class="h-5 w-5"/>
                        "Postpone: sales stop, tickets stay valid, holders may cancel for a refund"
                    </label>
                    <FormError error=postpone_error/>
                    <SubmitButton label="Postpone the event" pending=postpone.pending()/>
                </ActionForm>
            })}
            <h3 class="mt-6 font-semibold text-red-800">"Cancel"</h3>
            <ActionForm action=cancel attr:class="mt-2 space-y-3" attr:data-testid="cancel-event-form">
                <input type="hidden" name="slug" value=slug/>
                <TextArea name="message" id="cancel-message" label="A note to every ticket holder (optional)" error=cancel_error/>
                <label class="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="confirm" value="yes" class="h-5 w-5"/>
                    "Cancel: every ticket is void and every payment refunded. This cannot be undone."
                </label>
                <FormError error=cancel_error/>
                <SubmitButton label="Cancel the event" pending=cancel.pending() danger=true/>
            </ActionForm>
        </section>
    }
}

/// "Join the waiting list" of a sold-out ticket type, or "You're on the waiting list" with a
/// way off it (plain forms).
#[component]
fn WaitlistButton(
    ticket_type: uuid::Uuid,
    waiting: bool,
    sign_in: Option<String>,
) -> impl IntoView {
    let join = ServerAction::<JoinWaitlist>::new();
    let leave = ServerAction::<LeaveWaitlist>::new();
    match (sign_in, waiting) {
        (Some(href), _) => view! {
            <a href=href class="rounded-md border border-amber-600 px-3 py-2 text-sm font-medium text-amber-700" data-testid="sign-in-to-wait">"Sign in to join the waiting list"</a>
        }.into_any(),
        (None, false) => view! {
            <ActionForm action=join>
                <input type="hidden" name="ticket_type_id" value=ticket_type.to_string()/>
                <button type="submit" class="rounded-md border border-amber-600 px-3 py-2 text-sm font-medium text-amber-700 hover:bg-amber-50" data-testid="join-waitlist">"Join the waiting list"</button>
            </ActionForm>
        }.into_any(),
        (None, true) => view! {
            <ActionForm action=leave attr:class="flex items-center gap-2">
                <span class="text-sm text-slate-700" data-testid="on-waitlist">"You're on the waiting list: we'll email you if a place frees up."</span>
                <input type="hidden" name="ticket_type_id" value=ticket_type.to_string()/>
                <button type="submit" class="text-sm underline">"Leave it"</button>
            </ActionForm>
        }.into_any(),
    }
}

/// The event's times in the viewer's own zone, when it is not the event's: only the browser
/// knows it, so this shows nothing until the page runs (and nothing without JavaScript).
#[island]
fn InYourZone(starts_at: String, ends_at: String, zone: String) -> impl IntoView {
    let yours = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        yours.set(in_your_zone::label(&starts_at, &ends_at, &zone));
        #[cfg(not(feature = "hydrate"))]
        let _ = (&starts_at, &ends_at, &zone);
    });
    view! {
        {move || yours.get().map(|t| view! {
            <p class="text-sm text-slate-600" data-testid="event-when-yours">{t}</p>
        })}
    }
}

#[cfg(feature = "hydrate")]
mod in_your_zone {
    use js_sys::{Array, Date, Intl, Object, Reflect};
    use wasm_bindgen::JsValue;

    /// "Your time: Sun 13 Dec, 02:00 – 07:00 GMT" when the browser's zone is not `zone`.
    pub fn label(starts_at: &str, ends_at: &str, zone: &str) -> Option<String> {
        let resolved = Intl::DateTimeFormat::new(&Array::new(), &Object::new()).resolved_options();
        let yours = Reflect::get(&resolved, &"timeZone".into())
            .ok()?
            .as_string()?;
        if yours == zone {
            return None;
        }
        let format = |at: &str, parts: &[(&str, &str)]| -> Option<String> {
            let options = Object::new();
            for (k, v) in parts {
                Reflect::set(&options, &(*k).into(), &(*v).into()).ok()?;
            }
            Intl::DateTimeFormat::new(&Array::new(), &options)
                .format()
                .call1(&JsValue::NULL, &Date::new(&at.into()))
                .ok()?
                .as_string()
        };
        let day = [("weekday", "short"), ("day", "numeric"), ("month", "short")];
        let time = [("hour", "2-digit"), ("minute", "2-digit")];
        let same_day = format(starts_at, &day)? == format(ends_at, &day)?;
        let start = format(starts_at, &[day.as_slice(), time.as_slice()].concat())?;
        let end = if same_day {
            format(
                ends_at,
                &[time.as_slice(), &[("timeZoneName", "short")]].concat(),
            )?
        } else {
            format(
                ends_at,
                &[
                    day.as_slice(),
                    time.as_slice(),
                    &[("timeZoneName", "short")],
                ]
                .concat(),
            )?
        };
        Some(format!("Your time: {start} – {end}"))
    }
}

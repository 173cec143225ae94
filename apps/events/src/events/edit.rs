//! Creating and editing an event: its organizer changes what its page says. Places already taken stay taken
//! (the shared capacity cannot go below them); a new date is told to every ticket holder, and a
//! postponed event with its new date is published again (rescheduled).

// The edit form's fields are the server function's arguments (one per field, as a plain form
// sends them); the code the macro generates for them takes the same many.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextArea, TextField};

use super::RawEvent;

/// Creates a draft event of the signed-in organizer, then opens its organizer page.
#[server(prefix = "/api/events", endpoint = "create")]
pub async fn create_event(
    title: String,
    description: String,
    venue: String,
    address: String,
    online: Option<String>,
    time_zone: String,
    starts: String,
    ends: String,
    capacity: String,
    cancel_hours: Option<String>,
    door_payment: Option<String>,
) -> Result<(), AppError> {
    super::ssr::create(RawEvent {
        title,
        description,
        venue,
        address,
        online,
        time_zone,
        starts,
        ends,
        capacity,
        cancel_hours,
        door_payment,
    })
    .await
    .map_err(AppError::respond)
}

/// The event's fields as its edit form shows them (the organizer's only).
#[server(prefix = "/api/events", endpoint = "for-edit")]
pub async fn get_event_for_edit(slug: String) -> Result<RawEvent, AppError> {
    ssr::for_edit(slug).await.map_err(AppError::respond)
}

/// Saves the event's new fields, then opens its organizer page.
#[server(prefix = "/api/events", endpoint = "update")]
pub async fn update_event(
    slug: String,
    title: String,
    description: String,
    venue: String,
    address: String,
    online: Option<String>,
    time_zone: String,
    starts: String,
    ends: String,
    capacity: String,
    cancel_hours: Option<String>,
    door_payment: Option<String>,
) -> Result<(), AppError> {
    let raw = RawEvent {
        title,
        description,
        venue,
        address,
        online,
        time_zone,
        starts,
        ends,
        capacity,
        cancel_hours,
        door_payment,
    };
    ssr::update(&slug, raw)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/e/{slug}")))
        .map_err(AppError::respond)
}

/// `/dashboard/e/{slug}/edit`.
#[component]
pub fn EditEventPage() -> impl IntoView {
    let slug = use_params_map()
        .read_untracked()
        .get("slug")
        .unwrap_or_default();
    let current = Resource::new_blocking(move || slug.clone(), get_event_for_edit);
    view! {
        <Title text="Edit event"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match current.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="event"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(raw) => view! { <EditForm raw/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(raw: RawEvent) -> impl IntoView {
    let slug = use_params_map()
        .read_untracked()
        .get("slug")
        .unwrap_or_default();
    let update = ServerAction::<UpdateEvent>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    view! {
        <p class="text-sm"><a class="underline" href=format!("/dashboard/e/{slug}")>"Back to the event"</a></p>
        <h1 class="text-2xl font-bold">"Edit event"</h1>
        <ActionForm action=update attr:class="mt-4 max-w-xl space-y-4" attr:data-testid="edit-event-form">
            <input type="hidden" name="slug" value=slug/>
            <TextField name="title" label="Title" value=raw.title required=true error/>
            <TextArea name="description" label="Description" hint=ui::FORMATTING_HINT value=raw.description error/>
            <TextField name="venue" label="Venue" value=raw.venue error/>
            <TextField name="address" label="Address" value=raw.address autocomplete="street-address" error/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="online" value="on" checked=raw.online.is_some() class="h-5 w-5"/>
                "Online"
            </label>
            <ui::TimeZoneSelect label="Time zone of the event" current=Some(raw.time_zone) error/>
            <TextField name="starts" label="Starts (the event's local time)" kind="datetime-local" value=raw.starts required=true error/>
            <TextField name="ends" label="Ends" kind="datetime-local" value=raw.ends required=true error/>
            <TextField name="capacity" label="Places in all (leave empty for only each ticket type's)" kind="number" value=raw.capacity error/>
            <TextField name="cancel_hours" label="Attendees may cancel (and get their money back) until this many hours before the start" kind="number" value=raw.cancel_hours.unwrap_or_default() error/>
            <label class="flex items-center gap-2 text-sm">
                <input type="checkbox" name="door_payment" value="on" checked=raw.door_payment.is_some() class="h-5 w-5"/>
                "Attendees may reserve paid tickets and pay at the door"
            </label>
            <p class="text-sm text-slate-600">"A new date or time is emailed to everyone holding a ticket."</p>
            <FormError error/>
            <SubmitButton label="Save" pending=update.pending()/>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::require_user;
    use platform::AppError;

    use super::RawEvent;
    use crate::{access::ssr::organizer_of, events::rules::EventFields};

    pub async fn for_edit(slug: String) -> Result<RawEvent, AppError> {
        let (state, user) = require_user().await?;
        let e = organizer_of(&state.pool, &slug, user.id).await?;
        let tz: chrono_tz::Tz = platform::time::stored_zone(&e.time_zone);
        Ok(RawEvent {
            title: e.title,
            description: e.description,
            venue: e.venue,
            address: e.address,
            online: e.online.then(|| "on".to_owned()),
            starts: platform::time::for_input(e.starts_at, tz),
            ends: platform::time::for_input(e.ends_at, tz),
            time_zone: e.time_zone,
            capacity: e.capacity.map(|c| c.to_string()).unwrap_or_default(),
            cancel_hours: Some(e.cancel_hours.to_string()),
            door_payment: e.door_payment.then(|| "on".to_owned()),
        })
    }

    #[tracing::instrument(skip_all, fields(%slug))]
    pub async fn update(slug: &str, raw: RawEvent) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = organizer_of(&state.pool, slug, user.id).await?;
        let f = EventFields::parse(&raw)?;
        if event.status == "cancelled" {
            return Err(AppError::Conflict {
                field: None,
                message: "A cancelled event cannot be changed.".into(),
            });
        }
        let mut tx = state.pool.begin().await?;
        crate::checkout::db::lock_event(&mut tx, event.id).await?;
        if let Some(capacity) = f.capacity {
            let taken = crate::events::db::places_taken(&mut tx, event.id).await?;
            if i64::from(capacity) < taken {
                return Err(AppError::validation(
                    "capacity",
                    format!("{taken} places are taken already: the event needs at least {taken}."),
                ));
            }
        }
        let moved = f.starts_at != event.starts_at || f.ends_at != event.ends_at;
        let rescheduled = moved && event.status == "postponed";
        crate::events::db::update(&mut tx, event.id, &f, rescheduled).await?;
        if moved && event.status != "draft" {
            let tz: chrono_tz::Tz = platform::time::stored_zone(&f.time_zone);
            let mut holders: Vec<(String, String)> = crate::cancel::db::holders(&mut tx, event.id)
                .await?
                .into_iter()
                .map(|h| (h.buyer_email, h.buyer_name))
                .collect();
            holders.sort();
            holders.dedup_by(|a, b| a.0 == b.0);
            let when = format!(
                "{} – {} ({})",
                platform::time::label(f.starts_at, tz),
                platform::time::label(f.ends_at, tz),
                f.time_zone
            );
            for (email, name) in holders {
                mail::enqueue(
                    &mut *tx,
                    &mail::Message {
                        kind: "event-moved",
                        to_address: email,
                        to_name: name.clone(),
                        subject: format!("{}: a new date", f.title),
                        text: format!(
                            "Hello {name},\n\n{} now takes place {when}. Your tickets stay \
                             valid.\n\nIf you cannot come then, cancel your tickets for a refund: \
                             {}\n\nThe event: {}\n",
                            f.title,
                            state.url("/tickets"),
                            state.url(&format!("/e/{}", event.slug)),
                        ),
                        html: None,
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        state.outbox.wake();
        tracing::info!(event = %event.id, moved, rescheduled, "event edited");
        Ok(())
    }
}

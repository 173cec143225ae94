//! An event's ticket types after they are added: its organizer edits one (name, price, places,
//! most per order, sales window) or removes one no ticket was issued of. Places never go below
//! what is taken: the change is checked under the event's lock, the one every taking holds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, FormError, NotFound, SubmitButton, TextField};
use uuid::Uuid;

use super::RawTicketType;

/// A ticket type as its edit form shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketTypeForEdit {
    pub slug: String,
    pub event_title: String,
    pub id: Uuid,
    pub raw: RawTicketType,
    /// Places its tickets take now.
    pub taken: i64,
    /// No ticket of it was ever issued (and it is not the published event's last type).
    pub removable: bool,
}

/// A ticket type of an event of the signed-in organizer, for its edit form.
#[server(prefix = "/api/events", endpoint = "ticket-type")]
pub async fn get_ticket_type(slug: String, id: Uuid) -> Result<TicketTypeForEdit, AppError> {
    ssr::get(slug, id).await.map_err(AppError::respond)
}

/// Saves a ticket type's edited fields.
#[server(prefix = "/api/events", endpoint = "update-ticket-type")]
#[allow(clippy::too_many_arguments)]
pub async fn update_ticket_type(
    slug: String,
    id: Uuid,
    name: String,
    price: String,
    capacity: String,
    max_per_order: String,
    sales_start: Option<String>,
    sales_end: Option<String>,
) -> Result<(), AppError> {
    let raw = RawTicketType {
        name,
        price,
        capacity,
        max_per_order,
        sales_start: sales_start.unwrap_or_default(),
        sales_end: sales_end.unwrap_or_default(),
    };
    ssr::update(slug, id, raw).await.map_err(AppError::respond)
}

/// Removes a ticket type no ticket was issued of.
#[server(prefix = "/api/events", endpoint = "remove-ticket-type")]
pub async fn remove_ticket_type(slug: String, id: Uuid) -> Result<(), AppError> {
    ssr::remove(slug, id).await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
mod ssr {
    use appkit::require_user;
    use platform::AppError;
    use uuid::Uuid;

    use super::TicketTypeForEdit;
    use crate::events::{RawTicketType, db, rules::TicketTypeFields};

    fn not_found() -> AppError {
        AppError::not_found("This event has no such ticket type.")
    }

    pub async fn get(slug: String, id: Uuid) -> Result<TicketTypeForEdit, AppError> {
        let (state, user) = require_user().await?;
        let event = crate::access::ssr::organizer_of(&state.pool, &slug, user.id).await?;
        let mut conn = state.pool.acquire().await?;
        let t = db::ticket_type(&mut conn, event.id, id)
            .await?
            .ok_or_else(not_found)?;
        let issued = db::ticket_type_issued(&mut conn, id).await?;
        let last = db::ticket_type_count(&mut conn, event.id).await? <= 1;
        let tz = platform::time::stored_zone(&event.time_zone);
        let input = |at: Option<chrono::DateTime<chrono::Utc>>| {
            at.map(|at| platform::time::for_input(at, tz))
                .unwrap_or_default()
        };
        Ok(TicketTypeForEdit {
            slug: event.slug,
            event_title: event.title,
            id,
            raw: RawTicketType {
                name: t.name,
                price: if t.price_cents == 0 {
                    String::new()
                } else {
                    platform::money::cents_for_form(i64::from(t.price_cents), false)
                },
                capacity: t.capacity.to_string(),
                max_per_order: t.max_per_order.to_string(),
                sales_start: input(t.sales_start),
                sales_end: input(t.sales_end),
            },
            taken: t.taken,
            // (A published event keeps its last one.)
            removable: !(issued || (last && event.status != "draft")),
        })
    }

    #[tracing::instrument(skip_all, fields(%slug, %id))]
    pub async fn update(slug: String, id: Uuid, raw: RawTicketType) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = crate::access::ssr::organizer_of(&state.pool, &slug, user.id).await?;
        if event.status == "cancelled" {
            return Err(AppError::Conflict {
                field: None,
                message: "A cancelled event cannot be changed.".into(),
            });
        }
        let f = TicketTypeFields::parse(
            &raw,
            platform::time::stored_zone(&event.time_zone),
            event.starts_at,
        )?;
        let mut tx = state.pool.begin().await?;
        crate::checkout::db::lock_event(&mut tx, event.id).await?;
        let t = db::ticket_type(&mut tx, event.id, id)
            .await?
            .ok_or_else(not_found)?;
        if i64::from(f.capacity) < t.taken {
            return Err(AppError::validation(
                "capacity",
                format!(
                    "{taken} places of it are taken already: it needs at least {taken}.",
                    taken = t.taken
                ),
            ));
        }
        db::update_ticket_type(&mut tx, id, &f).await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, "ticket type edited");
        leptos_axum::redirect(&format!("/dashboard/e/{slug}"));
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(%slug, %id))]
    pub async fn remove(slug: String, id: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = crate::access::ssr::organizer_of(&state.pool, &slug, user.id).await?;
        let mut tx = state.pool.begin().await?;
        crate::checkout::db::lock_event(&mut tx, event.id).await?;
        let t = db::ticket_type(&mut tx, event.id, id)
            .await?
            .ok_or_else(not_found)?;
        if db::ticket_type_issued(&mut tx, id).await? {
            return Err(AppError::Conflict {
                field: None,
                message: format!(
                    "Tickets of “{}” were issued, so it stays on their orders. To stop selling \
                     it, set its places to {} (those taken now).",
                    t.name, t.taken
                ),
            });
        }
        if event.status != "draft" && db::ticket_type_count(&mut tx, event.id).await? <= 1 {
            return Err(AppError::Conflict {
                field: None,
                message: "A published event keeps at least one ticket type.".into(),
            });
        }
        db::remove_ticket_type(&mut tx, id).await?;
        tx.commit().await?;
        tracing::info!(user_id = %user.id, "ticket type removed");
        leptos_axum::redirect(&format!("/dashboard/e/{slug}"));
        Ok(())
    }
}

/// `/dashboard/e/{slug}/types/{id}`: one ticket type's edit form, for its event's organizer.
#[component]
pub fn TicketTypePage() -> impl IntoView {
    let args = move || {
        let params = use_params_map().read();
        (
            params.get("slug").unwrap_or_default(),
            params
                .get("id")
                .and_then(|id| id.parse::<Uuid>().ok())
                .unwrap_or_default(),
        )
    };
    let current = Resource::new_blocking(args, |(slug, id)| get_ticket_type(slug, id));
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match current.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="ticket type"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(t) => view! { <TicketTypeForm t/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TicketTypeForm(t: TicketTypeForEdit) -> impl IntoView {
    let update = ServerAction::<UpdateTicketType>::new();
    let error = Signal::derive(move || update.value().get().and_then(Result::err));
    let remove = ServerAction::<RemoveTicketType>::new();
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    let raw = t.raw.clone();
    let remove_slug = t.slug.clone();
    view! {
        <Title text=format!("{} · {}", raw.name, t.event_title)/>
        <p class="text-sm"><a class="underline" href=format!("/dashboard/e/{}", t.slug)>{t.event_title.clone()}</a></p>
        <h1 class="text-2xl font-bold">{format!("Ticket type: {}", raw.name)}</h1>
        <p class="text-slate-600" data-testid="type-taken">{format!("{} places taken. A new price applies to new orders only.", t.taken)}</p>
        <ActionForm action=update attr:class="mt-4 grid max-w-xl gap-3 sm:grid-cols-2" attr:data-testid="edit-ticket-type-form">
            <input type="hidden" name="slug" value=t.slug.clone()/>
            <input type="hidden" name="id" value=t.id.to_string()/>
            <TextField name="name" label="Name" value=raw.name.clone() required=true error/>
            <TextField name="price" label="Price in dollars (empty: free)" value=raw.price.clone() error/>
            <TextField name="capacity" label="Places" kind="number" value=raw.capacity.clone() required=true error/>
            <TextField name="max_per_order" label="Most in one order" kind="number" value=raw.max_per_order.clone() error/>
            <TextField name="sales_start" label="Sales open (optional, the event's local time)" kind="datetime-local" value=raw.sales_start.clone() error/>
            <TextField name="sales_end" label="Sales close (optional; else when the event starts)" kind="datetime-local" value=raw.sales_end.clone() error/>
            <div class="sm:col-span-2"><FormError error/></div>
            <SubmitButton label="Save" pending=update.pending()/>
        </ActionForm>
        {t.removable.then(|| view! {
            <ActionForm action=remove attr:class="mt-8" attr:data-testid="remove-ticket-type-form">
                <input type="hidden" name="slug" value=remove_slug/>
                <input type="hidden" name="id" value=t.id.to_string()/>
                <FormError error=remove_error/>
                <button type="submit" class="rounded-md border border-red-300 px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50">"Remove this ticket type"</button>
            </ActionForm>
        })}
    }
}

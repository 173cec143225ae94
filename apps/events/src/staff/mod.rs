//! An event's staff: its organizer makes a single-use invitation link (valid 7 days); a
//! signed-in person who opens it joins and works the door and sees the attendee list; the
//! organizer removes them at any time. The statements are the app kit's
//! ([`appkit::staff`]), over the events' tables.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::{
    ErrorBox, FormError, NotFound,
    staff::{InviteLink, JoinButton, JoinInvitation, RemoveButton, StaffMember, StaffMembers},
};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStaff {
    pub slug: String,
    pub title: String,
    pub staff: Vec<StaffMember>,
    /// The invitation link just made (shown once).
    pub invite_link: Option<String>,
}

/// An event the signed-in person works at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffedEvent {
    pub slug: String,
    pub title: String,
    pub starts_label: String,
}

/// The event's staff, for its organizer (`invite`: the token of a link just made).
#[server(prefix = "/api/event-staff", endpoint = "list")]
pub async fn get_event_staff(slug: String, invite: String) -> Result<EventStaff, AppError> {
    ssr::list(slug, invite).await.map_err(AppError::respond)
}

/// A new invitation link, shown once on the staff page.
#[server(prefix = "/api/event-staff", endpoint = "invite")]
pub async fn invite_event_staff(slug: String) -> Result<(), AppError> {
    ssr::invite(&slug)
        .await
        .map(|token| leptos_axum::redirect(&format!("/dashboard/e/{slug}/staff?invite={token}")))
        .map_err(AppError::respond)
}

#[server(prefix = "/api/event-staff", endpoint = "remove")]
pub async fn remove_event_staff(slug: String, user_id: Uuid) -> Result<(), AppError> {
    ssr::remove(&slug, user_id)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/e/{slug}/staff")))
        .map_err(AppError::respond)
}

/// The title of the event an invitation is for, while it can be used.
#[server(prefix = "/api/event-staff", endpoint = "invitation")]
pub async fn get_event_invitation(token: String) -> Result<String, AppError> {
    ssr::invitation(token).await.map_err(AppError::respond)
}

/// Joins the event's staff, then opens its door page.
#[server(prefix = "/api/event-staff", endpoint = "join")]
pub async fn join_event_staff(token: String) -> Result<(), AppError> {
    ssr::join(token)
        .await
        .map(|slug| leptos_axum::redirect(&format!("/dashboard/e/{slug}/door")))
        .map_err(AppError::respond)
}

/// The events the signed-in person works at.
#[server(prefix = "/api/event-staff", endpoint = "mine")]
pub async fn my_staffed_events() -> Result<Vec<StaffedEvent>, AppError> {
    ssr::mine().await.map_err(AppError::respond)
}

/// `/dashboard/e/{slug}/staff`.
#[component]
pub fn StaffPage() -> impl IntoView {
    let args = move || {
        (
            use_params_map()
                .read_untracked()
                .get("slug")
                .unwrap_or_default(),
            use_query_map()
                .read_untracked()
                .get("invite")
                .unwrap_or_default(),
        )
    };
    let data = Resource::new_blocking(args, |(slug, invite)| get_event_staff(slug, invite));
    let invite = ServerAction::<InviteEventStaff>::new();
    let remove = ServerAction::<RemoveEventStaff>::new();
    let error = Signal::derive(move || {
        invite
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    view! {
        <Title text="Staff"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="event"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(d) => view! { <StaffManage d invite remove error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn StaffManage(
    d: EventStaff,
    invite: ServerAction<InviteEventStaff>,
    remove: ServerAction<RemoveEventStaff>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let slug = d.slug.clone();
    let members = view! {
        <StaffMembers members=d.staff remove=move |user_id: Uuid| {
            let slug = slug.clone();
            view! {
            <ActionForm action=remove>
                <input type="hidden" name="slug" value=slug/>
                <input type="hidden" name="user_id" value=user_id.to_string()/>
                <RemoveButton/>
            </ActionForm>
            }
        }/>
    };
    view! {
        <div class="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            <p class="text-sm"><a class="underline" href=format!("/dashboard/e/{}", d.slug)>{d.title}</a></p>
            <h1 class="text-2xl font-bold">"Staff"</h1>
            <p class="mt-1 text-sm text-slate-600">"Staff work the door and see the attendee list. They cannot change the event, its tickets or its staff."</p>
            <FormError error/>
            {members}
            <ActionForm action=invite attr:class="mt-6">
                <input type="hidden" name="slug" value=d.slug.clone()/>
                <button class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white" data-testid="create-invite">"Create an invitation link"</button>
            </ActionForm>
            {d.invite_link.map(|link| view! { <InviteLink link/> })}
        </div>
    }
}

/// `/staff/join/{token}`.
#[component]
pub fn JoinStaffPage() -> impl IntoView {
    let token = use_params_map()
        .read_untracked()
        .get("token")
        .unwrap_or_default();
    let info = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_event_invitation,
    );
    let join = ServerAction::<JoinEventStaff>::new();
    let error = Signal::derive(move || join.value().get().and_then(Result::err));
    view! {
        <JoinInvitation info token what="You will work its door and see its attendee list." form=move |token: String| view! {
            <ActionForm action=join attr:class="mt-4 space-y-3">
                <input type="hidden" name="token" value=token/>
                <FormError error/>
                <JoinButton/>
            </ActionForm>
        }/>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{require_user, staff::Joined};
    use platform::AppError;
    use uuid::Uuid;

    use super::{EventStaff, StaffedEvent};
    use crate::access::ssr::{STAFF, organizer_of};

    pub async fn list(slug: String, invite: String) -> Result<EventStaff, AppError> {
        let (state, user) = require_user().await?;
        let event = organizer_of(&state.pool, &slug, user.id).await?;
        Ok(EventStaff {
            staff: STAFF.members(&state.pool, event.id).await?,
            invite_link: appkit::staff::invite_link(&state, "/staff/join", &invite),
            slug: event.slug,
            title: event.title,
        })
    }

    #[tracing::instrument(skip_all, fields(%slug))]
    pub async fn invite(slug: &str) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        let event = organizer_of(&state.pool, slug, user.id).await?;
        STAFF.invite(&state.pool, event.id, user.id).await
    }

    #[tracing::instrument(skip_all, fields(%slug, %member))]
    pub async fn remove(slug: &str, member: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let event = organizer_of(&state.pool, slug, user.id).await?;
        STAFF.remove(&state.pool, event.id, member).await
    }

    fn unusable() -> AppError {
        AppError::not_found(
            "This invitation link has expired or was already used. Ask the organizer for a new one.",
        )
    }

    pub async fn invitation(token: String) -> Result<String, AppError> {
        let (state, _) = require_user().await?;
        STAFF
            .invitation(&state.pool, &token)
            .await?
            .ok_or_else(unusable)
    }

    /// Joins; the event's slug.
    #[tracing::instrument(skip_all)]
    pub async fn join(token: String) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        match STAFF.join(&state.pool, &token, &user).await? {
            Joined::Member(event) => {
                tracing::info!(user_id = %user.id, %event, "joined an event's staff");
                crate::events::db::slug_of(&state.pool, event).await
            }
            Joined::Unusable => Err(unusable()),
            Joined::Owner => Err(AppError::Conflict {
                field: None,
                message:
                    "You organize this event already; send the link to the person you want to add."
                        .into(),
            }),
        }
    }

    pub async fn mine() -> Result<Vec<StaffedEvent>, AppError> {
        let (state, user) = require_user().await?;
        let rows = crate::events::db::staffed_by(&state.pool, user.id).await?;
        Ok(rows
            .into_iter()
            .map(|(slug, title, starts_at, tz)| {
                let tz: chrono_tz::Tz = platform::time::stored_zone(&tz);
                StaffedEvent {
                    slug,
                    title,
                    starts_label: platform::time::label(starts_at, tz),
                }
            })
            .collect())
    }
}

//! Staff: an owner creates a single-use invitation link (valid 7 days) and sends it to a person;
//! that person, signed in, opens it and joins. Staff run the order queue and mark dishes sold
//! out; the owner can remove them at any time.

use leptos::{either::Either, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, FormError, NotFound, staff::StaffMember, use_live};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffData {
    pub restaurant_id: Uuid,
    pub name: String,
    pub slug: String,
    pub staff: Vec<StaffMember>,
}

/// The restaurant's staff, for its owner.
#[server(prefix = "/api/staff", endpoint = "list")]
pub async fn get_staff(slug: String) -> Result<StaffData, AppError> {
    ssr::list(slug).await.map_err(AppError::respond)
}

/// A new invitation link (shown once).
#[server(prefix = "/api/staff", endpoint = "invite")]
pub async fn create_invite(restaurant_id: Uuid) -> Result<String, AppError> {
    ssr::invite(restaurant_id).await.map_err(AppError::respond)
}

#[server(prefix = "/api/staff", endpoint = "remove")]
pub async fn remove_staff(restaurant_id: Uuid, user_id: Uuid) -> Result<(), AppError> {
    ssr::remove(restaurant_id, user_id)
        .await
        .map_err(AppError::respond)
}

/// The name of the restaurant an invitation is for, while it can be used.
#[server(prefix = "/api/staff", endpoint = "invitation")]
pub async fn get_invitation(token: String) -> Result<String, AppError> {
    ssr::invitation(token).await.map_err(AppError::respond)
}

/// Joins the restaurant as staff, then opens the dashboard.
#[server(prefix = "/api/staff", endpoint = "join")]
pub async fn join_staff(token: String) -> Result<(), AppError> {
    ssr::join(token).await.map_err(AppError::respond)
}

#[component]
pub fn StaffPage() -> impl IntoView {
    let params = use_params_map();
    let slug = params.read_untracked().get("slug").unwrap_or_default();
    let data = Resource::new_blocking(move || slug.clone(), get_staff);
    view! {
        <Title text="Staff"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="restaurant"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(d) => view! { <StaffManager initial=d/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The staff list with "Remove", and "Create an invitation link".
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn StaffManager(initial: StaffData) -> impl IntoView {
    let (slug, rid) = (initial.slug.clone(), initial.restaurant_id);
    let invite = ServerAction::<CreateInvite>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let data = use_live(
        initial,
        0,
        Signal::derive(move || remove.version().get()),
        move || get_staff(slug.clone()),
    );
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    view! {
        <div class="mx-auto max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            {move || {
                let d = data.get();
                view! {
                    <h1 class="text-2xl font-bold">{format!("Staff · {}", d.name)}</h1>
                    <p class="mt-1 text-sm text-slate-600">"Staff see and move orders along and mark dishes sold out. They cannot change the menu, hours or staff."</p>
                    {if d.staff.is_empty() {
                        Either::Left(view! { <p class="mt-4 text-slate-600" data-testid="no-staff">"No staff yet."</p> })
                    } else {
                        Either::Right(view! {
                            <ul class="mt-4 divide-y" data-testid="staff-list">
                                {d.staff.into_iter().map(|m| view! {
                                    <li class="flex items-center justify-between py-2">
                                        <span>{m.name}<span class="ml-2 text-xs text-slate-500">{format!("since {}", m.added_at.format("%d %b %Y"))}</span></span>
                                        <ActionForm action=remove>
                                            <input type="hidden" name="restaurant_id" value=rid.to_string()/>
                                            <input type="hidden" name="user_id" value=m.user_id.to_string()/>
                                            <button class="rounded-md border border-red-300 px-2 py-1 text-sm text-red-700">"Remove"</button>
                                        </ActionForm>
                                    </li>
                                }).collect_view()}
                            </ul>
                        })
                    }}
                }
            }}
            <FormError error=remove_error/>
            <ActionForm action=invite attr:class="mt-6">
                <input type="hidden" name="restaurant_id" value=rid.to_string()/>
                <button class="rounded-md bg-amber-700 px-4 py-2 text-sm font-semibold text-white" data-testid="create-invite">"Create an invitation link"</button>
            </ActionForm>
            {move || invite.value().get().map(|r| match r {
                Ok(link) => Either::Left(view! {
                    <div class="mt-3 rounded-md bg-slate-50 p-3 text-sm">
                        <p>"Send this link to the person you want to add. It works once, for 7 days, and they must be signed in:"</p>
                        <input readonly class="mt-1 w-full rounded border px-2 py-1 font-mono text-xs" value=link data-testid="invite-link"/>
                    </div>
                }),
                Err(e) => Either::Right(view! { <div class="mt-3"><ErrorBox message=e.to_string()/></div> }),
            })}
        </div>
    }
}

#[component]
pub fn JoinStaffPage() -> impl IntoView {
    let params = use_params_map();
    let token = params.read_untracked().get("token").unwrap_or_default();
    let info = Resource::new_blocking(
        {
            let token = token.clone();
            move || token.clone()
        },
        get_invitation,
    );
    view! {
        <Title text="Join as staff"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6">
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match info.await {
                            Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                            Ok(name) => view! {
                                <h1 class="text-xl font-bold">{format!("Join {name} as staff")}</h1>
                                <p class="mt-2 text-sm text-slate-600">"You will see its orders and can mark dishes sold out."</p>
                                <JoinForm token/>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// "Join", with the refusal shown in place.
// An island of the owners' bundle (see the manifest's `manage_paths`).
#[cfg_attr(any(feature = "ssr", feature = "manage"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "manage")), component)]
fn JoinForm(token: String) -> impl IntoView {
    let join = ServerAction::<JoinStaff>::new();
    let error = Signal::derive(move || join.value().get().and_then(Result::err));
    view! {
        <ActionForm action=join attr:class="mt-4 space-y-3">
            <input type="hidden" name="token" value=token/>
            <FormError error/>
            <button class="rounded-md bg-amber-700 px-4 py-2 font-semibold text-white" data-testid="join-staff">"Join"</button>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod db;

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::staff::Joined;
    use platform::AppError;
    use uuid::Uuid;

    use super::{StaffData, db};
    use crate::access::{Role, ssr::require};
    use crate::restaurants::db::id_and_name;
    use appkit::require_user;

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn list(slug: String) -> Result<StaffData, AppError> {
        let (state, user) = require_user().await?;
        let (id, name) = id_and_name(&state.pool, &slug).await?;
        require(&state.pool, id, user.id, Role::Owner).await?;
        Ok(StaffData {
            restaurant_id: id,
            name,
            slug,
            staff: db::TABLES.members(&state.pool, id).await?,
        })
    }

    #[tracing::instrument(skip_all, fields(%restaurant))]
    pub async fn invite(restaurant: Uuid) -> Result<String, AppError> {
        let (state, user) = require_user().await?;
        require(&state.pool, restaurant, user.id, Role::Owner).await?;
        let token = db::TABLES.invite(&state.pool, restaurant, user.id).await?;
        Ok(state.url(&format!("/staff/join/{token}")))
    }

    #[tracing::instrument(skip_all, fields(%restaurant, %member))]
    pub async fn remove(restaurant: Uuid, member: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        require(&state.pool, restaurant, user.id, Role::Owner).await?;
        db::TABLES.remove(&state.pool, restaurant, member).await
    }

    fn unusable() -> AppError {
        AppError::not_found(
            "This invitation link has expired or was already used. Ask the owner for a new one.",
        )
    }

    #[tracing::instrument(skip_all)]
    pub async fn invitation(token: String) -> Result<String, AppError> {
        let (state, _) = require_user().await?;
        db::TABLES
            .invitation(&state.pool, &token)
            .await?
            .ok_or_else(unusable)
    }

    #[tracing::instrument(skip_all)]
    pub async fn join(token: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        match db::TABLES.join(&state.pool, &token, &user).await? {
            Joined::Member(restaurant) => {
                tracing::info!(user_id = %user.id, restaurant_id = %restaurant, "joined as staff");
                leptos_axum::redirect("/dashboard");
                Ok(())
            }
            Joined::Unusable => Err(unusable()),
            Joined::Owner => Err(AppError::Conflict {
                field: None,
                message:
                    "You own this restaurant already; send the link to the person you want to add."
                        .into(),
            }),
        }
    }
}

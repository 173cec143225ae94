//! Staff by invitation, as an owner's staff page shows it in every app that has staff (the
//! statements are `appkit::staff`'s): who helps, a way to remove each, and the invitation link
//! just made, shown once; and the page that link opens.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ErrorBox;

/// A member of a place's staff, as pages show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub user_id: Uuid,
    pub name: String,
    pub added_at: DateTime<Utc>,
}

/// The staff, each with the form that removes them (`remove`, given the member's id), or
/// "No staff yet."
#[component]
pub fn StaffMembers<F, V>(members: Vec<StaffMember>, remove: F) -> impl IntoView
where
    F: Fn(Uuid) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    if members.is_empty() {
        return view! { <p class="mt-4 text-slate-600" data-testid="no-staff">"No staff yet."</p> }
            .into_any();
    }
    view! {
        <ul class="mt-4 divide-y" data-testid="staff-list">
            {members.into_iter().map(|m| view! {
                <li class="flex items-center justify-between gap-2 py-2">
                    <span>{m.name}<span class="ml-2 text-xs text-slate-500">{format!("since {}", m.added_at.format("%d %b %Y"))}</span></span>
                    {remove(m.user_id)}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The button of a form that removes a member.
#[component]
pub fn RemoveButton() -> impl IntoView {
    view! { <button class="rounded-md border border-red-300 px-3 py-1.5 text-sm text-red-700 hover:bg-red-50">"Remove"</button> }
}

/// The invitation link just made: shown once, to copy and send.
#[component]
pub fn InviteLink(link: String) -> impl IntoView {
    view! {
        <div class="mt-3 rounded-md bg-slate-50 p-3 text-sm">
            <label for="invite-link">"Send this link to the person you want to add. It works once, for 7 days, and they must be signed in:"</label>
            <input id="invite-link" readonly class="mt-1 w-full rounded border px-2 py-1 font-mono text-xs" value=link data-testid="invite-link"/>
        </div>
    }
}

/// The page an invitation link opens (`/staff/join/{token}`): whose staff it joins and what
/// staff do there, then the app's join form (`form`, given the token); or why the link no
/// longer works.
#[component]
pub fn JoinInvitation<F, V>(
    /// The name of the place the invitation is for: the app's look-up of the token.
    info: Resource<Result<String, AppError>>,
    token: String,
    /// What staff do there.
    what: &'static str,
    form: F,
) -> impl IntoView
where
    F: Fn(String) -> V + Clone + Send + Sync + 'static,
    V: IntoView + Send + 'static,
{
    view! {
        <Title text="Join as staff"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6">
            <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || {
                    let (token, form) = (token.clone(), form.clone());
                    Suspend::new(async move {
                        match info.await {
                            Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                            Ok(name) => view! {
                                <h1 class="text-xl font-bold">{format!("Join {name} as staff")}</h1>
                                <p class="mt-2 text-sm text-slate-600">{what}</p>
                                {form(token)}
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </div>
    }
}

/// The button of a join form.
#[component]
pub fn JoinButton() -> impl IntoView {
    view! { <button class="rounded-md bg-amber-700 px-4 py-2 font-semibold text-white hover:bg-amber-800" data-testid="join-staff">"Join"</button> }
}

//! The suite admin's page: find an account, disable it (every session ends at once, in every
//! app) or enable it again. Admins are made with `suite make-admin <email>`.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::ErrorBox;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AdminUserView {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub disabled: bool,
    pub verified: bool,
    pub created_at: DateTime<Utc>,
}

/// Accounts matching `q` (address or name), for admins.
#[server(prefix = "/api/admin", endpoint = "users")]
pub async fn find_users(q: String) -> Result<Vec<AdminUserView>, AppError> {
    ssr::find_users(q).await.map_err(AppError::respond)
}

/// Disables or enables an account, for admins. Disabling ends every session of it.
#[server(prefix = "/api/admin", endpoint = "disable")]
pub async fn set_user_disabled(user_id: uuid::Uuid, disabled: bool) -> Result<(), AppError> {
    ssr::set_user_disabled(user_id, disabled)
        .await
        .map_err(AppError::respond)
}

#[component]
pub fn AdminPage() -> impl IntoView {
    let q = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default();
    let users = Resource::new_blocking(
        {
            let q = q.clone();
            move || q.clone()
        },
        find_users,
    );
    let toggle = ServerAction::<SetUserDisabled>::new();
    view! {
        <Title text="Accounts"/>
        <h1 class="text-2xl font-bold">"Accounts"</h1>
        <form method="get" action="/admin" class="mt-4 flex gap-2" role="search">
            <label class="sr-only" for="q">"Email or name"</label>
            <input id="q" name="q" value=q type="search" placeholder="Email or name"
                   class="w-full max-w-sm rounded-md border border-slate-300 px-3 py-2 text-base"/>
            <button type="submit" class="rounded-md border border-slate-300 px-4 py-2">"Find"</button>
        </form>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match users.await {
                    Err(AppError::Unauthorized) => view! {
                        <p class="mt-4"><a href="/signin?return_to=%2Fadmin" class="font-medium text-amber-700 hover:underline">"Sign in"</a></p>
                    }.into_any(),
                    Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" data-testid="admin-users">
                            {list.into_iter().map(|u| view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 p-3 text-sm">
                                    <div>
                                        <div class="font-medium">{u.name.clone()}" · "{u.email.clone()}</div>
                                        <div class="text-slate-500">
                                            {format!("{} · {} · since {}", u.role, if u.verified { "address proven" } else { "address not proven" }, u.created_at.format("%-d %b %Y"))}
                                            {u.disabled.then(|| view! { <span class="ml-2 rounded bg-red-100 px-1.5 py-0.5 text-red-800">"disabled"</span> })}
                                        </div>
                                    </div>
                                    <ActionForm action=toggle>
                                        <input type="hidden" name="user_id" value=u.id.to_string()/>
                                        <input type="hidden" name="disabled" value=(!u.disabled).to_string()/>
                                        <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 hover:bg-slate-100">
                                            {if u.disabled { "Enable" } else { "Disable" }}
                                        </button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
pub mod db;

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::AppError;
    use uuid::Uuid;

    use super::{AdminUserView, db};
    use appkit::{AppState, require_user};

    async fn require_admin() -> Result<(AppState, sso::SessionUser), AppError> {
        let (state, user) = require_user().await?;
        if !db::is_admin(&state.pool, user.id).await? {
            return Err(AppError::Forbidden("Only suite admins can do this.".into()));
        }
        Ok((state, user))
    }

    #[tracing::instrument(skip_all)]
    pub async fn find_users(q: String) -> Result<Vec<AdminUserView>, AppError> {
        let (state, _) = require_admin().await?;
        let q: String = q.trim().chars().take(100).collect();
        db::find(&state.pool, &q).await
    }

    #[tracing::instrument(skip_all, fields(%user_id, disabled))]
    pub async fn set_user_disabled(user_id: Uuid, disabled: bool) -> Result<(), AppError> {
        let (state, admin) = require_admin().await?;
        if disabled && user_id == admin.id {
            return Err(AppError::BadRequest(
                "You cannot disable your own account.".into(),
            ));
        }
        if !db::set_disabled(&state.pool, user_id, disabled).await? {
            return Err(AppError::not_found("There is no such account."));
        }
        let ended = if disabled {
            crate::account::ssr::end_all_sessions(&state, user_id).await?
        } else {
            0
        };
        tracing::warn!(
            event = if disabled { "account_disabled" } else { "account_enabled" },
            admin_id = %admin.id, %user_id, sessions_ended = ended, "account access changed"
        );
        leptos_axum::redirect("/admin");
        Ok(())
    }

    pub use super::db::grant_admin;
}

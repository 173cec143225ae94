//! The account page: name, email, linked providers, active sessions, sign out everywhere.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use platform::AppError;
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, FormError, SubmitButton, TextField};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: String,
    pub ip: String,
    /// The session this page was loaded with.
    pub current: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub provider: String,
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub email: String,
    pub has_password: bool,
    pub providers: Vec<ProviderView>,
    /// Configured providers not linked yet.
    pub can_link: Vec<crate::oauth::ProviderButton>,
    pub sessions: Vec<SessionView>,
}

/// The signed-in user's account.
#[server(prefix = "/api/account", endpoint = "get")]
pub async fn get_account() -> Result<AccountView, AppError> {
    ssr::get_account().await.map_err(AppError::respond)
}

/// Renames the signed-in user.
#[server(prefix = "/api/account", endpoint = "rename")]
pub async fn update_name(name: String) -> Result<(), AppError> {
    ssr::update_name(name).await.map_err(AppError::respond)
}

/// Ends every session of the signed-in user, on every device, then goes home.
/// Removes a linked provider, as long as another way to sign in remains.
#[server(prefix = "/api/account", endpoint = "unlink")]
pub async fn unlink_provider(provider: String, password: Option<String>) -> Result<(), AppError> {
    ssr::unlink_provider(provider, password.unwrap_or_default())
        .await
        .map_err(AppError::respond)
}

#[server(prefix = "/api/account", endpoint = "signout-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    ssr::sign_out_everywhere().await.map_err(AppError::respond)
}

fn when(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
pub fn AccountPage() -> impl IntoView {
    // A plain form: "Sign out everywhere" ends this page's session too, and goes home.
    let everywhere = ServerAction::<SignOutEverywhere>::new();
    let unlink = ServerAction::<UnlinkProvider>::new();
    // Every resource of the page is made here, not in the view its own data shows: they load
    // at once, and none is created inside another's Suspense (leptos-rs/leptos#4866).
    let account = Resource::new_blocking(|| (), |()| get_account());
    let orders = crate::orders::recent_orders_resource();
    let tickets = crate::events::my_tickets_resource();
    let store_orders = crate::store::my_store_orders_resource();
    view! {
        <Title text="Your account"/>
        <h1 class="text-2xl font-bold">"Your account"</h1>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match account.await {
                    Err(AppError::Unauthorized) => view! {
                        <div class="mt-4 space-y-3">
                            <p>"Sign in to see your account."</p>
                            <a href="/signin?return_to=%2Faccount" class="font-medium text-amber-700 hover:underline">"Sign in"</a>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                    Ok(acc) => view! {
                        <div class="mt-6 grid gap-6 md:grid-cols-2">
                            <section class="rounded-lg border border-slate-200 bg-white p-5">
                                <h2 class="text-lg font-semibold">"Profile"</h2>
                                <p class="mt-2 text-sm text-slate-600">"Email: " <span data-testid="account-email">{acc.email.clone()}</span></p>
                                <RenameForm name=acc.name.clone()/>
                            </section>
                            <section class="rounded-lg border border-slate-200 bg-white p-5">
                                <h2 class="text-lg font-semibold">"Sign-in methods"</h2>
                                <ul class="mt-2 space-y-1 text-sm">
                                    {acc.has_password.then(|| view! { <li>"Email and password"</li> })}
                                    {acc.providers.clone().into_iter().map(|p| view! {
                                        <li class="flex flex-wrap items-center justify-between gap-2">
                                            <span>{format!("{} ({}) — linked {}", p.provider, p.email.clone().unwrap_or_default(), when(&p.linked_at))}</span>
                                            // Removing one asks for a fresh proof too.
                                            <ActionForm action=unlink attr:class="flex flex-wrap items-center gap-2">
                                                <input type="hidden" name="provider" value=p.provider.clone()/>
                                                {acc.has_password.then(|| view! {
                                                    <input type="password" name="password" autocomplete="current-password" required
                                                           aria-label="Your password" placeholder="Your password"
                                                           class="rounded-md border border-slate-300 px-2 py-1 text-base"/>
                                                })}
                                                <button type="submit" class="text-sm text-red-700 underline" data-testid=format!("unlink-{}", p.provider)>"Remove"</button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                {unlink.value().get_untracked().and_then(Result::err).map(|e| view! {
                                    <p class="mt-2 text-sm text-red-700" role="alert" data-testid="unlink-error">{e.to_string()}</p>
                                })}
                                <div class="mt-4 space-y-3">
                                    {acc.can_link.iter().map(|p| view! {
                                        // Linking asks for a fresh proof: the password, or a recent sign-in.
                                        <form method="post" action=format!("/auth/{}/link", p.name) class="flex flex-wrap items-end gap-2" data-testid=format!("link-{}", p.name)>
                                            {acc.has_password.then(|| view! {
                                                <label class="text-sm">
                                                    <span class="block text-slate-600">"Your password"</span>
                                                    <input type="password" name="password" autocomplete="current-password" required
                                                           class="mt-1 rounded-md border border-slate-300 px-3 py-2 text-base"/>
                                                </label>
                                            })}
                                            <button type="submit" class="rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-100">
                                                {format!("Link {}", p.title)}
                                            </button>
                                        </form>
                                    }).collect_view()}
                                </div>
                            </section>
                            <section class="rounded-lg border border-slate-200 bg-white p-5">
                                <h2 class="text-lg font-semibold">"Password"</h2>
                                <crate::auth::reset::ChangePasswordForm has_password=acc.has_password/>
                            </section>
                            <section class="rounded-lg border border-slate-200 bg-white p-5">
                                <h2 class="text-lg font-semibold">"Email"</h2>
                                <email::ChangeEmailForm has_password=acc.has_password/>
                            </section>
                            <crate::orders::RecentOrders orders/>
                            <crate::events::MyEventTickets tickets/>
                            <crate::store::MyStoreOrders orders=store_orders/>
                            <section class="rounded-lg border border-slate-200 bg-white p-5 md:col-span-2">
                                <h2 class="text-lg font-semibold">"Where you are signed in"</h2>
                                <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="sessions">
                                    {acc.sessions.iter().map(|s| view! {
                                        <li class="py-2">
                                            <div class="font-medium">
                                                {if s.user_agent.is_empty() { "Unknown device".to_owned() } else { s.user_agent.chars().take(80).collect() }}
                                                {s.current.then(|| view! { <span class="ml-2 rounded bg-green-100 px-1.5 py-0.5 text-xs text-green-800">"this device"</span> })}
                                            </div>
                                            <div class="text-slate-500">{format!("Signed in {} · last seen {} · {}", when(&s.created_at), when(&s.last_seen_at), s.ip)}</div>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=everywhere attr:class="mt-4">
                                    <button type="submit" data-testid="sign-out-everywhere" class="rounded-md border border-red-300 px-4 py-2 text-sm font-medium text-red-700 hover:bg-red-50">
                                        "Sign out everywhere"
                                    </button>
                                </ActionForm>
                            </section>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The name field (an island: the error shows in place).
#[island]
fn RenameForm(name: String) -> impl IntoView {
    let rename = ServerAction::<UpdateName>::new();
    let rename_error = Signal::derive(move || rename.value().get().and_then(Result::err));
    view! {
        <ActionForm action=rename attr:class="mt-4 space-y-3">
            <TextField name="name" label="Name" value=name required=true error=rename_error/>
            <FormError error=rename_error/>
            <SubmitButton label="Save" pending=rename.pending()/>
            <p class="text-sm text-green-700" role="status">{move || matches!(rename.value().get(), Some(Ok(()))).then_some("Saved.")}</p>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod db;
pub mod email;

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::AppError;
    use sso::Session;

    use super::{AccountView, ProviderView, db};
    use crate::{auth::ssr::DisplayName, server::portal};
    use appkit::{AppState, require_user};

    #[tracing::instrument(skip_all)]
    pub async fn get_account() -> Result<AccountView, AppError> {
        let (state, user) = require_user().await?;
        let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
        let current = session.id().map(|i| sso::stored_id(&i)).unwrap_or_default();
        let (name, email, has_password) = db::profile(&state.pool, user.id).await?;
        let providers = db::identities(&state.pool, user.id).await?;
        let can_link = portal(&state)?
            .providers
            .buttons()
            .into_iter()
            .filter(|b| {
                !providers
                    .iter()
                    .any(|p: &ProviderView| p.provider == b.name)
            })
            .collect();
        let sessions = db::live_sessions(&state.pool, user.id, &current).await?;
        Ok(AccountView {
            name,
            email,
            has_password,
            providers,
            can_link,
            sessions,
        })
    }

    #[tracing::instrument(skip_all)]
    pub async fn update_name(name: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let name = DisplayName::parse(&name)?;
        db::rename(&state.pool, user.id, name.as_str()).await?;
        // The header of this session shows the new name at once; other sessions at next sign-in.
        let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
        let mut updated = user.clone();
        updated.name = name.as_str().to_owned();
        session
            .insert(sso::USER_KEY, &updated)
            .await
            .map_err(AppError::internal)?;
        Ok(())
    }

    /// Deletes every session of `user_id` (used by "sign out everywhere" and by disabling).
    pub async fn end_all_sessions(state: &AppState, user_id: uuid::Uuid) -> Result<u64, AppError> {
        let ids = db::session_ids(&state.pool, user_id).await?;
        portal(state)?
            .store
            .delete_many(&ids)
            .await
            .map_err(AppError::internal)
    }

    /// Deletes every session of `user_id` but `keep` (a password change keeps the session that
    /// made it).
    pub async fn end_other_sessions(
        state: &AppState,
        user_id: uuid::Uuid,
        keep: &str,
    ) -> Result<u64, AppError> {
        let ids: Vec<String> = db::session_ids(&state.pool, user_id)
            .await?
            .into_iter()
            .filter(|id| id != keep)
            .collect();
        portal(state)?
            .store
            .delete_many(&ids)
            .await
            .map_err(AppError::internal)
    }

    pub use super::db::touch;

    /// Removes a linked provider, after a fresh proof (the password, or a recent sign-in): a
    /// session left open somewhere must not be enough to take a way to sign in from its owner.
    #[tracing::instrument(skip_all, fields(provider = %provider))]
    pub async fn unlink_provider(provider: String, password: String) -> Result<(), AppError> {
        let (state, parts, session) = crate::auth::ssr::context().await?;
        let user = state
            .sessions
            .user_in_session(&session)
            .await
            .ok_or(AppError::Unauthorized)?;
        let (_, email, has_password) = db::profile(&state.pool, user.id).await?;
        let linked = db::identities(&state.pool, user.id).await?;
        if !linked.iter().any(|p| p.provider == provider) {
            return Err(AppError::not_found(
                "That method is not linked to your account.",
            ));
        }
        if !has_password && linked.len() <= 1 {
            return Err(AppError::Conflict {
                field: None,
                message: "This is your only way to sign in. Set a password first, then remove it."
                    .into(),
            });
        }
        let row = crate::auth::db::user_by_id(&state.pool, user.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        crate::auth::ssr::prove_owner(
            &state,
            &row,
            &user,
            password,
            &parts,
            crate::oauth::ssr::LINK_PROOF_SECS,
            "remove a sign-in method",
        )
        .await?;
        let mut tx = state.pool.begin().await?;
        db::unlink(&mut tx, user.id, &provider).await?;
        let account = format!("{}/account", state.suite.portal());
        let notice = crate::auth::mails::method_changed(
            &email,
            &user.name,
            &format!("{provider} was removed from your account's sign-in methods"),
            &account,
        );
        mail::enqueue(&mut *tx, &notice).await?;
        tx.commit().await?;
        state.outbox.wake();
        tracing::info!(event = "provider_unlinked", user_id = %user.id, "provider unlinked");
        leptos_axum::redirect("/account");
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_out_everywhere() -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let ended = end_all_sessions(&state, user.id).await?;
        let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
        session.flush().await.map_err(AppError::internal)?;
        tracing::info!(user_id = %user.id, ended, "signed out everywhere");
        leptos_axum::redirect(&format!("{}/", state.suite.portal()));
        Ok(())
    }
}

//! Forgotten passwords (a single-use link by email) and changing a password.

use leptos::prelude::*;
use leptos_meta::Title;
use platform::AppError;
use ui::{FormError, SubmitButton, TextField};

/// Sends a reset link to `email` when it has an account; the answer is the same either way.
#[server(prefix = "/api/auth", endpoint = "forgot")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    ssr::request_password_reset(email)
        .await
        .map_err(AppError::respond)
}

/// Whether a reset link can still be used: the account's name, or why not.
#[server(prefix = "/api/auth", endpoint = "reset-link")]
pub async fn check_reset_link(token: String) -> Result<String, AppError> {
    ssr::check_reset_link(token)
        .await
        .map_err(AppError::respond)
}

/// Sets a new password through a reset link; every session of the account ends, and this
/// browser is signed in.
#[server(prefix = "/api/auth", endpoint = "reset")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    ssr::reset_password(token, password)
        .await
        .map_err(AppError::respond)
}

/// Changes the signed-in person's password (the current one first); their other sessions end.
#[server(prefix = "/api/account", endpoint = "password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    ssr::change_password(current_password, new_password)
        .await
        .map_err(AppError::respond)
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! {
        <Title text="Forgot your password?"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-2xl font-bold">"Forgot your password?"</h1>
            <p class="mt-1 text-sm text-slate-600">"Enter your account's email. We will send you a link to choose a new password."</p>
            <ForgotForm/>
            <p class="mt-6 text-sm text-slate-600">
                <a href="/signin" class="font-medium text-amber-700 hover:underline">"Back to sign in"</a>
            </p>
        </div>
    }
}

#[island]
fn ForgotForm() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="forgot-form">
            <TextField name="email" label="Email" kind="email" autocomplete="email" required=true error/>
            <FormError error/>
            <SubmitButton label="Send me a link" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn ForgotSentPage() -> impl IntoView {
    view! {
        <Title text="Check your inbox"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="forgot-sent">
            <h1 class="text-2xl font-bold">"Check your inbox"</h1>
            <p class="mt-2 text-slate-700">
                "If that address has a SteppersLife account, a link to choose a new password is on its way. It works once, for an hour."
            </p>
            <p class="mt-2 text-sm text-slate-600">"Nothing after a few minutes? Check your spam folder, or ask again."</p>
            <p class="mt-6 text-sm"><a href="/signin" class="font-medium text-amber-700 hover:underline">"Back to sign in"</a></p>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    view! {
        <super::link_page::MailLinkPage
            title="Choose a new password"
            check=check_reset_link
            form=|token, name| view! {
                <p class="mt-1 text-sm text-slate-600">{format!("For {name}'s account. Every device signed in to it will be signed out.")}</p>
                <ResetForm token/>
            }
            dead_testid="reset-link-dead"
            retry=("/forgot", "Ask for a new link")
        />
    }
}

#[island]
fn ResetForm(token: String) -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="reset-form">
            <input type="hidden" name="token" value=token/>
            <TextField name="password" label="New password (at least 12 characters)" kind="password" autocomplete="new-password" required=true error/>
            <FormError error/>
            <SubmitButton label="Save and sign in" pending=action.pending()/>
        </ActionForm>
    }
}

/// The account page's password form.
#[island]
pub fn ChangePasswordForm(has_password: bool) -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <ActionForm action attr:class="mt-3 space-y-3" attr:data-testid="password-form">
            {has_password.then(|| view! {
                <TextField name="current_password" label="Current password" kind="password" autocomplete="current-password" required=true error/>
            })}
            {(!has_password).then(|| view! { <input type="hidden" name="current_password" value=""/> })}
            <TextField name="new_password" label="New password (at least 12 characters)" kind="password" autocomplete="new-password" required=true error/>
            <FormError error/>
            <Show when=done>
                <p class="text-sm text-green-700" role="status">"Password changed. Your other devices were signed out."</p>
            </Show>
            <SubmitButton label=if has_password { "Change password" } else { "Set a password" } pending=action.pending()/>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::{AppError, throttle::address_key, token};

    use super::super::{
        db, mails,
        ssr::{Email, NewPassword, context, hash_password, start_session},
    };

    /// How long a reset link works.
    pub const RESET_LINK_MINUTES: i32 = 60;
    /// Reset requests per client address (IPv6: per /64) in an hour.
    pub const MAX_RESET_REQUESTS_PER_IP: i64 = 5;
    /// Reset links per account in an hour (more requests get the same answer and no mail).
    const MAX_RESET_LINKS_PER_ACCOUNT: i64 = 3;
    /// A person without a password sets one only this soon after signing in.
    const FRESH_SIGN_IN_SECS: i64 = 600;

    /// The new password, and a mail telling the account, in the caller's transaction.
    async fn save_password_and_tell(
        tx: &mut sqlx::PgConnection,
        state: &appkit::AppState,
        user: &super::super::db::UserRow,
        password_hash: &str,
        proven: bool,
    ) -> Result<(), AppError> {
        db::set_password(&mut *tx, user.id, password_hash, proven).await?;
        let account = format!("{}/account", state.suite.portal());
        mail::enqueue(
            &mut *tx,
            &mails::password_changed(&user.email, &user.name, &account),
        )
        .await?;
        Ok(())
    }

    fn dead_link() -> AppError {
        AppError::BadRequest("This link has expired or was already used. Ask for a new one.".into())
    }

    #[tracing::instrument(skip_all)]
    pub async fn request_password_reset(email: String) -> Result<(), AppError> {
        let (state, parts, _) = context().await?;
        let email = Email::parse(&email)?;
        let ip = address_key(&state.client_ip(&parts));
        if db::recent_events(&state.pool, "reset", &ip, 60).await? >= MAX_RESET_REQUESTS_PER_IP {
            tracing::info!(
                event = "reset_throttled",
                "password reset refused: too many"
            );
            return Err(AppError::TooManyRequests(
                "Too many reset requests from your network. Try again in an hour.".into(),
            ));
        }
        db::record_event(&state.pool, "reset", &ip).await?;
        let user = db::user_by_email(&state.pool, email.as_str()).await?;
        match user {
            Some(user)
                if !user.disabled
                    && db::recent_reset_links(&state.pool, user.id).await?
                        < MAX_RESET_LINKS_PER_ACCOUNT =>
            {
                let (secret, hash) = token::new();
                let url = format!("{}/reset?token={secret}", state.suite.portal());
                let mut tx = state.pool.begin().await?;
                db::add_reset_token(&mut tx, user.id, &hash, RESET_LINK_MINUTES).await?;
                mail::enqueue(
                    &mut *tx,
                    &mails::reset_password(&user.email, &user.name, &url, RESET_LINK_MINUTES),
                )
                .await?;
                tx.commit().await?;
                state.outbox.wake();
                tracing::info!(event = "reset_requested", user_id = %user.id, "password reset link sent");
            }
            _ => tracing::info!(
                event = "reset_requested",
                "password reset asked for no usable account"
            ),
        }
        leptos_axum::redirect("/forgot/sent");
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn check_reset_link(token: String) -> Result<String, AppError> {
        let state = appkit::state()?;
        let hash = token::sha256_hex(token.trim().as_bytes());
        match db::reset_link_user(&state.pool, &hash).await? {
            Some(user) if !user.disabled => Ok(user.name),
            _ => Err(dead_link()),
        }
    }

    #[tracing::instrument(skip_all)]
    pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
        let (state, parts, session) = context().await?;
        let hash = token::sha256_hex(token.trim().as_bytes());
        let user = match db::reset_link_user(&state.pool, &hash).await? {
            Some(user) if !user.disabled => user,
            _ => return Err(dead_link()),
        };
        let password = NewPassword::parse_for(&password, &[&user.name, &user.email], "password")?;
        let password_hash = hash_password(password).await?;
        let mut tx = state.pool.begin().await?;
        if !db::use_reset_link(&mut tx, &hash, user.id).await? {
            return Err(dead_link());
        }
        save_password_and_tell(&mut tx, &state, &user, &password_hash, true).await?;
        tx.commit().await?;
        state.outbox.wake();
        let ended = crate::account::ssr::end_all_sessions(&state, user.id).await?;
        tracing::info!(event = "password_reset", user_id = %user.id, sessions_ended = ended, "password reset");
        let ip = state.client_ip(&parts);
        super::super::ssr::send_cookie(
            start_session(&session, &state, &user, &parts, &ip, false).await?,
        );
        leptos_axum::redirect("/");
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn change_password(
        current_password: String,
        new_password: String,
    ) -> Result<(), AppError> {
        let (state, parts, session) = context().await?;
        let signed_in = state
            .sessions
            .user_in_session(&session)
            .await
            .ok_or(AppError::Unauthorized)?;
        let user = db::user_by_id(&state.pool, signed_in.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        super::super::ssr::prove_owner(
            &state,
            &user,
            &signed_in,
            current_password,
            &parts,
            FRESH_SIGN_IN_SECS,
            "set a password",
        )
        .await?;
        let new =
            NewPassword::parse_for(&new_password, &[&user.name, &user.email], "new_password")?;
        let password_hash = hash_password(new).await?;
        let mut tx = state.pool.begin().await?;
        save_password_and_tell(&mut tx, &state, &user, &password_hash, false).await?;
        tx.commit().await?;
        state.outbox.wake();
        let current = session.id().map(|i| sso::stored_id(&i)).unwrap_or_default();
        let ended = crate::account::ssr::end_other_sessions(&state, user.id, &current).await?;
        tracing::info!(event = "password_changed", user_id = %user.id, sessions_ended = ended, "password changed");
        Ok(())
    }
}

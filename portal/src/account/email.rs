//! Changing an account's address: the new address is proven by a link before the account
//! moves to it, and the old address is told.

use leptos::prelude::*;
use platform::AppError;
use ui::{FormError, SubmitButton, TextField};

/// Mails a link to `new_email`; the account moves when it is followed. The current password
/// first (or, without one, a recent sign-in).
#[server(prefix = "/api/account", endpoint = "email")]
pub async fn request_email_change(
    new_email: String,
    current_password: String,
) -> Result<(), AppError> {
    ssr::request(new_email, current_password)
        .await
        .map_err(AppError::respond)
}

/// Whether a change link still works: the new address.
#[server(prefix = "/api/account", endpoint = "email-link")]
pub async fn check_email_link(token: String) -> Result<String, AppError> {
    ssr::check(token).await.map_err(AppError::respond)
}

/// Moves the account to the address of the link.
#[server(prefix = "/api/account", endpoint = "email-confirm")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    ssr::confirm(token).await.map_err(AppError::respond)
}

/// The account page's form.
#[island]
pub fn ChangeEmailForm(has_password: bool) -> impl IntoView {
    let action = ServerAction::<RequestEmailChange>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let sent = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <ActionForm action attr:class="mt-3 space-y-3" attr:data-testid="email-form">
            <TextField name="new_email" id="new_email" label="New email" kind="email" autocomplete="email" required=true error/>
            {has_password.then(|| view! {
                <TextField name="current_password" id="email_current_password" label="Your password" kind="password" autocomplete="current-password" required=true error/>
            })}
            {(!has_password).then(|| view! { <input type="hidden" name="current_password" value=""/> })}
            <FormError error/>
            <Show when=sent>
                <p class="text-sm text-green-700" role="status">"Check the new address's inbox: the change happens when you follow the link there."</p>
            </Show>
            <SubmitButton label="Change email" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    view! {
        <crate::auth::link_page::MailLinkPage
            title="Confirm your new email"
            check=check_email_link
            form=|token, email| view! {
                <p class="mt-2 text-slate-700">{format!("Use {email} for your account from now on?")}</p>
                <ConfirmEmailForm token/>
            }
            dead_testid="email-link-dead"
        />
    }
}

#[island]
fn ConfirmEmailForm(token: String) -> impl IntoView {
    let action = ServerAction::<ConfirmEmailChange>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="confirm-email-form">
            <input type="hidden" name="token" value=token/>
            <FormError error/>
            <SubmitButton label="Confirm" pending=action.pending()/>
        </ActionForm>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::{AppError, token};
    use sso::Session;

    use crate::auth::{db as auth_db, mails, ssr::prove_owner};

    use super::super::db;

    /// How long a change link works.
    const LINK_HOURS: i32 = 24;
    /// Without a password, a sign-in this recent stands in for it.
    const FRESH_SIGN_IN_SECS: i64 = 600;

    fn dead_link() -> AppError {
        AppError::BadRequest("This link has expired or was already used.".into())
    }

    #[tracing::instrument(skip_all)]
    pub async fn request(new_email: String, current_password: String) -> Result<(), AppError> {
        let (state, parts, session) = crate::auth::ssr::context().await?;
        let signed_in = state
            .sessions
            .user_in_session(&session)
            .await
            .ok_or(AppError::Unauthorized)?;
        let user = auth_db::user_by_id(&state.pool, signed_in.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let new_email = platform::text::email("new_email", &new_email)?;
        if new_email.eq_ignore_ascii_case(&user.email) {
            return Err(AppError::validation(
                "new_email",
                "That is already your address.",
            ));
        }
        prove_owner(
            &state,
            &user,
            &signed_in,
            current_password,
            &parts,
            FRESH_SIGN_IN_SECS,
            "change your email",
        )
        .await?;
        // A taken address gets the same answer and no mail: whose it is stays private.
        if auth_db::user_by_email(&state.pool, &new_email)
            .await?
            .is_none()
            && mail::recent_to(&state.pool, &new_email, &["confirm-new-email"], 60).await? < 3
        {
            let (secret, hash) = token::new();
            let url = format!("{}/email/confirm?token={secret}", state.suite.portal());
            let mut tx = state.pool.begin().await?;
            db::add_email_change(&mut tx, user.id, &new_email, &hash, LINK_HOURS).await?;
            mail::enqueue(
                &mut *tx,
                &mails::confirm_new_email(&new_email, &user.name, &url, LINK_HOURS),
            )
            .await?;
            tx.commit().await?;
            state.outbox.wake();
        }
        tracing::info!(event = "email_change_requested", user_id = %user.id, "email change asked for");
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn check(token: String) -> Result<String, AppError> {
        let state = appkit::state()?;
        let hash = token::sha256_hex(token.trim().as_bytes());
        db::email_change(&state.pool, &hash)
            .await?
            .map(|(_, email)| email)
            .ok_or_else(dead_link)
    }

    #[tracing::instrument(skip_all)]
    pub async fn confirm(token: String) -> Result<(), AppError> {
        let state = appkit::state()?;
        let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
        let hash = token::sha256_hex(token.trim().as_bytes());
        let mut tx = state.pool.begin().await?;
        let (user, old, new, name) = db::apply_email_change(&mut tx, &hash)
            .await?
            .ok_or_else(dead_link)?;
        let forgot = format!("{}/forgot", state.suite.portal());
        mail::enqueue(&mut *tx, &mails::email_changed(&old, &name, &new, &forgot)).await?;
        tx.commit().await?;
        state.outbox.wake();
        // This browser's header shows the new address at once; other sessions at next sign-in.
        if let Some(mut me) = state.sessions.user_in_session(&session).await
            && me.id == user
        {
            me.email = new.clone();
            session
                .insert(sso::USER_KEY, &me)
                .await
                .map_err(AppError::internal)?;
        }
        tracing::info!(event = "email_changed", user_id = %user, "email changed");
        leptos_axum::redirect("/account");
        Ok(())
    }
}

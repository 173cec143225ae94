//! Local accounts: sign up, sign in, sign out.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use platform::AppError;
use ui::{FormError, SubmitButton, TextField};

/// Signs in with email and password, then goes to `return_to` (when it is one of the suite's
/// URLs) or the portal home.
#[server(prefix = "/api/auth", endpoint = "signin")]
pub async fn sign_in(
    email: String,
    password: String,
    return_to: Option<String>,
    keep: Option<String>,
) -> Result<(), AppError> {
    ssr::sign_in(email, password, return_to, keep.is_some())
        .await
        .map_err(AppError::respond)
}

/// Starts a local account: a link to confirm the address goes to it (or, when the address
/// already has an account, a note to its owner). The answer is the same either way.
#[server(prefix = "/api/auth", endpoint = "signup")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    return_to: Option<String>,
) -> Result<(), AppError> {
    ssr::sign_up(name, email, password, return_to)
        .await
        .map_err(AppError::respond)
}

/// Whether a sign-up link still works: the address it confirms.
#[server(prefix = "/api/auth", endpoint = "signup-link")]
pub async fn check_signup_link(token: String) -> Result<String, AppError> {
    ssr::check_signup_link(token)
        .await
        .map_err(AppError::respond)
}

/// Confirms a sign-up from the link in its mail: the account is made, and this browser signed in.
#[server(prefix = "/api/auth", endpoint = "confirm")]
pub async fn confirm_signup(token: String) -> Result<(), AppError> {
    ssr::confirm_signup(token).await.map_err(AppError::respond)
}

/// The page's `return_to`, read on the server.
fn return_to_param() -> String {
    use_query_map()
        .read_untracked()
        .get("return_to")
        .unwrap_or_default()
}

/// `path`, carrying `return_to` along when there is one.
fn with_return_to(path: &str, return_to: &str) -> String {
    if return_to.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?return_to={}", ::platform::query_value(return_to))
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let return_to = return_to_param();
    let signup_href = with_return_to("/signup", &return_to);
    view! {
        <Title text="Sign in"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-2xl font-bold">"Sign in"</h1>
            <p class="mt-1 text-sm text-slate-600">"One account for every SteppersLife app."</p>
            <SignInForm return_to=return_to.clone()/>
            <p class="mt-3 text-sm">
                <a href="/forgot" class="font-medium text-amber-700 hover:underline" data-testid="forgot-link">"Forgot your password?"</a>
            </p>
            <ProviderButtons return_to/>
            <p class="mt-6 text-sm text-slate-600">
                "New here? " <a href=signup_href class="font-medium text-amber-700 hover:underline">"Create an account"</a>
            </p>
        </div>
    }
}

/// The sign-in form (an island: the error shows in place, the email stays).
#[island]
fn SignInForm(return_to: String) -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="signin-form">
            <input type="hidden" name="return_to" value=return_to/>
            <TextField name="email" label="Email" kind="email" autocomplete="email" required=true error/>
            <TextField name="password" label="Password" kind="password" autocomplete="current-password" required=true error/>
            <label class="flex items-start gap-2 text-sm">
                <input type="checkbox" name="keep" value="on" class="mt-0.5 h-5 w-5" data-testid="keep-signed-in"/>
                <span>"Keep me signed in on this device"<span class="block text-slate-500">"For up to 30 days. Leave it off on a shared computer: you are then signed out after 30 minutes without use."</span></span>
            </label>
            <FormError error/>
            <SubmitButton label="Sign in" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let return_to = return_to_param();
    let signin_href = with_return_to("/signin", &return_to);
    view! {
        <Title text="Create an account"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-2xl font-bold">"Create your account"</h1>
            <p class="mt-1 text-sm text-slate-600">"Order food, get tickets, shop, take classes — with one account."</p>
            <SignUpForm return_to/>
            <p class="mt-6 text-sm text-slate-600">
                "Already have an account? " <a href=signin_href class="font-medium text-amber-700 hover:underline">"Sign in"</a>
            </p>
        </div>
    }
}

/// The sign-up form.
#[island]
fn SignUpForm(return_to: String) -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="signup-form">
            <input type="hidden" name="return_to" value=return_to/>
            <TextField name="name" label="Your name" autocomplete="name" required=true error/>
            <TextField name="email" label="Email" kind="email" autocomplete="email" required=true error/>
            <TextField name="password" label="Password (at least 12 characters)" kind="password" autocomplete="new-password" required=true error/>
            <FormError error/>
            <SubmitButton label="Create account" pending=action.pending()/>
        </ActionForm>
    }
}

#[component]
pub fn SignUpSentPage() -> impl IntoView {
    view! {
        <Title text="Check your inbox"/>
        <div class="mx-auto max-w-md rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="signup-sent">
            <h1 class="text-2xl font-bold">"Check your inbox"</h1>
            <p class="mt-2 text-slate-700">
                "We sent a link to the address you gave. Open it to confirm your address and finish creating your account. It works for 24 hours."
            </p>
            <p class="mt-2 text-sm text-slate-600">"Nothing after a few minutes? Check your spam folder, or sign up again."</p>
        </div>
    }
}

#[component]
pub fn VerifyPage() -> impl IntoView {
    view! {
        <link_page::MailLinkPage
            title="Confirm your address"
            check=check_signup_link
            form=|token, email| view! {
                <p class="mt-2 text-slate-700">{format!("Is {email} your address? Confirm it to finish creating your account.")}</p>
                <ConfirmForm token/>
            }
            dead_testid="signup-link-dead"
            retry=("/signin", "Sign in")
        />
    }
}

/// One button: following a link must not be enough (mail scanners open links), a person
/// presses it.
#[island]
fn ConfirmForm(token: String) -> impl IntoView {
    let action = ServerAction::<ConfirmSignup>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    view! {
        <ActionForm action attr:class="mt-6 space-y-4" attr:data-testid="confirm-form">
            <input type="hidden" name="token" value=token/>
            <FormError error/>
            <SubmitButton label="Confirm and sign in" pending=action.pending()/>
        </ActionForm>
    }
}

/// "Continue with …" for every configured provider.
#[component]
fn ProviderButtons(return_to: String) -> impl IntoView {
    let providers = Resource::new_blocking(|| (), |()| crate::oauth::list_providers());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let return_to = return_to.clone();
                Suspend::new(async move {
                let list = providers.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="mt-6 border-t border-slate-200 pt-6 space-y-2">
                        {list.into_iter().map(|p| {
                            let testid = p.name.clone();
                            let href = with_return_to(&format!("/auth/{}/start", p.name), &return_to);
                            view! {
                                <a href=href rel="external" data-provider=testid
                                   class="block w-full rounded-md border border-slate-300 px-4 py-2 text-center text-base font-medium hover:bg-slate-50">
                                    {format!("Continue with {}", p.title)}
                                </a>
                            }
                        }).collect_view()}
                    </div>
                })
            })}}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
pub mod db;
pub mod link_page;
#[cfg(feature = "ssr")]
pub mod mails;
pub mod reset;

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::OnceLock;

    use argon2::{
        Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
        password_hash::{SaltString, rand_core::OsRng},
    };
    use axum::{
        Form,
        extract::State,
        response::{IntoResponse, Redirect, Response},
    };
    use http::request::Parts;
    use platform::AppError;
    use serde::Deserialize;
    use sqlx::PgPool;
    use sso::{Session, SessionReader, SessionUser, USER_KEY, return_to};

    use appkit::AppState;

    use super::{db, mails};

    /// Failed sign-ins allowed per account, and per address, in [`WINDOW_MINUTES`].
    pub const MAX_FAILURES_PER_ACCOUNT: i64 = 5;
    pub const MAX_FAILURES_PER_IP: i64 = 20;
    pub const WINDOW_MINUTES: i32 = 15;

    const WRONG_CREDENTIALS: &str = "The email or password is incorrect.";

    /// A syntactically plausible email address, trimmed and lower-cased.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Email(String);

    impl Email {
        pub fn parse(raw: &str) -> Result<Self, AppError> {
            platform::text::email("email", raw).map(Self)
        }

        pub fn as_str(&self) -> &str {
            &self.0
        }
    }

    /// A new password: 12 to 128 characters, and not one that is easy to guess (common
    /// passwords, words and names, keyboard patterns, dates, the person's own name or email).
    #[derive(Clone)]
    pub struct NewPassword(String);

    impl NewPassword {
        pub const MIN_CHARS: usize = 12;

        /// Checks `raw`; `about` are the person's own name and email, which it must not lean
        /// on. The error says why, on the `field`.
        pub fn parse_for(raw: &str, about: &[&str], field: &'static str) -> Result<Self, AppError> {
            let n = raw.chars().count();
            if n < Self::MIN_CHARS {
                return Err(AppError::validation(
                    field,
                    format!("Use at least {} characters.", Self::MIN_CHARS),
                ));
            }
            if n > 128 {
                return Err(AppError::validation(field, "Use at most 128 characters."));
            }
            // The inputs whole and in pieces: "ada.l@example.com" → "ada.l", "ada", "l", …
            let words: Vec<&str> = about
                .iter()
                .flat_map(|a| {
                    std::iter::once(*a).chain(
                        a.split(|c: char| !c.is_alphanumeric())
                            .filter(|w| w.chars().count() >= 3),
                    )
                })
                .chain(
                    about
                        .iter()
                        .filter_map(|a| a.split_once('@').map(|(l, _)| l)),
                )
                .collect();
            let guess = zxcvbn::zxcvbn(raw, &words);
            if guess.score() < zxcvbn::Score::Three {
                let mut why = String::from("This password is too easy to guess.");
                if let Some(feedback) = guess.feedback() {
                    if let Some(warning) = feedback.warning() {
                        why = format!("{warning}.").replace("..", ".");
                    }
                    if let Some(tip) = feedback.suggestions().first() {
                        why = format!("{why} {tip}");
                    }
                }
                if !why.contains("longer") && !why.contains("Add another word") {
                    why.push_str(" A few unrelated words make a strong password.");
                }
                return Err(AppError::validation(field, why));
            }
            Ok(Self(raw.to_owned()))
        }

        pub fn parse(raw: &str) -> Result<Self, AppError> {
            Self::parse_for(raw, &[], "password")
        }

        /// The demo account's published password, which no person could choose.
        pub(crate) fn demo(raw: &str) -> Self {
            Self(raw.to_owned())
        }
    }

    /// A person's display name: 1 to 80 characters, no control characters.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DisplayName(String);

    impl DisplayName {
        pub fn parse(raw: &str) -> Result<Self, AppError> {
            let n = raw.trim();
            if n.is_empty() {
                return Err(AppError::validation("name", "Enter your name."));
            }
            if n.chars().count() > 80 {
                return Err(AppError::validation("name", "Use at most 80 characters."));
            }
            if n.chars().any(char::is_control) {
                return Err(AppError::validation(
                    "name",
                    "Use letters, numbers and punctuation only.",
                ));
            }
            Ok(Self(n.to_owned()))
        }

        pub fn as_str(&self) -> &str {
            &self.0
        }
    }

    /// Argon2 hashes at once, at most (each takes ~19 MiB and a core for a while): a burst of
    /// sign-ins queues instead of exhausting memory.
    static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(4);

    /// Sign-ups hash on their own, smaller, allowance: however many arrive, sign-ins never
    /// queue behind them (a sign-up that waits too long is told to try again).
    static SIGNUP_HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

    /// New accounts per client address (IPv6: per /64) in an hour.
    pub const MAX_SIGNUPS_PER_IP: i64 = 10;

    /// How long a sign-up link works.
    pub const SIGNUP_LINK_HOURS: i32 = 24;
    /// Sign-up mails one address gets in an hour, however often its address is typed in.
    pub const MAX_SIGNUP_MAILS_PER_ADDRESS: i64 = 3;
    const SIGNUP_MAILS: &[&str] = &["confirm-signup", "signup-existing"];

    async fn hash_signup_password(password: NewPassword) -> Result<String, AppError> {
        let busy = || AppError::Unavailable("We are very busy. Try again in a minute.".into());
        let _permit =
            tokio::time::timeout(std::time::Duration::from_secs(10), SIGNUP_HASHING.acquire())
                .await
                .map_err(|_| busy())?
                .map_err(|_| busy())?;
        hash_now(password).await
    }

    /// Hashes with argon2id (on a blocking thread: it is deliberately slow).
    pub async fn hash_password(password: NewPassword) -> Result<String, AppError> {
        let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
        hash_now(password).await
    }

    async fn hash_now(password: NewPassword) -> Result<String, AppError> {
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.0.as_bytes(), &salt)
                .map(|h| h.to_string())
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)
    }

    /// Verifies a password against a stored hash, or against a dummy hash when there is none, so
    /// that an unknown email takes as long as a wrong password.
    pub async fn verify_password(hash: Option<String>, password: String) -> bool {
        static DUMMY: OnceLock<String> = OnceLock::new();
        let Ok(_permit) = HASHING.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || {
            let dummy = DUMMY.get_or_init(|| {
                let salt = SaltString::generate(&mut OsRng);
                Argon2::default()
                    .hash_password(b"no such account", &salt)
                    .map(|h| h.to_string())
                    .unwrap_or_default()
            });
            let stored = hash.as_deref().unwrap_or(dummy);
            let Ok(parsed) = PasswordHash::new(stored) else {
                return false;
            };
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
                && hash.is_some()
        })
        .await
        .unwrap_or(false)
    }

    pub use super::db::UserRow;

    /// Starts a signed-in session: a new session id (so an id planted before sign-in is
    /// useless), the user in it, and a row tying the session to the user. A `kept` session
    /// ("Keep me signed in") has the longer lifetimes. The answer is the known-device cookie to
    /// set on the response (see [`send_cookie`] in a server function).
    pub async fn start_session(
        session: &Session,
        state: &AppState,
        user: &UserRow,
        parts: &Parts,
        ip: &str,
        kept: bool,
    ) -> Result<Option<http::HeaderValue>, AppError> {
        // Nothing from before sign-in survives it (a planted session's data included, and the
        // short life of a visitor's provider attempt).
        session.clear().await;
        session.cycle_id().await.map_err(AppError::internal)?;
        let pool = &state.pool;
        let idle = state.sessions.settings().idle_for(kept);
        sso::expire_after_inactivity(session, i64::try_from(idle.as_secs()).unwrap_or(i64::MAX));
        let now = SessionReader::now();
        let signed_in = SessionUser {
            id: user.id,
            name: user.name.clone(),
            email: user.email.clone(),
            role: user.role.clone(),
            signed_in_at: now,
            kept,
        };
        session
            .insert(USER_KEY, &signed_in)
            .await
            .map_err(AppError::internal)?;
        session
            .insert(crate::server::SEEN_KEY, now)
            .await
            .map_err(AppError::internal)?;
        session.save().await.map_err(AppError::internal)?;
        let id = session
            .id()
            .ok_or_else(|| AppError::internal("session has no id after save"))?;
        let agent = parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(300)
            .collect::<String>();
        db::add_user_session(pool, &sso::stored_id(&id), user.id, &agent, ip).await?;
        let device = remember_this_device(state, user, parts).await?;
        tracing::info!(event = "signed_in", user_id = %user.id, kept, "signed in");
        Ok(device)
    }

    /// Sets `cookie` on the answer of the server function being run.
    pub(crate) fn send_cookie(cookie: Option<http::HeaderValue>) {
        if let Some(value) = cookie
            && let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
        {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }

    /// A fresh proof that the signed-in owner is here, before a sensitive change (`doing`: "link
    /// a sign-in method"): the current password when the account has one (see
    /// [`check_current_password`]), else a sign-in no older than `fresh_secs`.
    pub async fn prove_owner(
        state: &AppState,
        user: &UserRow,
        signed_in: &SessionUser,
        password: String,
        parts: &Parts,
        fresh_secs: i64,
        doing: &str,
    ) -> Result<(), AppError> {
        if user.password_hash.is_some() {
            return check_current_password(state, user, password, parts).await;
        }
        if SessionReader::now() - signed_in.signed_in_at > fresh_secs {
            return Err(AppError::Forbidden(format!(
                "To {doing}, sign out and sign in again first, then do it within {} minutes.",
                fresh_secs / 60
            )));
        }
        Ok(())
    }

    /// Checks the signed-in person's current password before a sensitive change (a new
    /// password, a linked provider), with the same limits as signing in: such a form must not
    /// be a way to guess passwords. A wrong one is an error on the `current_password` field.
    pub async fn check_current_password(
        state: &AppState,
        user: &UserRow,
        password: String,
        parts: &Parts,
    ) -> Result<(), AppError> {
        let key = platform::throttle::address_key(&state.client_ip(parts));
        let attempt = db::record_attempt(&state.pool, &user.email, &key).await?;
        let (by_account, by_ip) =
            db::recent_failures(&state.pool, &user.email, &key, WINDOW_MINUTES).await?;
        if by_account > MAX_FAILURES_PER_ACCOUNT || by_ip > MAX_FAILURES_PER_IP {
            db::forget_attempt(&state.pool, attempt).await?;
            return Err(AppError::TooManyRequests(format!(
                "Too many wrong passwords. Wait {WINDOW_MINUTES} minutes and try again."
            )));
        }
        if !verify_password(user.password_hash.clone(), password).await {
            tracing::info!(event = "password_check_failed", user_id = %user.id, "wrong current password");
            return Err(AppError::validation(
                "current_password",
                "That is not your current password.",
            ));
        }
        db::attempt_succeeded(&state.pool, attempt).await
    }

    /// The cookie that makes a browser a known device of the accounts that signed in on it.
    pub const DEVICE_COOKIE: &str = "sl_device";

    /// The device secret the request carries, if any.
    pub fn device_token(parts: &Parts) -> Option<String> {
        parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, value)| *name == DEVICE_COOKIE && value.len() == 64)
            .map(|(_, value)| value.to_owned())
    }

    /// Marks this browser as a device of `user` (a year-long, portal-only cookie holding a
    /// secret; the database keeps its hash). Only where the answer's headers can be set (server
    /// functions).
    async fn remember_this_device(
        state: &AppState,
        user: &UserRow,
        parts: &Parts,
    ) -> Result<Option<http::HeaderValue>, AppError> {
        let token = device_token(parts).unwrap_or_else(|| platform::token::new().0);
        db::remember_device(
            &state.pool,
            user.id,
            &platform::token::sha256_hex(token.as_bytes()),
        )
        .await?;
        let secure = if state.suite.scheme == "https" {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!(
            "{DEVICE_COOKIE}={token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax{secure}"
        );
        Ok(http::HeaderValue::from_str(&cookie).ok())
    }

    pub(crate) async fn context() -> Result<(AppState, Parts, Session), AppError> {
        let state = appkit::state()?;
        let parts: Parts = leptos_axum::extract().await.map_err(AppError::internal)?;
        let session: Session = leptos_axum::extract().await.map_err(AppError::internal)?;
        Ok((state, parts, session))
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_in(
        email: String,
        password: String,
        return_to: Option<String>,
        keep: bool,
    ) -> Result<(), AppError> {
        let (state, parts, session) = context().await?;
        let email = Email::parse(&email)?;
        if password.is_empty() {
            return Err(AppError::validation("password", "Enter your password."));
        }
        let ip = state.client_ip(&parts);
        let key = platform::throttle::address_key(&ip);
        // The attempt is recorded (as failed) before it is judged, so that parallel attempts
        // count against each other; it is marked as succeeded only if the password is right, and
        // forgotten if it is refused unjudged (a refusal is not another failure).
        let attempt = db::record_attempt(&state.pool, email.as_str(), &key).await?;
        let (by_account, by_ip) =
            db::recent_failures(&state.pool, email.as_str(), &key, WINDOW_MINUTES).await?;
        // The counts include the attempt being judged.
        if by_ip > MAX_FAILURES_PER_IP {
            db::forget_attempt(&state.pool, attempt).await?;
            tracing::info!(
                event = "signin_throttled",
                by = "address",
                "sign-in refused unjudged"
            );
            return Err(AppError::TooManyRequests(format!(
                "Too many failed sign-ins from your network. Wait {WINDOW_MINUTES} minutes and try again."
            )));
        }
        let user = db::user_by_email(&state.pool, email.as_str()).await?;
        if by_account > MAX_FAILURES_PER_ACCOUNT {
            // Someone keeps failing on this account. Throttle, never lock out: its owner, on a
            // device or network that has signed in to it before, still gets in.
            let known_device = match (&user, device_token(&parts)) {
                (Some(u), Some(token)) => {
                    db::known_device(
                        &state.pool,
                        u.id,
                        &platform::token::sha256_hex(token.as_bytes()),
                    )
                    .await?
                }
                _ => false,
            };
            if !known_device && !db::succeeded_from(&state.pool, email.as_str(), &key).await? {
                db::forget_attempt(&state.pool, attempt).await?;
                tracing::info!(
                    event = "signin_throttled",
                    by = "account",
                    "sign-in refused unjudged"
                );
                return Err(AppError::TooManyRequests(format!(
                    "Too many failed sign-ins to this account. Wait {WINDOW_MINUTES} minutes, sign in from a device you have used before, or reset your password."
                )));
            }
        }

        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let ok = verify_password(hash, password).await;
        if ok {
            db::attempt_succeeded(&state.pool, attempt).await?;
        }
        let user = match user {
            Some(u) if ok => u,
            _ => {
                tracing::info!(event = "signin_failed", "wrong email or password");
                return Err(AppError::validation("password", WRONG_CREDENTIALS));
            }
        };
        if user.disabled {
            return Err(AppError::Forbidden(
                "This account has been disabled.".into(),
            ));
        }
        send_cookie(start_session(&session, &state, &user, &parts, &ip, keep).await?);
        leptos_axum::redirect(&return_to::or_home(return_to.as_deref(), &state.suite));
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_up(
        name: String,
        email: String,
        password: String,
        return_to: Option<String>,
    ) -> Result<(), AppError> {
        let (state, parts, _) = context().await?;
        let name = DisplayName::parse(&name)?;
        let email = Email::parse(&email)?;
        let password =
            NewPassword::parse_for(&password, &[name.as_str(), email.as_str()], "password")?;
        // Checked before the (deliberately slow) hash, so that a flood of sign-ups costs little.
        let ip = state.client_ip(&parts);
        let key = platform::throttle::address_key(&ip);
        if db::recent_events(&state.pool, "signup", &key, 60).await? >= MAX_SIGNUPS_PER_IP {
            tracing::info!(event = "signup_throttled", "sign-up refused: too many");
            return Err(AppError::TooManyRequests(
                "Too many new accounts from your network. Try again in an hour.".into(),
            ));
        }
        db::record_event(&state.pool, "signup", &key).await?;
        // Hashed whether or not the address has an account: the answer takes as long.
        let hash = hash_signup_password(password).await?;
        let existing = db::user_by_email(&state.pool, email.as_str()).await?;
        let recent = mail::recent_to(&state.pool, email.as_str(), SIGNUP_MAILS, 60).await?;
        if recent >= MAX_SIGNUP_MAILS_PER_ADDRESS {
            tracing::info!(
                event = "signup_mail_throttled",
                "sign-up mail not sent: too many"
            );
        } else {
            let portal = state.suite.portal();
            let mut tx = state.pool.begin().await?;
            match existing {
                Some(user) if user.disabled => {}
                // The address is taken for good: its owner is told, nothing else changes.
                Some(user) if user.verified => {
                    let message = mails::signup_for_existing(
                        &user.email,
                        &user.name,
                        &format!("{portal}/signin"),
                        &format!("{portal}/forgot"),
                    );
                    mail::enqueue(&mut *tx, &message).await?;
                }
                // A new address, or one held by an account that never proved it: whoever
                // confirms from the inbox gets it.
                _ => {
                    let (secret, token_hash) = platform::token::new();
                    let return_to = return_to.filter(|r| !r.trim().is_empty());
                    db::add_signup(
                        &mut tx,
                        email.as_str(),
                        name.as_str(),
                        &hash,
                        &token_hash,
                        return_to.as_deref(),
                        SIGNUP_LINK_HOURS,
                    )
                    .await?;
                    let url = format!("{portal}/verify?token={secret}");
                    let message = mails::confirm_signup(
                        email.as_str(),
                        name.as_str(),
                        &url,
                        SIGNUP_LINK_HOURS,
                    );
                    mail::enqueue(&mut *tx, &message).await?;
                }
            }
            tx.commit().await?;
            state.outbox.wake();
        }
        tracing::info!(event = "signup_requested", "sign-up asked for");
        leptos_axum::redirect("/signup/sent");
        Ok(())
    }

    /// Whether a sign-up link still works: the address it confirms, or why not.
    #[tracing::instrument(skip_all)]
    pub async fn check_signup_link(token: String) -> Result<String, AppError> {
        let state = appkit::state()?;
        let hash = platform::token::sha256_hex(token.trim().as_bytes());
        db::signup_email(&state.pool, &hash)
            .await?
            .ok_or_else(dead_signup_link)
    }

    fn dead_signup_link() -> AppError {
        AppError::BadRequest(
            "This link has expired or was already used. Sign in, or sign up again.".into(),
        )
    }

    /// Follows a sign-up link: makes the account (or takes over one that held the address
    /// without proving it) and signs in.
    #[tracing::instrument(skip_all)]
    pub async fn confirm_signup(token: String) -> Result<(), AppError> {
        let (state, parts, session) = context().await?;
        let hash = platform::token::sha256_hex(token.trim().as_bytes());
        let mut tx = state.pool.begin().await?;
        let signup = db::take_signup(&mut tx, &hash)
            .await?
            .ok_or_else(dead_signup_link)?;
        let (user, took_over) = match db::user_by_email_for_update(&mut tx, &signup.email).await? {
            None => (
                db::add_verified_user(&mut tx, &signup.email, &signup.name, &signup.password_hash)
                    .await?,
                false,
            ),
            Some(held) if held.disabled => {
                return Err(AppError::Forbidden(
                    "This account has been disabled.".into(),
                ));
            }
            Some(held) if !held.verified => (
                db::take_over(&mut tx, held.id, &signup.name, Some(&signup.password_hash)).await?,
                true,
            ),
            Some(_) => {
                return Err(AppError::conflict(
                    "email",
                    "This address already has an account. Sign in instead.",
                ));
            }
        };
        tx.commit().await?;
        if took_over {
            let ended = crate::account::ssr::end_all_sessions(&state, user.id).await?;
            tracing::warn!(
                event = "unverified_account_taken_over", user_id = %user.id, sessions_ended = ended,
                "an account that never proved its address went to the address's owner"
            );
        } else {
            tracing::info!(event = "signup", user_id = %user.id, "account created");
        }
        let ip = state.client_ip(&parts);
        send_cookie(start_session(&session, &state, &user, &parts, &ip, false).await?);
        leptos_axum::redirect(&return_to::or_home(
            signup.return_to.as_deref(),
            &state.suite,
        ));
        Ok(())
    }

    /// The demo account (`demo@stepperslife.com` / `stepperslife-demo`), which owns the apps'
    /// demo content. Idempotent.
    #[tracing::instrument(skip_all)]
    pub async fn seed_demo_account(pool: &PgPool) -> anyhow::Result<()> {
        if db::user_exists(pool, sso::DEMO_USER_ID).await? {
            return Ok(());
        }
        let hash = hash_password(NewPassword::demo("stepperslife-demo")).await?;
        db::add_demo_user(pool, sso::DEMO_USER_ID, &hash).await?;
        Ok(())
    }

    #[derive(Debug, Deserialize)]
    pub struct SignOutForm {
        return_to: Option<String>,
    }

    /// `POST /signout`: ends the session everywhere (the row is deleted, so every app sees the
    /// visitor signed out at its next request) and goes back to `return_to`.
    #[tracing::instrument(skip_all)]
    pub async fn sign_out(
        State(state): State<AppState>,
        session: Session,
        Form(form): Form<SignOutForm>,
    ) -> Response {
        if let Err(e) = session.flush().await {
            return AppError::internal(e).into_response();
        }
        Redirect::to(&return_to::or_home(form.return_to.as_deref(), &state.suite)).into_response()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn emails_are_trimmed_lowercased_and_checked() {
            assert_eq!(
                Email::parse("  Ada@Example.COM ").map(|e| e.0),
                Ok("ada@example.com".into())
            );
            for bad in [
                "",
                "ada",
                "ada@",
                "@example.com",
                "ada@example",
                "a b@example.com",
                "ada@@example.com",
                "ada@.com",
            ] {
                let err = Email::parse(bad).expect_err(bad);
                assert_eq!(err.field(), Some("email"), "{bad}");
            }
        }

        #[test]
        fn passwords_are_long_and_hard_to_guess_and_a_refusal_says_why() {
            let why = |p: &str, about: &[&str]| {
                NewPassword::parse_for(p, about, "password")
                    .err()
                    .map(|e| e.to_string())
            };
            assert!(why("Tr0ub4dor&3", &[]).is_some_and(|w| w.contains("at least 12")));
            for weak in [
                "password1234",
                "qwertyuiopas",
                "123456789012",
                "aaaaaaaaaaaa",
            ] {
                let w = why(weak, &[]).unwrap_or_else(|| panic!("{weak} was accepted"));
                assert!(w.len() > 20, "{weak}: a reason, not just no: {w}");
            }
            // Leaning on one's own name or address.
            assert!(
                why(
                    "adalovelace1815",
                    &["Ada Lovelace", "adalovelace1815@example.com"]
                )
                .is_some()
            );
            assert!(why("correct horse battery staple", &[]).is_none());
            assert!(why("plum kettle ferry 42 ruby", &[]).is_none());
            assert!(why(&"x".repeat(129), &[]).is_some());
            let e = NewPassword::parse_for("short", &[], "new_password").err();
            assert_eq!(
                e.and_then(|e| e.field().map(str::to_owned)).as_deref(),
                Some("new_password")
            );
        }

        #[test]
        fn names_are_trimmed_and_bounded() {
            assert_eq!(DisplayName::parse("  Ada  ").map(|n| n.0), Ok("Ada".into()));
            assert!(DisplayName::parse("   ").is_err());
            assert!(DisplayName::parse(&"x".repeat(81)).is_err());
            assert!(DisplayName::parse("a\u{0}b").is_err());
        }

        #[tokio::test]
        async fn a_password_verifies_only_against_its_own_hash() {
            let hash = hash_password(NewPassword::parse("correct horse").expect("valid"))
                .await
                .expect("hash");
            assert!(hash.starts_with("$argon2id$"));
            assert!(verify_password(Some(hash.clone()), "correct horse".into()).await);
            assert!(!verify_password(Some(hash), "wrong horse".into()).await);
            assert!(!verify_password(None, "no such account".into()).await);
        }
    }
}

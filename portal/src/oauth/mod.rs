//! Sign-in with OAuth2 / OpenID Connect providers from configuration: Google, GitHub, and any
//! OIDC issuer by discovery URL. Authorization code flow with PKCE (S256) and `state`; for OIDC
//! also a `nonce` and full ID-token validation (issuer, audience, signature, expiry, nonce).
//! People are keyed by the provider's (issuer, subject), never by email alone.

use serde::{Deserialize, Serialize};

/// A configured provider, as the sign-in and account pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderButton {
    /// Path segment: `/auth/<name>/start`.
    pub name: String,
    /// "Google", "GitHub", ...
    pub title: String,
}

/// The configured sign-in providers.
#[leptos::server(prefix = "/api/auth", endpoint = "providers")]
pub async fn list_providers() -> Result<Vec<ProviderButton>, platform::AppError> {
    let state = appkit::state()?;
    Ok(crate::server::portal(&state)?.providers.buttons())
}

#[cfg(feature = "ssr")]
pub mod db;

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::{
        sync::Arc,
        time::{Duration, Instant},
    };

    use axum::{
        extract::{Path, Query, State},
        response::{Html, IntoResponse, Redirect, Response},
    };
    use http::{StatusCode, request::Parts};
    use openidconnect::{
        AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
        OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
        TokenResponse,
        core::{CoreClient, CoreProviderMetadata, CoreResponseType, CoreUserInfoClaims},
    };
    use platform::{AppError, config};
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Serialize};
    use sso::{Session, return_to};
    use tokio::sync::Mutex;
    use uuid::Uuid;

    use super::ProviderButton;
    use crate::{auth::ssr::start_session, server::portal};
    use appkit::AppState;

    /// Session key of a sign-in in progress.
    const PENDING_KEY: &str = "oauth_pending";
    /// A started sign-in must come back within this long.
    const PENDING_TTL_SECS: i64 = 600;
    const DISCOVERY_TTL: Duration = Duration::from_secs(3600);
    /// An ID token signed with a key the portal has not seen makes it fetch the provider's keys
    /// again (the provider rotated them), at most this often.
    const KEY_REFETCH_EVERY: Duration = Duration::from_secs(60);

    #[derive(Debug, Clone)]
    pub enum ProviderKind {
        /// OpenID Connect, configured by discovery from the issuer URL.
        Oidc { issuer: String },
        /// GitHub's OAuth2 (not OIDC): the user comes from its REST API.
        Github {
            auth_url: String,
            token_url: String,
            api_url: String,
        },
    }

    impl ProviderKind {
        /// The origin of the provider's sign-in page (an OIDC provider's issuer, where its
        /// authorization endpoint lives), if the configured URL parses.
        pub fn authorization_origin(&self) -> Option<String> {
            let url = match self {
                Self::Oidc { issuer } => issuer,
                Self::Github { auth_url, .. } => auth_url,
            };
            let origin = url::Url::parse(url).ok()?.origin();
            origin.is_tuple().then(|| origin.ascii_serialization())
        }
    }

    #[derive(Debug, Clone)]
    pub struct ProviderConfig {
        pub name: String,
        pub title: String,
        pub kind: ProviderKind,
        pub client_id: String,
        pub client_secret: SecretString,
    }

    fn title_case(name: &str) -> String {
        let mut c = name.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    }

    /// `OAUTH_PROVIDERS=google,github,acme` and, per provider `<NAME>`:
    /// `OAUTH_<NAME>_CLIENT_ID`, `OAUTH_<NAME>_CLIENT_SECRET`, `OAUTH_<NAME>_TITLE` (optional),
    /// `OAUTH_<NAME>_ISSUER` (OIDC discovery URL; Google's by default for `google`, required for
    /// any other OIDC provider). `github` is GitHub's OAuth2 (`OAUTH_GITHUB_AUTH_URL`,
    /// `_TOKEN_URL`, `_API_URL` override github.com, e.g. for GitHub Enterprise).
    pub fn providers_from_env() -> Result<Vec<ProviderConfig>, config::ConfigError> {
        let Some(list) = config::var_opt("OAUTH_PROVIDERS") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let name = name.to_ascii_lowercase();
            if !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(config::ConfigError::invalid(
                    "OAUTH_PROVIDERS",
                    format!("{name:?}: use lower-case letters, digits and dashes"),
                ));
            }
            let key = name.to_ascii_uppercase().replace('-', "_");
            let var = |suffix: &str| config::var_opt(&format!("OAUTH_{key}_{suffix}"));
            let need = |suffix: &str| {
                var(suffix).ok_or_else(|| {
                    config::ConfigError::invalid(
                        "OAUTH_PROVIDERS",
                        format!("provider {name} needs OAUTH_{key}_{suffix}"),
                    )
                })
            };
            let kind = match name.as_str() {
                "github" => ProviderKind::Github {
                    auth_url: var("AUTH_URL")
                        .unwrap_or_else(|| "https://github.com/login/oauth/authorize".into()),
                    token_url: var("TOKEN_URL")
                        .unwrap_or_else(|| "https://github.com/login/oauth/access_token".into()),
                    api_url: var("API_URL").unwrap_or_else(|| "https://api.github.com".into()),
                },
                "google" => ProviderKind::Oidc {
                    issuer: var("ISSUER").unwrap_or_else(|| "https://accounts.google.com".into()),
                },
                _ => ProviderKind::Oidc {
                    issuer: need("ISSUER")?,
                },
            };
            out.push(ProviderConfig {
                title: var("TITLE").unwrap_or_else(|| match name.as_str() {
                    "github" => "GitHub".into(),
                    other => title_case(other),
                }),
                client_id: need("CLIENT_ID")?,
                client_secret: SecretString::from(need("CLIENT_SECRET")?),
                kind,
                name,
            });
        }
        Ok(out)
    }

    /// The configured providers, their discovered metadata, and the HTTP client for token calls
    /// (which follows no redirects).
    #[derive(Clone)]
    pub struct Providers {
        list: Arc<Vec<ProviderConfig>>,
        http: reqwest::Client,
        discovered: Arc<Mutex<std::collections::HashMap<String, (Instant, CoreProviderMetadata)>>>,
        /// When each provider's keys were last fetched again for an unknown key.
        refetched: Arc<Mutex<std::collections::HashMap<String, Instant>>>,
    }

    impl Providers {
        pub fn new(list: Vec<ProviderConfig>) -> Self {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(10))
                .user_agent("SteppersLife")
                .build()
                .unwrap_or_default();
            Self {
                list: Arc::new(list),
                http,
                discovered: Arc::default(),
                refetched: Arc::default(),
            }
        }

        pub fn buttons(&self) -> Vec<ProviderButton> {
            self.list
                .iter()
                .map(|p| ProviderButton {
                    name: p.name.clone(),
                    title: p.title.clone(),
                })
                .collect()
        }

        fn get(&self, name: &str) -> Option<&ProviderConfig> {
            self.list.iter().find(|p| p.name == name)
        }

        /// The provider's OIDC metadata, discovered at first use and kept for an hour.
        async fn metadata(
            &self,
            p: &ProviderConfig,
            issuer: &str,
        ) -> Result<CoreProviderMetadata, AppError> {
            // The lock is not held across the network call: one slow issuer must not stall the
            // others (two first sign-ins at once may both discover; harmless).
            if let Some((at, meta)) = self.discovered.lock().await.get(&p.name)
                && at.elapsed() < DISCOVERY_TTL
            {
                return Ok(meta.clone());
            }
            let issuer = IssuerUrl::new(issuer.to_owned()).map_err(AppError::internal)?;
            let meta = CoreProviderMetadata::discover_async(issuer, &self.http)
                .await
                .map_err(|e| {
                    tracing::warn!(provider = %p.name, error = %e, "OIDC discovery failed");
                    AppError::Unavailable(format!(
                        "{} cannot be reached right now. Try again in a moment.",
                        p.title
                    ))
                })?;
            self.discovered
                .lock()
                .await
                .insert(p.name.clone(), (Instant::now(), meta.clone()));
            Ok(meta)
        }
    }

    /// The OpenID Connect client of provider `p` (metadata discovered from `issuer`).
    type OidcClient = openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >;

    impl Providers {
        /// Forgets the provider's metadata (its keys with it) so that the next use discovers it
        /// again; `false` when that was done less than [`KEY_REFETCH_EVERY`] ago.
        async fn may_refetch_keys(&self, p: &ProviderConfig) -> bool {
            let mut refetched = self.refetched.lock().await;
            if refetched
                .get(&p.name)
                .is_some_and(|at| at.elapsed() < KEY_REFETCH_EVERY)
            {
                return false;
            }
            refetched.insert(p.name.clone(), Instant::now());
            self.discovered.lock().await.remove(&p.name);
            true
        }

        async fn oidc_client(
            &self,
            p: &ProviderConfig,
            issuer: &str,
            redirect: RedirectUrl,
        ) -> Result<OidcClient, AppError> {
            let meta = self.metadata(p, issuer).await?;
            Ok(CoreClient::from_provider_metadata(
                meta,
                ClientId::new(p.client_id.clone()),
                Some(ClientSecret::new(
                    p.client_secret.expose_secret().to_owned(),
                )),
            )
            .set_redirect_uri(redirect))
        }
    }

    /// A sign-in in progress, kept in the visitor's session between start and callback.
    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct Pending {
        provider: String,
        state: String,
        verifier: String,
        nonce: Option<String>,
        return_to: Option<String>,
        /// Link to this signed-in account instead of signing in.
        link_to: Option<Uuid>,
        started_at: i64,
    }

    /// Who the provider says this is.
    #[derive(Debug, Clone)]
    pub struct ExternalIdentity {
        pub provider: String,
        pub issuer: String,
        pub subject: String,
        pub email: Option<String>,
        pub name: Option<String>,
    }

    fn redirect_uri(state: &AppState, provider: &str) -> String {
        format!("{}/auth/{provider}/callback", state.suite.portal())
    }

    #[derive(Debug, Deserialize)]
    pub struct StartQuery {
        return_to: Option<String>,
        link: Option<String>,
    }

    /// `GET /auth/{provider}/start`: sends the visitor to the provider.
    pub async fn start(
        State(state): State<AppState>,
        Path(provider): Path<String>,
        Query(q): Query<StartQuery>,
        session: Session,
    ) -> Response {
        match start_inner(&state, &provider, q, &session).await {
            Ok(url) => Redirect::to(&url).into_response(),
            Err(e) => error_page(&state, e),
        }
    }

    #[tracing::instrument(skip_all, fields(provider = %provider))]
    async fn start_inner(
        state: &AppState,
        provider: &str,
        q: StartQuery,
        session: &Session,
    ) -> Result<String, AppError> {
        let providers = &portal(state)?.providers;
        let p = providers
            .get(provider)
            .ok_or_else(|| AppError::not_found("This sign-in method is not available."))?;
        if q.link.is_some() {
            return Err(AppError::BadRequest(
                "Link a sign-in method with its button on your account page.".into(),
            ));
        }
        flow_url(state, p, q.return_to, None, session).await
    }

    #[derive(Debug, Deserialize)]
    pub struct LinkForm {
        #[serde(default)]
        password: String,
    }

    /// How recent a sign-in must be to link a method to an account without a password.
    pub const LINK_PROOF_SECS: i64 = 300;

    /// `POST /auth/{provider}/link` (the account page's button): links a provider to the
    /// signed-in account after a fresh proof that its owner is here: the password, or for an
    /// account without one, a sign-in in the last five minutes.
    pub async fn link(
        State(state): State<AppState>,
        Path(provider): Path<String>,
        session: Session,
        parts: http::request::Parts,
        axum::Form(form): axum::Form<LinkForm>,
    ) -> Response {
        match link_inner(&state, &provider, form, &session, &parts).await {
            Ok(url) => Redirect::to(&url).into_response(),
            Err(e) => error_page(&state, e),
        }
    }

    #[tracing::instrument(skip_all, fields(provider = %provider))]
    async fn link_inner(
        state: &AppState,
        provider: &str,
        form: LinkForm,
        session: &Session,
        parts: &http::request::Parts,
    ) -> Result<String, AppError> {
        let providers = &portal(state)?.providers;
        let p = providers
            .get(provider)
            .ok_or_else(|| AppError::not_found("This sign-in method is not available."))?;
        let signed_in = state
            .sessions
            .user_in_session(session)
            .await
            .ok_or(AppError::Unauthorized)?;
        let user = crate::auth::db::user_by_id(&state.pool, signed_in.id)
            .await?
            .ok_or(AppError::Unauthorized)?;
        crate::auth::ssr::prove_owner(
            state,
            &user,
            &signed_in,
            form.password,
            parts,
            LINK_PROOF_SECS,
            "link a sign-in method",
        )
        .await?;
        tracing::info!(event = "link_started", user_id = %user.id, "provider link started");
        flow_url(state, p, None, Some(user.id), session).await
    }

    /// Starts the provider's flow: the pending sign-in (or link) in the session, and the URL to
    /// send the browser to.
    async fn flow_url(
        state: &AppState,
        p: &ProviderConfig,
        return_to: Option<String>,
        link_to: Option<Uuid>,
        session: &Session,
    ) -> Result<String, AppError> {
        let providers = &portal(state)?.providers;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let redirect =
            RedirectUrl::new(redirect_uri(state, &p.name)).map_err(AppError::internal)?;
        let (url, csrf, nonce) = match &p.kind {
            ProviderKind::Oidc { issuer } => {
                let client = providers.oidc_client(p, issuer, redirect).await?;
                let (url, csrf, nonce) = client
                    .authorize_url(
                        AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
                        CsrfToken::new_random,
                        Nonce::new_random,
                    )
                    .add_scope(Scope::new("email".into()))
                    .add_scope(Scope::new("profile".into()))
                    .set_pkce_challenge(challenge)
                    .url();
                (url, csrf, Some(nonce.secret().clone()))
            }
            ProviderKind::Github {
                auth_url,
                token_url,
                ..
            } => {
                let client = github_client(p, auth_url, token_url, redirect)?;
                let (url, csrf) = client
                    .authorize_url(CsrfToken::new_random)
                    .add_scope(oauth2::Scope::new("read:user".into()))
                    .add_scope(oauth2::Scope::new("user:email".into()))
                    .set_pkce_challenge(challenge)
                    .url();
                (url, csrf, None)
            }
        };
        let pending = Pending {
            provider: p.name.clone(),
            state: csrf.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce,
            return_to,
            link_to,
            started_at: sso::SessionReader::now(),
        };
        session
            .insert(PENDING_KEY, &pending)
            .await
            .map_err(AppError::internal)?;
        if link_to.is_none() && state.sessions.user_in_session(session).await.is_none() {
            // A visitor's session holds nothing but this attempt: it goes when the attempt
            // would expire anyway, instead of living as long as a signed-in one.
            sso::expire_after_inactivity(session, PENDING_TTL_SECS);
        }
        Ok(url.to_string())
    }

    type GithubClient = oauth2::basic::BasicClient<
        oauth2::EndpointSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointNotSet,
        oauth2::EndpointSet,
    >;

    fn github_client(
        p: &ProviderConfig,
        auth_url: &str,
        token_url: &str,
        redirect: RedirectUrl,
    ) -> Result<GithubClient, AppError> {
        Ok(
            oauth2::basic::BasicClient::new(ClientId::new(p.client_id.clone()))
                .set_client_secret(ClientSecret::new(
                    p.client_secret.expose_secret().to_owned(),
                ))
                .set_auth_uri(
                    oauth2::AuthUrl::new(auth_url.to_owned()).map_err(AppError::internal)?,
                )
                .set_token_uri(
                    oauth2::TokenUrl::new(token_url.to_owned()).map_err(AppError::internal)?,
                )
                .set_redirect_uri(redirect),
        )
    }

    #[derive(Debug, Deserialize)]
    pub struct CallbackQuery {
        code: Option<String>,
        state: Option<String>,
        error: Option<String>,
    }

    /// Equal in time independent of where the strings differ.
    fn same_secret(a: &str, b: &str) -> bool {
        a.len() == b.len()
            && a.bytes()
                .zip(b.bytes())
                .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                == 0
    }

    /// `GET /auth/{provider}/callback`: the provider sends the visitor back here.
    pub async fn callback(
        State(state): State<AppState>,
        Path(provider): Path<String>,
        Query(q): Query<CallbackQuery>,
        session: Session,
        parts: Parts,
    ) -> Response {
        match callback_inner(&state, &provider, q, &session, &parts).await {
            Ok((to, device)) => {
                let mut res = Redirect::to(&to).into_response();
                if let Some(cookie) = device {
                    res.headers_mut().append(http::header::SET_COOKIE, cookie);
                }
                res
            }
            Err(e) => error_page(&state, e),
        }
    }

    #[tracing::instrument(skip_all, fields(provider = %provider))]
    async fn callback_inner(
        state: &AppState,
        provider: &str,
        q: CallbackQuery,
        session: &Session,
        parts: &Parts,
    ) -> Result<(String, Option<http::HeaderValue>), AppError> {
        let providers = &portal(state)?.providers;
        let refused = |why: &str| {
            tracing::warn!(provider, why, "OAuth callback refused");
            AppError::BadRequest(
                "This sign-in could not be completed (it may have expired or been used already). Please start again.".into(),
            )
        };
        // One use only: whatever happens next, this sign-in attempt is spent.
        let pending: Option<Pending> = session
            .remove(PENDING_KEY)
            .await
            .map_err(AppError::internal)?;
        let Some(pending) = pending else {
            return Err(refused("no sign-in in progress"));
        };
        if pending.provider != provider {
            return Err(refused("provider mismatch"));
        }
        if sso::SessionReader::now() - pending.started_at > PENDING_TTL_SECS {
            return Err(refused("expired"));
        }
        if let Some(err) = q.error {
            tracing::info!(provider, error = %err, "provider declined");
            return Err(AppError::BadRequest(
                "The sign-in was cancelled at the provider.".into(),
            ));
        }
        let (Some(code), Some(got_state)) = (q.code, q.state) else {
            return Err(refused("missing code or state"));
        };
        if !same_secret(&got_state, &pending.state) {
            return Err(refused("state mismatch"));
        }
        let p = providers
            .get(provider)
            .ok_or_else(|| AppError::not_found("This sign-in method is not available."))?;
        let redirect =
            RedirectUrl::new(redirect_uri(state, &p.name)).map_err(AppError::internal)?;
        let identity = match &p.kind {
            ProviderKind::Oidc { issuer } => {
                let mut client = providers.oidc_client(p, issuer, redirect.clone()).await?;
                let token = client
                    .exchange_code(AuthorizationCode::new(code))
                    .map_err(AppError::internal)?
                    .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
                    .request_async(&providers.http)
                    .await
                    .map_err(|e| {
                        tracing::warn!(provider, error = %e, "code exchange failed");
                        refused("code exchange failed")
                    })?;
                let id_token = token.id_token().ok_or_else(|| refused("no ID token"))?;
                let nonce = Nonce::new(pending.nonce.clone().unwrap_or_default());
                let verified = id_token.claims(&client.id_token_verifier(), &nonce);
                let claims = match verified {
                    Ok(claims) => Ok(claims),
                    // Signed with a key not among those fetched: the provider has rotated its
                    // keys. Fetch them again (at most once a minute) and check once more.
                    Err(openidconnect::ClaimsVerificationError::SignatureVerification(
                        openidconnect::SignatureVerificationError::NoMatchingKey,
                    )) if providers.may_refetch_keys(p).await => {
                        tracing::info!(
                            provider,
                            "unknown signing key; fetching the provider's keys again"
                        );
                        client = providers.oidc_client(p, issuer, redirect).await?;
                        id_token.claims(&client.id_token_verifier(), &nonce)
                    }
                    Err(e) => Err(e),
                }
                .map_err(|e| {
                    tracing::warn!(provider, error = %e, "ID token refused");
                    refused("bad ID token")
                })?;
                let subject = claims.subject().clone();
                let (email, verified, name) = match claims.email() {
                    Some(email) => (
                        Some(email.to_string()),
                        claims.email_verified().unwrap_or(false),
                        claims
                            .name()
                            .and_then(|n| n.get(None))
                            .map(|n| n.to_string()),
                    ),
                    // Only `sub` in the ID token: the rest is at the UserInfo endpoint, whose
                    // answer must be about the same subject (the library checks).
                    None => {
                        let info: CoreUserInfoClaims = client
                            .user_info(token.access_token().clone(), Some(subject.clone()))
                            .map_err(|_| refused("no email, and no UserInfo endpoint"))?
                            .request_async(&providers.http)
                            .await
                            .map_err(|e| {
                                tracing::warn!(provider, error = %e, "UserInfo refused");
                                refused("bad UserInfo answer")
                            })?;
                        (
                            info.email().map(|e| e.to_string()),
                            info.email_verified().unwrap_or(false),
                            info.name().and_then(|n| n.get(None)).map(|n| n.to_string()),
                        )
                    }
                };
                ExternalIdentity {
                    provider: p.name.clone(),
                    issuer: claims.issuer().to_string(),
                    subject: subject.to_string(),
                    email: email.filter(|_| verified),
                    name,
                }
            }
            ProviderKind::Github {
                auth_url,
                token_url,
                api_url,
            } => {
                let client = github_client(p, auth_url, token_url, redirect)?;
                let token = client
                    .exchange_code(oauth2::AuthorizationCode::new(code))
                    .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
                    .request_async(&providers.http)
                    .await
                    .map_err(|e| {
                        tracing::warn!(provider, error = %e, "code exchange failed");
                        refused("code exchange failed")
                    })?;
                github_identity(&providers.http, p, api_url, token.access_token().secret()).await?
            }
        };

        let ip = state.client_ip(parts);
        if let Some(link_to) = pending.link_to {
            // The account that asked for the link must still be the one signed in here.
            let user = state
                .sessions
                .user_in_session(session)
                .await
                .filter(|u| u.id == link_to)
                .ok_or_else(|| refused("linking for another account"))?;
            link_identity(&state.pool, user.id, &identity, &p.title).await?;
            let account = format!("{}/account", state.suite.portal());
            let notice = crate::auth::mails::method_changed(
                &user.email,
                &user.name,
                &format!("{} was linked to your account", p.title),
                &account,
            );
            mail::enqueue(&state.pool, &notice).await?;
            state.outbox.wake();
            tracing::info!(event = "provider_linked", user_id = %user.id, provider = %p.name, "provider linked");
            return Ok(("/account".to_owned(), None));
        }
        let (user, took_over) = user_for(&state.pool, &identity, &p.title).await?;
        if user.disabled {
            return Err(AppError::Forbidden(
                "This account has been disabled.".into(),
            ));
        }
        if took_over {
            let ended = crate::account::ssr::end_all_sessions(state, user.id).await?;
            tracing::warn!(
                event = "unverified_account_taken_over", user_id = %user.id, provider = %p.name,
                sessions_ended = ended,
                "an account that never proved its address went to the provider's verified owner"
            );
        }
        let device = start_session(session, state, &user, parts, &ip, false).await?;
        Ok((
            return_to::or_home(pending.return_to.as_deref(), &state.suite),
            device,
        ))
    }

    #[derive(Deserialize)]
    struct GithubUser {
        id: u64,
        login: String,
        name: Option<String>,
    }

    #[derive(Deserialize)]
    struct GithubEmail {
        email: String,
        primary: bool,
        verified: bool,
    }

    async fn github_identity(
        http: &reqwest::Client,
        p: &ProviderConfig,
        api: &str,
        token: &str,
    ) -> Result<ExternalIdentity, AppError> {
        let api = api.trim_end_matches('/');
        let get = |path: &str| {
            http.get(format!("{api}{path}"))
                .bearer_auth(token)
                .header("accept", "application/vnd.github+json")
        };
        let unavailable = |e: reqwest::Error| {
            tracing::warn!(error = %e, "GitHub API call failed");
            AppError::Unavailable("GitHub did not answer. Try again in a moment.".into())
        };
        let user: GithubUser = get("/user")
            .send()
            .await
            .map_err(unavailable)?
            .error_for_status()
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        let emails: Vec<GithubEmail> = get("/user/emails")
            .send()
            .await
            .map_err(unavailable)?
            .error_for_status()
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        let email = emails
            .into_iter()
            .filter(|e| e.verified)
            .max_by_key(|e| e.primary)
            .map(|e| e.email);
        let issuer = match &p.kind {
            ProviderKind::Github { auth_url, .. } => url::Url::parse(auth_url)
                .map(|u| u.origin().ascii_serialization())
                .unwrap_or_else(|_| "https://github.com".into()),
            ProviderKind::Oidc { issuer } => issuer.clone(),
        };
        Ok(ExternalIdentity {
            provider: p.name.clone(),
            issuer,
            subject: user.id.to_string(),
            email,
            name: user.name.or(Some(user.login)),
        })
    }

    pub use super::db::{link_identity, user_for};

    /// A plain page for a refused sign-in: the message and a way back.
    fn error_page(state: &AppState, e: AppError) -> Response {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
        let msg = e
            .to_string()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let portal = state.suite.portal();
        let body = format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>Sign-in not completed · SteppersLife</title><link rel=\"stylesheet\" href=\"/pkg/{}.css\"></head>\
             <body class=\"bg-slate-50 text-slate-900\"><main class=\"mx-auto max-w-md p-6\"><h1 class=\"text-2xl font-bold\">Sign-in not completed</h1>\
             <p class=\"mt-3\" data-testid=\"oauth-error\">{msg}</p>\
             <p class=\"mt-6\"><a class=\"font-medium text-amber-700 hover:underline\" href=\"{portal}/signin\">Back to sign in</a></p></main></body></html>",
            state.leptos_options.output_name
        );
        (status, Html(body)).into_response()
    }

    #[cfg(test)]
    mod tests {
        use super::same_secret;

        #[test]
        fn secrets_compare_equal_only_when_equal() {
            assert!(same_secret("abc", "abc"));
            assert!(!same_secret("abc", "abd"));
            assert!(!same_secret("abc", "abcd"));
        }
    }
}

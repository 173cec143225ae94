use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};

/// One app of the suite, as the header links to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavApp {
    pub name: String,
    pub title: String,
    /// Absolute URL of the app's home.
    pub url: String,
}

/// The signed-in person, as the header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavUser {
    pub name: String,
    pub email: String,
    pub is_admin: bool,
}

/// Everything the header needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteNav {
    pub suite_name: String,
    pub apps: Vec<NavApp>,
    /// Name of the app serving this page.
    pub current: String,
    /// Origin of the app serving this page (for return URLs).
    pub self_origin: String,
    /// The portal's origin (sign-in, sign-out, account).
    pub portal: String,
    pub user: Option<NavUser>,
}

/// The header's data: the suite's apps and who is signed in (from the shared session).
#[server(prefix = "/api/_suite", endpoint = "nav")]
pub async fn get_suite_nav() -> Result<SuiteNav, AppError> {
    ssr::nav().await.map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use leptos::prelude::*;
    use platform::{AppError, suite::Suite};
    use sso::SessionReader;

    use super::{NavApp, NavUser, SuiteNav};

    /// What each app provides (as Leptos context) for the header.
    #[derive(Debug, Clone)]
    pub struct NavContext {
        /// This app's manifest name.
        pub app: &'static str,
        pub suite: Arc<Suite>,
        pub sessions: SessionReader,
    }

    fn context() -> Result<NavContext, AppError> {
        use_context::<NavContext>().ok_or_else(|| AppError::internal("no NavContext"))
    }

    /// In a server function or a component rendered on the server: who is signed in.
    pub async fn signed_in_user() -> Result<Option<sso::SessionUser>, AppError> {
        let ctx = context()?;
        let parts: http::request::Parts =
            leptos_axum::extract().await.map_err(AppError::internal)?;
        ctx.sessions.user_of(&parts).await
    }

    /// Like [`signed_in_user`], but 401 when nobody is.
    pub async fn require_user() -> Result<sso::SessionUser, AppError> {
        signed_in_user().await?.ok_or(AppError::Unauthorized)
    }

    pub async fn nav() -> Result<SuiteNav, AppError> {
        let ctx = context()?;
        let user = signed_in_user().await?;
        let suite = &ctx.suite;
        Ok(SuiteNav {
            suite_name: suite.manifest.suite.name.clone(),
            apps: suite
                .manifest
                .enabled()
                .map(|a| NavApp {
                    name: a.name.clone(),
                    title: a.title.clone(),
                    url: format!("{}/", suite.origin(a)),
                })
                .collect(),
            current: ctx.app.to_owned(),
            self_origin: suite.origin_of(ctx.app),
            portal: suite.portal(),
            user: user.map(|u| NavUser {
                is_admin: u.is_admin(),
                name: u.name,
                email: u.email,
            }),
        })
    }
}

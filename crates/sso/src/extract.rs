use axum::{
    extract::{FromRef, FromRequestParts},
    http::request::Parts,
};
use platform::AppError;

use crate::{SessionReader, SessionUser};

/// The signed-in user, or `None`. Resolved once per request (see [`crate::UserSlot`]).
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<SessionUser>);

/// The signed-in user; answers 401 when nobody is signed in.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub SessionUser);

impl<S> FromRequestParts<S> for MaybeUser
where
    SessionReader: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.extensions.get::<crate::UserSlot>().is_none() {
            parts.extensions.insert(crate::UserSlot::default());
        }
        let reader = SessionReader::from_ref(state);
        Ok(MaybeUser(reader.user_of(parts).await?))
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    SessionReader: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(user)) => Ok(CurrentUser(user)),
            MaybeUser(None) => Err(AppError::Unauthorized),
        }
    }
}

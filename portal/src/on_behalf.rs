//! Acting at another app for the signed-in person: their session cookie forwarded, and the
//! app's refusals turned into the portal's own errors.

use api::client::ClientError;
use appkit::AppState;
use platform::AppError;

/// The caller's session cookie as `name=value`, to act for them at another app.
pub async fn session_cookie(state: &AppState) -> Result<String, AppError> {
    let parts: http::request::Parts = leptos_axum::extract().await.map_err(AppError::internal)?;
    let id = state
        .sessions
        .session_id(&parts.headers)
        .ok_or(AppError::Unauthorized)?;
    Ok(format!("{}={id}", state.sessions.settings().cookie_name))
}

/// An app's answer as the portal's error: its refusals with their message, anything else as
/// "`what` can't be reached right now".
pub fn from_client(e: ClientError, what: &str) -> AppError {
    match e {
        ClientError::Refused { status: 401, .. } => AppError::Unauthorized,
        ClientError::Refused {
            status: 404,
            message,
            ..
        } => AppError::NotFound(message),
        ClientError::Refused { message, .. } => AppError::Conflict {
            field: None,
            message,
        },
        other => {
            tracing::warn!(error = %other, "{what}: the app could not be reached");
            AppError::Unavailable(format!(
                "{what} can't be reached right now. Try again in a moment."
            ))
        }
    }
}

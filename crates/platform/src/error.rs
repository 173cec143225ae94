//! The suite's one user-facing error.
//!
//! Every handler and server function ends in `Result<_, AppError>`. The variants carry only what
//! a user may see; internal causes are logged once, where they are converted (see
//! [`AppError::internal`]), and never sent to the client.

use std::fmt;

use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// 400: the request itself could not be read.
    BadRequest(String),
    /// 401: the caller must sign in.
    Unauthorized,
    /// 403: signed in (or not), but not allowed to do this.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 409: the request clashes with what exists (a taken email, a taken slug).
    Conflict {
        field: Option<String>,
        message: String,
    },
    /// 422: one input field is wrong; `field` is the form field's name.
    Validation { field: String, message: String },
    /// 429.
    TooManyRequests(String),
    /// 503: a dependency (another app, the object store) is unavailable.
    Unavailable(String),
    /// 500: our fault. The cause has been logged; the user sees a plain message.
    Internal,
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Unauthorized => 401,
            Self::Forbidden(_) => 403,
            Self::NotFound(_) => 404,
            Self::Conflict { .. } => 409,
            Self::Validation { .. } => 422,
            Self::TooManyRequests(_) => 429,
            Self::Unavailable(_) => 503,
            Self::Internal => 500,
        }
    }

    /// The field this error is about, if it is about one form field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Validation { field, .. } => Some(field),
            Self::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The message for `field`, when this error is about that field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.field() == Some(field)).then(|| self.to_string())
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadRequest(m)
            | Self::Forbidden(m)
            | Self::NotFound(m)
            | Self::TooManyRequests(m)
            | Self::Unavailable(m) => f.write_str(m),
            Self::Conflict { message, .. } | Self::Validation { message, .. } => {
                f.write_str(message)
            }
            Self::Unauthorized => f.write_str("Please sign in to continue."),
            Self::Internal => {
                f.write_str("Something went wrong on our side. Please try again in a moment.")
            }
        }
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::Deserialization(m) => {
                Self::BadRequest(format!("The request could not be read: {m}"))
            }
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => Self::Unavailable(
                "The server could not be reached. Check your connection and try again.".into(),
            ),
            ServerFnErrorErr::Registration(_) => {
                Self::NotFound("This action does not exist.".into())
            }
            ServerFnErrorErr::UnsupportedRequestMethod(m) => Self::BadRequest(m),
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "server")]
pub use server::server_fn_status;

#[cfg(feature = "server")]
mod server {
    use axum::{
        Json,
        response::{IntoResponse, Response},
    };
    use http::StatusCode;

    use super::AppError;

    /// What a person is told when the database cannot be had just now.
    const BUSY: &str = "We are very busy or briefly unavailable. Nothing was changed: please try again in a minute.";

    impl AppError {
        /// Logs an internal cause once and turns it into the plain user-facing error.
        #[track_caller]
        pub fn internal(cause: impl std::fmt::Display) -> Self {
            let at = std::panic::Location::caller();
            tracing::error!(error = %cause, at = %at, "internal error");
            Self::Internal
        }

        /// Maps a database error: a unique violation on one of `constraints` (name, field,
        /// message) becomes a `Conflict` about that field; no connection to be had (every one
        /// busy past the pool's wait, or the database unreachable) is `Unavailable` (503: try
        /// again); anything else is internal.
        #[track_caller]
        pub fn from_db(err: sqlx::Error, constraints: &[(&str, &str, &str)]) -> Self {
            if let sqlx::Error::Database(db) = &err
                && let Some(name) = db.constraint()
                && let Some((_, field, message)) = constraints.iter().find(|(c, _, _)| *c == name)
            {
                return Self::conflict(*field, *message);
            }
            if matches!(err, sqlx::Error::RowNotFound) {
                return Self::NotFound("Not found.".into());
            }
            // The server going away mid-query says so with an SQLSTATE: class 08 (connection
            // exception), 57P01-57P03 (shut down by the operator, crashed, starting up), 53300
            // (too many connections).
            let server_away = matches!(&err, sqlx::Error::Database(db)
                if db.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P") || c == "53300"));
            if server_away
                || matches!(
                    err,
                    sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::Io(_)
                        | sqlx::Error::Tls(_)
                        | sqlx::Error::WorkerCrashed
                )
            {
                tracing::warn!(error = %err, "database unavailable");
                return Self::Unavailable(BUSY.into());
            }
            Self::internal(err)
        }

        /// For server functions: sets the HTTP status of the answer to this error's, then
        /// returns it. Use as `.map_err(AppError::respond)`.
        pub fn respond(self) -> Self {
            if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                opts.set_status(
                    StatusCode::from_u16(self.status())
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                );
            }
            self
        }

        /// For server functions that fill one section of a page (the account page's orders
        /// from another app, say): as [`respond`](Self::respond) when called on their own
        /// (`/api/…`), while a page that shows the section and its error in place keeps its
        /// own status.
        pub fn respond_as_section(self) -> Self {
            let own_call = leptos::prelude::use_context::<http::request::Parts>()
                .is_some_and(|p| p.uri.path().starts_with("/api/"));
            if own_call { self.respond() } else { self }
        }
    }

    /// Middleware for server-function routes: errors raised by the framework before the
    /// function runs (a missing or malformed argument) are answered 500 by leptos; this gives them
    /// the status of the `AppError` they carry (400 for a malformed request).
    ///
    /// A form posted without JavaScript that fails is sent back to its page by Leptos, with the
    /// error in the `Location`'s query (the page shows it); [`AppError::respond`] has by then
    /// set the error's own status, which a browser does not follow. Such an answer becomes a
    /// `303 See Other`.
    pub async fn server_fn_status(
        req: axum::extract::Request,
        next: axum::middleware::Next,
    ) -> Response {
        let mut res = next.run(req).await;
        let back_to_the_form = res.headers().contains_key(http::header::LOCATION)
            && res
                .headers()
                .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER);
        if back_to_the_form && (res.status().is_client_error() || res.status().is_server_error()) {
            *res.status_mut() = StatusCode::SEE_OTHER;
            return res;
        }
        if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
            return res;
        }
        let (mut parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        };
        if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
            && let Ok(status) = StatusCode::from_u16(err.status())
        {
            parts.status = status;
        }
        Response::from_parts(parts, axum::body::Body::from(bytes))
    }

    impl From<sqlx::Error> for AppError {
        #[track_caller]
        fn from(err: sqlx::Error) -> Self {
            Self::from_db(err, &[])
        }
    }

    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let status =
                StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let body = serde_json::json!({ "error": self.to_string(), "field": self.field() });
            let mut res = (status, Json(body)).into_response();
            if status == StatusCode::SERVICE_UNAVAILABLE {
                res.headers_mut().insert(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static("30"),
                );
            }
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_name_their_field_and_answer_422() {
        let err = AppError::validation("email", "Enter an email address.");
        assert_eq!(err.status(), 422);
        assert_eq!(
            err.message_for("email").as_deref(),
            Some("Enter an email address.")
        );
        assert_eq!(err.message_for("password"), None);
    }

    #[cfg(feature = "server")]
    #[test]
    fn internal_errors_show_no_cause() {
        use axum::response::IntoResponse;

        let cause = "error returned from database: relation \"users\" does not exist";
        let err = AppError::internal(cause);
        assert_eq!(err.status(), 500);
        assert!(!err.to_string().contains("users"), "{err}");
        let res = err.clone().into_response();
        assert_eq!(res.status(), 500);
        let body =
            futures::executor::block_on(axum::body::to_bytes(res.into_body(), 4096)).expect("body");
        let body = String::from_utf8_lossy(&body);
        assert!(
            !body.contains("users") && !body.contains("database"),
            "{body}"
        );
        assert!(body.contains("Something went wrong on our side"), "{body}");
        // A database error is internal too, and shows nothing of its own either.
        let db = AppError::from_db(
            sqlx::Error::Protocol("relation \"users\" is odd".into()),
            &[],
        );
        assert_eq!(db, AppError::Internal);
    }

    #[cfg(feature = "server")]
    #[test]
    fn no_database_connection_is_a_503_to_retry_not_a_500() {
        for err in [sqlx::Error::PoolTimedOut, sqlx::Error::PoolClosed] {
            let app = AppError::from(err);
            assert_eq!(app.status(), 503);
            assert!(app.to_string().contains("try again"), "{app}");
        }
        assert_eq!(
            AppError::from(sqlx::Error::ColumnNotFound("x".into())).status(),
            500
        );
    }
}

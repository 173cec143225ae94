//! The upload flow every app uses for images (covers, photos, logos): a plain multipart form
//! post, so it works without JavaScript.
//!
//! 1. The caller checks who may upload *before* the body is read.
//! 2. [`read_form`] reads the file (and where to send the browser back to).
//! 3. [`replace`] checks the image by content and size, re-encodes it (see `Storage::put_picture`:
//!    no metadata, upright, scaled, with a thumbnail), stores it under a generated key, then
//!    lets the caller point its row at the new key. When the row cannot be updated the new
//!    object is removed again; when it was, the object it replaced is removed. So a failed
//!    upload changes no row, and a failed row update leaves no object.
//! 4. [`answer`] sends the browser back to the form, with the problem's code when there is one
//!    (`?upload_error=size`); the page shows the message of known codes only.

use axum::{
    extract::{Multipart, multipart::MultipartError},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use platform::{
    AppError,
    upload::{Problem, QUERY_PARAM},
};

use crate::{Storage, StorageError};

/// Why an upload did not go through: something the uploader can fix (back to the form with
/// its code), or a refusal answered as such (401, 403).
#[derive(Debug)]
pub enum Failure {
    Problem(Problem),
    Refused(AppError),
}

impl From<StorageError> for Failure {
    fn from(e: StorageError) -> Self {
        Self::Problem(match e {
            StorageError::Empty => Problem::Empty,
            StorageError::TooLarge { .. } => Problem::Size,
            StorageError::UnsupportedType => Problem::Type,
            StorageError::TooManyPixels => Problem::Pixels,
            StorageError::Undecodable => Problem::Damaged,
            StorageError::Backend(_) | StorageError::Config(_) => {
                tracing::error!(error = %e, "upload failed");
                Problem::Failed
            }
        })
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unauthorized | AppError::Forbidden(_) => Self::Refused(e),
            AppError::NotFound(_) => Self::Problem(Problem::Gone),
            // The only conflict an upload meets: no room for one more picture.
            AppError::Conflict { .. } => Self::Problem(Problem::Full),
            _ => Self::Problem(Problem::Failed),
        }
    }
}

fn unreadable(e: &MultipartError) -> Failure {
    Failure::Problem(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::Size
    } else {
        Problem::Unreadable
    })
}

/// Reads an upload form: the file in field `file_field`, and `back` (a path on this site,
/// sent before the file; `fallback` when absent or not a local path).
pub async fn read_form(
    mut form: Multipart,
    file_field: &str,
    fallback: &str,
) -> (String, Result<Vec<u8>, Failure>) {
    let mut back = fallback.to_owned();
    let mut bytes = None;
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return (back, Err(unreadable(&e))),
        };
        match field.name() {
            Some(name) if name == file_field => match field.bytes().await {
                Ok(b) => bytes = Some(b.to_vec()),
                Err(e) => return (back, Err(unreadable(&e))),
            },
            Some("back") => {
                if let Ok(text) = field.text().await
                    && let Some(path) = sso::return_to::local_path(&text)
                {
                    back = path;
                }
            }
            _ => {}
        }
    }
    (back, bytes.ok_or(Failure::Problem(Problem::Missing)))
}

/// Stores `bytes` (checked by content and size) under `<prefix>/<generated>.<ext>`, then calls
/// `point_row_at(new_key)`, which updates the row and answers `Some(old key, if any)`, or `None`
/// when the row is gone. The object that is no longer used afterwards is removed.
pub async fn replace<F, Fut>(
    storage: &Storage,
    prefix: &str,
    bytes: &[u8],
    point_row_at: F,
) -> Result<String, Failure>
where
    F: FnOnce(String) -> Fut,
    Fut: Future<Output = Result<Option<Option<String>>, AppError>>,
{
    let stored = storage.put_image(prefix, bytes).await?;
    match point_row_at(stored.key.clone()).await {
        Ok(Some(old)) => {
            if let Some(old) = old
                && let Err(e) = storage.delete_picture(&old).await
            {
                tracing::warn!(error = %e, key = old, "could not remove a replaced image");
            }
            Ok(stored.key)
        }
        outcome => {
            if let Err(e) = storage.delete_picture(&stored.key).await {
                tracing::error!(error = %e, key = stored.key, "could not remove an unused upload");
            }
            match outcome {
                Ok(_) => Err(Failure::Problem(Problem::Gone)),
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// Back to the form: to `back`, with the problem's code when there is one; a refusal is
/// answered as the error it is.
pub fn answer(back: &str, result: Result<(), Failure>) -> Response {
    match result {
        Ok(()) => Redirect::to(back).into_response(),
        Err(Failure::Problem(p)) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}{QUERY_PARAM}={}", p.code())).into_response()
        }
        Err(Failure::Refused(e)) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_goes_back_with_the_problems_code() {
        let res = answer("/r/x/edit", Err(Failure::Problem(Problem::Size)));
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            res.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/r/x/edit?upload_error=size")
        );
        let res = answer("/m?tab=1", Err(Failure::Problem(Problem::Type)));
        assert_eq!(
            res.headers().get("location").and_then(|v| v.to_str().ok()),
            Some("/m?tab=1&upload_error=type")
        );
        let res = answer("/m", Err(Failure::Refused(AppError::Unauthorized)));
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn the_store_takes_what_the_page_says() {
        assert_eq!(
            crate::DEFAULT_MAX_BYTES,
            platform::upload::MAX_MIB * 1024 * 1024
        );
    }
}

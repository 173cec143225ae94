//! Photo uploads: a restaurant's cover and its dishes' photos, into the app's bucket.
//!
//! Plain multipart form posts (they work without JavaScript). The image is checked by its
//! content and size before anything is stored; the object is stored before the row points at
//! it, and removed again when the row cannot be updated; the replaced object is removed only
//! after the row points at the new one. So a failed upload leaves no row change, and a failed
//! update leaves no object.

#[cfg(feature = "ssr")]
pub mod ssr {
    use axum::{
        Router,
        extract::{DefaultBodyLimit, Multipart, Path, State, multipart::MultipartError},
        http::StatusCode,
        response::{IntoResponse, Redirect, Response},
        routing::post,
    };
    use platform::AppError;
    use sso::CurrentUser;
    use storage::{Storage, StorageError};
    use uuid::Uuid;

    use crate::access::{Role, ssr::require};
    use crate::menu::db::Row;
    use crate::server::AppState;

    pub fn routes(max_bytes: usize) -> Router<AppState> {
        Router::new()
            .route("/dashboard/photos/cover/{id}", post(cover))
            .route("/dashboard/photos/item/{id}", post(item))
            // Room for the form's other fields and the multipart framing.
            .layer(DefaultBodyLimit::max(max_bytes + 64 * 1024))
    }

    /// Only a path on this site (`/…`, not `//host`), else the dashboard.
    fn local_path(raw: &str) -> String {
        let ok = raw.starts_with('/')
            && !raw.starts_with("//")
            && !raw.contains('\\')
            && raw.chars().all(|c| c.is_ascii_graphic());
        if ok {
            raw.to_owned()
        } else {
            "/dashboard".to_owned()
        }
    }

    fn too_large(e: &MultipartError, max: usize) -> AppError {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::from(StorageError::TooLarge {
                max_mib: max.div_ceil(1024 * 1024),
            })
        } else {
            AppError::BadRequest(format!("The upload could not be read: {}", e.body_text()))
        }
    }

    /// Reads the form: where to go back to (sent before the file) and the file's bytes.
    async fn read(mut form: Multipart, max: usize) -> (String, Result<Vec<u8>, AppError>) {
        let mut back = "/dashboard".to_owned();
        let mut bytes = None;
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return (back, Err(too_large(&e, max))),
            };
            match field.name() {
                Some("photo") => match field.bytes().await {
                    Ok(b) => bytes = Some(b.to_vec()),
                    Err(e) => return (back, Err(too_large(&e, max))),
                },
                Some("back") => {
                    if let Ok(text) = field.text().await {
                        back = local_path(&text);
                    }
                }
                _ => {}
            }
        }
        let bytes = bytes.ok_or_else(|| AppError::validation("photo", "Choose a photo to upload."));
        (back, bytes)
    }

    /// Back to the form: with the message when it is one the uploader can act on.
    fn answer(back: &str, result: Result<(), AppError>) -> Response {
        match result {
            Ok(()) => Redirect::to(back).into_response(),
            Err(e @ (AppError::Validation { .. } | AppError::BadRequest(_))) => {
                let sep = if back.contains('?') { '&' } else { '?' };
                Redirect::to(&format!(
                    "{back}{sep}photo_error={}",
                    platform::percent_encode(&e.to_string())
                ))
                .into_response()
            }
            Err(e) => e.into_response(),
        }
    }

    /// Stores the image, then points the row at it with `update` (which returns the key it
    /// replaced, or `None` when the row is gone); cleans up whichever object is no longer used.
    async fn replace<F, Fut>(
        storage: &Storage,
        prefix: &str,
        bytes: &[u8],
        update: F,
    ) -> Result<(), AppError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<Option<Option<String>>, AppError>>,
    {
        let stored = storage.put_image(prefix, bytes).await?;
        match update(stored.key.clone()).await {
            Ok(Some(old)) => {
                if let Some(old) = old
                    && let Err(e) = storage.delete(&old).await
                {
                    tracing::warn!(error = %e, key = old, "could not remove a replaced photo");
                }
                Ok(())
            }
            outcome => {
                if let Err(e) = storage.delete(&stored.key).await {
                    tracing::error!(error = %e, key = stored.key, "could not remove an unused upload");
                }
                match outcome {
                    Ok(_) => Err(AppError::not_found("It was deleted meanwhile.")),
                    Err(e) => Err(e),
                }
            }
        }
    }

    async fn cover(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(id): Path<Uuid>,
        form: Multipart,
    ) -> Response {
        let max = state.storage.max_bytes();
        // Authorise before reading the body: a stranger's upload is never read nor stored.
        if let Err(e) = require(&state.pool, id, user.id, Role::Owner).await {
            return e.into_response();
        }
        let (back, bytes) = read(form, max).await;
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => return answer(&back, Err(e)),
        };
        let pool = state.pool.clone();
        let result = replace(
            &state.storage,
            &format!("covers/{id}"),
            &bytes,
            |key| async move {
                Ok(sqlx::query_scalar(
                    "update restaurants r set cover_key = $2, updated_at = now()
                 from (select id, cover_key as old from restaurants where id = $1 for update) o
                 where r.id = o.id returning o.old",
                )
                .bind(id)
                .bind(key)
                .fetch_optional(&pool)
                .await?)
            },
        )
        .await;
        answer(&back, result)
    }

    async fn item(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(id): Path<Uuid>,
        form: Multipart,
    ) -> Response {
        let max = state.storage.max_bytes();
        let restaurant = match Row::Item(id)
            .authorize(&state.pool, user.id, Role::Owner)
            .await
        {
            Ok(r) => r,
            Err(e) => return e.into_response(),
        };
        let (back, bytes) = read(form, max).await;
        let bytes = match bytes {
            Ok(b) => b,
            Err(e) => return answer(&back, Err(e)),
        };
        let pool = state.pool.clone();
        let result = replace(
            &state.storage,
            &format!("items/{restaurant}"),
            &bytes,
            |key| async move {
                Ok(sqlx::query_scalar(
                    "update menu_items m set photo_key = $2
                 from (select id, photo_key as old from menu_items where id = $1 for update) o
                 where m.id = o.id returning o.old",
                )
                .bind(id)
                .bind(key)
                .fetch_optional(&pool)
                .await?)
            },
        )
        .await;
        answer(&back, result)
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn uploads_only_return_to_this_site() {
            assert_eq!(
                super::local_path("/dashboard/r/x/menu"),
                "/dashboard/r/x/menu"
            );
            for bad in [
                "",
                "https://evil.com",
                "//evil.com/x",
                "/\\evil.com",
                "dashboard",
                "/a b",
            ] {
                assert_eq!(super::local_path(bad), "/dashboard", "{bad}");
            }
        }
    }
}

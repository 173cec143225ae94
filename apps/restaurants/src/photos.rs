//! Photo uploads: a restaurant's cover and its dishes' photos, into the app's bucket.
//!
//! Plain multipart form posts (they work without JavaScript). The image is checked by its
//! content and size before anything is stored; the object is stored before the row points at
//! it, and removed again when the row cannot be updated; the replaced object is removed only
//! after the row points at the new one. So a failed upload leaves no row change, and a failed
//! update leaves no object.
//!
//! The form comes back to its page with `?photo_error=<code>`; the page shows the message for a
//! known code only (a link cannot put its own words on the owner's page).

/// Largest photo, in MiB (the object store's limit; a test keeps them equal).
pub const MAX_MIB: usize = 5;

/// What went wrong with an upload, as sent back to the form's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Type,
    Size,
    Empty,
    Missing,
    Unreadable,
    Gone,
    Failed,
}

impl Problem {
    const ALL: [Self; 7] = [
        Self::Type,
        Self::Size,
        Self::Empty,
        Self::Missing,
        Self::Unreadable,
        Self::Gone,
        Self::Failed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Size => "size",
            Self::Empty => "empty",
            Self::Missing => "missing",
            Self::Unreadable => "unreadable",
            Self::Gone => "gone",
            Self::Failed => "failed",
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::Type => "Only JPEG, PNG, WebP and GIF images are accepted.".to_owned(),
            Self::Size => format!("The photo is larger than {MAX_MIB} MiB."),
            Self::Empty => "The file is empty.".to_owned(),
            Self::Missing => "Choose a photo to upload.".to_owned(),
            Self::Unreadable => "The upload could not be read. Try again.".to_owned(),
            Self::Gone => "That was deleted meanwhile.".to_owned(),
            Self::Failed => "The photo could not be saved. Try again in a moment.".to_owned(),
        }
    }

    /// The message for a code from the page's query string; `None` for anything else.
    pub fn message_for(code: &str) -> Option<String> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .map(Self::message)
    }
}

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
    use storage::StorageError;
    use uuid::Uuid;

    use super::Problem;
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

    /// Why an upload failed: something the uploader can fix (back to the form with its code),
    /// or a refusal answered as such.
    enum Failure {
        Problem(Problem),
        Refused(AppError),
    }

    impl From<StorageError> for Failure {
        fn from(e: StorageError) -> Self {
            Self::Problem(match e {
                StorageError::Empty => Problem::Empty,
                StorageError::TooLarge { .. } => Problem::Size,
                StorageError::UnsupportedType => Problem::Type,
                StorageError::Backend(_) | StorageError::Config(_) => {
                    tracing::error!(error = %e, "photo upload failed");
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

    /// Reads the form: where to go back to (sent before the file) and the file's bytes.
    async fn read(mut form: Multipart) -> (String, Result<Vec<u8>, Failure>) {
        let mut back = "/dashboard".to_owned();
        let mut bytes = None;
        loop {
            let field = match form.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) => return (back, Err(unreadable(&e))),
            };
            match field.name() {
                Some("photo") => match field.bytes().await {
                    Ok(b) => bytes = Some(b.to_vec()),
                    Err(e) => return (back, Err(unreadable(&e))),
                },
                Some("back") => {
                    if let Ok(text) = field.text().await {
                        back = local_path(&text);
                    }
                }
                _ => {}
            }
        }
        let bytes = bytes.ok_or(Failure::Problem(Problem::Missing));
        (back, bytes)
    }

    /// Back to the form, with the problem's code when there is one.
    fn answer(back: &str, result: Result<(), Failure>) -> Response {
        match result {
            Ok(()) => Redirect::to(back).into_response(),
            Err(Failure::Problem(p)) => {
                let sep = if back.contains('?') { '&' } else { '?' };
                Redirect::to(&format!("{back}{sep}photo_error={}", p.code())).into_response()
            }
            Err(Failure::Refused(e)) => e.into_response(),
        }
    }

    /// Where a photo goes: its key prefix and the statement that points row `$1` at key `$2`,
    /// returning the key it replaced (no row when the row is gone).
    struct Target {
        prefix: String,
        update: &'static str,
        id: Uuid,
    }

    const COVER: &str = "update restaurants r set cover_key = $2, updated_at = now()
         from (select id, cover_key as old from restaurants where id = $1 for update) o
         where r.id = o.id returning o.old";

    const ITEM: &str = "update menu_items m set photo_key = $2
         from (select id, photo_key as old from menu_items where id = $1 for update) o
         where m.id = o.id returning o.old";

    /// Reads the form, stores the image, points the row at it, and cleans up whichever object
    /// is no longer used; answers with a redirect back to the form.
    async fn upload(state: &AppState, form: Multipart, target: Target) -> Response {
        let (back, bytes) = read(form).await;
        let result = match bytes {
            Ok(bytes) => replace(state, &target, &bytes).await,
            Err(e) => Err(e),
        };
        answer(&back, result)
    }

    async fn replace(state: &AppState, target: &Target, bytes: &[u8]) -> Result<(), Failure> {
        let stored = state.storage.put_image(&target.prefix, bytes).await?;
        let updated: Result<Option<Option<String>>, sqlx::Error> =
            sqlx::query_scalar(target.update)
                .bind(target.id)
                .bind(&stored.key)
                .fetch_optional(&state.pool)
                .await;
        match updated {
            Ok(Some(old)) => {
                if let Some(old) = old
                    && let Err(e) = state.storage.delete(&old).await
                {
                    tracing::warn!(error = %e, key = old, "could not remove a replaced photo");
                }
                Ok(())
            }
            outcome => {
                if let Err(e) = state.storage.delete(&stored.key).await {
                    tracing::error!(error = %e, key = stored.key, "could not remove an unused upload");
                }
                match outcome {
                    Ok(_) => Err(Failure::Problem(Problem::Gone)),
                    Err(e) => Err(AppError::from(e).into()),
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
        // Authorised before the body is read: a stranger's upload is never read nor stored.
        match require(&state.pool, id, user.id, Role::Owner).await {
            Ok(_) => {
                let prefix = format!("covers/{id}");
                upload(
                    &state,
                    form,
                    Target {
                        prefix,
                        update: COVER,
                        id,
                    },
                )
                .await
            }
            Err(e) => e.into_response(),
        }
    }

    async fn item(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(id): Path<Uuid>,
        form: Multipart,
    ) -> Response {
        match Row::Item(id)
            .authorize(&state.pool, user.id, Role::Owner)
            .await
        {
            Ok(restaurant) => {
                let prefix = format!("items/{restaurant}");
                upload(
                    &state,
                    form,
                    Target {
                        prefix,
                        update: ITEM,
                        id,
                    },
                )
                .await
            }
            Err(e) => e.into_response(),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_page_says_the_same_limit_as_the_store() {
            assert_eq!(
                super::super::MAX_MIB * 1024 * 1024,
                storage::DEFAULT_MAX_BYTES
            );
        }

        #[test]
        fn only_known_codes_have_a_message() {
            for p in super::Problem::ALL {
                assert_eq!(super::Problem::message_for(p.code()), Some(p.message()));
            }
            assert_eq!(
                super::Problem::message_for("Your session expired, sign in at evil.example"),
                None
            );
        }

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

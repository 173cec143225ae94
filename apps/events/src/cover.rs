//! An event's cover picture, through the suite's upload flow (`storage::upload`: checked by
//! content and size, decoded within limits and encoded again before anything is stored, the
//! object stored before the row points at it, the replaced one removed).

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::AppState;
    use axum::{
        Router,
        extract::{DefaultBodyLimit, Multipart, Path, State},
        response::{IntoResponse, Response},
        routing::post,
    };
    use sso::CurrentUser;
    use storage::upload::{self, Failure};

    use crate::access::ssr::organizer_of;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/dashboard/e/{slug}/cover", post(cover))
            // Room for the form's other fields and the multipart framing.
            .layer(DefaultBodyLimit::max(
                storage::DEFAULT_MAX_BYTES + 64 * 1024,
            ))
    }

    /// `POST /dashboard/e/{slug}/cover`: the organizer's new cover; back to the event's
    /// organizer page.
    async fn cover(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(slug): Path<String>,
        form: Multipart,
    ) -> Response {
        // Authorised before the body is read: a stranger's upload is never read nor stored.
        let event = match organizer_of(&state.pool, &slug, user.id).await {
            Ok(e) => e,
            Err(e) => return e.into_response(),
        };
        let fallback = format!("/dashboard/e/{}", event.slug);
        let (back, bytes) = upload::read_form(form, "photo", &fallback).await;
        let result = async {
            let bytes = bytes?;
            let storage = state.storage().map_err(Failure::from)?;
            let id = event.id;
            let pool = &state.pool;
            upload::replace(storage, &format!("covers/{id}"), &bytes, |key| async move {
                crate::events::db::set_cover(pool, id, &key).await
            })
            .await
            .map(|_| ())
        }
        .await;
        upload::answer(&back, result)
    }
}

//! Photo uploads: a restaurant's cover and its dishes' photos, through the suite's upload flow
//! (`storage::upload`: content and size checked before anything is stored, the object stored
//! before the row points at it, no orphan object, the replaced one removed).

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
    use uuid::Uuid;

    use crate::access::{Role, ssr::require};
    use crate::menu::db::Row;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/dashboard/photos/cover/{id}", post(cover))
            .route("/dashboard/photos/item/{id}", post(item))
            // Room for the form's other fields and the multipart framing.
            .layer(DefaultBodyLimit::max(
                storage::DEFAULT_MAX_BYTES + 64 * 1024,
            ))
    }

    /// Which row a photo goes to.
    #[derive(Clone, Copy)]
    enum Target {
        Cover(Uuid),
        Item(Uuid),
    }

    /// Reads the form, stores the image under `prefix`, points the row at it; answers with a
    /// redirect back to the form.
    async fn upload(state: &AppState, form: Multipart, prefix: String, target: Target) -> Response {
        let (back, bytes) = upload::read_form(form, "photo", "/dashboard").await;
        let result = async {
            let bytes = bytes?;
            let storage = state.storage().map_err(Failure::from)?;
            upload::replace(storage, &prefix, &bytes, |key| async move {
                match target {
                    Target::Cover(id) => {
                        crate::restaurants::db::set_cover(&state.pool, id, &key).await
                    }
                    Target::Item(id) => crate::menu::db::set_photo(&state.pool, id, &key).await,
                }
            })
            .await
            .map(|_| ())
        }
        .await;
        upload::answer(&back, result)
    }

    async fn cover(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(id): Path<Uuid>,
        form: Multipart,
    ) -> Response {
        // Authorised before the body is read: a stranger's upload is never read nor stored.
        match require(&state.pool, id, user.id, Role::Owner).await {
            Ok(_) => upload(&state, form, format!("covers/{id}"), Target::Cover(id)).await,
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
                upload(
                    &state,
                    form,
                    format!("items/{restaurant}"),
                    Target::Item(id),
                )
                .await
            }
            Err(e) => e.into_response(),
        }
    }
}

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
    use platform::AppError;
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

    /// Points row `$1` at key `$2`, returning the key it replaced (no row when the row is gone).
    const COVER: &str = "update restaurants r set cover_key = $2, updated_at = now()
         from (select id, cover_key as old from restaurants where id = $1 for update) o
         where r.id = o.id returning o.old";

    const ITEM: &str = "update menu_items m set photo_key = $2
         from (select id, photo_key as old from menu_items where id = $1 for update) o
         where m.id = o.id returning o.old";

    /// Reads the form, stores the image under `prefix`, points the row at it with `update`;
    /// answers with a redirect back to the form.
    async fn upload(
        state: &AppState,
        form: Multipart,
        prefix: String,
        update: &'static str,
        id: Uuid,
    ) -> Response {
        let (back, bytes) = upload::read_form(form, "photo", "/dashboard").await;
        let result = async {
            let bytes = bytes?;
            let storage = state.storage().map_err(Failure::from)?;
            upload::replace(storage, &prefix, &bytes, |key| async move {
                let old: Option<Option<String>> = sqlx::query_scalar(update)
                    .bind(id)
                    .bind(key)
                    .fetch_optional(&state.pool)
                    .await?;
                Ok::<_, AppError>(old)
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
            Ok(_) => upload(&state, form, format!("covers/{id}"), COVER, id).await,
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
            Ok(restaurant) => upload(&state, form, format!("items/{restaurant}"), ITEM, id).await,
            Err(e) => e.into_response(),
        }
    }
}

//! A product's pictures, through the suite's upload flow (`storage::upload`: checked by content
//! and size, re-encoded with a thumbnail before anything is stored, the object stored before a
//! row points at it, no orphan object): several per product, the first shown as its main
//! picture and thumbnail; its shop reorders and removes them.

use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most pictures one product has.
pub const MAX_IMAGES: i64 = 8;

/// A picture as its shop manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageView {
    pub id: Uuid,
    pub thumbnail_url: String,
}

/// Moves a picture of the signed-in member's product one place earlier (the first is the
/// main one).
#[server(prefix = "/api/products", endpoint = "move-image")]
pub async fn move_image(slug: String, id: Uuid) -> Result<(), AppError> {
    ssr::move_earlier(slug.clone(), id)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

/// Removes a picture of the signed-in member's product (from the bucket too).
#[server(prefix = "/api/products", endpoint = "remove-image")]
pub async fn remove_image(slug: String, id: Uuid) -> Result<(), AppError> {
    ssr::remove(slug.clone(), id)
        .await
        .map(|()| leptos_axum::redirect(&format!("/dashboard/p/{slug}")))
        .map_err(AppError::respond)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::{AppState, require_user};
    use axum::{
        Router,
        extract::{DefaultBodyLimit, Multipart, Path, State},
        response::{IntoResponse, Response},
        routing::post,
    };
    use platform::{AppError, upload::Problem};
    use sqlx::PgPool;
    use sso::CurrentUser;
    use storage::upload::{self, Failure};
    use uuid::Uuid;

    use super::{ImageView, MAX_IMAGES};
    use crate::access::ssr::own_product;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route("/dashboard/p/{slug}/images", post(add))
            // Room for the form's other fields and the multipart framing.
            .layer(DefaultBodyLimit::max(
                storage::DEFAULT_MAX_BYTES + 64 * 1024,
            ))
    }

    async fn count(pool: &PgPool, product: Uuid) -> Result<i64, AppError> {
        Ok(
            sqlx::query_scalar("select count(*) from product_images where product_id = $1")
                .bind(product)
                .fetch_one(pool)
                .await?,
        )
    }

    /// `POST /dashboard/p/{slug}/images`: one more picture; back to the product's page.
    async fn add(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        Path(slug): Path<String>,
        form: Multipart,
    ) -> Response {
        // Authorised before the body is read: another shop's upload is never read nor stored.
        let (id, _) = match own_product(&state.pool, &slug, user.id).await {
            Ok(found) => found,
            Err(e) => return e.into_response(),
        };
        let (back, bytes) = upload::read_form(form, "photo", &format!("/dashboard/p/{slug}")).await;
        let result = async {
            let bytes = bytes?;
            if count(&state.pool, id).await? >= MAX_IMAGES {
                return Err(Failure::Problem(Problem::Full));
            }
            let storage = state.storage().map_err(Failure::from)?;
            let pool = &state.pool;
            upload::replace(
                storage,
                &format!("products/{id}"),
                &bytes,
                |key| async move {
                    // Appended last, under the product's lock: never more than the most, however
                    // many uploads arrive at once.
                    let mut tx = pool.begin().await?;
                    sqlx::query("select 1 from products where id = $1 for update")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let added = sqlx::query(
                        "insert into product_images (product_id, key, position)
                     select $1, $2, coalesce(max(position), 0) + 1 from product_images
                      where product_id = $1
                     having count(*) < $3",
                    )
                    .bind(id)
                    .bind(&key)
                    .bind(MAX_IMAGES)
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    if added.rows_affected() == 1 {
                        Ok(Some(None))
                    } else {
                        Err(AppError::conflict("photo", Problem::Full.message()))
                    }
                },
            )
            .await
            .map(|_| ())
        }
        .await;
        upload::answer(&back, result)
    }

    /// The product's pictures, in their order.
    pub async fn of(pool: &PgPool, product: Uuid) -> Result<Vec<ImageView>, AppError> {
        let rows: Vec<(Uuid, String)> = sqlx::query_as(
            "select id, key from product_images where product_id = $1 order by position, created_at",
        )
        .bind(product)
        .fetch_all(pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, key)| ImageView {
                id,
                thumbnail_url: storage::Storage::thumbnail_path(&key),
            })
            .collect())
    }

    pub async fn move_earlier(slug: String, image: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let (product, _) = own_product(&state.pool, &slug, user.id).await?;
        let mut tx = state.pool.begin().await?;
        // The product's pictures, locked, renumbered with this one a place earlier.
        let mut ids: Vec<Uuid> = sqlx::query_scalar(
            "select id from product_images where product_id = $1
             order by position, created_at for update",
        )
        .bind(product)
        .fetch_all(&mut *tx)
        .await?;
        let Some(at) = ids.iter().position(|i| *i == image) else {
            return Err(AppError::not_found("There is no such picture."));
        };
        if at > 0 {
            ids.swap(at - 1, at);
        }
        for (position, id) in ids.iter().enumerate() {
            sqlx::query("update product_images set position = $2 where id = $1")
                .bind(id)
                .bind(i32::try_from(position).unwrap_or(i32::MAX))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove(slug: String, image: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let (product, _) = own_product(&state.pool, &slug, user.id).await?;
        let key: Option<String> = sqlx::query_scalar(
            "delete from product_images where id = $1 and product_id = $2 returning key",
        )
        .bind(image)
        .bind(product)
        .fetch_optional(&state.pool)
        .await?;
        let Some(key) = key else {
            return Err(AppError::not_found("There is no such picture."));
        };
        delete_object(&state, &key).await;
        Ok(())
    }

    /// Removes a picture no row points at any more (logged when the bucket refuses).
    async fn delete_object(state: &AppState, key: &str) {
        match state.storage() {
            Ok(s) => {
                if let Err(e) = s.delete_picture(key).await {
                    tracing::warn!(error = %e, key, "could not remove a deleted picture");
                }
            }
            Err(e) => tracing::warn!(error = %e, key, "could not remove a deleted picture"),
        }
    }
}

//! Menus: the owner's editor (sections, items, choices, sold-out switches). Customers see the
//! menu on the restaurant's page (see [`crate::orders::pages`]).

#[cfg(feature = "ssr")]
pub mod db;
pub mod pages;

use api::restaurants::Menu;
use leptos::prelude::*;
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::Role;

/// What the menu editor shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuEditor {
    pub restaurant_id: Uuid,
    pub slug: String,
    pub name: String,
    /// Staff only switch items sold out; owners edit everything.
    pub role: Role,
    pub menu: Menu,
}

#[server(prefix = "/api/menu", endpoint = "editor")]
pub async fn get_menu_editor(slug: String) -> Result<MenuEditor, AppError> {
    ssr::editor(slug).await.map_err(AppError::respond)
}

#[server(prefix = "/api/menu", endpoint = "add-category")]
pub async fn add_category(restaurant_id: Uuid, name: String) -> Result<(), AppError> {
    ssr::run(|pool, user| async move {
        db::add_category(&pool, user, restaurant_id, &name)
            .await
            .map(|_| ())
    })
    .await
}

#[server(prefix = "/api/menu", endpoint = "rename-category")]
pub async fn rename_category(id: Uuid, name: String) -> Result<(), AppError> {
    ssr::run(|pool, user| async move { db::rename_category(&pool, user, id, &name).await }).await
}

#[server(prefix = "/api/menu", endpoint = "delete-category")]
pub async fn delete_category(id: Uuid) -> Result<(), AppError> {
    ssr::run(|pool, user| async move { db::delete_category(&pool, user, id).await }).await
}

#[server(prefix = "/api/menu", endpoint = "add-item")]
pub async fn add_item(
    restaurant_id: Uuid,
    category_id: Uuid,
    name: String,
    description: String,
    price: String,
    #[server(default)] tags: Vec<String>,
) -> Result<(), AppError> {
    ssr::run(|pool, user| async move {
        let f = db::ItemFields::parse(category_id, &name, &description, &price, &tags)?;
        db::add_item(&pool, user, restaurant_id, &f)
            .await
            .map(|_| ())
    })
    .await
}

#[server(prefix = "/api/menu", endpoint = "update-item")]
pub async fn update_item(
    id: Uuid,
    category_id: Uuid,
    name: String,
    description: String,
    price: String,
    #[server(default)] tags: Vec<String>,
) -> Result<(), AppError> {
    ssr::run(|pool, user| async move {
        let f = db::ItemFields::parse(category_id, &name, &description, &price, &tags)?;
        db::update_item(&pool, user, id, &f).await
    })
    .await
}

#[server(prefix = "/api/menu", endpoint = "delete-item")]
pub async fn delete_item(id: Uuid) -> Result<(), AppError> {
    ssr::delete_item(id).await.map_err(AppError::respond)
}

/// Owners and staff switch an item sold out (and back).
#[server(prefix = "/api/menu", endpoint = "sold-out")]
pub async fn set_sold_out(id: Uuid, sold_out: bool) -> Result<(), AppError> {
    ssr::run(|pool, user| async move { db::set_sold_out(&pool, user, id, sold_out).await }).await
}

#[server(prefix = "/api/menu", endpoint = "add-group")]
pub async fn add_option_group(
    item_id: Uuid,
    name: String,
    min_choices: String,
    max_choices: String,
) -> Result<(), AppError> {
    ssr::run(|pool, user| async move {
        let range = db::choices(&min_choices, &max_choices)?;
        db::add_group(&pool, user, item_id, &name, range)
            .await
            .map(|_| ())
    })
    .await
}

#[server(prefix = "/api/menu", endpoint = "delete-group")]
pub async fn delete_option_group(id: Uuid) -> Result<(), AppError> {
    ssr::run(|pool, user| async move { db::delete_group(&pool, user, id).await }).await
}

#[server(prefix = "/api/menu", endpoint = "add-option")]
pub async fn add_option(group_id: Uuid, name: String, price_delta: String) -> Result<(), AppError> {
    ssr::run(|pool, user| async move {
        db::add_option(&pool, user, group_id, &name, &price_delta)
            .await
            .map(|_| ())
    })
    .await
}

#[server(prefix = "/api/menu", endpoint = "delete-option")]
pub async fn delete_option(id: Uuid) -> Result<(), AppError> {
    ssr::run(|pool, user| async move { db::delete_option(&pool, user, id).await }).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::AppError;
    use sqlx::PgPool;
    use uuid::Uuid;

    use super::MenuEditor;
    use crate::access::{Role, ssr::require};
    use crate::restaurants::db::id_and_name;
    use appkit::require_user;

    /// Runs an edit as the signed-in user (each edit checks the user's role itself) and gives
    /// the error its HTTP status.
    #[tracing::instrument(skip_all)]
    pub async fn run<F, Fut>(edit: F) -> Result<(), AppError>
    where
        F: FnOnce(PgPool, Uuid) -> Fut,
        Fut: Future<Output = Result<(), AppError>>,
    {
        async {
            let (state, user) = require_user().await?;
            edit(state.pool.clone(), user.id).await
        }
        .await
        .map_err(AppError::respond)
    }

    #[tracing::instrument(skip_all, fields(slug = %slug))]
    pub async fn editor(slug: String) -> Result<MenuEditor, AppError> {
        let (state, user) = require_user().await?;
        let (id, name) = id_and_name(&state.pool, &slug).await?;
        let role = require(&state.pool, id, user.id, Role::Staff).await?;
        Ok(MenuEditor {
            restaurant_id: id,
            slug,
            name,
            role,
            menu: super::db::load(&state.pool, id, false).await?,
        })
    }

    /// Deletes the row, then its photo: a failed delete of the object leaves an orphan in the
    /// bucket (logged), never a row pointing at nothing.
    #[tracing::instrument(skip_all, fields(%id))]
    pub async fn delete_item(id: Uuid) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        if let Some(key) = super::db::delete_item(&state.pool, user.id, id).await?
            && let Err(e) = state.storage()?.delete_picture(&key).await
        {
            tracing::warn!(error = %e, key, "could not remove a deleted item's photo");
        }
        Ok(())
    }
}

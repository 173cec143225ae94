//! Who may do what: a shop's owner everything to their shop, its products and its orders; a
//! suite admin approves and suspends shops; everyone else nothing. Every vendor server function
//! goes through [`ssr::own_shop`] or [`ssr::own_product`], every admin one through
//! [`ssr::admin`].

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::AppError;
    use sqlx::PgPool;
    use sso::SessionUser;
    use uuid::Uuid;

    use crate::shops::db::{self as shops_db, ShopRow};

    /// The shop `user` owns: 404 when they have none yet.
    pub async fn own_shop(pool: &PgPool, user: Uuid) -> Result<ShopRow, AppError> {
        shops_db::of_owner(pool, user)
            .await?
            .ok_or_else(|| AppError::not_found("You have no shop yet: open one first."))
    }

    /// The product `slug` when its shop is `user`'s: 404 when there is none, 403 when it is
    /// another shop's. Its id and its shop.
    pub async fn own_product(
        pool: &PgPool,
        slug: &str,
        user: Uuid,
    ) -> Result<(Uuid, ShopRow), AppError> {
        let found: Option<(Uuid, Uuid)> =
            sqlx::query_as("select p.id, s.owner_id from products p join shops s on s.id = p.shop_id where p.slug = $1")
                .bind(slug)
                .fetch_optional(pool)
                .await?;
        let Some((id, owner)) = found else {
            return Err(AppError::not_found("There is no such product."));
        };
        if owner != user {
            return Err(AppError::Forbidden(
                "Only the product's shop can change it.".into(),
            ));
        }
        Ok((id, own_shop(pool, user).await?))
    }

    /// `user` when they are a suite admin.
    pub fn admin(user: &SessionUser) -> Result<(), AppError> {
        if user.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden("Only suite admins can do this.".into()))
        }
    }
}

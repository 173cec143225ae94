//! Who may do what: a shop's owner everything to their shop, its products and its orders; its
//! staff move its orders on (never cancel one); a suite admin approves and suspends shops;
//! everyone else nothing. Every vendor server function goes through [`ssr::own_shop`],
//! [`ssr::own_product`] or [`ssr::order_desk`], every admin one through [`ssr::admin`].

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::staff::Tables;
    use platform::AppError;
    use sqlx::PgPool;
    use sso::SessionUser;
    use uuid::Uuid;

    use crate::shops::db::{self as shops_db, ShopRow};

    /// The shops' staff tables.
    pub const STAFF: Tables = Tables {
        members: "shop_staff",
        invites: "shop_staff_invites",
        place_column: "shop_id",
        places: "shops",
        owner_column: "owner_id",
        name_column: "name",
    };

    /// Whose orders `user` works: their own shop's (`slug` empty), or those of the shop `slug`
    /// when they own it or are on its staff (403 otherwise). Whether they own it.
    pub async fn order_desk(
        pool: &PgPool,
        slug: &str,
        user: Uuid,
    ) -> Result<(ShopRow, bool), AppError> {
        if slug.is_empty() {
            return Ok((own_shop(pool, user).await?, true));
        }
        let shop = shops_db::by_slug(pool, slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such shop."))?;
        if shop.owner_id == user {
            return Ok((shop, true));
        }
        if STAFF.is_member(pool, shop.id, user).await? {
            return Ok((shop, false));
        }
        Err(AppError::Forbidden(
            "Only the shop's owner and staff see its orders.".into(),
        ))
    }

    /// Whether `user` owns the shop `shop` (`Some(true)`), is on its staff (`Some(false)`),
    /// or neither (`None`).
    pub async fn role_at(pool: &PgPool, shop: Uuid, user: Uuid) -> Result<Option<bool>, AppError> {
        let owner: Option<Uuid> = sqlx::query_scalar("select owner_id from shops where id = $1")
            .bind(shop)
            .fetch_optional(pool)
            .await?;
        match owner {
            None => Ok(None),
            Some(owner) if owner == user => Ok(Some(true)),
            Some(_) => Ok(STAFF.is_member(pool, shop, user).await?.then_some(false)),
        }
    }

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

//! Who may do what to a restaurant: its owner everything; its staff the order queue and
//! sold-out switches; everyone else nothing. Every owner and staff server function and handler
//! goes through [`ssr::require`].

use serde::{Deserialize, Serialize};

/// A person's part in a restaurant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Owner,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Staff => "staff",
        }
    }

    pub fn is_owner(self) -> bool {
        self == Self::Owner
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::AppError;
    use sqlx::PgPool;
    use uuid::Uuid;

    use super::Role;

    /// The user's role in the restaurant; `NotFound` when there is no such restaurant.
    pub async fn role(
        pool: &PgPool,
        restaurant: Uuid,
        user: Uuid,
    ) -> Result<Option<Role>, AppError> {
        match crate::restaurants::db::ties(pool, restaurant, user).await? {
            None => Err(AppError::not_found("There is no such restaurant.")),
            Some((true, _)) => Ok(Some(Role::Owner)),
            Some((false, true)) => Ok(Some(Role::Staff)),
            Some((false, false)) => Ok(None),
        }
    }

    /// The user's role, when it is at least `needed` (an owner may do what staff may); 403
    /// otherwise.
    pub async fn require(
        pool: &PgPool,
        restaurant: Uuid,
        user: Uuid,
        needed: Role,
    ) -> Result<Role, AppError> {
        match (role(pool, restaurant, user).await?, needed) {
            (Some(Role::Owner), _) => Ok(Role::Owner),
            (Some(Role::Staff), Role::Staff) => Ok(Role::Staff),
            (_, Role::Owner) => Err(AppError::Forbidden(
                "Only the restaurant's owner can do this.".into(),
            )),
            (_, Role::Staff) => Err(AppError::Forbidden(
                "Only the restaurant's owner and staff can do this.".into(),
            )),
        }
    }
}

//! Who may change an event: its organizer. Every organizer server function goes through
//! [`ssr::organizer_of`].

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::AppError;
    use sqlx::PgPool;
    use uuid::Uuid;

    use crate::events::db::EventRow;

    /// The event `slug` when `user` organizes it: 404 when there is none, 403 when it is
    /// someone else's.
    pub async fn organizer_of(pool: &PgPool, slug: &str, user: Uuid) -> Result<EventRow, AppError> {
        let event = crate::events::db::by_slug(pool, slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such event."))?;
        if event.organizer_id != user {
            return Err(AppError::Forbidden(
                "Only the event's organizer can do that.".into(),
            ));
        }
        Ok(event)
    }
}

//! Who may do what to an event: its organizer everything; its staff the door and the attendee
//! list; everyone else nothing. Every organizer server function goes through
//! [`ssr::organizer_of`], every door one through [`ssr::door_of`].

#[cfg(feature = "ssr")]
pub mod ssr {
    use appkit::staff::Tables;
    use platform::AppError;
    use sqlx::PgPool;
    use uuid::Uuid;

    use crate::events::db::EventRow;

    /// The events' staff tables.
    pub const STAFF: Tables = Tables {
        members: "event_staff",
        invites: "event_staff_invites",
        place_column: "event_id",
        places: "events",
        owner_column: "organizer_id",
        name_column: "title",
    };

    async fn event(pool: &PgPool, slug: &str) -> Result<EventRow, AppError> {
        crate::events::db::by_slug(pool, slug)
            .await?
            .ok_or_else(|| AppError::not_found("There is no such event."))
    }

    /// The event `slug` when `user` organizes it: 404 when there is none, 403 when it is
    /// someone else's.
    pub async fn organizer_of(pool: &PgPool, slug: &str, user: Uuid) -> Result<EventRow, AppError> {
        let event = event(pool, slug).await?;
        if event.organizer_id != user {
            return Err(AppError::Forbidden(
                "Only the event's organizer can do that.".into(),
            ));
        }
        Ok(event)
    }

    /// The event `slug` when `user` organizes it or is on its staff.
    pub async fn door_of(pool: &PgPool, slug: &str, user: Uuid) -> Result<EventRow, AppError> {
        let event = event(pool, slug).await?;
        if event.organizer_id != user && !STAFF.is_member(pool, event.id, user).await? {
            return Err(AppError::Forbidden(
                "Only the event's organizer and staff can do that.".into(),
            ));
        }
        Ok(event)
    }
}

//! The events server: what it is made of. Everything else a server does is the app kit's.

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Pages a visitor is sent to sign in for.
const SIGN_IN_REQUIRED: &[&str] = &["/tickets", "/dashboard", "/dashboard/**"];

/// The events app.
pub fn app() -> appkit::AppDef {
    appkit::AppDef::new("events", &MIGRATOR)
        .pages(crate::app::App)
        .bucket()
        .sign_in_required(SIGN_IN_REQUIRED)
        .public_api(crate::upcoming::ssr::routes())
        .routes(axum::Router::new().route(
            "/e/{slug}/calendar.ics",
            axum::routing::get(crate::events::ssr::calendar),
        ))
}

//! The events server: what it is made of. Everything else a server does is the app kit's.

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The events app.
pub fn app() -> appkit::AppDef {
    appkit::AppDef::new("events", &MIGRATOR)
        .pages(crate::app::App)
        .bucket()
        .public_api(crate::upcoming::ssr::routes())
}

//! The restaurants server: what it is made of. Everything else a server does is the app kit's.

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Pages a visitor must sign in for.
pub const SIGN_IN_REQUIRED: &[&str] = &[
    "/new",
    "/r/*/edit",
    "/dashboard/**",
    "/orders/**",
    "/staff/**",
];

/// The restaurants app.
pub fn app() -> appkit::AppDef {
    appkit::AppDef::new("restaurants", &MIGRATOR)
        .pages(crate::app::App)
        .bucket()
        .sign_in_required(SIGN_IN_REQUIRED)
        .public_api(crate::api::ssr::routes())
        .routes(crate::photos::ssr::routes())
        .seed(|state| Box::pin(crate::seed::demo(state)))
}

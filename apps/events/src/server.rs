//! The events server: what it is made of. Everything else a server does is the app kit's.

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Pages a visitor is sent to sign in for.
const SIGN_IN_REQUIRED: &[&str] = &[
    "/tickets",
    "/orders/**",
    "/dashboard",
    "/dashboard/**",
    "/staff/**",
];

/// How often lapsed holds are expired and written-down refunds sent.
const JOB_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The events app.
pub fn app() -> appkit::AppDef {
    appkit::AppDef::new("events", &MIGRATOR)
        .pages(crate::app::App)
        .bucket()
        .payments()
        .seed(|state| Box::pin(crate::seed::demo(state)))
        .webhooks(appkit::webhook::stripe(
            |state, intent, id, kind| async move {
                crate::checkout::settle::settle(&state, &intent, Some((&id, &kind))).await
            },
        ))
        .job("expire-holds", JOB_EVERY, |s| {
            Box::pin(crate::checkout::settle::expire_holds(s))
        })
        .job("send-refunds", JOB_EVERY, |s| {
            Box::pin(crate::checkout::settle::send_refunds(s))
        })
        .sign_in_required(SIGN_IN_REQUIRED)
        .public_api(crate::api::ssr::routes())
        .routes(crate::cover::ssr::routes())
        .routes(
            axum::Router::new()
                .route(
                    "/e/{slug}/calendar.ics",
                    axum::routing::get(crate::events::ssr::calendar),
                )
                .route(
                    "/dashboard/e/{slug}/attendees.csv",
                    axum::routing::get(crate::attendees::ssr::csv),
                ),
        )
}

//! The store server: what it is made of. Everything else a server does is the app kit's.

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Pages a visitor is sent to sign in for.
const SIGN_IN_REQUIRED: &[&str] = &[
    "/orders",
    "/orders/**",
    "/dashboard",
    "/dashboard/**",
    "/admin/**",
    "/staff/**",
];

/// How often lapsed reservations return their units and written-down refunds are sent.
const JOB_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// The store app.
pub fn app() -> appkit::AppDef {
    appkit::AppDef::new("store", &MIGRATOR)
        .pages(crate::app::App)
        .bucket()
        .payments()
        .seed(|state| Box::pin(crate::seed::demo(state)))
        .webhooks(appkit::webhook::stripe(
            |state, intent, id, kind| async move {
                crate::checkout::settle::settle(&state, &intent, Some((&id, &kind))).await
            },
        ))
        .job("release-reservations", JOB_EVERY, |s| {
            Box::pin(crate::checkout::settle::expire_reservations(s))
        })
        .job("send-refunds", JOB_EVERY, |s| {
            Box::pin(crate::checkout::settle::send_refunds(s))
        })
        .layer(|router, state| {
            router.layer(axum::middleware::from_fn_with_state(
                state.clone(),
                crate::cart::ssr::merge_at_sign_in,
            ))
        })
        .job(
            "forget-merged-carts",
            std::time::Duration::from_secs(3600),
            |s| {
                Box::pin(async move {
                    crate::cart::db::forget_merged(&s.pool).await?;
                    Ok(())
                })
            },
        )
        .sign_in_required(SIGN_IN_REQUIRED)
        .public_api(crate::api::ssr::routes())
        .routes(crate::images::ssr::routes().merge(crate::shops::logo::routes()))
}

//! The security headers on every page of the portal (see `appkit::headers`).

use devstack::{harness::User, pages::Visit};
use reqwest::StatusCode;

use crate::helpers::spawn_app;

/// Every page of the portal, to a visitor and to the people it is for, carries the security
/// headers (a Content-Security-Policy whose nonce is on every script, no framing, nosniff, a
/// referrer policy) and, signed in, `no-store`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_carries_the_security_headers() {
    let app = spawn_app().await;
    let member = app.signed_up("member@example.com").await;
    let admin = app.signed_up("admin@example.com").await;
    portal::admin::ssr::grant_admin(&app.db.pool, "admin@example.com")
        .await
        .expect("admin");
    let as_user = |session: &str| User {
        id: uuid::Uuid::nil(),
        name: String::new(),
        email: String::new(),
        session: session.to_owned(),
    };
    let (member, admin) = (as_user(&member), as_user(&admin));

    let visit = |route, path: &str, who| Visit {
        route,
        path: path.to_owned(),
        who,
    };
    let visits = [
        visit("/", "/", None),
        visit("/", "/", Some(&member)),
        visit("/signin", "/signin", None),
        visit("/signup", "/signup", None),
        visit("/signup/sent", "/signup/sent", None),
        visit("/verify", "/verify?token=0000", None),
        visit("/forgot", "/forgot", None),
        visit("/forgot/sent", "/forgot/sent", None),
        visit("/reset", "/reset?token=0000", None),
        visit("/account", "/account", Some(&member)),
        visit("/admin", "/admin", Some(&admin)),
        visit("/email/confirm", "/email/confirm?token=0000", Some(&member)),
    ];
    let routes = portal::server::app(portal::server::Settings {
        providers: Vec::new(),
        aggregate_timeout: std::time::Duration::from_millis(500),
    })
    .page_paths()
    .await;
    app.check_every_page(&routes, &visits).await;

    // A server function's answer to a signed-in caller is not kept either.
    let res = app
        .call("/api/_suite/nav", &[], Some(&member.session))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.headers["cache-control"], "no-store");
    assert_eq!(res.headers["x-frame-options"], "DENY");
}

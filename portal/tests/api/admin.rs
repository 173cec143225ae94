//! The suite admin: find an account, disable it (its sessions end at once), enable it again.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

const PASSWORD: &str = "correct horse battery";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_disables_an_account_everywhere_at_once_and_enables_it_again() {
    let app = spawn_app().await;
    let admin = app.signed_up("root@example.com").await;
    let member = app.signed_up("zed@example.com").await;
    assert!(
        portal::admin::ssr::grant_admin(&app.db.pool, "ROOT@example.com")
            .await
            .expect("grant")
    );

    // Members and visitors cannot look, or act.
    let res = app
        .call("/api/admin/users", &[("q", "")], Some(&member))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app.call("/api/admin/users", &[("q", "")], None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    let found = app
        .call("/api/admin/users", &[("q", "ZED@")], Some(&admin))
        .await;
    assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
    let list = found.body.as_array().expect("a list");
    assert_eq!(list.len(), 1, "{list:?}");
    let zed = list[0]["id"].as_str().expect("id").to_owned();

    let res = app
        .call(
            "/api/admin/disable",
            &[("user_id", &zed), ("disabled", "true")],
            Some(&member),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.whoami(Some(&member)).await.as_deref(),
        Some("zed@example.com")
    );

    let res = app
        .call(
            "/api/admin/disable",
            &[("user_id", &zed), ("disabled", "true")],
            Some(&admin),
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{:?}",
        res.body
    );
    assert_eq!(app.whoami(Some(&member)).await, None, "signed out at once");
    assert_eq!(
        app.sign_in("zed@example.com", PASSWORD, None).await.status,
        StatusCode::FORBIDDEN
    );

    let res = app
        .call(
            "/api/admin/disable",
            &[("user_id", &zed), ("disabled", "false")],
            Some(&admin),
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{:?}",
        res.body
    );
    assert!(
        app.sign_in("zed@example.com", PASSWORD, None)
            .await
            .session_cookie()
            .is_some()
    );

    // An admin cannot shut themselves out.
    let me = app
        .call("/api/admin/users", &[("q", "root")], Some(&admin))
        .await;
    let me = me.body[0]["id"].as_str().expect("id").to_owned();
    let res = app
        .call(
            "/api/admin/disable",
            &[("user_id", &me), ("disabled", "true")],
            Some(&admin),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{Options, TestApp, spawn_app, spawn_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_id_planted_before_sign_in_is_not_the_one_in_use_after() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    // An attacker's session: a real, server-known id, handed to the victim before sign-in.
    let planted = app.signed_up("mallory@example.com").await;
    let res = app
        .sign_in("ada@example.com", "correct horse battery", Some(&planted))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let (fresh, _) = res.session_cookie().expect("a new cookie");
    assert_ne!(fresh, planted);
    assert_eq!(
        app.whoami(Some(&fresh)).await.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        app.whoami(Some(&planted)).await,
        None,
        "the planted id is dead"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let cookie = app.signed_up("ada@example.com").await;
    let res = TestApp::client()
        .post(app.url("/signout"))
        .header("origin", &app.origin)
        .header("cookie", app.cookie_header(&cookie))
        .form(&[(
            "return_to",
            "http://restaurants.stepperslife.localhost:3010/r/x",
        )])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("http://restaurants.stepperslife.localhost:3010/r/x")
    );
    // Replaying the old cookie gets nobody: the row is gone, not just the browser's cookie.
    assert_eq!(app.whoami(Some(&cookie)).await, None);
    let rows: i64 = sqlx::query_scalar("select count(*) from tower_sessions.session")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(rows, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_from_a_foreign_page_is_refused() {
    let app = spawn_app().await;
    let cookie = app.signed_up("ada@example.com").await;
    let res = TestApp::client()
        .post(app.url("/signout"))
        .header("origin", "https://evil.com")
        .header("cookie", app.cookie_header(&cookie))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(app.whoami(Some(&cookie)).await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_everywhere_ends_every_session_of_that_person_only() {
    let app = spawn_app().await;
    let laptop = app.signed_up("ada@example.com").await;
    let phone = app
        .sign_in("ada@example.com", "correct horse battery", None)
        .await
        .session_cookie()
        .expect("cookie")
        .0;
    let other = app.signed_up("grace@example.com").await;

    let account = app.call("/api/account/get", &[], Some(&laptop)).await;
    assert_eq!(account.status, StatusCode::OK);
    assert_eq!(account.body["sessions"].as_array().map(Vec::len), Some(2));

    let res = app
        .call("/api/account/signout-everywhere", &[], Some(&laptop))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(app.whoami(Some(&laptop)).await, None);
    assert_eq!(app.whoami(Some(&phone)).await, None);
    assert_eq!(
        app.whoami(Some(&other)).await.as_deref(),
        Some("grace@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_needs_a_signed_in_person() {
    let app = spawn_app().await;
    let res = app.call("/api/account/get", &[], None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app
        .call("/api/account/rename", &[("name", "x")], None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_ends() {
    let app = spawn_app().await;
    let cookie = app.signed_up("ada@example.com").await;
    sqlx::query("update tower_sessions.session set expiry_date = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .expect("age the session");
    assert_eq!(app.whoami(Some(&cookie)).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_its_absolute_lifetime_however_active() {
    let app = spawn_with(Options {
        absolute: Duration::from_secs(3600),
        ..Options::default()
    })
    .await;
    let now = sso::SessionReader::now();
    // Both sessions were used a moment ago (their idle deadline is an hour away).
    let recent = app.signed_in_since("Ada", now - 59 * 60).await;
    let old = app.signed_in_since("Grace", now - 61 * 60).await;
    assert_eq!(
        app.whoami(Some(&recent.session)).await,
        Some(recent.email.clone())
    );
    assert_eq!(app.whoami(Some(&old.session)).await, None);
    // Using it again changes nothing.
    assert_eq!(app.whoami(Some(&old.session)).await, None);
    assert_eq!(
        app.whoami(Some(&recent.session)).await,
        Some(recent.email.clone())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_table_holds_nothing_that_works_as_a_cookie() {
    let app = crate::helpers::spawn_app().await;
    let cookie = app.signed_up("ada@example.com").await;
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("select id, data from tower_sessions.session")
            .fetch_all(&app.db.pool)
            .await
            .expect("rows");
    assert!(!rows.is_empty());
    for (id, data) in &rows {
        assert_ne!(id, &cookie, "the row is not keyed by the cookie's value");
        let blob = String::from_utf8_lossy(data);
        assert!(!blob.contains(&cookie), "nor does its data hold it");
        // What an app's read-only role can read, tried as a cookie: nobody.
        assert_eq!(app.whoami(Some(id)).await, None);
    }
    assert_eq!(
        app.whoami(Some(&cookie)).await.as_deref(),
        Some("ada@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_session_cookies_in_one_request_are_nobody_and_change_nothing() {
    let app = crate::helpers::spawn_app().await;
    let mallory = app.signed_up("mallory@example.com").await;
    let victim = app.signed_up("victim@example.com").await;
    let victim_elsewhere = app
        .sign_in("victim@example.com", "correct horse battery", None)
        .await
        .session_cookie()
        .expect("a second session")
        .0;
    // A sibling host tossed Mallory's cookie in beside the victim's, in either order.
    for both in [
        format!("{n}={mallory}; {n}={victim}", n = app.cookie_name),
        format!("{n}={victim}; {n}={mallory}", n = app.cookie_name),
    ] {
        let res = crate::helpers::TestApp::client()
            .post(app.url("/api/account/signout-everywhere"))
            .header("origin", &app.origin)
            .header("accept", "application/json")
            .header("cookie", &both)
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);
        let nav = crate::helpers::TestApp::client()
            .post(app.url("/api/_suite/nav"))
            .header("origin", &app.origin)
            .header("accept", "application/json")
            .header("cookie", &both)
            .send()
            .await
            .expect("nav")
            .json::<serde_json::Value>()
            .await
            .expect("json");
        assert!(nav["user"].is_null(), "{nav}");
    }
    // Every session is as it was.
    assert_eq!(
        app.whoami(Some(&mallory)).await.as_deref(),
        Some("mallory@example.com")
    );
    assert_eq!(
        app.whoami(Some(&victim)).await.as_deref(),
        Some("victim@example.com")
    );
    assert_eq!(
        app.whoami(Some(&victim_elsewhere)).await.as_deref(),
        Some("victim@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_me_signed_in_gives_the_longer_lifetimes_and_only_when_asked() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    let deadline = |cookie: String| {
        let app = &app;
        async move {
            let id: sso::SessionId = cookie.parse().expect("session id");
            let at: chrono::DateTime<chrono::Utc> =
                sqlx::query_scalar("select expiry_date from tower_sessions.session where id = $1")
                    .bind(sso::stored_id(&id))
                    .fetch_one(&app.db.pool)
                    .await
                    .expect("session row");
            at - chrono::Utc::now()
        }
    };
    // Not kept: the idle lifetime of the configuration (an hour in these tests).
    let res = app
        .sign_in("ada@example.com", "correct horse battery", None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let (plain, _) = res.session_cookie().expect("cookie");
    let left = deadline(plain).await;
    assert!(
        left > chrono::Duration::minutes(55) && left <= chrono::Duration::minutes(60),
        "{left}"
    );
    // Kept: 14 days.
    let res = app
        .call(
            "/api/auth/signin",
            &[
                ("email", "ada@example.com"),
                ("password", "correct horse battery"),
                ("keep", "on"),
            ],
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let (kept, _) = res.session_cookie().expect("cookie");
    let left = deadline(kept.clone()).await;
    assert!(
        left > chrono::Duration::days(13) && left <= chrono::Duration::days(14),
        "{left}"
    );
    // A change saved into the session (a new name) keeps its kind: still 14 days.
    sqlx::query("update tower_sessions.session set expiry_date = now() + interval '1 day'")
        .execute(&app.db.pool)
        .await
        .expect("deadline");
    let res = app
        .call("/api/account/rename", &[("name", "Ada L.")], Some(&kept))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let left = deadline(kept).await;
    assert!(left > chrono::Duration::days(13), "{left}");
}

#[test]
fn the_default_lifetimes_are_those_of_asvs_level_2() {
    let settings =
        sso::SessionSettings::from_env(&platform::suite::Suite::local()).expect("settings");
    assert_eq!(settings.idle, Duration::from_secs(30 * 60));
    assert_eq!(settings.absolute, Duration::from_secs(12 * 3600));
    assert_eq!(settings.kept_idle, Duration::from_secs(14 * 24 * 3600));
    assert_eq!(settings.kept_absolute, Duration::from_secs(30 * 24 * 3600));
}

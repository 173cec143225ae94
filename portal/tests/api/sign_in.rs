use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_a_sign_up_from_the_mail_signs_you_in_with_the_suite_wide_cookie() {
    let app = spawn_app().await;
    let res = app
        .sign_up("Ada Lovelace", "Ada@Example.com", "correct horse battery")
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert!(
        res.session_cookie().is_none(),
        "no account before the address is confirmed"
    );
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(users, 0);
    let page = app
        .get(
            &app.confirm_link("ada@example.com", 1)
                .await
                .replace(&app.suite.portal(), ""),
            None,
        )
        .await;
    assert!(
        page.text().await.expect("page").contains("confirm-form"),
        "a button, not the link alone"
    );
    let res = app.confirm_sign_up("ada@example.com", 1, None).await;
    let (value, line) = res.session_cookie().expect("cookie set");
    let lower = line.to_ascii_lowercase();
    assert!(lower.contains("domain=stepperslife.localhost"), "{line}");
    assert!(lower.contains("path=/"), "{line}");
    assert!(lower.contains("httponly"), "{line}");
    assert!(lower.contains("samesite=lax"), "{line}");
    assert!(!lower.contains("secure"), "plain http locally: {line}");
    assert_eq!(
        app.whoami(Some(&value)).await.as_deref(),
        Some("ada@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_names_the_field_that_is_wrong() {
    let app = spawn_app().await;
    for (name, email, password, field) in [
        ("", "a@example.com", "long enough pw", "name"),
        ("Ada", "not-an-email", "long enough pw", "email"),
        ("Ada", "a@example.com", "short", "password"),
    ] {
        let res = app.sign_up(name, email, password).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            res.body
        );
        assert_eq!(res.error_field().as_deref(), Some(field));
        assert!(res.session_cookie().is_none());
    }
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(users, 0, "nothing half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_up_with_a_taken_address_looks_the_same_and_tells_its_owner() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    let taken = app
        .sign_up("Other Ada", "ADA@example.com", "violet harbour tundra 77")
        .await;
    let fresh = app
        .sign_up("Bea", "bea@example.com", "violet harbour tundra 77")
        .await;
    assert_eq!((taken.status, &taken.body), (fresh.status, &fresh.body));
    assert_eq!(
        taken.headers.get("location").and_then(|v| v.to_str().ok()),
        fresh.headers.get("location").and_then(|v| v.to_str().ok())
    );
    assert!(taken.session_cookie().is_none());
    let mails = app.mails_to("ada@example.com", 2).await;
    assert_eq!(
        mails[1]["subject"],
        "You already have a SteppersLife account"
    );
    let (users, name): (i64, String) = sqlx::query_as(
        "select count(*), max(name) from users where lower(email) = 'ada@example.com'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("count");
    assert_eq!(
        (users, name.as_str()),
        (1, "Ada Lovelace"),
        "the first account, untouched"
    );
    let pending: i64 =
        sqlx::query_scalar("select count(*) from signups where lower(email) = 'ada@example.com'")
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
    assert_eq!(pending, 0, "no sign-up to confirm for a taken address");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    let wrong = app.sign_in("ada@example.com", "wrong password", None).await;
    let unknown = app
        .sign_in("nobody@example.com", "wrong password", None)
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert!(wrong.session_cookie().is_none());
    let ok = app
        .sign_in("ada@example.com", "correct horse battery", None)
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert!(ok.session_cookie().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_hold_off_unknown_devices_for_a_while() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    for _ in 0..portal::auth::ssr::MAX_FAILURES_PER_ACCOUNT {
        let res = app.sign_in("ada@example.com", "guess", None).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Now even the right password is refused, from a device and network that never signed in
    // to this account, until the window passes.
    let res = app
        .sign_in("ada@example.com", "correct horse battery", None)
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", res.body);
    assert!(
        res.error_message().contains("Wait"),
        "{}",
        res.error_message()
    );
    // Another account from the same address still works (per-IP limit is higher).
    app.signed_up("grace@example.com").await;
    let res = app
        .sign_in("grace@example.com", "correct horse battery", None)
        .await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_failures_from_one_address_are_refused() {
    let app = spawn_app().await;
    for i in 0..portal::auth::ssr::MAX_FAILURES_PER_IP {
        let res = app
            .sign_in(&format!("user{i}@example.com"), "guess", None)
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.sign_in("someone-else@example.com", "guess", None).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_goes_back_to_a_suite_page_and_never_elsewhere() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    let cases = [
        (
            "http://restaurants.stepperslife.localhost:3010/new",
            "http://restaurants.stepperslife.localhost:3010/new",
        ),
        ("/account", "/account"),
        ("//evil.com", "http://stepperslife.localhost:3001/"),
        ("https://evil.com/", "http://stepperslife.localhost:3001/"),
        (
            "http://stepperslife.localhost.evil.com:3001/",
            "http://stepperslife.localhost:3001/",
        ),
    ];
    for (return_to, expected) in cases {
        let res = app
            .call(
                "/api/auth/signin",
                &[
                    ("email", "ada@example.com"),
                    ("password", "correct horse battery"),
                    ("return_to", return_to),
                ],
                None,
            )
            .await;
        assert_eq!(res.status, StatusCode::OK);
        assert_eq!(
            res.redirect_to().as_deref(),
            Some(expected),
            "return_to={return_to}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_from_a_foreign_origin_is_refused() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    let form = [
        ("email", "ada@example.com"),
        ("password", "correct horse battery"),
    ];
    for origin in [Some("https://evil.com"), Some("null"), None] {
        let res = app.call_from("/api/auth/signin", &form, None, origin).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "origin {origin:?}");
        assert!(res.session_cookie().is_none());
    }
    let res = app
        .call_from(
            "/api/auth/signin",
            &form,
            None,
            Some("http://restaurants.stepperslife.localhost:3010"),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_renders_for_a_visitor() {
    let app = spawn_app().await;
    let res = TestApp::client()
        .get(app.url("/signin?return_to=%2Faccount"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("Sign in"));
    assert!(html.contains(r#"name="password""#));
    assert!(
        html.contains(r#"value="/account""#),
        "return_to is carried in the form"
    );
}

/// Signs in as a browser at client address `ip` would (through the proxy), with its cookies.
async fn sign_in_at(
    app: &crate::helpers::TestApp,
    ip: &str,
    email: &str,
    password: &str,
    cookies: &str,
) -> reqwest::Response {
    crate::helpers::TestApp::client()
        .post(app.url("/api/auth/signin"))
        .header("origin", &app.origin)
        .header("accept", "application/json")
        .header("x-real-ip", ip)
        .header("cookie", cookies)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("sign-in")
}

fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_wrong_passwords_from_elsewhere_do_not_keep_the_owner_out() {
    let app = spawn_app().await;
    app.signed_up("ada@example.com").await;
    // The owner signs in at home once: that browser becomes a known device.
    let home = sign_in_at(
        &app,
        "198.51.100.7",
        "ada@example.com",
        "correct horse battery",
        "",
    )
    .await;
    assert_eq!(home.status(), StatusCode::OK);
    let device = set_cookie(&home, "sl_device").expect("a device cookie");
    let device = format!("sl_device={device}");

    // A stranger elsewhere tries 20 passwords (some refused unjudged: not counted again).
    let mut refused = 0;
    for i in 0..20 {
        let res = sign_in_at(
            &app,
            "203.0.113.9",
            "ada@example.com",
            &format!("guess {i}"),
            "",
        )
        .await;
        match res.status() {
            StatusCode::UNPROCESSABLE_ENTITY => {}
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("attempt {i}: {other}"),
        }
    }
    assert!(refused >= 14, "the stranger is throttled: {refused}");
    let failures: i64 =
        sqlx::query_scalar("select count(*) from login_attempts where not succeeded")
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
    assert_eq!(failures, 20 - refused, "refusals are not failures");

    // The owner, on her phone's new network but the same browser: in.
    let phone = sign_in_at(
        &app,
        "192.0.2.44",
        "ada@example.com",
        "correct horse battery",
        &device,
    )
    .await;
    assert_eq!(phone.status(), StatusCode::OK);
    // From the home network, even in another browser: in.
    let other = sign_in_at(
        &app,
        "198.51.100.7",
        "ada@example.com",
        "correct horse battery",
        "",
    )
    .await;
    assert_eq!(other.status(), StatusCode::OK);
    // A new browser on a new network waits, even with the right password.
    let new = sign_in_at(
        &app,
        "192.0.2.99",
        "ada@example.com",
        "correct horse battery",
        "",
    )
    .await;
    assert_eq!(new.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ipv6_network_counts_as_one_client() {
    let app = spawn_app().await;
    for i in 0..portal::auth::ssr::MAX_FAILURES_PER_IP {
        let ip = format!("2001:db8:7:7::{:x}", i + 1);
        let res = sign_in_at(&app, &ip, &format!("u{i}@example.com"), "guess", "").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = sign_in_at(&app, "2001:db8:7:7:ffff::1", "z@example.com", "guess", "").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "same /64");
    let res = sign_in_at(&app, "2001:db8:7:8::1", "z@example.com", "guess", "").await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "another /64"
    );
}

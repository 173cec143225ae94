//! Forgotten and changed passwords: single-use links by real email (maildev), sessions ended,
//! the account told.

use devstack::link_in;
use reqwest::StatusCode;

use crate::helpers::{Options, TestApp, spawn_with};

const FIRST: &str = "correct horse battery";
const SECOND: &str = "plum kettle ferry 42 ruby";

async fn with_mail() -> TestApp {
    spawn_with(Options {
        mail: true,
        ..Options::default()
    })
    .await
}

/// A fresh address for this test (maildev is shared by the test process).
fn address(app: &TestApp, who: &str) -> String {
    format!("{who}-{}@example.com", app.db.name)
}

/// Asks for a reset link for `email` and returns the link from the mail.
async fn reset_link(app: &TestApp, email: &str, mails_before: usize) -> String {
    let res = app
        .call("/api/auth/forgot", &[("email", email)], None)
        .await;
    assert!(
        res.status.is_redirection() || res.status == StatusCode::OK,
        "{:?}",
        res.body
    );
    let got = app.mails_to(email, mails_before + 1).await;
    let mail = &got[mails_before];
    assert_eq!(mail["subject"], "Reset your SteppersLife password");
    let text = mail["text"].as_str().expect("a text body");
    link_in(text, &format!("{}/reset?token=", app.suite.portal())).expect("a reset link")
}

fn token_of(link: &str) -> String {
    link.split_once("token=")
        .map(|(_, t)| t.to_owned())
        .expect("token")
}

async fn reset(app: &TestApp, token: &str, password: &str) -> crate::helpers::FnAnswer {
    app.call(
        "/api/auth/reset",
        &[("token", token), ("password", password)],
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = with_mail().await;
    let email = address(&app, "ada");
    let laptop = app.signed_up(&email).await;
    let link = reset_link(&app, &email, 1).await;
    // The database keeps only the link's hash.
    let stored: String = sqlx::query_scalar("select token_hash from email_tokens")
        .fetch_one(&app.db.pool)
        .await
        .expect("token row");
    let token = token_of(&link);
    assert_ne!(stored, token);
    assert_eq!(stored, platform::token::sha256_hex(token.as_bytes()));

    let page = app.get(&format!("/reset?token={token}"), None).await;
    assert!(page.text().await.expect("page").contains("reset-form"));

    let res = reset(&app, &token, SECOND).await;
    assert!(
        res.status.is_redirection() || res.status == StatusCode::OK,
        "{:?}",
        res.body
    );
    let phone = res.session_cookie().expect("signed in by the reset").0;
    assert_eq!(
        app.whoami(Some(&phone)).await.as_deref(),
        Some(email.as_str())
    );
    assert_eq!(
        app.whoami(Some(&laptop)).await,
        None,
        "the other session ended"
    );

    assert_eq!(
        app.sign_in(&email, FIRST, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert!(
        app.sign_in(&email, SECOND, None)
            .await
            .session_cookie()
            .is_some()
    );

    // Used once: the second use changes nothing.
    let again = reset(&app, &token, "another fine phrase 1234").await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "{:?}", again.body);
    assert!(
        app.sign_in(&email, SECOND, None)
            .await
            .session_cookie()
            .is_some()
    );
    let dead = app.get(&format!("/reset?token={token}"), None).await;
    assert!(dead.text().await.expect("page").contains("reset-link-dead"));

    // The account is told, and the reset proved the address.
    let got = app.mails_to(&email, 3).await;
    assert_eq!(got[2]["subject"], "Your SteppersLife password was changed");
    let verified: bool = sqlx::query_scalar(
        "select email_verified_at is not null from users where lower(email) = lower($1)",
    )
    .bind(&email)
    .fetch_one(&app.db.pool)
    .await
    .expect("user");
    assert!(verified);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_link_and_a_weak_password_are_refused_and_change_nothing() {
    let app = with_mail().await;
    let email = address(&app, "bo");
    app.signed_up(&email).await;
    let token = token_of(&reset_link(&app, &email, 1).await);

    let weak = reset(&app, &token, "password1234").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.error_field().as_deref(), Some("password"));
    assert!(weak.session_cookie().is_none());

    sqlx::query("update email_tokens set expires_at = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .expect("expire");
    let late = reset(&app, &token, SECOND).await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    assert!(late.session_cookie().is_none());
    assert!(
        app.sign_in(&email, FIRST, None)
            .await
            .session_cookie()
            .is_some(),
        "unchanged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_an_unknown_address_looks_the_same_and_sends_nothing() {
    let app = with_mail().await;
    let known = address(&app, "cy");
    app.signed_up(&known).await;
    let unknown = address(&app, "nobody");
    let a = app
        .call("/api/auth/forgot", &[("email", &known)], None)
        .await;
    let b = app
        .call("/api/auth/forgot", &[("email", &unknown)], None)
        .await;
    assert_eq!(a.status, b.status);
    assert_eq!(a.body, b.body);
    assert_eq!(
        a.headers.get("location").and_then(|v| v.to_str().ok()),
        b.headers.get("location").and_then(|v| v.to_str().ok())
    );
    app.mails_to(&known, 2).await;
    assert!(
        app.maildev
            .expect("mail")
            .messages_to(&unknown)
            .await
            .is_empty()
    );
    let tokens: i64 = sqlx::query_scalar("select count(*) from email_tokens")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(tokens, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_requests_are_throttled_per_network() {
    let app = spawn_with(Options::default()).await;
    for i in 0..5 {
        let res = app
            .call(
                "/api/auth/forgot",
                &[("email", &format!("x{i}@example.com"))],
                None,
            )
            .await;
        assert_ne!(res.status, StatusCode::TOO_MANY_REQUESTS, "request {i}");
    }
    let res = app
        .call("/api/auth/forgot", &[("email", "x9@example.com")], None)
        .await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_a_password_needs_the_current_one_and_signs_out_other_devices() {
    let app = with_mail().await;
    let email = address(&app, "di");
    let laptop = app.signed_up(&email).await;
    let phone = app
        .sign_in(&email, FIRST, None)
        .await
        .session_cookie()
        .expect("phone")
        .0;

    let wrong = app
        .call(
            "/api/account/password",
            &[
                ("current_password", "not it at all 1234"),
                ("new_password", SECOND),
            ],
            Some(&laptop),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.error_field().as_deref(), Some("current_password"));
    assert_eq!(
        app.whoami(Some(&phone)).await.as_deref(),
        Some(email.as_str()),
        "nothing ended"
    );

    let weak = app
        .call(
            "/api/account/password",
            &[
                ("current_password", FIRST),
                ("new_password", "qwertyuiop12"),
            ],
            Some(&laptop),
        )
        .await;
    assert_eq!(weak.error_field().as_deref(), Some("new_password"));

    let nobody = app
        .call(
            "/api/account/password",
            &[("current_password", FIRST), ("new_password", SECOND)],
            None,
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    let ok = app
        .call(
            "/api/account/password",
            &[("current_password", FIRST), ("new_password", SECOND)],
            Some(&laptop),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(
        app.whoami(Some(&laptop)).await.as_deref(),
        Some(email.as_str()),
        "this one stays"
    );
    assert_eq!(app.whoami(Some(&phone)).await, None, "the other ended");
    assert!(
        app.sign_in(&email, SECOND, None)
            .await
            .session_cookie()
            .is_some()
    );
    let got = app.mails_to(&email, 2).await;
    assert_eq!(got[1]["subject"], "Your SteppersLife password was changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_are_throttled_per_network() {
    let app = spawn_with(Options::default()).await;
    for i in 0..10 {
        let res = app
            .sign_up("Eve", &format!("eve{i}@example.com"), FIRST)
            .await;
        assert_eq!(res.status, StatusCode::OK, "sign-up {i}: {:?}", res.body);
    }
    let res = app.sign_up("Eve", "eve99@example.com", FIRST).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS);
    let users: i64 = sqlx::query_scalar("select count(*) from signups")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(users, 10);
}

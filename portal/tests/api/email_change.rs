//! Changing an account's address: proven by a link to the new address, the old one told.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

const PASSWORD: &str = "correct horse battery";

fn token_in(link: &str) -> String {
    link.split_once("token=")
        .map(|(_, t)| t.to_owned())
        .expect("token")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_changes_only_once_the_new_one_is_proven_and_the_old_one_is_told() {
    let app = spawn_app().await;
    let me = app.signed_up("old@example.com").await;

    let wrong = app
        .call(
            "/api/account/email",
            &[
                ("new_email", "new@example.com"),
                ("current_password", "not it at all 99"),
            ],
            Some(&me),
        )
        .await;
    assert_eq!(wrong.error_field().as_deref(), Some("current_password"));
    let nobody = app
        .call(
            "/api/account/email",
            &[
                ("new_email", "new@example.com"),
                ("current_password", PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    let ok = app
        .call(
            "/api/account/email",
            &[
                ("new_email", "New@Example.com"),
                ("current_password", PASSWORD),
            ],
            Some(&me),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.body);
    assert_eq!(
        app.whoami(Some(&me)).await.as_deref(),
        Some("old@example.com"),
        "not yet"
    );

    let mails = app.mails_to("new@example.com", 1).await;
    assert_eq!(
        mails[0]["subject"],
        "Confirm your new email for SteppersLife"
    );
    let link = devstack::link_in(
        mails[0]["text"].as_str().unwrap_or(""),
        &format!("{}/email/confirm?token=", app.suite.portal()),
    )
    .expect("a link");
    let token = token_in(&link);
    let page = app
        .get(&format!("/email/confirm?token={token}"), None)
        .await;
    assert!(
        page.text()
            .await
            .expect("page")
            .contains("confirm-email-form")
    );

    let done = app
        .call(
            "/api/account/email-confirm",
            &[("token", &token)],
            Some(&me),
        )
        .await;
    assert!(
        done.status.is_success() || done.status.is_redirection(),
        "{:?}",
        done.body
    );
    assert_eq!(
        app.whoami(Some(&me)).await.as_deref(),
        Some("new@example.com")
    );
    assert!(
        app.sign_in("new@example.com", PASSWORD, None)
            .await
            .session_cookie()
            .is_some()
    );
    assert_eq!(
        app.sign_in("old@example.com", PASSWORD, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let told = app.mails_to("old@example.com", 2).await;
    assert_eq!(told[1]["subject"], "Your SteppersLife email was changed");
    assert!(
        told[1]["text"]
            .as_str()
            .unwrap_or("")
            .contains("new@example.com")
    );

    // The link works once.
    let again = app
        .call(
            "/api/account/email-confirm",
            &[("token", &token)],
            Some(&me),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_an_address_that_has_an_account_looks_the_same_and_sends_nothing() {
    let app = spawn_app().await;
    let me = app.signed_up("me@example.com").await;
    app.signed_up("taken@example.com").await;
    let free = app
        .call(
            "/api/account/email",
            &[
                ("new_email", "free@example.com"),
                ("current_password", PASSWORD),
            ],
            Some(&me),
        )
        .await;
    let taken = app
        .call(
            "/api/account/email",
            &[
                ("new_email", "taken@example.com"),
                ("current_password", PASSWORD),
            ],
            Some(&me),
        )
        .await;
    assert_eq!((free.status, &free.body), (taken.status, &taken.body));
    app.mails_to("free@example.com", 1).await;
    let to_taken: i64 = sqlx::query_scalar(
        "select count(*) from mail_outbox where to_address = 'taken@example.com' and kind = 'confirm-new-email'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("count");
    assert_eq!(to_taken, 0);
}

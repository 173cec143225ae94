//! Addresses are proven before they own an account: sign-up links (single use, expiring), and
//! an address held by an account that never proved it goes to whoever proves it.

use portal::auth::ssr::{NewPassword, hash_password};
use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

const SQUATTER: &str = "squatter picked this 1";
const OWNER: &str = "the real jane writes 7";

/// An account made before addresses were proven (or by someone who never could): it holds
/// `email` with a password, a linked provider, and a session.
pub async fn squat(app: &TestApp, email: &str) -> (uuid::Uuid, String) {
    let hash = hash_password(NewPassword::parse(SQUATTER).expect("strong"))
        .await
        .expect("hash");
    let id: uuid::Uuid = sqlx::query_scalar(
        "insert into users (email, name, password_hash) values ($1, 'Squatter', $2) returning id",
    )
    .bind(email)
    .bind(hash)
    .fetch_one(&app.db.pool)
    .await
    .expect("squatter");
    sqlx::query(
        "insert into identities (user_id, provider, issuer, subject) values ($1, 'acme', 'https://x', 'sq')",
    )
    .bind(id)
    .execute(&app.db.pool)
    .await
    .expect("identity");
    let session = app
        .sign_in(email, SQUATTER, None)
        .await
        .session_cookie()
        .expect("the squatter signs in")
        .0;
    (id, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_squatted_without_proof_goes_to_the_owner_who_confirms_from_the_inbox() {
    let app = spawn_app().await;
    let (id, squatter) = squat(&app, "jane@example.com").await;

    let res = app.sign_up("Jane", "jane@example.com", OWNER).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let jane = app
        .confirm_sign_up("jane@example.com", 1, None)
        .await
        .session_cookie()
        .expect("Jane is signed in")
        .0;
    assert_eq!(
        app.whoami(Some(&jane)).await.as_deref(),
        Some("jane@example.com")
    );
    assert_eq!(
        app.whoami(Some(&squatter)).await,
        None,
        "the squatter's session ended"
    );
    assert_eq!(
        app.sign_in("jane@example.com", SQUATTER, None).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the squatter's password no longer works"
    );
    let (same, name, verified, links): (bool, String, bool, i64) = sqlx::query_as(
        "select id = $1, name, email_verified_at is not null,
                (select count(*) from identities where user_id = users.id)
         from users where email = 'jane@example.com'",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .expect("user");
    assert_eq!(
        (same, name.as_str(), verified, links),
        (true, "Jane", true, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_link_works_once_and_not_once_expired() {
    let app = spawn_app().await;
    app.sign_up("Kim", "kim@example.com", OWNER).await;
    let link = app.confirm_link("kim@example.com", 1).await;
    let token = link
        .split_once("token=")
        .map(|(_, t)| t.to_owned())
        .expect("token");
    let stored: String = sqlx::query_scalar("select token_hash from signups")
        .fetch_one(&app.db.pool)
        .await
        .expect("pending sign-up");
    assert_eq!(
        stored,
        platform::token::sha256_hex(token.as_bytes()),
        "only the hash is kept"
    );
    let first = app
        .call("/api/auth/confirm", &[("token", &token)], None)
        .await;
    assert!(first.session_cookie().is_some(), "{:?}", first.body);
    let second = app
        .call("/api/auth/confirm", &[("token", &token)], None)
        .await;
    assert_eq!(second.status, StatusCode::BAD_REQUEST);
    assert!(second.session_cookie().is_none());
    let dead = app.get(&format!("/verify?token={token}"), None).await;
    assert!(
        dead.text()
            .await
            .expect("page")
            .contains("signup-link-dead")
    );

    app.sign_up("Lou", "lou@example.com", OWNER).await;
    let link = app.confirm_link("lou@example.com", 1).await;
    let token = link
        .split_once("token=")
        .map(|(_, t)| t.to_owned())
        .expect("token");
    sqlx::query("update signups set expires_at = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .expect("expire");
    let late = app
        .call("/api/auth/confirm", &[("token", &token)], None)
        .await;
    assert_eq!(late.status, StatusCode::BAD_REQUEST);
    let users: i64 =
        sqlx::query_scalar("select count(*) from users where email = 'lou@example.com'")
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
    assert_eq!(users, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_address_typed_over_and_over_gets_a_few_mails_only() {
    let app = spawn_app().await;
    for _ in 0..6 {
        app.sign_up("Pest", "target@example.com", OWNER).await;
    }
    // The third mail has come; give the worker time to send more if it were going to.
    app.mails_to("target@example.com", 3).await;
    let queued: i64 = sqlx::query_scalar(
        "select count(*) from mail_outbox where to_address = 'target@example.com'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("count");
    assert_eq!(queued, 3);
}

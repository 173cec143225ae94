//! The outbox against a real PostgreSQL and a real SMTP server (maildev).

use std::time::Duration;

use devstack::{Maildev, TestDb};
use mail::{MAX_ATTEMPTS, MailConfig, Mailer, Message};
use platform::suite::Suite;
use uuid::Uuid;

fn message(to: &str, html: bool) -> Message {
    Message {
        kind: "test",
        to_address: to.to_owned(),
        to_name: "Ada Lovelace, Countess".to_owned(),
        subject: "Your order is ready".to_owned(),
        text: "Pick it up at the counter: https://restaurants.example/orders/1".to_owned(),
        html: html.then(|| "<p>Pick it up at the <b>counter</b>.</p>".to_owned()),
    }
}

fn mailer(smtp_url: &str) -> Mailer {
    Mailer::new(&MailConfig::smtp(&Suite::local(), smtp_url))
        .expect("mailer")
        .expect("SMTP_URL set")
}

async fn status(db: &TestDb, id: Uuid) -> (String, i32, String, Option<String>, bool) {
    sqlx::query_as(
        "select status, attempts, text_body, last_error, next_attempt_at > now() + interval '20 seconds'
         from mail_outbox where id = $1",
    )
    .bind(id)
    .fetch_one(&db.pool)
    .await
    .expect("row")
}

#[tokio::test]
async fn mail_queued_in_a_transaction_leaves_only_if_it_commits_and_exactly_once() {
    let db = TestDb::migrated(&mail::MIGRATOR).await;
    let maildev = Maildev::start(0, 0, None).expect("maildev");
    let run = Uuid::new_v4().simple().to_string();
    let addr = |i: usize| format!("guest{i}-{run}@example.com");

    // A change that rolls back takes its message with it.
    let mut tx = db.pool.begin().await.expect("tx");
    mail::enqueue(&mut *tx, &message(&addr(99), false))
        .await
        .expect("queued");
    tx.rollback().await.expect("rollback");

    let mut ids = Vec::new();
    for i in 0..20 {
        let mut tx = db.pool.begin().await.expect("tx");
        ids.push(
            mail::enqueue(&mut *tx, &message(&addr(i), i % 2 == 0))
                .await
                .expect("queued"),
        );
        tx.commit().await.expect("commit");
    }

    // Two instances deliver at once: each message goes out once.
    let (a, b) = (mailer(&maildev.smtp_url()), mailer(&maildev.smtp_url()));
    let (first, second) = tokio::join!(
        mail::deliver_due(&db.pool, &a),
        mail::deliver_due(&db.pool, &b)
    );
    let (first, second) = (first.expect("first"), second.expect("second"));
    assert_eq!(first.sent + second.sent, 20, "{first:?} {second:?}");
    assert!(
        first.sent > 0 && second.sent > 0,
        "both took part: {first:?} {second:?}"
    );

    for i in 0..20 {
        let got = maildev.wait_for(&addr(i), 1, Duration::from_secs(5)).await;
        assert_eq!(got.len(), 1, "{} got {got:#?}", addr(i));
        let m = &got[0];
        assert_eq!(m["subject"], "Your order is ready");
        assert_eq!(m["from"][0]["name"], "SteppersLife");
        assert_eq!(m["to"][0]["name"], "Ada Lovelace, Countess");
        assert!(
            m["text"]
                .as_str()
                .unwrap_or("")
                .contains("https://restaurants.example/orders/1")
        );
        if i % 2 == 0 {
            assert!(
                m["html"].as_str().unwrap_or("").contains("<b>counter</b>"),
                "{m:#?}"
            );
        } else {
            assert!(m["html"].is_null() || m["html"] == "", "plain only: {m:#?}");
        }
    }
    assert!(
        maildev.messages_to(&addr(99)).await.is_empty(),
        "the rolled-back one never left"
    );
    for id in ids {
        let (state, attempts, body, error, _) = status(&db, id).await;
        assert_eq!(
            (state.as_str(), attempts, body.as_str(), error),
            ("sent", 1, "", None)
        );
    }
    // Nothing is left to send: another pass sends nothing.
    assert_eq!(mail::deliver_due(&db.pool, &a).await.expect("pass").sent, 0);
}

#[tokio::test]
async fn a_server_that_is_down_gets_retries_and_in_the_end_the_message_is_marked_failed() {
    let db = TestDb::migrated(&mail::MIGRATOR).await;
    let id = mail::enqueue(&db.pool, &message("someone@example.com", false))
        .await
        .expect("queued");
    // Port 1 refuses connections at once: a failure that may pass.
    let down = mailer("smtp://127.0.0.1:1");
    let pass = mail::deliver_due(&db.pool, &down).await.expect("pass");
    assert_eq!((pass.sent, pass.retrying, pass.failed), (0, 1, 0));
    let (state, attempts, body, error, later) = status(&db, id).await;
    assert_eq!((state.as_str(), attempts), ("pending", 1));
    assert!(!body.is_empty(), "kept for the next attempt");
    assert!(error.is_some_and(|e| !e.is_empty()));
    assert!(later, "the next attempt waits");
    // Not due yet: the next pass leaves it alone.
    assert_eq!(
        mail::deliver_due(&db.pool, &down)
            .await
            .expect("pass")
            .retrying,
        0
    );

    // The last attempt fails too: the message is given up on, not lost silently.
    sqlx::query("update mail_outbox set attempts = $2, next_attempt_at = now() where id = $1")
        .bind(id)
        .bind(MAX_ATTEMPTS - 1)
        .execute(&db.pool)
        .await
        .expect("fast-forward");
    let pass = mail::deliver_due(&db.pool, &down).await.expect("pass");
    assert_eq!((pass.sent, pass.retrying, pass.failed), (0, 0, 1));
    let (state, attempts, _, error, _) = status(&db, id).await;
    assert_eq!((state.as_str(), attempts), ("failed", MAX_ATTEMPTS));
    assert!(error.is_some());
}

#[tokio::test]
async fn a_malformed_address_is_given_up_on_at_once() {
    let db = TestDb::migrated(&mail::MIGRATOR).await;
    let maildev = Maildev::start(0, 0, None).expect("maildev");
    let id = mail::enqueue(&db.pool, &message("not an address", false))
        .await
        .expect("queued");
    let pass = mail::deliver_due(&db.pool, &mailer(&maildev.smtp_url()))
        .await
        .expect("pass");
    assert_eq!((pass.sent, pass.retrying, pass.failed), (0, 0, 1));
    let (state, attempts, _, error, _) = status(&db, id).await;
    assert_eq!((state.as_str(), attempts), ("failed", 1));
    assert!(error.is_some_and(|e| e.contains("address")));
}

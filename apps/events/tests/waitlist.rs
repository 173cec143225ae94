//! The waiting list: a freed place goes to the first person waiting as a time-limited offer by
//! email, held for them alone; an offer that lapses passes to the next.

mod common;

use common::{add_type, count, create, spawn_with, type_id};
use devstack::harness::{Opts, TestApp, User};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn join(app: &TestApp, who: &User, ticket_type: &str) -> devstack::testkit::Answer {
    app.call(
        "/api/waitlist/join",
        &[("ticket_type_id", ticket_type)],
        Some(who),
    )
    .await
}

async fn entry(app: &TestApp, who: &User) -> (String, Option<Uuid>) {
    sqlx::query_as(
        "select status, order_id from waitlist where user_id = $1 order by created_at desc limit 1",
    )
    .bind(who.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("entry")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_freed_place_is_offered_in_turn_and_a_lapsed_offer_passes_to_the_next() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let (bob, carol, dan) = (
        app.signed_in("Bob").await,
        app.signed_in("Carol").await,
        app.signed_in("Dan").await,
    );
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "1").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let general = type_id(&app, "General").await;

    // While places are left, there is no list to join.
    let res = join(&app, &carol, &general).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &general),
                ("quantity", "1"),
                ("idempotency_key", "wait-bob-rsvp"),
            ],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success());

    // Sold out: Carol, then Dan, join (twice is once); the page says so.
    for who in [&carol, &dan, &carol] {
        let res = join(&app, who, &general).await;
        assert!(res.status.is_success(), "{:?}", res.body);
    }
    assert_eq!(count(&app, "select count(*) from waitlist").await, 2);
    let page = app
        .get(&format!("/e/{slug}"), Some(&carol))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(r#"data-testid="on-waitlist""#), "{page}");
    let page = app
        .get(&format!("/e/{slug}"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(r#"data-testid="join-waitlist""#), "{page}");

    // Bob cancels: the place is offered to Carol, held for her (still sold out to others).
    let bob_ticket: Uuid = sqlx::query_scalar("select id from tickets")
        .fetch_one(&app.db.pool)
        .await
        .expect("ticket");
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &bob_ticket.to_string())],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let (status, carol_order) = entry(&app, &carol).await;
    assert_eq!(status, "offered");
    let carol_order = carol_order.expect("a hold for Carol");
    assert_eq!(entry(&app, &dan).await.0, "waiting");
    let mails = app.mails_to(&carol.email, 1).await;
    let offer = mails
        .iter()
        .find(|m| m["subject"] == json!("A place for Saturday Social is yours to take"))
        .expect("the offer");
    let text = offer["text"].as_str().unwrap_or_default();
    assert!(
        text.contains(&format!("/orders/{carol_order}")) && text.contains("within 4 hours"),
        "{text}"
    );
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &general),
                ("quantity", "1"),
                ("idempotency_key", "wait-ada-rsvp"),
            ],
            Some(&ada),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "the offered place is Carol's alone"
    );

    // Carol lets it lapse: the job passes it to Dan.
    sqlx::query("update orders set expires_at = now() - interval '1 second' where id = $1")
        .bind(carol_order)
        .execute(&app.db.pool)
        .await
        .expect("lapse");
    events::checkout::settle::expire_holds(app.state.clone())
        .await
        .expect("job");
    assert_eq!(entry(&app, &carol).await.0, "lapsed");
    let (status, dan_order) = entry(&app, &dan).await;
    assert_eq!(status, "offered");
    let dan_order = dan_order.expect("a hold for Dan");
    app.mails_to(&dan.email, 1).await;
    let res = app
        .call(
            "/api/orders/confirm-free",
            &[("id", &carol_order.to_string())],
            Some(&carol),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::CONFLICT,
        "a lapsed offer cannot be taken"
    );

    // Dan takes it from the order page: confirmed, his ticket valid, the offer claimed.
    let page = app
        .get(&format!("/orders/{dan_order}"), Some(&dan))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Confirm your place") && page.contains(r#"data-testid="confirm-free""#),
        "{page}"
    );
    let res = app
        .call(
            "/api/orders/confirm-free",
            &[("id", &dan_order.to_string())],
            Some(&carol),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "nobody else's to confirm");
    let res = app
        .call(
            "/api/orders/confirm-free",
            &[("id", &dan_order.to_string())],
            Some(&dan),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    assert_eq!(entry(&app, &dan).await.0, "claimed");
    let mine = app.call("/api/tickets/mine", &[], Some(&dan)).await.body;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
    assert_eq!(
        count(
            &app,
            "select count(*) from tickets t join orders o on o.id = t.order_id
                     where t.status = 'valid' and o.status in ('confirmed', 'paid')"
        )
        .await,
        1,
        "one place, one ticket"
    );
}

//! Cancelling: a ticket before the cutoff (its place freed, a paid one refunded), a whole
//! event (every payment refunded to the cent, everyone told), postponing (everyone told, tickets
//! kept, cancellable for a refund).

use std::time::{Duration, Instant};

mod common;

use common::{add_type, count, create, spawn_with, type_id};
use devstack::{
    harness::{Opts, TestApp, User},
    localstripe::cards,
};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

/// `who` buys `quantity` places of `ticket_type` and pays by card; the order.
async fn buy(app: &TestApp, who: &User, ticket_type: &str, quantity: &str, key: &str) -> Uuid {
    let res = app
        .call(
            "/api/orders/checkout",
            &[
                ("ticket_type_id", ticket_type),
                ("quantity", quantity),
                ("idempotency_key", key),
            ],
            Some(who),
        )
        .await;
    let order: Uuid = res.headers["location"]
        .to_str()
        .ok()
        .and_then(|l| l.strip_prefix("/orders/"))
        .and_then(|id| id.parse().ok())
        .expect("the order's page");
    let token = app
        .localstripe
        .expect("payments")
        .token(cards::VISA)
        .await
        .expect("token");
    let res = app
        .call(
            "/api/orders/pay",
            &[("id", &order.to_string()), ("token", &token)],
            Some(who),
        )
        .await;
    assert_eq!(res.body, json!("paid"), "{:?}", res.body);
    order
}

async fn rsvp(app: &TestApp, who: &User, ticket_type: &str, key: &str) {
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", ticket_type),
                ("quantity", "1"),
                ("idempotency_key", key),
            ],
            Some(who),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
}

async fn tickets_of(app: &TestApp, order: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar("select id from tickets where order_id = $1 order by id")
        .bind(order)
        .fetch_all(&app.db.pool)
        .await
        .expect("tickets")
}

/// Waits until every refund written down is sent; the refunds Stripe has for `order`'s
/// payment.
async fn refunds_at_stripe(app: &TestApp, order: Uuid) -> Vec<i64> {
    let start = Instant::now();
    while count(app, "select count(*) from refunds where status <> 'done'").await > 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "refunds sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let intent: String = sqlx::query_scalar("select payment_intent_id from orders where id = $1")
        .bind(order)
        .fetch_one(&app.db.pool)
        .await
        .expect("intent");
    app.localstripe
        .expect("payments")
        .refunds_of(&intent)
        .await
        .expect("refunds")
        .iter()
        .filter_map(|r| r["amount"].as_i64())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_cancelled_before_the_cutoff_frees_its_place_and_refunds_its_price() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let slug = create(&app, &ada, &[("cancel_hours", "48")]).await;
    add_type(&app, &ada, &slug, "VIP", "25.00", "3").await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let vip = type_id(&app, "VIP").await;
    let order = buy(&app, &bob, &vip, "3", "cancel-bob-vip").await;
    let tickets = tickets_of(&app, order).await;
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Sold out"), "{page}");
    let page = app
        .get("/tickets", Some(&bob))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("for a $25.00 refund."), "{page}");

    // Someone else's ticket is nobody's.
    let eve = app.signed_in("Eve").await;
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &tickets[0].to_string())],
            Some(&eve),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Bob cancels one: its place is back on sale, its price refunded, he is told.
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &tickets[0].to_string())],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("1 left"), "{page}");
    assert_eq!(refunds_at_stripe(&app, order).await, vec![2500]);
    let mails = app.mails_to(&bob.email, 2).await;
    assert!(
        mails.iter().any(
            |m| m["subject"] == json!("Your ticket for Saturday Social is cancelled")
                && m["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("$25.00 goes back"))
        ),
        "{mails:#?}"
    );
    // Twice is once.
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &tickets[0].to_string())],
            Some(&bob),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(count(&app, "select count(*) from refunds").await, 1);
    assert_eq!(
        count(
            &app,
            "select refunded_cents::bigint from orders where status = 'paid'"
        )
        .await,
        2500
    );

    // Past the cutoff (48 hours before the start): refused, with until when it was open.
    sqlx::query("update events set starts_at = now() + interval '47 hours', ends_at = now() + interval '50 hours'")
        .execute(&app.db.pool)
        .await
        .expect("sooner");
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &tickets[1].to_string())],
            Some(&bob),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let message = res.body["Conflict"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Tickets to this event could be cancelled until "),
        "{message}"
    );
    let page = app
        .get("/tickets", Some(&bob))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Cancelling has closed: ask the organizer."),
        "{page}"
    );

    // A free place cancelled refunds nothing; the whole order cancelled is cancelled.
    let general = type_id(&app, "General").await;
    rsvp(&app, &eve, &general, "cancel-eve-general").await;
    sqlx::query("update events set starts_at = now() + interval '30 days', ends_at = now() + interval '31 days'")
        .execute(&app.db.pool)
        .await
        .expect("later");
    let (eve_ticket, eve_order): (Uuid, Uuid) = sqlx::query_as(
        "select t.id, t.order_id from tickets t join orders o on o.id = t.order_id where o.buyer_id = $1",
    )
    .bind(eve.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("ticket");
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &eve_ticket.to_string())],
            Some(&eve),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let status: String = sqlx::query_scalar("select status from orders where id = $1")
        .bind(eve_order)
        .fetch_one(&app.db.pool)
        .await
        .expect("order");
    assert_eq!(status, "cancelled");
    assert_eq!(count(&app, "select count(*) from refunds").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_event_refunds_every_payment_to_the_cent_and_tells_everyone() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let (bob, carol, dan, fay) = (
        app.signed_in("Bob").await,
        app.signed_in("Carol").await,
        app.signed_in("Dan").await,
        app.signed_in("Fay").await,
    );
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "VIP", "33.33", "20").await;
    add_type(&app, &ada, &slug, "Early", "12.99", "20").await;
    add_type(&app, &ada, &slug, "General", "", "20").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let (vip, early, general) = (
        type_id(&app, "VIP").await,
        type_id(&app, "Early").await,
        type_id(&app, "General").await,
    );
    let bob_order = buy(&app, &bob, &vip, "3", "event-bob-vip").await;
    let carol_order = buy(&app, &carol, &early, "2", "event-carol-early").await;
    rsvp(&app, &dan, &general, "event-dan-general").await;
    // Bob had already cancelled one of his: that one is refunded once, not twice.
    let bob_tickets = tickets_of(&app, bob_order).await;
    app.call(
        "/api/tickets/cancel",
        &[("id", &bob_tickets[0].to_string())],
        Some(&bob),
    )
    .await;
    // Fay is paying when it happens.
    let res = app
        .call(
            "/api/orders/checkout",
            &[
                ("ticket_type_id", &vip),
                ("quantity", "1"),
                ("idempotency_key", "event-fay-vip"),
            ],
            Some(&fay),
        )
        .await;
    assert!(res.status.is_success());

    // Not without the tick; not by a stranger; nothing changed.
    let stranger = app.signed_in("Stranger").await;
    let res = app
        .call(
            "/api/events/cancel",
            &[("slug", &slug), ("message", "")],
            Some(&ada),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["Validation"]["field"], json!("confirm"));
    let res = app
        .call(
            "/api/events/cancel",
            &[("slug", &slug), ("message", ""), ("confirm", "yes")],
            Some(&stranger),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(
        count(&app, "select count(*) from tickets where status = 'valid'").await,
        6
    );

    let res = app
        .call(
            "/api/events/cancel",
            &[
                ("slug", &slug),
                ("message", "The hall flooded."),
                ("confirm", "yes"),
            ],
            Some(&ada),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);

    // Every ticket void; every payment back, to the cent.
    assert_eq!(
        count(&app, "select count(*) from tickets where status = 'valid'").await,
        0
    );
    let mut bob_refunds = refunds_at_stripe(&app, bob_order).await;
    bob_refunds.sort_unstable();
    assert_eq!(bob_refunds, vec![3333, 6666]);
    assert_eq!(refunds_at_stripe(&app, carol_order).await, vec![2598]);
    assert_eq!(
        count(&app, "select sum(refunded_cents)::bigint from orders where payment_intent_id is not null and paid_at is not null").await,
        count(&app, "select sum(total_cents)::bigint from orders where paid_at is not null").await,
    );
    let fay_intent: String =
        sqlx::query_scalar("select payment_intent_id from orders where buyer_id = $1")
            .bind(fay.id)
            .fetch_one(&app.db.pool)
            .await
            .expect("intent");
    let fay_intents = app
        .localstripe
        .expect("payments")
        .intents_with("app", "events")
        .await
        .expect("intents");
    let fay_intent = fay_intents
        .iter()
        .find(|i| i["id"] == json!(fay_intent))
        .expect("Fay's intent");
    assert_eq!(fay_intent["status"], json!("canceled"));

    // Everyone holding a ticket is told, with the organizer's note and their refund.
    // (Bob: paid, his ticket cancelled, the event; Carol: paid, the event; Dan: his RSVP, the
    // event.)
    for (who, mails, refund) in [
        (&bob, 3, Some("$66.66")),
        (&carol, 2, Some("$25.98")),
        (&dan, 2, None),
    ] {
        let mails = app.mails_to(&who.email, mails).await;
        let told = mails
            .iter()
            .find(|m| m["subject"] == json!("Saturday Social is cancelled"))
            .unwrap_or_else(|| panic!("{} is told: {mails:#?}", who.name));
        let text = told["text"].as_str().unwrap_or_default();
        assert!(text.contains("The hall flooded."), "{text}");
        match refund {
            Some(amount) => assert!(text.contains(&format!("{amount} goes back")), "{text}"),
            None => assert!(!text.contains("goes back"), "{text}"),
        }
    }
    // Fay held no ticket (only a hold): nothing is written to her.
    let to_fay: i64 = sqlx::query_scalar(
        "select count(*) from mail_outbox where to_address = $1 and kind = 'event-cancelled'",
    )
    .bind(&fay.email)
    .fetch_one(&app.db.pool)
    .await
    .expect("outbox");
    assert_eq!(to_fay, 0);
    assert_eq!(
        count(
            &app,
            "select count(*) from mail_outbox where kind = 'event-cancelled'"
        )
        .await,
        3,
        "Bob, Carol and Dan"
    );

    // The page says so; nothing can be had; cancelling again is refused.
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("This event is cancelled."), "{page}");
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &general),
                ("quantity", "1"),
                ("idempotency_key", "event-late-rsvp"),
            ],
            Some(&fay),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = app
        .call(
            "/api/events/cancel",
            &[("slug", &slug), ("message", ""), ("confirm", "yes")],
            Some(&ada),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postponed_event_keeps_its_tickets_and_lets_holders_cancel_for_a_refund() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let slug = create(&app, &ada, &[("cancel_hours", "720")]).await;
    add_type(&app, &ada, &slug, "VIP", "25.00", "5").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let vip = type_id(&app, "VIP").await;
    sqlx::query("update events set starts_at = now() + interval '10 days', ends_at = now() + interval '11 days'")
        .execute(&app.db.pool)
        .await
        .expect("sooner than the cutoff");
    let order = buy(&app, &bob, &vip, "1", "postpone-bob").await;
    let ticket = tickets_of(&app, order).await[0];
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &ticket.to_string())],
            Some(&bob),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "past the 30-day cutoff");

    let res = app
        .call(
            "/api/events/postpone",
            &[
                ("slug", &slug),
                ("message", "New date soon."),
                ("confirm", "yes"),
            ],
            Some(&ada),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let mails = app.mails_to(&bob.email, 2).await;
    let told = mails
        .iter()
        .find(|m| m["subject"] == json!("Saturday Social is postponed"))
        .expect("told");
    assert!(
        told["text"]
            .as_str()
            .is_some_and(|t| t.contains("New date soon."))
    );
    assert_eq!(
        count(&app, "select count(*) from tickets where status = 'valid'").await,
        1
    );
    let page = app
        .get("/tickets", Some(&bob))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("The event is postponed")
            && page.contains("You can cancel for a $25.00 refund."),
        "{page}"
    );

    // Postponed: sales stop; the holder may cancel whatever the cutoff, and is refunded.
    let res = app
        .call(
            "/api/orders/checkout",
            &[
                ("ticket_type_id", &vip),
                ("quantity", "1"),
                ("idempotency_key", "postpone-eve"),
            ],
            Some(&ada),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = app
        .call(
            "/api/tickets/cancel",
            &[("id", &ticket.to_string())],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    assert_eq!(refunds_at_stripe(&app, order).await, vec![2500]);
}

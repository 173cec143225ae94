//! Paid tickets: places held while the buyer pays by card through a Stripe-speaking server
//! (localstripe), paid only when Stripe says so, never oversold, refunded when paid too late.

use std::time::{Duration, Instant};

mod common;

use common::{add_type, count, create, spawn, spawn_with, type_id};
use devstack::{
    harness::{Opts, TestApp, User},
    localstripe::cards,
};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// A published event by `organizer` with one paid ticket type "VIP" of `places` at $25.00;
/// the type's id.
async fn paid_event(app: &TestApp, organizer: &User, places: &str) -> String {
    let slug = create(app, organizer, &[]).await;
    assert!(
        add_type(app, organizer, &slug, "VIP", "25.00", places)
            .await
            .is_success()
    );
    app.call("/api/events/publish", &[("slug", &slug)], Some(organizer))
        .await;
    type_id(app, "VIP").await
}

/// `who` checks out `quantity` places; the answer's status and the order it leads to (the
/// page a browser is sent to).
async fn checkout(
    app: &TestApp,
    who: &User,
    ticket_type: &str,
    quantity: &str,
    key: &str,
) -> (StatusCode, Option<Uuid>, Value) {
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
    let order = res
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/orders/"))
        .and_then(|id| id.parse().ok());
    (res.status, order, res.body)
}

async fn order_status(app: &TestApp, order: Uuid) -> String {
    sqlx::query_scalar("select status from orders where id = $1")
        .bind(order)
        .fetch_one(&app.db.pool)
        .await
        .expect("order")
}

async fn intent_of(app: &TestApp, order: Uuid) -> String {
    sqlx::query_scalar::<_, Option<String>>("select payment_intent_id from orders where id = $1")
        .bind(order)
        .fetch_one(&app.db.pool)
        .await
        .expect("order")
        .expect("the order has its PaymentIntent")
}

/// Waits (at most 15 s: localstripe sends its webhooks a second or two late) until the order
/// has `status`.
async fn wait_for_status(app: &TestApp, order: Uuid, status: &str) {
    let start = Instant::now();
    loop {
        let now = order_status(app, order).await;
        if now == status {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "order {order} is {now}, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The hold of `order` lapsed (as if its ten minutes had passed).
async fn lapse(app: &TestApp, order: Uuid) {
    sqlx::query("update orders set expires_at = now() - interval '1 second' where id = $1")
        .bind(order)
        .execute(&app.db.pool)
        .await
        .expect("lapse");
}

fn localstripe(app: &TestApp) -> &'static devstack::Localstripe {
    app.localstripe.expect("events takes payments")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_ticket_is_held_while_its_buyer_pays_and_is_paid_when_stripe_says_so() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let vip = paid_event(&app, &ada, "5").await;

    // A visitor is sent to sign in; a free form for a paid type is refused.
    let res = app
        .call(
            "/api/orders/checkout",
            &[
                ("ticket_type_id", &vip),
                ("quantity", "2"),
                ("idempotency_key", "key-order-visitor"),
            ],
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &vip),
                ("quantity", "1"),
                ("idempotency_key", "key-order-free"),
            ],
            Some(&bob),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);

    let (status, order, body) = checkout(&app, &bob, &vip, "2", "key-order-bob-1").await;
    assert!(status.is_success(), "{status} {body:?}");
    let order = order.expect("the order's page");
    assert_eq!(order_status(&app, order).await, "reserved");
    let (total, held_for): (i32, f64) = sqlx::query_as(
        "select total_cents, extract(epoch from expires_at - now())::float8 from orders where id = $1",
    )
    .bind(order)
    .fetch_one(&app.db.pool)
    .await
    .expect("order");
    assert_eq!(total, 5000);
    assert!((590.0..=600.0).contains(&held_for), "held for {held_for} s");

    // The PaymentIntent is for the amount the database says, tagged with the order.
    let intents = localstripe(&app)
        .intents_with("order", &order.to_string())
        .await
        .expect("intents");
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0]["amount"], json!(5000));
    assert_eq!(intents[0]["currency"], json!("usd"));
    assert_eq!(intents[0]["metadata"]["app"], json!("events"));
    let intent = intent_of(&app, order).await;
    assert_eq!(intents[0]["id"], json!(intent));

    // The hold counts against the places; the order's page says until when.
    let page = app
        .get("/e/saturday-social", None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("3 left"), "{page}");
    let page = app.get(&format!("/orders/{order}"), Some(&bob)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(page.contains("Pay to get your tickets"), "{page}");
    assert!(
        page.contains("Your places are held until") && page.contains("(America/Chicago)."),
        "{page}"
    );
    assert!(page.contains("$50.00"), "{page}");
    // Someone else's order is nobody's.
    let carol = app.signed_in("Carol").await;
    assert_eq!(
        app.get(&format!("/orders/{order}"), Some(&carol))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Asking before paying changes nothing; no tickets yet.
    let order_id = order.to_string();
    let res = app
        .call("/api/orders/confirm", &[("id", &order_id)], Some(&bob))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(order_status(&app, order).await, "reserved");
    let mine = app.call("/api/tickets/mine", &[], Some(&bob)).await;
    assert_eq!(mine.body, json!([]));

    // A declined card leaves the order held (to pay with another card; localstripe cannot
    // take a second attempt on one intent, Stripe can).
    let (_, carols, _) = checkout(&app, &carol, &vip, "1", "key-order-carol").await;
    let carols = carols.expect("order");
    let declined = localstripe(&app)
        .pay(&intent_of(&app, carols).await, cards::DECLINED)
        .await;
    assert!(declined.is_err(), "{declined:?}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(order_status(&app, carols).await, "reserved");

    // Paid: Stripe's webhook settles it, without the buyer coming back.
    let paid = localstripe(&app)
        .pay(&intent, cards::VISA)
        .await
        .expect("paid");
    assert_eq!(paid["status"], json!("succeeded"));
    wait_for_status(&app, order, "paid").await;
    let mine = app.call("/api/tickets/mine", &[], Some(&bob)).await.body;
    assert_eq!(mine.as_array().map(Vec::len), Some(2), "{mine}");
    assert_eq!(
        count(
            &app,
            "select count(*) from payment_webhook_events where type = 'payment_intent.succeeded'"
        )
        .await,
        1
    );
    let mails = app.mails_to(&bob.email, 1).await;
    assert_eq!(
        mails[0]["subject"],
        json!("Your tickets for Saturday Social")
    );
    let text = mails[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("$50.00") && text.contains("/tickets"),
        "{text}"
    );
    // Each ticket's code, as the door takes it.
    let codes: Vec<String> =
        sqlx::query_scalar("select secret from tickets where order_id = $1 order by id")
            .bind(order)
            .fetch_all(&app.db.pool)
            .await
            .expect("codes");
    assert_eq!(codes.len(), 2);
    for code in &codes {
        assert!(text.contains(code.as_str()), "{code} in {text}");
    }

    // The page says so; asking again changes nothing.
    let page = app
        .get(&format!("/orders/{order}"), Some(&bob))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Paid: your tickets are ready"), "{page}");
    let res = app
        .call("/api/orders/confirm", &[("id", &order_id)], Some(&bob))
        .await;
    assert_eq!(res.body, json!("paid"));
    assert_eq!(count(&app, "select count(*) from refunds").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_must_be_signed_and_a_second_or_out_of_order_delivery_changes_nothing() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let vip = paid_event(&app, &ada, "5").await;
    let (_, order, _) = checkout(&app, &bob, &vip, "1", "key-order-bob").await;
    let order = order.expect("order");
    let intent = intent_of(&app, order).await;
    let webhook = |body: Vec<u8>, signature: Option<String>| {
        let mut req = reqwest::Client::new()
            .post(app.url(payments::WEBHOOK_PATH))
            .header("content-type", "application/json")
            .body(body);
        if let Some(s) = signature {
            req = req.header("stripe-signature", s);
        }
        async move { req.send().await.expect("webhook") }
    };
    let event = |id: &str, kind: &str| {
        serde_json::to_vec(&json!({
            "id": id,
            "type": kind,
            "created": chrono::Utc::now().timestamp(),
            "data": { "object": {
                "object": "payment_intent", "id": intent, "amount": 2500, "currency": "usd",
                "status": "succeeded", "metadata": { "app": "events", "order": order }
            } }
        }))
        .expect("json")
    };
    let now = || chrono::Utc::now().timestamp();

    // Unsigned, signed with another secret, or an old signature: refused, nothing recorded.
    let body = event("evt_forged", "payment_intent.succeeded");
    let res = webhook(body.clone(), None).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = webhook(
        body.clone(),
        Some(payments::webhook::sign(&body, "whsec_guess", now())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = webhook(
        body.clone(),
        Some(payments::webhook::sign(
            &body,
            &app.webhook_secret,
            now() - 3600,
        )),
    )
    .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        count(&app, "select count(*) from payment_webhook_events").await,
        0
    );

    // Even a well-signed notice is not believed on its word: Stripe is asked, and says unpaid.
    let res = webhook(
        body.clone(),
        Some(payments::webhook::sign(&body, &app.webhook_secret, now())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(order_status(&app, order).await, "reserved");

    // Paid for real: localstripe's own webhook settles it.
    localstripe(&app)
        .pay(&intent, cards::VISA)
        .await
        .expect("paid");
    wait_for_status(&app, order, "paid").await;
    let delivered: String = sqlx::query_scalar(
        "select id from payment_webhook_events where type = 'payment_intent.succeeded' and id <> 'evt_forged'",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("the delivered event");
    let paid_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select paid_at from orders where id = $1")
            .bind(order)
            .fetch_one(&app.db.pool)
            .await
            .expect("paid_at");

    // The same event again, then an older "failed" one after it: nothing changes.
    let again = event(&delivered, "payment_intent.succeeded");
    let res = webhook(
        again.clone(),
        Some(payments::webhook::sign(&again, &app.webhook_secret, now())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.expect("text"), "seen");
    let failed = event("evt_failed_late", "payment_intent.payment_failed");
    let res = webhook(
        failed.clone(),
        Some(payments::webhook::sign(&failed, &app.webhook_secret, now())),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(order_status(&app, order).await, "paid");
    let paid_at_now: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select paid_at from orders where id = $1")
            .bind(order)
            .fetch_one(&app.db.pool)
            .await
            .expect("paid_at");
    assert_eq!(paid_at_now, paid_at);
    assert_eq!(
        count(&app, "select count(*) from tickets where status = 'valid'").await,
        1
    );
    assert_eq!(count(&app, "select count(*) from refunds").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_checkouts_with_one_key_make_one_order_and_one_payment_intent() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let vip = paid_event(&app, &ada, "20").await;
    let orders: Vec<Option<Uuid>> = futures::stream::iter(0..50)
        .map(|_| {
            let (app, bob, vip) = (&app, &bob, &vip);
            async move {
                let (status, order, body) = checkout(app, bob, vip, "3", "one-key-for-fifty").await;
                assert!(status.is_success(), "{status} {body:?}");
                order
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    let first = orders[0].expect("order");
    assert!(orders.iter().all(|o| *o == Some(first)));
    assert_eq!(count(&app, "select count(*) from orders").await, 1);
    assert_eq!(count(&app, "select count(*) from tickets").await, 3);
    let intents = localstripe(&app)
        .intents_with("order", &first.to_string())
        .await
        .expect("intents");
    assert_eq!(intents.len(), 1, "{intents:#?}");
    assert_eq!(intents[0]["amount"], json!(7500));

    // The same key with another request is refused.
    let (status, _, body) = checkout(&app, &bob, &vip, "4", "one-key-for-fifty").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lapsed_hold_frees_its_places_and_a_late_payment_is_honoured_or_refunded() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let carol = app.signed_in("Carol").await;
    let dan = app.signed_in("Dan").await;
    let vip = paid_event(&app, &ada, "1").await;

    // Bob holds the one place, so Carol cannot; once his hold lapses, she can.
    let (_, bob_order, _) = checkout(&app, &bob, &vip, "1", "key-order-bob").await;
    let bob_order = bob_order.expect("order");
    let (status, _, body) = checkout(&app, &carol, &vip, "1", "key-order-carol-1").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body:?}");
    assert_eq!(body["Conflict"]["message"], json!("Sold out."));
    lapse(&app, bob_order).await;
    let page = app
        .get("/e/saturday-social", None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("1 left"), "{page}");

    // Bob pays late, while the place is still free: honoured.
    let intent = intent_of(&app, bob_order).await;
    localstripe(&app)
        .pay(&intent, cards::VISA)
        .await
        .expect("paid");
    wait_for_status(&app, bob_order, "paid").await;
    assert_eq!(count(&app, "select count(*) from refunds").await, 0);

    // A second place, for Carol; Dan's hold on it lapses and Carol takes it meanwhile.
    sqlx::query("update ticket_types set capacity = 2")
        .execute(&app.db.pool)
        .await
        .expect("capacity");
    let (_, dan_order, _) = checkout(&app, &dan, &vip, "1", "key-order-dan").await;
    let dan_order = dan_order.expect("order");
    lapse(&app, dan_order).await;
    let (status, carol_order, body) = checkout(&app, &carol, &vip, "1", "key-order-carol-2").await;
    assert!(status.is_success(), "{status} {body:?}");
    let carol_order = carol_order.expect("order");

    // Dan pays late, with no place left: his order is cancelled and his money goes back.
    let dan_intent = intent_of(&app, dan_order).await;
    localstripe(&app)
        .pay(&dan_intent, cards::VISA)
        .await
        .expect("paid");
    wait_for_status(&app, dan_order, "cancelled").await;
    let start = Instant::now();
    let refunds = loop {
        let r = localstripe(&app)
            .refunds_of(&dan_intent)
            .await
            .expect("refunds");
        if !r.is_empty() || start.elapsed() > Duration::from_secs(10) {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(refunds.len(), 1, "{refunds:#?}");
    assert_eq!(refunds[0]["amount"], json!(2500));
    let start = Instant::now();
    while count(&app, "select count(*) from refunds where status = 'done'").await != 1 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the refund is written down as sent"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        count(
            &app,
            "select refunded_cents::bigint from orders where status = 'cancelled'"
        )
        .await,
        2500
    );
    let mails = app.mails_to(&dan.email, 1).await;
    assert_eq!(
        mails[0]["subject"],
        json!("Your payment for Saturday Social is refunded")
    );
    // Never more places than there are.
    assert_eq!(
        count(&app, "select count(*) from tickets t join orders o on o.id = t.order_id
                     where t.status = 'valid' and (o.status = 'paid' or (o.status = 'reserved' and o.expires_at > now()))").await,
        2
    );

    // Carol's hold lapses too; the expiry job marks it and cancels its payment at Stripe, so it
    // can no longer be paid. A second run finds nothing to do.
    lapse(&app, carol_order).await;
    events::checkout::settle::expire_holds(app.state.clone())
        .await
        .expect("job");
    assert_eq!(order_status(&app, carol_order).await, "expired");
    let carol_intent = intent_of(&app, carol_order).await;
    let intents = localstripe(&app)
        .intents_with("order", &carol_order.to_string())
        .await
        .expect("intents");
    assert_eq!(intents[0]["id"], json!(carol_intent));
    assert_eq!(intents[0]["status"], json!("canceled"));
    events::checkout::settle::expire_holds(app.state.clone())
        .await
        .expect("job");
    let page = app
        .get(&format!("/orders/{carol_order}"), Some(&carol))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("This hold has ended"), "{page}");
}

/// `who` pays `order` on its page with the test card `number`: Stripe.js's token for the card,
/// sent to the app.
async fn pay_with_card(
    app: &TestApp,
    who: &User,
    order: Uuid,
    number: &str,
) -> devstack::testkit::Answer {
    let token = localstripe(app).token(number).await.expect("token");
    let order = order.to_string();
    app.call(
        "/api/orders/pay",
        &[("id", &order), ("token", &token)],
        Some(who),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_card_form_pays_through_the_server_and_a_declined_card_says_why() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let dan = app.signed_in("Dan").await;
    let vip = paid_event(&app, &ada, "5").await;
    let (_, order, _) = checkout(&app, &dan, &vip, "2", "key-order-dan").await;
    let order = order.expect("order");

    // Declined: a field error the buyer can act on; still held. (On another order: localstripe
    // cannot take a second attempt on one intent, Stripe can.)
    let (_, declined, _) = checkout(&app, &dan, &vip, "1", "key-order-dan-3").await;
    let declined = declined.expect("order");
    let res = pay_with_card(&app, &dan, declined, cards::DECLINED).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(res.body["Validation"]["field"], json!("card"));
    assert_eq!(
        res.body["Validation"]["message"],
        json!("Your card was declined.")
    );
    assert_eq!(order_status(&app, declined).await, "reserved");

    // Not a card token: a field error, nothing sent to Stripe.
    let res = app
        .call(
            "/api/orders/pay",
            &[("id", &order.to_string()), ("token", "../v1/refunds")],
            Some(&dan),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(res.body["Validation"]["field"], json!("card"));

    // Someone else cannot pay it (nor learn that it exists).
    let eve = app.signed_in("Eve").await;
    let res = pay_with_card(&app, &eve, order, cards::VISA).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // A card whose bank asks the holder: the page is told to let Stripe.js ask.
    let (_, other, _) = checkout(&app, &dan, &vip, "1", "key-order-dan-2").await;
    let res = pay_with_card(&app, &dan, other.expect("order"), cards::THREE_D_SECURE).await;
    assert_eq!(res.body, json!("requires_action"), "{:?}", res.body);

    // Paid at once: the server asks Stripe, without waiting for the webhook.
    let res = pay_with_card(&app, &dan, order, cards::VISA).await;
    assert_eq!(res.body, json!("paid"), "{:?}", res.body);
    assert_eq!(order_status(&app, order).await, "paid");
    let res = pay_with_card(&app, &dan, order, cards::VISA).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.body["Conflict"]["message"],
        json!("This order is paid already.")
    );
    let intents = localstripe(&app)
        .intents_with("order", &order.to_string())
        .await
        .expect("intents");
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0]["status"], json!("succeeded"));
    assert_eq!(intents[0]["amount"], json!(5000));
}

/// A hold that lapsed while no instance of the app ran is expired by the next one to start (its
/// jobs run at once on start, one instance at a time), and its place can be had again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_that_lapsed_while_the_app_was_down_are_released_when_an_instance_starts() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let carol = app.signed_in("Carol").await;
    let vip = paid_event(&app, &ada, "1").await;
    let (status, order, body) = checkout(&app, &bob, &vip, "1", "down-bob").await;
    let order = order.unwrap_or_else(|| panic!("{status}: {body}"));
    // Its ten minutes passed an hour ago, while nothing ran; the instance that was up has run
    // its expiry job at its own start, and not again since (every 30 s).
    sqlx::query("update orders set expires_at = now() - interval '1 hour' where id = $1")
        .bind(order)
        .execute(&app.db.pool)
        .await
        .expect("lapse");
    assert_eq!(order_status(&app, order).await, "reserved");

    // Another instance starts on the same database (a restart, a deploy).
    let _second = TestApp::spawn_with(
        events::server::app(),
        Opts::default().configure({
            let url = app.db.url.clone();
            move |cfg| cfg.database_url = secrecy::SecretString::from(url)
        }),
    )
    .await;
    wait_for_status(&app, order, "expired").await;

    // The place is free for the next buyer.
    let (status, order, body) = checkout(&app, &carol, &vip, "1", "down-carol").await;
    assert!(order.is_some(), "{status}: {body}");
}

//! Checkout against the real database and a Stripe-speaking server (localstripe): the stock
//! never oversells, reservations come back when they lapse or the card is refused, a paid
//! checkout splits into one order per shop that adds up to the charge, and one idempotency key
//! pays once.

use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use common::{add, checkout, count, ok, pay, product, shop, spawn, status, stock};
use devstack::localstripe::cards;
use futures::StreamExt;
use reqwest::StatusCode;
use uuid::Uuid;

/// Sends the refunds written down (as the job does) and waits until `n` are sent (one may be
/// on its way already, sent by the request that wrote it down).
async fn wait_for_refunds(app: &devstack::harness::TestApp, n: i64) {
    let start = std::time::Instant::now();
    loop {
        store::checkout::settle::send_refunds(app.state.clone())
            .await
            .expect("refunds");
        if count(app, "select count(*) from refunds where status = 'done'").await >= n {
            return;
        }
        assert!(start.elapsed().as_secs() < 15, "refunds not sent");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_checkouts_for_the_last_ten_units_reserve_exactly_ten() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let otto = app.signed_in("Otto Other").await;
    shop(&app, &vera, "Vera's Shoes", "5.00", "").await;
    shop(&app, &otto, "Otto's Tees", "0", "").await;
    let (_, scarce) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "10")]).await;
    let (_, plenty) = product(&app, &otto, "Tee", &[("M", "20.00", "5000")]).await;
    // Forty shoppers, each with one of the last units in the cart; every other one also
    // holds another shop's tee, which must be reserved only with the shoes.
    let mut people = Vec::new();
    for i in 0..40 {
        let who = app.signed_in(&format!("Fan {i}")).await;
        add(&app, &who, &scarce[0], "1").await;
        if i % 2 == 0 {
            add(&app, &who, &plenty[0], "1").await;
        }
        people.push(who);
    }
    let taken = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    futures::stream::iter(0..1000)
        .for_each_concurrent(64, |i| {
            let (app, people, taken, refused) = (&app, &people, &taken, &refused);
            async move {
                let (status, _, body) =
                    checkout(app, &people[i % people.len()], &format!("attempt-{i:06}")).await;
                if ok(status) {
                    taken.fetch_add(1, Ordering::Relaxed);
                } else {
                    assert_eq!(status, StatusCode::CONFLICT, "{body:?}");
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .await;
    assert_eq!(taken.load(Ordering::Relaxed), 10);
    assert_eq!(refused.load(Ordering::Relaxed), 990);
    assert_eq!(stock(&app, &scarce[0]).await, (10, 10));
    assert_eq!(count(&app, "select count(*) from checkouts").await, 10);
    let with_tees = count(
        &app,
        &format!(
            "select count(*) from checkout_lines where variant_id = '{}'",
            plenty[0]
        ),
    )
    .await;
    assert_eq!(
        stock(&app, &plenty[0]).await,
        (5000, i32::try_from(with_tees).expect("small")),
        "a refused checkout reserved nothing of the other shop's items"
    );
    // Every checkout has its one PaymentIntent, for its amount.
    let missing = count(
        &app,
        "select count(*) from checkouts where payment_intent_id is null",
    )
    .await;
    assert_eq!(missing, 0);

    // The page of the product says so; the reservations lapse and their units come back.
    let page = app
        .get(&format!("/p/{}", "suede-sole"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Sold out"), "{page}");
    sqlx::query("update checkouts set expires_at = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .expect("lapse");
    store::checkout::settle::expire_reservations(app.state.clone())
        .await
        .expect("job");
    assert_eq!(stock(&app, &scarce[0]).await, (10, 0));
    assert_eq!(stock(&app, &plenty[0]).await, (5000, 0));
    assert_eq!(
        count(
            &app,
            "select count(*) from checkouts where status = 'expired'"
        )
        .await,
        10
    );
    // A second run finds nothing more to give back.
    store::checkout::settle::expire_reservations(app.state.clone())
        .await
        .expect("job");
    assert_eq!(stock(&app, &scarce[0]).await, (10, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_checkout_splits_into_one_order_per_shop_that_adds_up_to_the_charge() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let otto = app.signed_in("Otto Other").await;
    let shopper = app.signed_in("Sam Shopper").await;
    shop(&app, &vera, "Vera's Shoes", "4.99", "").await;
    shop(&app, &otto, "Otto's Tees", "3.33", "12 Oak St, Chicago").await;
    let (_, shoes) = product(
        &app,
        &vera,
        "Suede sole",
        &[("Size 9", "3.33", "7"), ("Size 10", "0.01", "7")],
    )
    .await;
    let (_, tees) = product(&app, &otto, "Tee", &[("M", "19.99", "5")]).await;
    add(&app, &shopper, &shoes[0], "3").await;
    add(&app, &shopper, &shoes[1], "1").await;
    add(&app, &shopper, &tees[0], "2").await;
    // Otto's part is picked up: no shipping for it.
    let res = app
        .call(
            "/api/cart/delivery",
            &[("shop", "otto-s-tees"), ("delivery", "pickup")],
            Some(&shopper),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let cart = app.call("/api/cart/get", &[], Some(&shopper)).await;
    assert_eq!(cart.body["total_label"], "$54.97", "{:?}", cart.body);

    let (status_code, id, body) = checkout(&app, &shopper, "sam-checkout-1").await;
    assert!(ok(status_code), "{body:?}");
    let id = id.expect("the checkout's page");
    // 3 × 3.33 + 0.01 + 4.99 shipping + 2 × 19.99 = 54.97.
    let total: i32 = sqlx::query_scalar("select total_cents from checkouts where id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .expect("total");
    assert_eq!(total, 5497);
    assert_eq!(stock(&app, &shoes[0]).await, (7, 3));
    // Its page: how long the items stay reserved, and the card form for the total.
    let page = app
        .get(&format!("/orders/{id}"), Some(&shopper))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Your items are reserved for 10 more minutes.")
            && page.contains("Pay $54.97"),
        "{page}"
    );

    let res = pay(&app, &shopper, id, cards::VISA).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body, "paid");
    assert_eq!(status(&app, id).await, "paid");
    // The units are sold: off the shelf, no longer reserved.
    assert_eq!(stock(&app, &shoes[0]).await, (4, 0));
    assert_eq!(stock(&app, &tees[0]).await, (3, 0));
    let orders: Vec<(String, i32, i32, i32, String)> = sqlx::query_as(
        "select s.name, o.subtotal_cents, o.shipping_cents, o.total_cents, o.delivery
         from orders o join shops s on s.id = o.shop_id where o.checkout_id = $1 order by s.name",
    )
    .bind(id)
    .fetch_all(&app.db.pool)
    .await
    .expect("orders");
    assert_eq!(
        orders,
        [
            ("Otto's Tees".to_owned(), 3998, 0, 3998, "pickup".to_owned()),
            (
                "Vera's Shoes".to_owned(),
                1000,
                499,
                1499,
                "ship".to_owned()
            ),
        ]
    );
    assert_eq!(
        orders.iter().map(|o| o.3).sum::<i32>(),
        total,
        "the split adds up to the charge"
    );
    let charged = app
        .localstripe
        .expect("payments")
        .intents_with("checkout", &id.to_string())
        .await
        .expect("intents");
    assert_eq!(charged.len(), 1);
    assert_eq!(charged[0]["amount"], serde_json::json!(5497));
    // What was bought left the cart.
    assert_eq!(
        count(
            &app,
            &format!(
                "select count(*) from cart_lines where owner_id = '{}'",
                shopper.id
            )
        )
        .await,
        0
    );
    // The shopper's mail lists both orders; each shop is told of its own.
    let mail = app.mails_to(&shopper.email, 1).await;
    let text = mail[0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Otto's Tees") && text.contains("Vera's Shoes") && text.contains("$54.97"),
        "{text}"
    );
    let to_vera = app.mails_to(&vera.email, 1).await;
    let vera_text = to_vera[0]["text"].as_str().unwrap_or_default();
    assert!(
        vera_text.contains("Suede sole") && !vera_text.contains("Tee"),
        "{vera_text}"
    );

    // Vera cancels her part before it ships: her $14.99 goes back, the units return, and
    // Otto's part is untouched.
    let vera_order: Uuid = sqlx::query_scalar(
        "select o.id from orders o join shops s on s.id = o.shop_id where s.owner_id = $1",
    )
    .bind(vera.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("order");
    let res = app
        .call(
            "/api/orders/advance",
            &[("id", &vera_order.to_string()), ("status", "cancelled")],
            Some(&vera),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    wait_for_refunds(&app, 1).await;
    let (refunded, order_refunded): (i64, i32) = sqlx::query_as(
        "select (select coalesce(sum(amount_cents), 0) from refunds where status = 'done' and checkout_id = $1)::int8,
                (select refunded_cents from orders where id = $2)",
    )
    .bind(id)
    .bind(vera_order)
    .fetch_one(&app.db.pool)
    .await
    .expect("refunds");
    assert_eq!((refunded, order_refunded), (1499, 1499));
    assert_eq!(stock(&app, &shoes[0]).await, (7, 0));
    let kept: i64 = count(
        &app,
        &format!(
            "select sum(total_cents - refunded_cents)::int8 from orders where checkout_id = '{id}'"
        ),
    )
    .await;
    assert_eq!(
        kept + refunded,
        i64::from(total),
        "what is kept and what went back is what was charged"
    );
    let refunds = app
        .localstripe
        .expect("payments")
        .refunds_of(charged[0]["id"].as_str().expect("intent id"))
        .await
        .expect("refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], serde_json::json!(1499));
    // Cancelled once: a second try is refused and refunds nothing more.
    let res = app
        .call(
            "/api/orders/advance",
            &[("id", &vera_order.to_string()), ("status", "cancelled")],
            Some(&vera),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
    assert_eq!(count(&app, "select count(*) from refunds").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_submissions_of_one_checkout_make_one_payment_and_one_set_of_orders() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let shopper = app.signed_in("Sam Shopper").await;
    shop(&app, &vera, "Vera's Shoes", "5.00", "").await;
    let (_, shoes) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "10")]).await;
    add(&app, &shopper, &shoes[0], "2").await;
    let ids: Vec<Option<Uuid>> = futures::stream::iter(0..50)
        .map(|_| {
            let (app, shopper) = (&app, &shopper);
            async move {
                let (status, id, body) = checkout(app, shopper, "one-key-for-all").await;
                assert!(ok(status), "{status} {body:?}");
                id
            }
        })
        .buffer_unordered(50)
        .collect()
        .await;
    let first = ids[0].expect("a checkout");
    assert!(ids.iter().all(|id| *id == Some(first)), "{ids:?}");
    assert_eq!(count(&app, "select count(*) from checkouts").await, 1);
    assert_eq!(stock(&app, &shoes[0]).await, (10, 2));
    let intents = app
        .localstripe
        .expect("payments")
        .intents_with("checkout", &first.to_string())
        .await
        .expect("intents");
    assert_eq!(intents.len(), 1);
    // The same key with another cart is refused.
    add(&app, &shopper, &shoes[0], "1").await;
    let (status_code, _, body) = checkout(&app, &shopper, "one-key-for-all").await;
    assert_eq!(status_code, StatusCode::CONFLICT, "{body:?}");

    // Paying it, and asking again and again, makes one set of orders.
    let res = pay(&app, &shopper, first, cards::VISA).await;
    assert_eq!(res.body, "paid", "{:?}", res.body);
    futures::stream::iter(0..10)
        .for_each_concurrent(10, |_| {
            let (app, shopper) = (&app, &shopper);
            async move {
                let res = app
                    .call(
                        "/api/checkout/confirm",
                        &[("id", &first.to_string())],
                        Some(shopper),
                    )
                    .await;
                assert_eq!(res.body, "paid", "{:?}", res.body);
            }
        })
        .await;
    assert_eq!(count(&app, "select count(*) from orders").await, 1);
    assert_eq!(stock(&app, &shoes[0]).await, (8, 0));
    // A second payment of a paid checkout is refused.
    let res = pay(&app, &shopper, first, cards::VISA).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_card_releases_every_reservation_of_its_checkout() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let otto = app.signed_in("Otto Other").await;
    let shopper = app.signed_in("Sam Shopper").await;
    shop(&app, &vera, "Vera's Shoes", "5.00", "").await;
    shop(&app, &otto, "Otto's Tees", "0", "").await;
    let (_, shoes) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "3")]).await;
    let (_, tees) = product(&app, &otto, "Tee", &[("M", "20.00", "3")]).await;
    add(&app, &shopper, &shoes[0], "2").await;
    add(&app, &shopper, &tees[0], "3").await;
    let (_, id, _) = checkout(&app, &shopper, "sam-checkout-declined").await;
    let id = id.expect("checkout");
    assert_eq!(
        (stock(&app, &shoes[0]).await, stock(&app, &tees[0]).await),
        ((3, 2), (3, 3))
    );
    let res = pay(&app, &shopper, id, cards::DECLINED).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(status(&app, id).await, "failed");
    assert_eq!(
        (stock(&app, &shoes[0]).await, stock(&app, &tees[0]).await),
        ((3, 0), (3, 0))
    );
    assert_eq!(count(&app, "select count(*) from orders").await, 0);
    // The cart is as it was: a new checkout with another card goes through.
    let (_, again, _) = checkout(&app, &shopper, "sam-checkout-again").await;
    let again = again.expect("checkout");
    let res = pay(&app, &shopper, again, cards::VISA).await;
    assert_eq!(res.body, "paid", "{:?}", res.body);
    assert_eq!(count(&app, "select count(*) from orders").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_after_its_reservation_lapsed_is_honoured_only_if_the_units_remain() {
    use store::checkout::settle::{self, Outcome};
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let early = app.signed_in("Early Bird").await;
    let late = app.signed_in("Late Comer").await;
    let other = app.signed_in("Other Shopper").await;
    shop(&app, &vera, "Vera's Shoes", "0", "").await;
    let (_, shoes) = product(&app, &vera, "Suede sole", &[("Size 9", "50.00", "2")]).await;
    let stripe = app.localstripe.expect("payments");
    let lapse = |id: Uuid| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "update checkouts set expires_at = now() - interval '1 second' where id = $1
                 returning payment_intent_id",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .expect("lapse")
        }
    };

    // The card holder paid just as the reservation lapsed; the job releases the units, then
    // finds the payment: the units are still there, so it is honoured.
    add(&app, &early, &shoes[0], "1").await;
    let (_, first, body) = checkout(&app, &early, "early-bird-1").await;
    let first = first.unwrap_or_else(|| panic!("checkout: {body:?}"));
    let intent = lapse(first).await;
    stripe
        .pay(&intent, cards::VISA)
        .await
        .expect("paid at Stripe");
    settle::expire_reservations(app.state.clone())
        .await
        .expect("job");
    assert_eq!(status(&app, first).await, "paid");
    assert_eq!(stock(&app, &shoes[0]).await, (1, 0));
    assert_eq!(count(&app, "select count(*) from orders").await, 1);

    // This time the last unit sells to someone else between the lapse and the payment's
    // report: the whole payment goes back.
    add(&app, &late, &shoes[0], "1").await;
    let (_, second, body) = checkout(&app, &late, "late-comer-1").await;
    let second = second.unwrap_or_else(|| panic!("checkout: {body:?}"));
    let intent = lapse(second).await;
    stripe
        .pay(&intent, cards::VISA)
        .await
        .expect("paid at Stripe");
    assert!(
        settle::release(&app.state, second, "expired")
            .await
            .expect("released")
    );
    add(&app, &other, &shoes[0], "1").await;
    let (_, third, body) = checkout(&app, &other, "other-shopper-1").await;
    let third = third.unwrap_or_else(|| panic!("checkout: {body:?}"));
    assert_eq!(pay(&app, &other, third, cards::VISA).await.body, "paid");
    assert_eq!(stock(&app, &shoes[0]).await, (0, 0));
    let outcome = settle::settle_intent(&app.state, &intent)
        .await
        .expect("settled");
    assert_eq!(outcome, Outcome::Refunding);
    assert_eq!(status(&app, second).await, "refunded");
    wait_for_refunds(&app, 1).await;
    let refunds = stripe.refunds_of(&intent).await.expect("refunds");
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount"], serde_json::json!(5000));
    assert_eq!(stock(&app, &shoes[0]).await, (0, 0), "nothing oversold");
    assert_eq!(count(&app, "select count(*) from orders").await, 2);
    let mail = app.mails_to(&late.email, 1).await;
    assert!(
        mail[0]["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("refunded"),
        "{mail:?}"
    );
    // Reported again (the webhook's retry): nothing changes.
    assert_eq!(
        settle::settle_intent(&app.state, &intent)
            .await
            .expect("settled"),
        Outcome::AlreadyPaid
    );
    assert_eq!(count(&app, "select count(*) from refunds").await, 1);
}

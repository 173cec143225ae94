//! Ordering against the real database: prices from the menu, availability, opening hours,
//! idempotency under concurrent retries, and the order's life.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{Fixtures, TestApp, User, spawn_app};

const ORDERS: &str = "/api/v1/orders";

async fn count_orders(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from orders")
        .fetch_one(&app.db.pool)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_priced_from_the_menu_never_from_the_client() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await.id;
    let customer = app.signed_in("Cleo").await;
    let k = app.kitchen(owner).await;
    let key = Uuid::new_v4().to_string();

    // A client that claims a lower total is refused, nothing is stored.
    let tampered = k.order(&[(k.wings, 2, &[k.lemon_pepper])], Some(100));
    let (status, body) = app
        .send_json(ORDERS, &tampered, Some(&customer), Some(&key))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"].as_str().unwrap_or("").contains("$23.00"),
        "{body}"
    );
    assert_eq!(count_orders(&app).await, 0);

    // Prices sent alongside are ignored: the line is priced from the database.
    let mut with_prices = k.order(&[(k.wings, 2, &[k.lemon_pepper])], None);
    with_prices["lines"][0]["unit_cents"] = json!(1);
    with_prices["total_cents"] = json!(1);
    let (status, order) = app
        .send_json(
            ORDERS,
            &with_prices,
            Some(&customer),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["total_cents"], json!(2 * (1000 + 150)));
    assert_eq!(order["lines"][0]["unit_cents"], json!(1150));
    assert_eq!(order["lines"][0]["options"], json!(["Lemon pepper"]));
    assert_eq!(order["status"], json!("placed"));
    let stored: i64 = sqlx::query_scalar("select total_cents from orders where id = $1::uuid")
        .bind(order["id"].as_str().expect("id"))
        .fetch_one(&app.db.pool)
        .await
        .expect("stored");
    assert_eq!(stored, 2300);

    // After a price change the customer's old total is refused with the new one.
    sqlx::query("update menu_items set price_cents = 1200 where id = $1")
        .bind(k.wings)
        .execute(&app.db.pool)
        .await
        .expect("price change");
    let stale = k.order(&[(k.wings, 1, &[k.mild])], Some(1000));
    let (status, body) = app
        .send_json(
            ORDERS,
            &stale,
            Some(&customer),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["error"].as_str().unwrap_or("").contains("$12.00"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_cannot_be_made_is_refused_with_a_reason() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await.id;
    let customer = app.signed_in("Cleo").await;
    let k = app.kitchen(owner).await;
    let other = app.kitchen(owner).await;
    let cases: Vec<(serde_json::Value, StatusCode, &str)> = vec![
        (
            k.order(&[(k.oxtail, 1, &[])], None),
            StatusCode::CONFLICT,
            "sold out",
        ),
        (
            k.order(&[(k.wings, 1, &[])], None),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at least 1",
        ),
        (
            k.order(&[(k.wings, 1, &[k.mild, k.lemon_pepper])], None),
            StatusCode::UNPROCESSABLE_ENTITY,
            "at most 1",
        ),
        (
            k.order(&[(k.wings, 0, &[k.mild])], None),
            StatusCode::UNPROCESSABLE_ENTITY,
            "between 1 and 20",
        ),
        (
            k.order(&[], None),
            StatusCode::UNPROCESSABLE_ENTITY,
            "empty",
        ),
        // Another restaurant's dish and option are not on this menu.
        (
            k.order(&[(other.wings, 1, &[other.mild])], None),
            StatusCode::CONFLICT,
            "no longer on the menu",
        ),
        (
            k.order(&[(k.wings, 1, &[other.mild])], None),
            StatusCode::CONFLICT,
            "no longer offered",
        ),
        (
            json!({"restaurant_id": Uuid::new_v4(), "lines": [], "pickup": {"kind": "asap"}}),
            StatusCode::NOT_FOUND,
            "no such restaurant",
        ),
        (
            json!({"restaurant_id": k.id, "lines": "wings"}),
            StatusCode::BAD_REQUEST,
            "could not be read",
        ),
    ];
    for (body, expected, words) in cases {
        let (status, answer) = app
            .send_json(
                ORDERS,
                &body,
                Some(&customer),
                Some(&Uuid::new_v4().to_string()),
            )
            .await;
        assert_eq!(status, expected, "{body} -> {answer}");
        let message = answer["error"].as_str().unwrap_or("").to_lowercase();
        assert!(message.contains(words), "{message:?} should say {words:?}");
    }
    // No key, or a nonsense one; nobody signed in.
    let ok = k.order(&[(k.wings, 1, &[k.mild])], None);
    let (status, _) = app.send_json(ORDERS, &ok, Some(&customer), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .send_json(ORDERS, &ok, Some(&customer), Some("a b"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app
        .send_json(ORDERS, &ok, None, Some(&Uuid::new_v4().to_string()))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(count_orders(&app).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pickup_must_fall_inside_the_opening_hours() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await.id;
    let customer = app.signed_in("Cleo").await;
    let k = app.kitchen(owner).await;
    // Closed all week: no "as soon as possible", and no slot.
    sqlx::query("delete from opening_hours where restaurant_id = $1")
        .bind(k.id)
        .execute(&app.db.pool)
        .await
        .expect("close");
    let asap = k.order(&[(k.wings, 1, &[k.mild])], None);
    let (status, body) = app
        .send_json(
            ORDERS,
            &asap,
            Some(&customer),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["error"]
            .as_str()
            .unwrap_or("")
            .contains("closed right now"),
        "{body}"
    );

    // Open only from an hour from now for two hours (in the restaurant's zone, Honolulu).
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Pacific::Honolulu);
    let opens = (now + chrono::TimeDelta::hours(1)).time();
    let closes = (now + chrono::TimeDelta::hours(3)).time();
    let weekday = i16::try_from(
        chrono::Datelike::weekday(&(now + chrono::TimeDelta::hours(1))).num_days_from_monday(),
    )
    .expect("weekday");
    sqlx::query("update restaurants set time_zone = 'Pacific/Honolulu' where id = $1")
        .bind(k.id)
        .execute(&app.db.pool)
        .await
        .expect("zone");
    sqlx::query(
        "insert into opening_hours (restaurant_id, weekday, opens, closes) values ($1, $2, $3, $4)",
    )
    .bind(k.id)
    .bind(weekday)
    .bind(opens)
    .bind(closes)
    .execute(&app.db.pool)
    .await
    .expect("hours");
    let at = |minutes: i64| {
        let mut body = k.order(&[(k.wings, 1, &[k.mild])], None);
        body["pickup"] =
            json!({"kind": "at", "at": chrono::Utc::now() + chrono::TimeDelta::minutes(minutes)});
        body
    };
    for (minutes, expected) in [
        (90, StatusCode::CREATED),
        (30, StatusCode::UNPROCESSABLE_ENTITY),
        (200, StatusCode::UNPROCESSABLE_ENTITY),
        (-30, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (status, body) = app
            .send_json(
                ORDERS,
                &at(minutes),
                Some(&customer),
                Some(&Uuid::new_v4().to_string()),
            )
            .await;
        assert_eq!(status, expected, "pickup in {minutes} min: {body}");
    }
    // The restaurant's page offers only slots inside those hours, on quarter hours.
    let page = app
        .call("/api/restaurants/get", &[("slug", &k.slug)], None)
        .await;
    let slots = page.body["pickup_slots"].as_array().expect("slots").clone();
    assert!(!slots.is_empty(), "{}", page.body);
    let now = chrono::Utc::now();
    for slot in &slots {
        let at: chrono::DateTime<chrono::Utc> =
            slot[0].as_str().expect("time").parse().expect("instant");
        assert!(
            at > now + chrono::TimeDelta::minutes(59) && at < now + chrono::TimeDelta::minutes(181),
            "{slot}"
        );
        assert_eq!(at.timestamp() % (15 * 60), 0, "{slot}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_submissions_with_one_key_make_one_order() {
    let app = Arc::new(spawn_app().await);
    let owner = app.signed_in("Owner").await.id;
    let customer = app.signed_in("Cleo").await;
    let k = app.kitchen(owner).await;
    let key = Uuid::new_v4().to_string();
    let body = Arc::new(k.order(&[(k.wings, 3, &[k.lemon_pepper])], Some(3 * 1150)));
    // The first insert waits (in a trigger, uncommitted) until a second request has reached the
    // insert too, so that they race at the insert itself: the unique index and `on conflict do
    // nothing` must settle it, not the look-up before. (A fixed pause was not enough on a busy
    // machine: the others could arrive after it.) A sequence counts the requests that reached
    // the insert (sequences ignore rollbacks and are seen across transactions).
    sqlx::query("create sequence order_insert_attempts")
        .execute(&app.db.pool)
        .await
        .expect("sequence");
    sqlx::query(
        "create function slow_order() returns trigger language plpgsql as $$
         declare waited int := 0;
         begin
           perform nextval('order_insert_attempts');
           while (select last_value from order_insert_attempts) < 2 and waited < 1000 loop
             perform pg_sleep(0.01);
             waited := waited + 1;
           end loop;
           return new;
         end $$",
    )
    .execute(&app.db.pool)
    .await
    .expect("function");
    sqlx::query("create trigger slow_order before insert on orders for each row execute function slow_order()")
        .execute(&app.db.pool)
        .await
        .expect("trigger");
    let start = Arc::new(tokio::sync::Barrier::new(50));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (app, body, key, customer, start) = (
            app.clone(),
            body.clone(),
            key.clone(),
            customer.clone(),
            start.clone(),
        );
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            app.send_json(ORDERS, &body, Some(&customer), Some(&key))
                .await
        }));
    }
    let mut ids = std::collections::HashSet::new();
    let mut created = 0;
    for t in tasks {
        let (status, order) = t.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::OK,
            "{status} {order}"
        );
        created += usize::from(status == StatusCode::CREATED);
        ids.insert(order["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(ids.len(), 1, "every answer is the same order");
    assert_eq!(created, 1, "exactly one request created it");
    assert_eq!(count_orders(&app).await, 1);
    let reached: i64 = sqlx::query_scalar("select last_value from order_insert_attempts")
        .fetch_one(&app.db.pool)
        .await
        .expect("attempts");
    assert!(
        reached >= 2,
        "only {reached} request reached the insert: no race was tested"
    );
    let lines: i64 = sqlx::query_scalar("select count(*) from order_lines")
        .fetch_one(&app.db.pool)
        .await
        .expect("lines");
    assert_eq!(lines, 1);

    // The same key for a different order is refused, not silently answered with the first.
    let other = k.order(&[(k.wings, 1, &[k.mild])], None);
    let (status, body) = app
        .send_json(ORDERS, &other, Some(&customer), Some(&key))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    // Keys are per customer: someone else may use the same one.
    let someone = app.signed_in("Dee").await;
    let (status, _) = app
        .send_json(ORDERS, &other, Some(&someone), Some(&key))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

/// Takes a step through the server function, as the pages do.
async fn step(app: &TestApp, order: &str, step: &str, who: &User) -> StatusCode {
    app.call(
        "/api/orders/step",
        &[("id", order), ("step", step)],
        Some(who),
    )
    .await
    .status
}

async fn status_of(app: &TestApp, order: &str) -> String {
    sqlx::query_scalar("select status from orders where id = $1::uuid")
        .bind(order)
        .fetch_one(&app.db.pool)
        .await
        .expect("status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_moves_only_along_its_legal_steps_and_each_step_is_recorded() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let customer = app.signed_in("Cleo").await;
    let customer_id = customer.id;
    let stranger = app.signed_in("Stranger").await;
    let k = app.kitchen(owner_id).await;
    let place = || async {
        let (status, order) = app
            .send_json(
                ORDERS,
                &k.order(&[(k.wings, 1, &[k.mild])], None),
                Some(&customer),
                Some(&Uuid::new_v4().to_string()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        order["id"].as_str().expect("id").to_owned()
    };
    let order = place().await;

    // The customer cannot accept, the restaurant cannot cancel, nobody skips ahead, a stranger
    // cannot touch it, and a made-up step does not exist.
    assert_eq!(
        step(&app, &order, "accept", &customer).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&app, &order, "cancel", &owner).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&app, &order, "ready", &owner).await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        step(&app, &order, "picked_up", &owner).await,
        StatusCode::CONFLICT
    );
    // A stranger is told there is no such order (ids cannot be probed).
    assert_eq!(
        step(&app, &order, "accept", &stranger).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        step(&app, &order, "cancel", &stranger).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        step(&app, &order, "withdraw", &customer).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        step(&app, &order, "teleport", &owner).await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(status_of(&app, &order).await, "placed");

    for s in ["accept", "start", "ready", "picked_up"] {
        assert_eq!(step(&app, &order, s, &owner).await, StatusCode::OK, "{s}");
    }
    assert_eq!(status_of(&app, &order).await, "picked_up");
    assert_eq!(
        step(&app, &order, "ready", &owner).await,
        StatusCode::CONFLICT,
        "no way back"
    );
    let history: Vec<(Option<String>, String, Uuid, String)> = sqlx::query_as(
        "select from_status, to_status, actor_id, actor_role from order_events where order_id = $1::uuid order by id",
    )
    .bind(&order)
    .fetch_all(&app.db.pool)
    .await
    .expect("history");
    let steps: Vec<(&str, &str)> = history
        .iter()
        .map(|(_, to, _, role)| (to.as_str(), role.as_str()))
        .collect();
    assert_eq!(
        steps,
        [
            ("placed", "customer"),
            ("accepted", "owner"),
            ("preparing", "owner"),
            ("ready", "owner"),
            ("picked_up", "owner")
        ]
    );
    assert_eq!(history[0].2, customer_id);
    assert_eq!(history[1].2, owner_id);

    // Cancel: only before acceptance.
    let second = place().await;
    assert_eq!(
        step(&app, &second, "cancel", &customer).await,
        StatusCode::OK
    );
    assert_eq!(status_of(&app, &second).await, "cancelled");
    assert_eq!(
        step(&app, &second, "accept", &owner).await,
        StatusCode::CONFLICT
    );
    let third = place().await;
    assert_eq!(step(&app, &third, "accept", &owner).await, StatusCode::OK);
    let res = app
        .call(
            "/api/orders/step",
            &[("id", &third), ("step", "cancel")],
            Some(&customer),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body.to_string().contains("already accepted"),
        "{}",
        res.body
    );
    let fourth = place().await;
    assert_eq!(step(&app, &fourth, "reject", &owner).await, StatusCode::OK);
    assert_eq!(status_of(&app, &fourth).await, "rejected");
    let res = app
        .call(
            "/api/orders/step",
            &[("id", &fourth), ("step", "cancel")],
            Some(&customer),
        )
        .await;
    assert!(
        res.body.to_string().contains("already “Declined"),
        "{}",
        res.body
    );
    // The restaurant can call off an order it accepted (not made, never collected).
    let fifth = place().await;
    for s in ["accept", "start", "ready"] {
        assert_eq!(step(&app, &fifth, s, &owner).await, StatusCode::OK, "{s}");
    }
    assert_eq!(step(&app, &fifth, "withdraw", &owner).await, StatusCode::OK);
    assert_eq!(status_of(&app, &fifth).await, "cancelled");
    let last: (String, String) = sqlx::query_as(
        "select to_status, actor_role from order_events where order_id = $1::uuid order by id desc limit 1",
    )
    .bind(&fifth)
    .fetch_one(&app.db.pool)
    .await
    .expect("event");
    assert_eq!(last, ("cancelled".to_owned(), "owner".to_owned()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_see_their_own_orders_and_restaurants_their_own_queue() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let customer = app.signed_in("Cleo").await;
    let stranger = app.signed_in("Stranger").await;
    let k = app.kitchen(owner_id).await;
    let (_, order) = app
        .send_json(
            ORDERS,
            &k.order(&[(k.wings, 2, &[k.mild])], None),
            Some(&customer),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    let id = order["id"].as_str().expect("id");

    let recent: serde_json::Value = app
        .get("/api/v1/orders/recent", Some(&customer))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(recent["orders"][0]["id"], json!(id));
    assert_eq!(
        recent["orders"][0]["restaurant_name"],
        json!("Test Kitchen")
    );
    assert!(
        recent["orders"][0]["url"]
            .as_str()
            .unwrap_or("")
            .ends_with(&format!("/orders/{id}"))
    );
    let theirs: serde_json::Value = app
        .get("/api/v1/orders/recent", Some(&stranger))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(theirs["orders"], json!([]));
    assert_eq!(
        app.get("/api/v1/orders/recent", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/orders/recent?limit=500", Some(&customer))
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The order's data: for the customer and the restaurant; a 404 for anyone else.
    for (who, expected) in [
        (&customer, StatusCode::OK),
        (&owner, StatusCode::OK),
        (&stranger, StatusCode::NOT_FOUND),
    ] {
        let res = app.call("/api/orders/get", &[("id", id)], Some(who)).await;
        assert_eq!(res.status, expected, "{}", res.body);
        if expected == StatusCode::OK {
            assert_eq!(res.body["order"]["id"], json!(id), "that very order");
            assert_eq!(res.body["order"]["total_cents"], json!(2000));
            assert_eq!(res.body["restaurant_slug"], json!(k.slug));
            // Only its customer may cancel it.
            assert_eq!(res.body["can_cancel"], json!(who.id == customer.id));
        } else {
            assert!(res.body.get("order").is_none(), "{}", res.body);
        }
    }
    // The queue: the owner's only.
    let res = app
        .call("/api/orders/queue", &[("slug", &k.slug)], Some(&owner))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["entries"][0]["order"]["id"], json!(id));
    assert_eq!(res.body["entries"][0]["customer_name"], json!("Cleo"));
    let res = app
        .call("/api/orders/queue", &[("slug", &k.slug)], Some(&stranger))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .call("/api/orders/queue", &[("slug", &k.slug)], None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_customer_cannot_bury_a_kitchen_in_open_orders_even_all_at_once() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let flooder = app.signed_in("Flood").await;
    let k = app.kitchen(owner.id).await;
    let body = k.order(&[(k.wings, 1, &[k.mild])], None);
    let attempts = (0..12).map(|_| {
        let key = Uuid::new_v4().to_string();
        let (app, body, flooder) = (&app, &body, &flooder);
        async move {
            app.send_json(ORDERS, body, Some(flooder), Some(&key))
                .await
                .0
        }
    });
    let statuses = futures::future::join_all(attempts).await;
    let placed = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((placed, refused), (5, 7), "{statuses:?}");
    // Once one is picked up, there is room for another; someone else was never limited.
    let (status, _) = app
        .send_json(
            ORDERS,
            &body,
            Some(&app.signed_in("Other").await),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    sqlx::query(
        "update orders set status = 'picked_up' where id = (select id from orders where customer_id = $1 limit 1)",
    )
    .bind(flooder.id)
    .execute(&app.db.pool)
    .await
    .expect("picked up");
    let (status, _) = app
        .send_json(
            ORDERS,
            &body,
            Some(&flooder),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_kitchen_pages_its_queue_and_never_hides_an_open_order() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let k = app.kitchen(owner.id).await;
    let body = k.order(&[(k.wings, 1, &[k.mild])], None);
    // 9 customers × 5 open orders (the most each may have): 45 open, more than a page.
    let mut placed = Vec::new();
    for c in 0..9 {
        let customer = app.signed_in(&format!("Customer {c}")).await;
        for _ in 0..5 {
            let key = Uuid::new_v4().to_string();
            let (status, order) = app
                .send_json(ORDERS, &body, Some(&customer), Some(&key))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{order}");
            placed.push(order["id"].as_str().expect("id").to_owned());
        }
    }
    let page = |n: &'static str| {
        let (app, owner, slug) = (&app, &owner, k.slug.clone());
        async move {
            let res = app
                .call(
                    "/api/orders/queue",
                    &[("slug", &slug), ("page", n)],
                    Some(owner),
                )
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            res.body
        }
    };
    let (first, second) = (page("1").await, page("2").await);
    assert_eq!(first["open"], json!(45));
    assert_eq!(first["pages"], json!(2));
    assert_eq!(first["entries"].as_array().expect("entries").len(), 40);
    assert_eq!(second["entries"].as_array().expect("entries").len(), 5);
    let mut shown: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|p| p["entries"].as_array().expect("entries").clone())
        .map(|e| e["order"]["id"].as_str().expect("id").to_owned())
        .collect();
    shown.sort();
    placed.sort();
    assert_eq!(
        shown, placed,
        "every open order is on one page or the other, once"
    );

    // The page says how many are open and links to the next page.
    let html = app
        .get(&format!("/dashboard/r/{}/orders", k.slug), Some(&owner))
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("45 open orders."), "{html}");
    assert!(html.contains("href=\"?page=2\""), "{html}");
    let html = app
        .get(
            &format!("/dashboard/r/{}/orders?page=2", k.slug),
            Some(&owner),
        )
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(html.matches("data-testid=\"queue-order\"").count(), 5);
}

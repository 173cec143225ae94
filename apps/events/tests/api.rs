//! HTTP tests of the events skeleton: a real server on the app kit, its own database.

use devstack::harness::TestApp;
use reqwest::StatusCode;

/// Adds an event `hours` from now (negative: in the past) lasting two hours.
async fn event(app: &TestApp, slug: &str, title: &str, status: &str, hours: i64, zone: &str) {
    sqlx::query(
        "insert into events (organizer_id, slug, title, venue, time_zone, starts_at, ends_at, status)
         values (gen_random_uuid(), $1, $2, 'The Grand Ballroom', $3,
                 now() + make_interval(hours => $4::int), now() + make_interval(hours => $4::int + 2), $5)",
    )
    .bind(slug)
    .bind(title)
    .bind(zone)
    .bind(i32::try_from(hours).expect("hours"))
    .bind(status)
    .execute(&app.db.pool)
    .await
    .expect("insert event");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_section_and_page_list_published_events_to_come_soonest_first() {
    let app = TestApp::spawn(events::server::app()).await;

    // Nothing yet: the section says so.
    let res = app.get("/api/v1/home", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["sections"][0]["key"], "upcoming");
    assert_eq!(
        body["sections"][0]["cards"].as_array().map(Vec::len),
        Some(0)
    );
    assert_eq!(body["sections"][0]["empty"], "No events coming up yet.");

    event(
        &app,
        "later",
        "Saturday Social",
        "published",
        72,
        "America/Chicago",
    )
    .await;
    event(
        &app,
        "sooner",
        "Thursday Class Night",
        "published",
        24,
        "America/New_York",
    )
    .await;
    event(
        &app,
        "draft",
        "Not Announced Yet",
        "draft",
        48,
        "America/Chicago",
    )
    .await;
    event(
        &app,
        "off",
        "Called Off",
        "cancelled",
        48,
        "America/Chicago",
    )
    .await;
    event(
        &app,
        "over",
        "Last Week's Ball",
        "published",
        -170,
        "America/Chicago",
    )
    .await;

    let body: serde_json::Value = app
        .get("/api/v1/home", None)
        .await
        .json()
        .await
        .expect("json");
    let titles: Vec<&str> = body["sections"][0]["cards"]
        .as_array()
        .expect("cards")
        .iter()
        .filter_map(|c| c["title"].as_str())
        .collect();
    assert_eq!(titles, ["Thursday Class Night", "Saturday Social"]);

    let res = app.get("/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    let sooner = html.find("Thursday Class Night").expect("listed");
    let later = html.find("Saturday Social").expect("listed");
    assert!(sooner < later, "soonest first");
    for hidden in ["Not Announced Yet", "Called Off", "Last Week"] {
        assert!(!html.contains(hidden), "{hidden} is not listed");
    }
    assert!(html.contains("The Grand Ballroom"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_shows_its_time_in_its_own_zone() {
    let app = TestApp::spawn(events::server::app()).await;
    sqlx::query(
        "insert into events (organizer_id, slug, title, venue, time_zone, starts_at, ends_at, status)
         values (gen_random_uuid(), 'nye', 'New Year Ball', 'Hall', 'America/Chicago',
                 '2099-01-01 02:00:00+00', '2099-01-01 06:00:00+00', 'published')",
    )
    .execute(&app.db.pool)
    .await
    .expect("insert");
    let html = app.get("/", None).await.text().await.expect("html");
    // 02:00 UTC on 1 January is 20:00 on 31 December in Chicago.
    assert!(html.contains("Wed 31 Dec, 20:00"), "{html}");
}

mod common;

/// The public API: events to come with their lowest price, coarse availability and an RSVP
/// offer; an event; RSVP once per key from a suite page with the user's session; their tickets.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_api_lists_events_takes_rsvps_once_per_key_and_lists_tickets() {
    use serde_json::{Value, json};

    let app = common::spawn().await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let slug = common::create(&app, &ada, &[]).await;
    common::add_type(&app, &ada, &slug, "VIP", "25.00", "30").await;
    common::add_type(&app, &ada, &slug, "General", "", "2").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let general = common::type_id(&app, "General").await;

    let list: Value = app
        .get("/api/v1/events?limit=5", None)
        .await
        .json()
        .await
        .expect("json");
    let e = &list["events"][0];
    assert_eq!(e["slug"], json!(slug));
    assert_eq!(e["time_zone"], json!("America/Chicago"));
    assert_eq!(e["starts_at"], json!("2099-12-13T02:00:00Z"));
    assert_eq!(e["lowest_price_cents"], json!(0));
    assert_eq!(e["availability"], json!("available"));
    assert_eq!(e["rsvp"]["ticket_type_id"], json!(general));
    assert_eq!(e["url"], json!(format!("{}/e/{slug}", app.origin)));
    assert_eq!(
        app.get("/api/v1/events?limit=500", None).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let detail: Value = app
        .get(&format!("/api/v1/events/{slug}"), None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(detail["ticket_types"][0]["name"], json!("VIP"));
    assert_eq!(detail["ticket_types"][1]["availability"], json!("few_left"));
    assert_eq!(
        app.get("/api/v1/events/no-such-event", None).await.status(),
        StatusCode::NOT_FOUND
    );
    let home: Value = app
        .get("/api/v1/home", None)
        .await
        .json()
        .await
        .expect("json");
    let card = &home["sections"][0]["cards"][0];
    assert_eq!(
        card["action"],
        json!({"kind": "rsvp", "ticket_type_id": general})
    );
    assert!(
        card["subtitle"]
            .as_str()
            .is_some_and(|s| s.ends_with(" · Free")),
        "{card}"
    );

    // RSVP: a key is needed, a visitor and a foreign page are refused.
    let body = json!({"ticket_type_id": general, "quantity": 1});
    let res = app.post_json("/api/v1/rsvp", &body, Some(&bob), None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = app
        .post_json("/api/v1/rsvp", &body, None, Some("rsvp-key-visitor"))
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let foreign = reqwest::Client::new()
        .post(app.url("/api/v1/rsvp"))
        .header("origin", "https://evil.example")
        .header("cookie", app.cookie(&bob))
        .header("idempotency-key", "rsvp-key-foreign")
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);

    // Once per key: 201, then 200 with the same order.
    let first = app
        .post_json("/api/v1/rsvp", &body, Some(&bob), Some("rsvp-key-bob-1"))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    assert_eq!(first.body["event_title"], json!("Saturday Social"));
    assert_eq!(
        first.body["tickets_url"],
        json!(format!("{}/tickets", app.origin))
    );
    let again = app
        .post_json("/api/v1/rsvp", &body, Some(&bob), Some("rsvp-key-bob-1"))
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["order_id"], first.body["order_id"]);
    assert_eq!(common::count(&app, "select count(*) from tickets").await, 1);

    // Too many, or a paid type: refused with why.
    let res = app
        .post_json(
            "/api/v1/rsvp",
            &json!({"ticket_type_id": general, "quantity": 2}),
            Some(&bob),
            Some("rsvp-key-bob-2"),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.body["error"], json!("Only 1 place is left."));
    let vip = common::type_id(&app, "VIP").await;
    let res = app
        .post_json(
            "/api/v1/rsvp",
            &json!({"ticket_type_id": vip, "quantity": 1}),
            Some(&bob),
            Some("rsvp-key-bob-3"),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // Bob's tickets; nobody's for a visitor.
    let mine: Value = app
        .get("/api/v1/tickets", Some(&bob))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mine["tickets"].as_array().map(Vec::len), Some(1));
    assert_eq!(mine["tickets"][0]["type_name"], json!("General"));
    assert_eq!(mine["tickets"][0]["valid"], json!(true));
    assert_eq!(
        app.get("/api/v1/tickets", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

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
    assert!(html.contains("Wed 31 Dec 2098, 20:00"), "{html}");
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

/// An event of the current week (in Chicago), `at` after its Monday 00:00, lasting six hours.
async fn this_week(app: &TestApp, slug: &str, title: &str, at: &str) {
    sqlx::query(
        "insert into events (organizer_id, slug, title, venue, time_zone, starts_at, ends_at, status)
         values (gen_random_uuid(), $1, $2, 'Grand Hall', 'America/Chicago',
                 (date_trunc('week', now() at time zone 'America/Chicago') + $3::interval)
                     at time zone 'America/Chicago',
                 (date_trunc('week', now() at time zone 'America/Chicago') + $3::interval
                     + interval '6 hours') at time zone 'America/Chicago',
                 'published')",
    )
    .bind(slug)
    .bind(title)
    .bind(at)
    .execute(&app.db.pool)
    .await
    .expect("insert event");
}

/// The titles a page of the list shows, in order.
async fn titles(app: &TestApp, query: &str) -> Vec<String> {
    let html = app
        .get(&format!("/?{query}"), None)
        .await
        .text()
        .await
        .expect("html");
    html.split(r#"data-testid="event-card""#)
        .skip(1)
        .filter_map(|card| {
            let start = card.find("hover:underline")?;
            let rest = &card[start..];
            let open = rest.find('>')? + 1;
            let close = rest[open..].find('<')?;
            Some(rest[open..open + close].to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_by_week_weekend_free_and_online_searches_and_pages() {
    let app = TestApp::spawn(events::server::app()).await;
    this_week(&app, "salsa", "Sunday Salsa Social", "6 days 18 hours").await;
    this_week(
        &app,
        "bachata",
        "Online Bachata Workshop",
        "6 days 19 hours",
    )
    .await;
    this_week(
        &app,
        "steppers",
        "Next Week Steppers Night",
        "9 days 20 hours",
    )
    .await;
    sqlx::query("update events set online = true, venue = '' where slug = 'bachata'")
        .execute(&app.db.pool)
        .await
        .expect("online");
    sqlx::query(
        "insert into ticket_types (event_id, name, price_cents, capacity)
         select id, 'General', case slug when 'bachata' then 0 else 1000 end, 50 from events",
    )
    .execute(&app.db.pool)
    .await
    .expect("types");

    let all = titles(&app, "").await;
    assert_eq!(
        all,
        [
            "Sunday Salsa Social",
            "Online Bachata Workshop",
            "Next Week Steppers Night"
        ]
    );
    for (query, want) in [
        (
            "when=week",
            vec!["Sunday Salsa Social", "Online Bachata Workshop"],
        ),
        (
            "when=weekend",
            vec!["Sunday Salsa Social", "Online Bachata Workshop"],
        ),
        ("free=1", vec!["Online Bachata Workshop"]),
        ("online=1", vec!["Online Bachata Workshop"]),
        (
            "when=week&free=1&q=bachata",
            vec!["Online Bachata Workshop"],
        ),
        ("q=salsa", vec!["Sunday Salsa Social"]),
        ("q=STEPPERS+night", vec!["Next Week Steppers Night"]),
        (
            "q=%22steppers+night%22+-salsa",
            vec!["Next Week Steppers Night"],
        ),
        ("q=tango", vec![]),
        // Unknown values are ignored, not errors.
        ("when=someday", all.iter().map(String::as_str).collect()),
    ] {
        assert_eq!(titles(&app, query).await, want, "{query}");
    }
    let html = app.get("/?q=tango", None).await.text().await.expect("html");
    assert!(
        html.contains("No events match. Try fewer filters."),
        "{html}"
    );
    let html = app.get("/?free=1", None).await.text().await.expect("html");
    assert!(html.contains("Free") && html.contains("1 event"), "{html}");
    let html = app.get("/?q=salsa", None).await.text().await.expect("html");
    assert!(html.contains("from $10.00"), "{html}");

    // Pages of twenty, the filters kept in the pager's links.
    for i in 0..25 {
        this_week(
            &app,
            &format!("later-{i}"),
            &format!("Later Night {i:02}"),
            &format!("{} days", 30 + i),
        )
        .await;
    }
    assert_eq!(titles(&app, "").await.len(), 20);
    let second = titles(&app, "page=2").await;
    assert_eq!(second.len(), 8);
    assert_eq!(second.last().map(String::as_str), Some("Later Night 24"));
    let html = app.get("/?q=later", None).await.text().await.expect("html");
    assert!(
        html.contains("25 events") && html.contains("?q=later&amp;page=2"),
        "{html}"
    );
}

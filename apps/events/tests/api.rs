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

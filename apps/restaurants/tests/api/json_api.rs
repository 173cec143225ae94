use reqwest::StatusCode;

use crate::fixtures::{spawn_app, spawn_seeded};

/// Restaurants `(slug, featured)`, the first the oldest.
async fn restaurants_in_order(app: &crate::fixtures::TestApp, list: &[(&str, bool)]) {
    for (age, (slug, featured)) in list.iter().rev().enumerate() {
        sqlx::query(
            "insert into restaurants (owner_id, slug, name, cuisine, city, price_level, featured, time_zone, created_at)
             values ($1, $2, $2, 'Soul food', 'Chicago', 2, $3, 'America/Chicago', now() - make_interval(mins => $4))",
        )
        .bind(uuid::Uuid::new_v4())
        .bind(slug)
        .bind(featured)
        .bind(i32::try_from(age).expect("age"))
        .execute(&app.db.pool)
        .await
        .expect("insert");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn featured_restaurants_are_listed_newest_first_with_their_urls() {
    let app = spawn_app().await;
    restaurants_in_order(
        &app,
        &[
            ("oldest", true),
            ("plain", false),
            ("middle", true),
            ("newer", true),
            ("newest", true),
        ],
    )
    .await;
    let res = app
        .get("/api/v1/restaurants?featured=true&limit=3", None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: api::restaurants::RestaurantList = res.json().await.expect("the agreed JSON");
    let slugs: Vec<&str> = list.restaurants.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(slugs, ["newest", "newer", "middle"]);
    assert_eq!(
        list.restaurants[0].url,
        format!("{}/r/newest", app.origin),
        "an absolute URL on the app's own host"
    );

    let all: api::restaurants::RestaurantList = app
        .get("/api/v1/restaurants", None)
        .await
        .json()
        .await
        .expect("json");
    let slugs: Vec<&str> = all.restaurants.iter().map(|r| r.slug.as_str()).collect();
    assert_eq!(slugs, ["newest", "newer", "middle", "plain", "oldest"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_sections_are_the_featured_and_the_newest_as_cards() {
    let app = spawn_seeded().await;
    restaurants_in_order(&app, &[("brand-new", false)]).await;
    let res = app.get(api::home::HOME_PATH, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().contains_key("etag"));
    let home: api::home::HomeSections = res.json().await.expect("the agreed JSON");
    let keys: Vec<&str> = home.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(keys, ["featured", "new"]);
    let featured = &home.sections[0];
    assert_eq!(
        featured.cards.len(),
        4,
        "the four featured demo restaurants"
    );
    assert!(
        featured.cards.iter().all(|c| c.image_url.is_some()),
        "with covers"
    );
    assert!(
        featured
            .cards
            .iter()
            .any(|c| c.title == "Mama Lou's Soul Kitchen")
    );
    let newest = &home.sections[1];
    assert_eq!(newest.cards.len(), api::home::MAX_CARDS);
    assert_eq!(newest.cards[0].title, "brand-new");
    assert_eq!(newest.cards[0].url, format!("{}/r/brand-new", app.origin));
    assert_eq!(
        newest.cards[0]
            .badge
            .as_ref()
            .map(|b| (b.text.as_str(), b.good)),
        Some(("Closed now", false)),
        "no hours: closed"
    );
    assert_eq!(featured.more_url, format!("{}/", app.origin));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_limit_gets_a_clear_4xx() {
    let app = spawn_app().await;
    for q in ["limit=0", "limit=51", "limit=abc", "featured=maybe"] {
        let res = app.get(&format!("/api/v1/restaurants?{q}"), None).await;
        assert!(res.status().is_client_error(), "{q}: {}", res.status());
        let body: serde_json::Value = res.json().await.expect("json error");
        assert!(
            body["error"]
                .as_str()
                .is_some_and(|m| m.contains("limit") || m.contains("featured")),
            "{q}: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_allows_the_suites_origins_with_credentials() {
    let app = spawn_app().await;
    let res = devstack::testkit::client()
        .get(app.url("/api/v1/restaurants"))
        .header("origin", "http://stepperslife.localhost:3001")
        .send()
        .await
        .expect("get");
    assert_eq!(
        res.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://stepperslife.localhost:3001")
    );
    assert_eq!(
        res.headers()
            .get("access-control-allow-credentials")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let res = devstack::testkit::client()
        .get(app.url("/api/v1/restaurants"))
        .header("origin", "https://evil.com")
        .send()
        .await
        .expect("get");
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_checks_the_database_the_sessions_and_the_bucket() {
    let app = spawn_app().await;
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["checks"]["database"], "ok");
    assert_eq!(body["checks"]["sessions"], "ok");
    assert_eq!(body["checks"]["bucket"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_around_the_clock_is_open_and_without_hours_is_not_in_the_api_and_on_the_page() {
    let app = spawn_app().await;
    let owner = uuid::Uuid::new_v4();
    for (slug, zone) in [
        ("always-open", "Pacific/Honolulu"),
        ("never-open", "America/New_York"),
    ] {
        sqlx::query(
            "insert into restaurants (owner_id, slug, name, cuisine, city, price_level, featured, time_zone)
             values ($1, $2, $2, 'x', 'x', 1, true, $3)",
        )
        .bind(owner)
        .bind(slug)
        .bind(zone)
        .execute(&app.db.pool)
        .await
        .expect("insert");
    }
    // Every day from midnight to midnight.
    sqlx::query(
        "insert into opening_hours (restaurant_id, weekday, opens, closes)
         select id, d, '00:00', '00:00' from restaurants, generate_series(0, 6) d where slug = 'always-open'",
    )
    .execute(&app.db.pool)
    .await
    .expect("hours");
    let list: api::restaurants::RestaurantList = app
        .get("/api/v1/restaurants?featured=true&limit=50", None)
        .await
        .json()
        .await
        .expect("json");
    let open = |slug: &str| {
        list.restaurants
            .iter()
            .find(|r| r.slug == slug)
            .map(|r| r.is_open_now)
    };
    assert_eq!(open("always-open"), Some(true));
    assert_eq!(open("never-open"), Some(false), "no hours: never open");

    let html = app
        .get("/r/always-open", None)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("Open now · closes 00:00"), "status line");
    assert!(html.contains(r#"data-testid="hours""#), "hours table");
    assert!(html.contains("Pacific/Honolulu"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_hours_are_open_in_one_time_zone_and_closed_in_another() {
    use chrono::{Datelike, Timelike};
    let app = spawn_app().await;
    // A two-hour window around the current time in Honolulu; Tokyo is 19 hours ahead, so the
    // same wall-clock window is far from its current time.
    let now = chrono::Utc::now().with_timezone(&chrono_tz::Pacific::Honolulu);
    let weekday = i16::try_from(now.weekday().num_days_from_monday()).expect("0..7");
    let opens = format!("{:02}:00", now.hour());
    let closes = format!("{:02}:00", (now.hour() + 2) % 24);
    let owner = uuid::Uuid::new_v4();
    for (slug, zone) in [
        ("in-honolulu", "Pacific/Honolulu"),
        ("in-tokyo", "Asia/Tokyo"),
    ] {
        sqlx::query(
            "with r as (
                 insert into restaurants (owner_id, slug, name, cuisine, city, price_level, featured, time_zone)
                 values ($1, $2, $2, 'x', 'x', 1, true, $3) returning id)
             insert into opening_hours (restaurant_id, weekday, opens, closes)
             select id, $4, $5::time, $6::time from r",
        )
        .bind(owner)
        .bind(slug)
        .bind(zone)
        .bind(weekday)
        .bind(&opens)
        .bind(&closes)
        .execute(&app.db.pool)
        .await
        .expect("insert");
    }
    let list: api::restaurants::RestaurantList = app
        .get("/api/v1/restaurants?featured=true&limit=50", None)
        .await
        .json()
        .await
        .expect("json");
    let open = |slug: &str| {
        list.restaurants
            .iter()
            .find(|r| r.slug == slug)
            .map(|r| r.is_open_now)
    };
    assert_eq!(open("in-honolulu"), Some(true));
    assert_eq!(open("in-tokyo"), Some(false));
}

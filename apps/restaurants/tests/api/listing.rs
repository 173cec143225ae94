//! The restaurants list: pages, search by name, cuisine or city, and "open now" — the last
//! decided in SQL, checked here against the opening-hours rules the pages use.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use reqwest::StatusCode;
use restaurants::restaurants::db::{Filter, search};
use uuid::Uuid;

use crate::fixtures::spawn_app;

/// Inserts a restaurant with `hours` (weekday, opens, closes) in `zone`, `age_secs` old.
async fn restaurant(
    pool: &sqlx::PgPool,
    slug: &str,
    (cuisine, city): (&str, &str),
    zone: &str,
    hours: &[(i16, &str, &str)],
    age_secs: i64,
) -> Uuid {
    let id: Uuid = sqlx::query_scalar(
        "insert into restaurants (owner_id, slug, name, cuisine, city, price_level, time_zone, created_at)
         values ($1, $2, $2, $3, $4, 2, $5, now() - make_interval(secs => $6)) returning id",
    )
    .bind(Uuid::new_v4())
    .bind(slug)
    .bind(cuisine)
    .bind(city)
    .bind(zone)
    .bind(age_secs as f64)
    .fetch_one(pool)
    .await
    .expect("restaurant");
    for (day, opens, closes) in hours {
        sqlx::query(
            "insert into opening_hours (restaurant_id, weekday, opens, closes) values ($1, $2, $3::time, $4::time)",
        )
        .bind(id)
        .bind(day)
        .bind(opens)
        .bind(closes)
        .execute(pool)
        .await
        .expect("hours");
    }
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_now_in_sql_agrees_with_the_hours_rules_across_zones_midnight_and_dst() {
    let app = spawn_app().await;
    let pool = &app.db.pool;
    let every_day = |opens: &'static str, closes: &'static str| -> Vec<(i16, &str, &str)> {
        (0..7).map(|d| (d, opens, closes)).collect()
    };
    type Hours = Vec<(i16, &'static str, &'static str)>;
    let shapes: Vec<(&str, &str, Hours)> = vec![
        (
            "lunch-dinner",
            "America/Chicago",
            (1..7)
                .flat_map(|d| [(d, "11:00", "14:30"), (d, "17:00", "22:00")])
                .collect(),
        ),
        (
            "friday-late",
            "America/New_York",
            vec![(4, "16:00", "02:00")],
        ),
        // Sunday night into Monday morning.
        (
            "sunday-night",
            "Pacific/Honolulu",
            vec![(6, "20:00", "03:00")],
        ),
        ("all-day", "Asia/Tokyo", every_day("00:00", "00:00")),
        // Across the hour the clocks skip and repeat.
        (
            "small-hours",
            "America/Chicago",
            every_day("01:30", "03:30"),
        ),
        (
            "berlin-evenings",
            "Europe/Berlin",
            every_day("18:00", "23:59"),
        ),
        ("no-hours", "America/Denver", vec![]),
    ];
    let mut rules = Vec::new();
    for (i, (slug, zone, hours)) in shapes.iter().enumerate() {
        restaurant(pool, slug, ("x", "y"), zone, hours, i as i64).await;
        let periods: Vec<restaurants::hours::Period> = hours
            .iter()
            .map(|(d, o, c)| restaurants::hours::Period {
                weekday: u8::try_from(*d).expect("weekday"),
                opens: chrono::NaiveTime::parse_from_str(o, "%H:%M").expect("time"),
                closes: chrono::NaiveTime::parse_from_str(c, "%H:%M").expect("time"),
            })
            .collect();
        rules.push((*slug, zone.parse::<chrono_tz::Tz>().expect("zone"), periods));
    }
    let filter = Filter {
        open_now: true,
        ..Filter::default()
    };
    // Eight days around the start of US daylight saving time (8 March 2026), every 37 minutes.
    let start = Utc
        .with_ymd_and_hms(2026, 3, 4, 0, 7, 0)
        .single()
        .expect("start");
    let mut checked = 0;
    let mut open_seen = 0;
    let mut at: DateTime<Utc> = start;
    while at < start + TimeDelta::days(8) {
        let by_sql: Vec<String> = search(pool, &filter, 1, 50, at)
            .await
            .expect("search")
            .items
            .into_iter()
            .map(|r| r.slug)
            .collect();
        let mut by_rules: Vec<String> = rules
            .iter()
            .filter(|(_, tz, periods)| restaurants::hours::status(periods, *tz, at).is_open())
            .map(|(slug, _, _)| (*slug).to_owned())
            .collect();
        // The list is newest first: the later a shape, the newer.
        by_rules.reverse();
        let mut sorted_sql = by_sql.clone();
        sorted_sql.sort();
        let mut sorted_rules = by_rules.clone();
        sorted_rules.sort();
        assert_eq!(sorted_sql, sorted_rules, "at {at}");
        open_seen += by_sql.len();
        checked += 1;
        at += TimeDelta::minutes(37);
    }
    assert!(checked > 300, "{checked} instants");
    assert!(
        open_seen > checked,
        "the check saw restaurants open: {open_seen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_comes_in_pages_that_keep_the_search() {
    let app = spawn_app().await;
    for i in 0..50 {
        let cuisine = if i % 3 == 0 { "Soul food" } else { "Caribbean" };
        restaurant(
            &app.db.pool,
            &format!("place-{i:02}"),
            (cuisine, "Chicago"),
            "America/Chicago",
            &[],
            i64::from(100 - i),
        )
        .await;
    }
    let app = &app;
    let page = |q: &'static str| async move {
        let res = app.get(q, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{q}");
        res.text().await.expect("body")
    };
    let shown = |html: &str| html.matches("href=\"/r/place-").count();
    let first = page("/").await;
    assert!(first.contains("50 restaurants"));
    // Newest first, 24 a page: place-49 … place-26, then place-25 … place-02, then the last two.
    assert_eq!(shown(&first), 24);
    assert!(first.contains("/r/place-49") && first.contains("/r/place-26"));
    assert!(!first.contains("/r/place-25"));
    assert!(first.contains("Page 1 of 3") && first.contains("href=\"?page=2\""));
    let last = page("/?page=3").await;
    assert_eq!(shown(&last), 2);
    assert!(last.contains("/r/place-01") && last.contains("/r/place-00"));
    assert!(last.contains("href=\"?page=2\"") && !last.contains("rel=\"next\""));
    let second = page("/?page=2").await;
    assert_eq!(shown(&second), 24);
    assert!(second.contains("href=\"?\""), "back to the first page");
    // A page past the end says so and leads back.
    let past = page("/?page=7").await;
    assert_eq!(shown(&past), 0);
    assert!(past.contains("Page 7 of 3") && past.contains("href=\"?page=3\""));
    // A page number that is not one is the first page.
    assert_eq!(shown(&page("/?page=abc").await), 24);

    // The search is by cuisine (case-insensitive) and stays in the pager's links.
    let soul = page("/?q=SOUL").await;
    assert!(soul.contains("17 restaurants"), "place-00, 03, … 48");
    assert!(soul.contains("/r/place-48") && !soul.contains("/r/place-49"));
    assert!(!soul.contains("data-testid=\"pager\""), "one page");
    let carib = page("/?q=caribbean").await;
    assert!(carib.contains("33 restaurants"));
    let pager = carib
        .split("data-testid=\"pager\"")
        .nth(1)
        .unwrap_or_default();
    assert!(
        pager.contains("href=\"?q=caribbean&amp;page=2\""),
        "{pager}"
    );
    let carib2 = page("/?q=caribbean&page=2").await;
    assert_eq!(shown(&carib2), 9);
    assert!(
        carib2.contains("href=\"?q=caribbean\""),
        "back, with the search"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_finds_names_cuisines_and_cities_and_takes_wildcards_literally() {
    let app = spawn_app().await;
    let pool = &app.db.pool;
    restaurant(
        pool,
        "mamas-kitchen",
        ("Soul food", "Chicago"),
        "America/Chicago",
        &[],
        3,
    )
    .await;
    restaurant(
        pool,
        "island-grill",
        ("Caribbean", "Atlanta"),
        "America/New_York",
        &[],
        2,
    )
    .await;
    restaurant(
        pool,
        "100-percent",
        ("Diner", "Detroit"),
        "America/Detroit",
        &[],
        1,
    )
    .await;
    let found = |text: &str| {
        let filter = Filter {
            text: Some(text.to_owned()),
            ..Filter::default()
        };
        async move {
            let mut slugs: Vec<String> = search(pool, &filter, 1, 24, Utc::now())
                .await
                .expect("search")
                .items
                .into_iter()
                .map(|r| r.slug)
                .collect();
            slugs.sort();
            slugs
        }
    };
    assert_eq!(found("mamas").await, ["mamas-kitchen"]);
    assert_eq!(found("carib").await, ["island-grill"]);
    assert_eq!(found("atlanta").await, ["island-grill"]);
    assert_eq!(found("t").await.len(), 3, "every one has a t");
    assert_eq!(
        found("%").await,
        Vec::<String>::new(),
        "a % is a %, not anything"
    );
    assert_eq!(found("_").await, Vec::<String>::new());
    assert_eq!(found("100").await, ["100-percent"]);
    // Too long a search is refused with a reason, on the page.
    let long = format!("/?q={}", "x".repeat(101));
    let html = app.get(&long, None).await.text().await.expect("body");
    assert!(
        html.contains("Search with at most 100 characters."),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_now_keeps_only_the_open_ones_on_the_page() {
    let app = spawn_app().await;
    let pool = &app.db.pool;
    restaurant(
        pool,
        "always",
        ("x", "y"),
        "Asia/Tokyo",
        &(0..7).map(|d| (d, "00:00", "00:00")).collect::<Vec<_>>(),
        2,
    )
    .await;
    restaurant(pool, "never", ("x", "y"), "Asia/Tokyo", &[], 1).await;
    let html = app.get("/?open=1", None).await.text().await.expect("body");
    assert!(html.contains("/r/always") && !html.contains("/r/never"));
    assert!(html.contains("1 restaurant"));
    assert!(
        html.contains(r#"name="open" value="1" checked"#),
        "the box stays ticked"
    );
    let all = app.get("/", None).await.text().await.expect("body");
    assert!(all.contains("/r/always") && all.contains("/r/never"));
}

use reqwest::StatusCode;

use devstack::harness::{self, Opts};

use crate::helpers::{Options, TestApp, spawn_app, spawn_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_renders_when_restaurants_is_down() {
    let app = spawn_app().await;
    let res = TestApp::client()
        .get(app.url("/"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("SteppersLife"));
    assert!(
        html.contains("Restaurants can&#x27;t be reached")
            || html.contains("Restaurants can't be reached"),
        "{html}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let res = TestApp::client()
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let res = TestApp::client()
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["checks"]["database"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_shows_the_sections_each_app_serves() {
    let restaurants =
        harness::TestApp::spawn_with(restaurants::server::app(), Opts::seeded()).await;
    let events = harness::TestApp::spawn_with(events::server::app(), Opts::seeded()).await;
    let store = harness::TestApp::spawn_with(store::server::app(), Opts::seeded()).await;
    let app = spawn_with(Options {
        restaurants_url: format!("http://{}", restaurants.addr),
        events_url: format!("http://{}", events.addr),
        store_url: format!("http://{}", store.addr),
        ..Options::default()
    })
    .await;
    let html = app.get("/", None).await.text().await.expect("body");
    for section in [
        "home-restaurants-featured",
        "home-restaurants-new",
        "home-events-upcoming",
        "home-store-new",
    ] {
        assert!(
            html.contains(&format!(r#"data-testid="{section}""#)),
            "{section}"
        );
    }
    assert!(html.contains("Featured restaurants") && html.contains("Just added"));
    assert!(html.contains("Mama Lou"), "a demo restaurant is listed");
    assert!(
        html.contains(&format!(
            r#"href="{}/r/mama-lous-soul-kitchen""#,
            restaurants.origin
        )),
        "cards link to the restaurant's page"
    );
    // The covers come from the app's own host, sized for the card.
    assert!(html.contains(&format!(r#"src="{}/media/covers/"#, restaurants.origin)));
    // The demo events, soonest first, with their covers and a link each.
    assert!(html.contains("Upcoming events"));
    let (online, social) = (
        html.find("Footwork Fundamentals (online)")
            .expect("a demo event"),
        html.find("Saturday Steppers Social").expect("another"),
    );
    assert!(online < social, "the sooner one first");
    assert!(html.contains(&format!(
        r#"href="{}/e/saturday-steppers-social""#,
        events.origin
    )));
    assert!(html.contains(&format!(r#"src="{}/media/covers/"#, events.origin)));
    // The demo shop's products, newest first, with their pictures.
    assert!(html.contains("New in the store") && html.contains("Suede-sole dance shoe"));
    assert!(html.contains(&format!(
        r#"href="{}/p/suede-sole-dance-shoe""#,
        store.origin
    )));
    assert!(html.contains(&format!(r#"src="{}/media/products/"#, store.origin)));
    assert!(!html.contains("can't be reached"));
}

/// Every page arrives whole: the header and each section in place, nothing left for a script to
/// swap in. (Leptos' default streaming sent a `<Suspense>` whose data was not ready at the first
/// poll as its fallback, "Loading…" or an empty header bar, followed by the content in a
/// `<template>` and a script: nothing without JavaScript, and with it a layout shift on phones.
/// Most requests hit that race: the data comes from a database or another app.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_arrive_whole_with_no_fragment_streamed_after_them() {
    let restaurants =
        harness::TestApp::spawn_with(restaurants::server::app(), Opts::seeded()).await;
    let app = spawn_with(Options {
        restaurants_url: format!("http://{}", restaurants.addr),
        ..Options::default()
    })
    .await;
    for round in 0..20 {
        for (name, html) in [
            (
                "the portal home",
                app.get("/", None).await.text().await.expect("body"),
            ),
            (
                "the sign-in page",
                app.get("/signin", None).await.text().await.expect("body"),
            ),
            (
                "the restaurants list",
                restaurants.get("/", None).await.text().await.expect("body"),
            ),
            (
                "a restaurant page",
                restaurants
                    .get("/r/mama-lous-soul-kitchen", None)
                    .await
                    .text()
                    .await
                    .expect("body"),
            ),
        ] {
            assert!(
                !html.contains("<template") && !html.contains("Loading"),
                "{name}, request {round}, came in pieces: {html}"
            );
            assert!(
                html.contains(r#"data-testid="sign-in""#),
                "{name}: the header is in the page as sent"
            );
        }
    }
}

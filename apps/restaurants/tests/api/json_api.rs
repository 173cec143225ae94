use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn featured_restaurants_are_listed_newest_first_with_their_urls() {
    let app = spawn_app().await;
    let res = app
        .get("/api/v1/restaurants?featured=true&limit=3", None)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: api::restaurants::RestaurantList = res.json().await.expect("the agreed JSON");
    assert_eq!(list.restaurants.len(), 3);
    assert!(list.restaurants.iter().all(|r| r.featured));
    assert!(
        list.restaurants[0]
            .url
            .starts_with("http://restaurants.stepperslife.localhost:3010/r/")
    );

    let all: api::restaurants::RestaurantList = app
        .get("/api/v1/restaurants", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(all.restaurants.len(), 6, "the six demo restaurants");
    assert!(all.restaurants.iter().any(|r| !r.featured));
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
    let res = crate::helpers::TestApp::client()
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
    let res = crate::helpers::TestApp::client()
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

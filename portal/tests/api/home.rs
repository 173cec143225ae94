use reqwest::StatusCode;

use crate::helpers::{TestApp, spawn_app};

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

use reqwest::StatusCode;

use crate::fixtures::{spawn_app, spawn_seeded};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_sees_the_list_and_a_restaurant_page() {
    let app = spawn_seeded().await;
    let res = app.get("/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("Mama Lou"), "seed data is listed");
    assert!(html.contains("Sign in"), "the header offers sign-in");

    let res = app.get("/r/island-groove-grill", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("Island Groove Grill"));
    assert!(
        !html.contains("data-testid=\"edit-restaurant\""),
        "a visitor cannot edit"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_restaurant_is_a_404_page() {
    let app = spawn_app().await;
    let res = app.get("/r/no-such-place", None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("This restaurant does not exist, or it has been removed."),
        "{html}"
    );
    assert!(
        html.contains("data-testid=\"sign-in\""),
        "a whole page, with the suite's header"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_who_wants_to_add_a_restaurant_is_sent_to_sign_in_and_back() {
    let app = spawn_app().await;
    let res = app.get("/new", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location");
    assert_eq!(
        to,
        "http://stepperslife.localhost:3001/signin?return_to=http%3A%2F%2Frestaurants.stepperslife.localhost%3A3010%2Fnew"
    );
    let res = app.get("/r/harlem-table/edit", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(
            "http://stepperslife.localhost:3001/signin?return_to=http%3A%2F%2Frestaurants.stepperslife.localhost%3A3010%2Fr%2Fharlem-table%2Fedit"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_person_sees_their_name_in_the_header() {
    let app = spawn_app().await;
    let cookie = app.signed_in("Grace").await;
    let res = app.get("/new", Some(&cookie)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("Grace"));
    assert!(html.contains("Sign out"));
}

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

/// Every page of the app, to a visitor and to the people it is for, carries the security
/// headers (a Content-Security-Policy whose nonce is on every script, no framing, nosniff, a
/// referrer policy) and, signed in, `no-store`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_carries_the_security_headers() {
    use crate::fixtures::Fixtures;
    use devstack::pages::Visit;

    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let customer = app.signed_in("Customer").await;
    let k = app.kitchen(owner.id).await;
    let (status, order) = app
        .send_json(
            "/api/v1/orders",
            &k.order(&[(k.wings, 1, &[k.mild])], None),
            Some(&customer),
            Some(&uuid::Uuid::new_v4().to_string()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let order = order["id"].as_str().expect("order id").to_owned();
    let invite = app
        .call(
            "/api/staff/invite",
            &[("restaurant_id", &k.id.to_string())],
            Some(&owner),
        )
        .await;
    let link = invite.body.as_str().expect("link").to_owned();
    let token = link.rsplit('/').next().expect("token");
    let slug = &k.slug;

    let visit = |route, path: String, who| Visit { route, path, who };
    let visits = [
        visit("/", "/".into(), None),
        visit("/", "/".into(), Some(&customer)),
        visit("/r/{slug}", format!("/r/{slug}"), None),
        visit("/r/{slug}", format!("/r/{slug}"), Some(&owner)),
        visit("/new", "/new".into(), Some(&customer)),
        visit("/r/{slug}/edit", format!("/r/{slug}/edit"), Some(&owner)),
        visit("/orders", "/orders".into(), Some(&customer)),
        visit("/orders/{id}", format!("/orders/{order}"), Some(&customer)),
        visit("/dashboard", "/dashboard".into(), Some(&owner)),
        visit(
            "/dashboard/r/{slug}/menu",
            format!("/dashboard/r/{slug}/menu"),
            Some(&owner),
        ),
        visit(
            "/dashboard/r/{slug}/orders",
            format!("/dashboard/r/{slug}/orders"),
            Some(&owner),
        ),
        visit(
            "/dashboard/r/{slug}/staff",
            format!("/dashboard/r/{slug}/staff"),
            Some(&owner),
        ),
        visit(
            "/staff/join/{token}",
            format!("/staff/join/{token}"),
            Some(&customer),
        ),
    ];
    let routes = restaurants::server::app().page_paths().await;
    app.check_every_page(&routes, &visits).await;

    // What is not a page: nothing runs, nothing frames it.
    let res = app.get(&format!("/api/v1/restaurants/{slug}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-security-policy"],
        appkit::headers::NOT_A_PAGE
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    // The 404 page too.
    let res = app.get("/r/no-such-place", Some(&customer)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let headers = res.headers().clone();
    let html = res.text().await.expect("body");
    let problems = devstack::pages::header_problems(&headers, &html, true);
    assert!(problems.is_empty(), "{problems:#?}");
}

//! An event's cover picture: uploaded by its organizer through the shared upload flow, shown
//! on its page, as a thumbnail in lists and on the portal's cards, replaced without leaving
//! the old object; refused with a reason for anything that is not a picture, and for anyone
//! else before the body is read.

mod common;

use common::{add_type, create, spawn};
use devstack::harness::{TestApp, User};
use reqwest::{StatusCode, header, multipart};

async fn upload(
    app: &TestApp,
    slug: &str,
    bytes: Vec<u8>,
    who: Option<&User>,
) -> reqwest::Response {
    let form = multipart::Form::new()
        .text("back", format!("/dashboard/e/{slug}"))
        .part(
            "photo",
            multipart::Part::bytes(bytes).file_name("cover.png"),
        );
    let mut req = devstack::testkit::client()
        .post(app.url(&format!("/dashboard/e/{slug}/cover")))
        .header(header::ORIGIN, &app.origin)
        .multipart(form);
    if let Some(u) = who {
        req = req.header(header::COOKIE, app.cookie(u));
    }
    req.send().await.expect("upload")
}

async fn cover_key(app: &TestApp) -> Option<String> {
    sqlx::query_scalar("select cover_key from events")
        .fetch_one(&app.db.pool)
        .await
        .expect("event")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_uploads_a_cover_shown_on_the_page_and_as_a_thumbnail_in_lists() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;

    // Not a picture: back to the form with why; nothing stored.
    let res = upload(&app, &slug, b"not a picture".to_vec(), Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let back = res.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned();
    assert_eq!(back, format!("/dashboard/e/{slug}?upload_error=type"));
    let page = app.get(&back, Some(&ada)).await.text().await.expect("page");
    assert!(
        page.contains("Only JPEG, PNG, WebP and GIF images are accepted."),
        "{page}"
    );
    assert_eq!(cover_key(&app).await, None);

    // A stranger and a visitor: refused, nothing stored.
    let stranger = app.signed_in("Stranger").await;
    let res = upload(
        &app,
        &slug,
        devstack::testkit::photo_png(64, 36),
        Some(&stranger),
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = upload(&app, &slug, devstack::testkit::photo_png(64, 36), None).await;
    assert!(res.status().is_redirection() || res.status() == StatusCode::UNAUTHORIZED);
    assert_eq!(cover_key(&app).await, None);
    assert!(
        app.storage()
            .list("covers/")
            .await
            .expect("list")
            .is_empty()
    );

    // Stored, shown on the page, a thumbnail in the list and in the API.
    let res = upload(
        &app,
        &slug,
        devstack::testkit::photo_png(64, 36),
        Some(&ada),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let first = cover_key(&app).await.expect("a cover");
    let thumb = storage::thumbnail_key(&first);
    assert_eq!(
        app.get(&format!("/media/{first}"), None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/media/{thumb}"), None).await.status(),
        StatusCode::OK
    );
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(&format!("src=\"/media/{first}\"")), "{page}");
    let list = app.get("/", None).await.text().await.expect("list");
    assert!(list.contains(&format!("src=\"/media/{thumb}\"")), "{list}");
    let api: serde_json::Value = app
        .get("/api/v1/events", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        api["events"][0]["cover_url"],
        serde_json::json!(format!("{}/media/{thumb}", app.origin))
    );
    let home: serde_json::Value = app
        .get("/api/v1/home", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        home["sections"][0]["cards"][0]["image_url"],
        serde_json::json!(format!("{}/media/{thumb}", app.origin))
    );

    // Replaced: the old picture and its thumbnail are gone.
    let res = upload(
        &app,
        &slug,
        devstack::testkit::photo_png(80, 45),
        Some(&ada),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let second = cover_key(&app).await.expect("a cover");
    assert_ne!(first, second);
    let mut stored = app.storage().list("covers/").await.expect("list");
    stored.sort();
    let mut want = vec![second.clone(), storage::thumbnail_key(&second)];
    want.sort();
    assert_eq!(stored, want);
}

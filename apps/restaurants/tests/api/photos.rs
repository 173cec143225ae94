//! Photo uploads against the real object store: checked by content and size, the old object
//! removed on replace, and never a row without its object or an object without its row.

use reqwest::{StatusCode, header, multipart};

use crate::fixtures::{Fixtures, TestApp, User, spawn_app, spawn_seeded};

/// The smallest PNG: a 1×1 transparent pixel.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// Posts the upload form as a browser would (the page's origin, `back` first).
pub async fn upload(
    app: &TestApp,
    path: &str,
    bytes: Vec<u8>,
    who: Option<&User>,
) -> reqwest::Response {
    let form = multipart::Form::new()
        .text("back", "/dashboard/r/x/menu")
        .part(
            "photo",
            multipart::Part::bytes(bytes).file_name("photo.png"),
        );
    let mut req = devstack::testkit::client()
        .post(app.url(path))
        .header(header::ORIGIN, &app.origin)
        .multipart(form);
    if let Some(u) = who {
        req = req.header(header::COOKIE, app.cookie(u));
    }
    req.send().await.expect("upload")
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn cover_key(app: &TestApp, id: uuid::Uuid) -> Option<String> {
    sqlx::query_scalar("select cover_key from restaurants where id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .expect("row")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cover_photo_is_stored_shown_and_replaced() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let k = app.kitchen(owner_id).await;
    let path = format!("/dashboard/photos/cover/{}", k.id);

    let res = upload(&app, &path, PNG.to_vec(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/dashboard/r/x/menu");
    let first = cover_key(&app, k.id).await.expect("cover set");
    assert!(
        first.starts_with(&format!("covers/{}/", k.id)) && first.ends_with(".png"),
        "{first}"
    );
    let media = app.get(&format!("/media/{first}"), None).await;
    assert_eq!(media.status(), StatusCode::OK);
    assert_eq!(media.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(media.bytes().await.expect("bytes").as_ref(), PNG);

    // Shown on the page and, once featured, in the API with an absolute URL.
    let html = app
        .get(&format!("/r/{}", k.slug), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains(&format!("/media/{first}")));
    sqlx::query("update restaurants set featured = true where id = $1")
        .bind(k.id)
        .execute(&app.db.pool)
        .await
        .expect("feature");
    let list: serde_json::Value = app
        .get("/api/v1/restaurants?featured=true&limit=50", None)
        .await
        .json()
        .await
        .expect("json");
    let me = list["restaurants"]
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["slug"] == k.slug.as_str())
        .cloned()
        .expect("listed");
    assert!(
        me["cover_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http") && u.ends_with(&first)),
        "{me}"
    );

    // Replaced: the new object is used and the old one is gone.
    let res = upload(&app, &path, PNG.to_vec(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let second = cover_key(&app, k.id).await.expect("cover set");
    assert_ne!(first, second);
    let stored = app
        .storage()
        .list(&format!("covers/{}/", k.id))
        .await
        .expect("list");
    assert_eq!(stored, vec![second]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_an_image_or_too_big_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let k = app.kitchen(owner_id).await;
    let path = format!("/dashboard/photos/cover/{}", k.id);
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let mut big = PNG.to_vec();
    big.resize(6 * 1024 * 1024, 0);
    // Just over the store's limit (inside the request's, which leaves room for the form).
    let mut just_over = PNG.to_vec();
    just_over.resize(5 * 1024 * 1024 + 1024, 0);
    for (bytes, code) in [
        (svg, "type"),
        (big, "size"),
        (just_over, "size"),
        (Vec::new(), "empty"),
    ] {
        let res = upload(&app, &path, bytes, Some(&owner)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&res),
            format!("/dashboard/r/x/menu?upload_error={code}")
        );
    }
    // The page shows the message for the code, and nothing for text of a link's choosing.
    let page = |q: &str| {
        let path = format!("/r/{}/edit?upload_error={q}", k.slug);
        let owner = owner.clone();
        let app = &app;
        async move {
            app.get(&path, Some(&owner))
                .await
                .text()
                .await
                .expect("page")
        }
    };
    assert!(
        page("type")
            .await
            .contains("Only JPEG, PNG, WebP and GIF images are accepted.")
    );
    let html = page("Sign%20in%20at%20evil.example").await;
    let alerts: Vec<&str> = html.split(r#"role="alert""#).skip(1).collect();
    assert!(
        alerts
            .iter()
            .all(|a| !a[..a.len().min(300)].contains("evil.example")),
        "{alerts:?}"
    );
    assert!(!html.contains("Sign in at evil.example"));
    assert_eq!(cover_key(&app, k.id).await, None);
    assert!(
        app.storage()
            .list(&format!("covers/{}", k.id))
            .await
            .expect("list")
            .is_empty()
    );
    // Signed out, with a valid image: refused, and nothing stored or changed.
    let res = upload(&app, &path, PNG.to_vec(), None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(cover_key(&app, k.id).await, None);
    assert!(
        app.storage()
            .list(&format!("covers/{}", k.id))
            .await
            .expect("list")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_row_update_leaves_no_object_and_a_deleted_item_takes_its_photo() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let k = app.kitchen(owner_id).await;
    let path = format!("/dashboard/photos/item/{}", k.wings);

    // The database refuses the update (a trigger stands in for a failure after the upload).
    sqlx::query(
        "create function refuse_photo() returns trigger language plpgsql as $$
         begin raise exception 'photo updates are off'; end $$",
    )
    .execute(&app.db.pool)
    .await
    .expect("function");
    sqlx::query("create trigger refuse_photo before update of photo_key on menu_items for each row execute function refuse_photo()")
        .execute(&app.db.pool)
        .await
        .expect("trigger");
    let res = upload(&app, &path, PNG.to_vec(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/dashboard/r/x/menu?upload_error=failed");
    assert!(
        app.storage().list("items/").await.expect("list").is_empty(),
        "the stored object was removed again"
    );
    sqlx::query("drop trigger refuse_photo on menu_items")
        .execute(&app.db.pool)
        .await
        .expect("drop");

    let res = upload(&app, &path, PNG.to_vec(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let key: Option<String> = sqlx::query_scalar("select photo_key from menu_items where id = $1")
        .bind(k.wings)
        .fetch_one(&app.db.pool)
        .await
        .expect("row");
    let key = key.expect("photo set");
    assert_eq!(app.storage().list("items/").await.expect("list"), vec![key]);
    let res = app
        .call(
            "/api/menu/delete-item",
            &[("id", &k.wings.to_string())],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(app.storage().list("items/").await.expect("list").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_featured_demo_restaurants_start_with_cover_photos() {
    let app = spawn_seeded().await;
    let list: serde_json::Value = app
        .get("/api/v1/restaurants?featured=true&limit=50", None)
        .await
        .json()
        .await
        .expect("json");
    let covers: Vec<String> = list["restaurants"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|r| r["cover_url"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(covers.len(), 4, "{list}");
    let path = covers[0]
        .split_once("/media/")
        .map(|(_, k)| format!("/media/{k}"))
        .expect("media path");
    let res = app.get(&path, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/png");
    let bytes = res.bytes().await.expect("bytes");
    assert_eq!(
        storage::ImageKind::sniff(&bytes),
        Some(storage::ImageKind::Png)
    );
    assert!(
        bytes.len() < 40 * 1024,
        "a small file: {} bytes",
        bytes.len()
    );
}

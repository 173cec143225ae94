//! A product's pictures: several per product through the shared upload flow, the first as its
//! main picture and thumbnail, reordered and removed by its shop (the object goes with the
//! row); refused with a reason when full or not a picture, and for another shop before the
//! body is read.

mod common;

use common::{count, product, shop, spawn};
use devstack::{
    harness::{TestApp, User},
    testkit::photo_png,
};
use reqwest::{StatusCode, header, multipart};

/// `who` posts a picture to `path` as the upload form does, coming back to `back`.
async fn post_picture(
    app: &TestApp,
    path: &str,
    back: &str,
    bytes: Vec<u8>,
    who: &User,
) -> reqwest::Response {
    let form = multipart::Form::new().text("back", back.to_owned()).part(
        "photo",
        multipart::Part::bytes(bytes).file_name("photo.png"),
    );
    devstack::testkit::client()
        .post(app.url(path))
        .header(header::ORIGIN, &app.origin)
        .header(header::COOKIE, app.cookie(who))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn upload(app: &TestApp, slug: &str, bytes: Vec<u8>, who: &User) -> reqwest::Response {
    post_picture(
        app,
        &format!("/dashboard/p/{slug}/images"),
        &format!("/dashboard/p/{slug}"),
        bytes,
        who,
    )
    .await
}

fn back(res: &reqwest::Response) -> String {
    res.headers()[header::LOCATION]
        .to_str()
        .expect("location")
        .to_owned()
}

async fn keys(app: &TestApp) -> Vec<(uuid::Uuid, String)> {
    sqlx::query_as("select id, key from product_images order by position, created_at")
        .fetch_all(&app.db.pool)
        .await
        .expect("images")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_adds_orders_and_removes_a_products_pictures() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let otto = app.signed_in("Otto Other").await;
    shop(&app, &vera, "Vera's Shoes", "5", "").await;
    shop(&app, &otto, "Otto's Tees", "0", "").await;
    let (slug, _) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "3")]).await;
    let storage = app.storage();

    // Not a picture: back with why, nothing stored.
    let res = upload(&app, &slug, b"not a picture".to_vec(), &vera).await;
    assert_eq!(back(&res), format!("/dashboard/p/{slug}?upload_error=type"));
    assert_eq!(count(&app, "select count(*) from product_images").await, 0);
    // Another shop is refused before its upload is read.
    let res = upload(&app, &slug, photo_png(64, 36), &otto).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(count(&app, "select count(*) from product_images").await, 0);

    for (w, h) in [(64, 36), (80, 45), (96, 54)] {
        let res = upload(&app, &slug, photo_png(w, h), &vera).await;
        assert_eq!(back(&res), format!("/dashboard/p/{slug}"));
    }
    let stored = keys(&app).await;
    assert_eq!(stored.len(), 3);
    for (_, key) in &stored {
        assert!(
            storage.get(key).await.expect("get").is_some(),
            "{key} stored"
        );
    }
    // The first is the thumbnail in lists; the page shows every one.
    let list = app
        .call("/api/catalog/list", &[("query[page]", "1")], None)
        .await;
    let thumb = list.body["items"][0]["thumbnail_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        thumb.contains(&stored[0].1.split('.').next().unwrap_or_default().to_owned()),
        "{thumb}"
    );
    let page = app
        .get(&format!("/p/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        stored.iter().all(|(_, k)| page.contains(k.as_str())),
        "{page}"
    );

    // The third moves first; the first is removed, from the bucket too.
    let res = app
        .call(
            "/api/products/move-image",
            &[("slug", &slug), ("id", &stored[2].0.to_string())],
            Some(&vera),
        )
        .await;
    assert!(common::ok(res.status), "{:?}", res.body);
    let res = app
        .call(
            "/api/products/move-image",
            &[("slug", &slug), ("id", &stored[2].0.to_string())],
            Some(&vera),
        )
        .await;
    assert!(common::ok(res.status), "{:?}", res.body);
    let order: Vec<uuid::Uuid> = keys(&app).await.into_iter().map(|(id, _)| id).collect();
    assert_eq!(order, [stored[2].0, stored[0].0, stored[1].0]);
    // Another shop can neither reorder nor remove.
    for path in ["/api/products/move-image", "/api/products/remove-image"] {
        let res = app
            .call(
                path,
                &[("slug", &slug), ("id", &stored[0].0.to_string())],
                Some(&otto),
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{path}");
    }
    let res = app
        .call(
            "/api/products/remove-image",
            &[("slug", &slug), ("id", &stored[0].0.to_string())],
            Some(&vera),
        )
        .await;
    assert!(common::ok(res.status), "{:?}", res.body);
    assert_eq!(keys(&app).await.len(), 2);
    assert!(
        storage.get(&stored[0].1).await.expect("get").is_none(),
        "the object went with its row"
    );

    // Eight at most: the ninth is refused with why, and nothing is left of it.
    for _ in 0..6 {
        upload(&app, &slug, photo_png(64, 36), &vera).await;
    }
    assert_eq!(keys(&app).await.len(), 8);
    let objects = storage.list("products/").await.expect("list").len();
    let res = upload(&app, &slug, photo_png(64, 36), &vera).await;
    assert_eq!(back(&res), format!("/dashboard/p/{slug}?upload_error=full"));
    assert_eq!(keys(&app).await.len(), 8);
    assert_eq!(
        storage.list("products/").await.expect("list").len(),
        objects
    );
    let page = app
        .get(
            &format!("/dashboard/p/{slug}?upload_error=full"),
            Some(&vera),
        )
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("There are as many pictures as there can be"),
        "{page}"
    );
}

async fn upload_logo(app: &TestApp, bytes: Vec<u8>, who: &User) -> reqwest::Response {
    post_picture(app, "/dashboard/logo", "/dashboard", bytes, who).await
}

async fn logo_key(app: &TestApp) -> Option<String> {
    sqlx::query_scalar("select logo_key from shops")
        .fetch_one(&app.db.pool)
        .await
        .expect("shop")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_sets_and_replaces_its_logo_and_its_page_shows_it() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let nobody = app.signed_in("Nora No-shop").await;
    let slug = shop(&app, &vera, "Vera's Shoes", "5", "").await;
    let storage = app.storage();

    // Not a picture: back with why; someone without a shop: refused before the body is read.
    let res = upload_logo(&app, b"not a picture".to_vec(), &vera).await;
    assert_eq!(back(&res), "/dashboard?upload_error=type");
    let res = upload_logo(&app, photo_png(64, 64), &nobody).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(logo_key(&app).await, None);

    let res = upload_logo(&app, photo_png(64, 64), &vera).await;
    assert_eq!(back(&res), "/dashboard");
    let first = logo_key(&app).await.expect("a logo");
    let page = app
        .get(&format!("/s/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains(&storage::Storage::thumbnail_path(&first)),
        "{page}"
    );
    // A new one replaces it, and the old object goes.
    let res = upload_logo(&app, photo_png(96, 96), &vera).await;
    assert_eq!(back(&res), "/dashboard");
    let second = logo_key(&app).await.expect("a logo");
    assert_ne!(first, second);
    assert!(storage.get(&second).await.expect("get").is_some());
    assert!(
        storage.get(&first).await.expect("get").is_none(),
        "replaced logo removed"
    );
}

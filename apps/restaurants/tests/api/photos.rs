//! Photo uploads against the real object store: checked by content and size, encoded again (no
//! metadata, upright, with a thumbnail), the old object removed on replace, and never a row
//! without its object or an object without its row.

use reqwest::{StatusCode, header, multipart};

use crate::fixtures::{Fixtures, TestApp, User, spawn_app, spawn_seeded};

/// A 64×48 PNG of one opaque colour.
pub fn png() -> Vec<u8> {
    devstack::testkit::photo_png(64, 48)
}

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

    let res = upload(&app, &path, png(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/dashboard/r/x/menu");
    let first = cover_key(&app, k.id).await.expect("cover set");
    assert!(
        first.starts_with(&format!("covers/{}/", k.id)) && first.ends_with(".jpg"),
        "{first}"
    );
    let media = app.get(&format!("/media/{first}"), None).await;
    assert_eq!(media.status(), StatusCode::OK);
    // Stored as it was encoded again: an opaque picture is a JPEG, the same size.
    assert_eq!(media.headers()[header::CONTENT_TYPE], "image/jpeg");
    let stored = image::load_from_memory(&media.bytes().await.expect("bytes")).expect("picture");
    assert_eq!((stored.width(), stored.height()), (64, 48));

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
            .is_some_and(|u| u.starts_with("http") && u.ends_with(&storage::thumbnail_key(&first))),
        "a list shows the thumbnail: {me}"
    );
    assert!(
        html.contains(&format!("/media/{first}\"")),
        "the restaurant's own page shows the picture itself"
    );

    // Replaced: the new object is used and the old one is gone.
    let res = upload(&app, &path, png(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let second = cover_key(&app, k.id).await.expect("cover set");
    assert_ne!(first, second);
    let stored = app
        .storage()
        .list(&format!("covers/{}/", k.id))
        .await
        .expect("list");
    assert_eq!(stored, {
        let mut both = vec![second.clone(), storage::thumbnail_key(&second)];
        both.sort();
        both
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_is_not_an_image_or_too_big_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let k = app.kitchen(owner_id).await;
    let path = format!("/dashboard/photos/cover/{}", k.id);
    let svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>".to_vec();
    let mut big = png();
    big.resize(6 * 1024 * 1024, 0);
    // Just over the store's limit (inside the request's, which leaves room for the form).
    let mut just_over = png();
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
    let res = upload(&app, &path, png(), None).await;
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
    let res = upload(&app, &path, png(), Some(&owner)).await;
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

    let res = upload(&app, &path, png(), Some(&owner)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let key: Option<String> = sqlx::query_scalar("select photo_key from menu_items where id = $1")
        .bind(k.wings)
        .fetch_one(&app.db.pool)
        .await
        .expect("row");
    let key = key.expect("photo set");
    let mut stored = app.storage().list("items/").await.expect("list");
    stored.sort();
    let mut both = vec![key.clone(), storage::thumbnail_key(&key)];
    both.sort();
    assert_eq!(stored, both, "the photo and its thumbnail");
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
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
    let bytes = res.bytes().await.expect("bytes");
    assert_eq!(
        storage::ImageKind::sniff(&bytes),
        Some(storage::ImageKind::Jpeg)
    );
    assert!(
        bytes.len() < 40 * 1024,
        "a small file: {} bytes",
        bytes.len()
    );
}

/// A 40×20 JPEG as a phone writes it: its EXIF says where it was taken (GPS 41°52′N) and that
/// it is to be shown turned a quarter clockwise (orientation 6).
fn phone_photo() -> Vec<u8> {
    fn entry(tiff: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: u32) {
        tiff.extend(tag.to_le_bytes());
        tiff.extend(kind.to_le_bytes());
        tiff.extend(count.to_le_bytes());
        tiff.extend(value.to_le_bytes());
    }
    let pixels = image::RgbImage::from_pixel(40, 20, image::Rgb([30, 120, 200]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&pixels)
        .expect("jpeg");
    // TIFF, little-endian. IFD0 at 8: Orientation (SHORT) and the GPS IFD's offset (38);
    // the GPS IFD: latitude reference "N" and latitude (3 RATIONALs at 68).
    let mut tiff = b"II*\0".to_vec();
    tiff.extend(8u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    entry(&mut tiff, 0x0112, 3, 1, 6);
    entry(&mut tiff, 0x8825, 4, 1, 38);
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    entry(&mut tiff, 0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"));
    entry(&mut tiff, 0x0002, 5, 3, 68);
    tiff.extend(0u32.to_le_bytes());
    for (num, den) in [(41u32, 1u32), (52, 1), (0, 1)] {
        tiff.extend(num.to_le_bytes());
        tiff.extend(den.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(u16::try_from(app1.len() + 2).expect("short").to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// What EXIF a file carries: `(has a GPS position, orientation)`; `None` without EXIF.
fn exif_of(bytes: &[u8]) -> Option<(bool, Option<u32>)> {
    let exif = exif::Reader::new()
        .read_from_container(&mut std::io::Cursor::new(bytes))
        .ok()?;
    let gps = exif
        .get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY)
        .is_some();
    let orientation = exif
        .get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0));
    Some((gps, orientation))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_photo_comes_back_upright_without_its_gps_position() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let k = app.kitchen(owner.id).await;
    let photo = phone_photo();
    assert_eq!(
        exif_of(&photo),
        Some((true, Some(6))),
        "the upload carries a position and an orientation"
    );

    let res = upload(
        &app,
        &format!("/dashboard/photos/cover/{}", k.id),
        photo,
        Some(&owner),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/dashboard/r/x/menu", "no upload error");
    let key = cover_key(&app, k.id).await.expect("cover set");
    assert!(key.ends_with(".jpg"), "{key}");
    for path in [
        storage::Storage::public_path(&key),
        storage::Storage::thumbnail_path(&key),
    ] {
        let res = app.get(&path, None).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[header::CONTENT_TYPE], "image/jpeg");
        assert_eq!(
            res.headers()[header::CONTENT_SECURITY_POLICY],
            "default-src 'none'; sandbox"
        );
        assert_eq!(res.headers()[header::CONTENT_DISPOSITION], "inline");
        let served = res.bytes().await.expect("bytes");
        assert_eq!(exif_of(&served), None, "{path}: no EXIF at all");
        assert!(
            !served.windows(4).any(|w| w == b"Exif"),
            "{path}: no EXIF segment"
        );
        let picture = image::load_from_memory(&served).expect("an image");
        assert_eq!(
            (picture.width(), picture.height()),
            (20, 40),
            "{path}: turned as the camera said, since the tag is gone"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_too_large_in_pixels_or_damaged_is_refused_with_its_reason() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let k = app.kitchen(owner.id).await;
    let path = format!("/dashboard/photos/cover/{}", k.id);
    // A 9000×9000 PNG of one colour: 81 megapixels in about 250 KiB.
    let flood = {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, 9000, 9000);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_compression(png::Compression::Best);
        let mut writer = encoder.write_header().expect("header");
        writer
            .write_image_data(&vec![0u8; 9000 * 9000])
            .expect("pixels");
        writer.finish().expect("png");
        out
    };
    assert!(flood.len() < 5 * 1024 * 1024, "{} bytes", flood.len());
    let mut damaged = phone_photo();
    // Cut before its frame header: no picture in it.
    damaged.truncate(150);
    for (bytes, code) in [(flood, "pixels"), (damaged, "damaged")] {
        let res = upload(&app, &path, bytes, Some(&owner)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            location(&res),
            format!("/dashboard/r/x/menu?upload_error={code}")
        );
    }
    assert_eq!(cover_key(&app, k.id).await, None);
    assert!(
        app.storage()
            .list(&format!("covers/{}/", k.id))
            .await
            .expect("list")
            .is_empty()
    );
}

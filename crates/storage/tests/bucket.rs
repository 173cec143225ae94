//! The storage crate against a real S3-compatible server (embedded s3s-fs, SigV4 checked).

use devstack::{EmbeddedS3, testkit::photo_png as png};
use secrecy::SecretString;
use storage::{BucketConfig, Storage, StorageError};

async fn server() -> (EmbeddedS3, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let s3 = EmbeddedS3::start(
        dir.path(),
        "127.0.0.1:0".parse().expect("addr"),
        "test-key",
        "test-secret-123",
    )
    .await
    .expect("embedded S3 starts");
    (s3, dir)
}

fn storage(s3: &EmbeddedS3, secret: &str) -> Storage {
    Storage::new(&BucketConfig {
        endpoint: s3.endpoint(),
        region: "us-east-1".into(),
        access_key: "test-key".into(),
        secret_key: SecretString::from(secret.to_owned()),
        bucket: "restaurants".into(),
    })
    .expect("config is valid")
}

#[tokio::test]
async fn an_image_is_stored_under_a_generated_key_and_read_back() {
    let (s3, _dir) = server().await;
    let st = storage(&s3, "test-secret-123");
    assert!(st.ping().await.is_err(), "the bucket does not exist yet");
    st.ensure_bucket().await.expect("bucket created");
    st.ping().await.expect("bucket answers");

    // An opaque picture is stored as a JPEG, scaled to a photo's size, with its thumbnail.
    let obj = st
        .put_image("covers", &png(3200, 1600))
        .await
        .expect("upload");
    assert!(
        obj.key.starts_with("covers/") && obj.key.ends_with(".jpg"),
        "{}",
        obj.key
    );
    assert_eq!((obj.width, obj.height), (1600, 800));
    let thumb = obj.thumbnail.clone().expect("a thumbnail");
    assert_eq!(thumb, storage::thumbnail_key(&obj.key));
    let (bytes, ctype) = st.get(&obj.key).await.expect("read").expect("exists");
    assert_eq!(ctype, "image/jpeg");
    let stored = image::load_from_memory(&bytes).expect("a picture");
    assert_eq!((stored.width(), stored.height()), (1600, 800));
    let (bytes, _) = st.get(&thumb).await.expect("read").expect("exists");
    let small = image::load_from_memory(&bytes).expect("a picture");
    assert_eq!((small.width(), small.height()), (480, 240));

    st.delete_picture(&obj.key).await.expect("delete");
    assert!(st.get(&obj.key).await.expect("read").is_none());
    assert!(st.get(&thumb).await.expect("read").is_none());
    assert_eq!(st.list("").await.expect("list"), Vec::<String>::new());
}

#[tokio::test]
async fn bad_uploads_are_refused_before_anything_is_stored() {
    let (s3, _dir) = server().await;
    let picture = png(1, 1);
    let st = storage(&s3, "test-secret-123").with_max_bytes(picture.len());
    st.ensure_bucket().await.expect("bucket created");

    assert!(matches!(
        st.put_image("x", b"").await,
        Err(StorageError::Empty)
    ));
    assert!(matches!(
        st.put_image("x", b"<html><script>alert(1)</script></html>")
            .await,
        Err(StorageError::UnsupportedType)
    ));
    let mut big = picture.clone();
    big.push(0);
    assert!(matches!(
        st.put_image("x", &big).await,
        Err(StorageError::TooLarge { .. })
    ));
    assert_eq!(
        st.list("").await.expect("list"),
        Vec::<String>::new(),
        "nothing was stored"
    );
    // The limit itself is allowed, and stored (with its thumbnail).
    let kept = st.put_image("x", &picture).await.expect("at the limit");
    let mut listed = st.list("").await.expect("list");
    listed.sort();
    let mut expected = vec![kept.key.clone(), kept.thumbnail.expect("thumbnail")];
    expected.sort();
    assert_eq!(listed, expected);
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_server() {
    let (s3, _dir) = server().await;
    storage(&s3, "test-secret-123")
        .ensure_bucket()
        .await
        .expect("bucket created");
    let wrong = storage(&s3, "not-the-secret");
    assert!(wrong.ping().await.is_err());
    assert!(matches!(
        wrong.put_image("x", &png(2, 2)).await,
        Err(StorageError::Backend(_))
    ));
}

fn keyed(s3: &EmbeddedS3, access: &str, secret: &str, bucket: &str) -> Storage {
    Storage::new(&BucketConfig {
        endpoint: s3.endpoint(),
        region: "us-east-1".into(),
        access_key: access.into(),
        secret_key: SecretString::from(secret.to_owned()),
        bucket: bucket.into(),
    })
    .expect("config is valid")
}

#[tokio::test]
async fn an_apps_key_reaches_its_own_bucket_and_no_other() {
    let dir = tempfile::tempdir().expect("temp dir");
    let scoped = [
        ("restaurants-key", "restaurants-secret", "restaurants"),
        ("events-key", "events-secret", "events"),
    ]
    .map(|(a, s, b)| (a.to_owned(), s.to_owned(), b.to_owned()));
    let s3 = EmbeddedS3::start_scoped(
        dir.path(),
        "127.0.0.1:0".parse().expect("addr"),
        ("admin-key", "admin-secret"),
        &scoped,
    )
    .await
    .expect("embedded S3 starts");
    // The administrator makes both buckets and puts a file in the events one.
    for bucket in ["restaurants", "events"] {
        keyed(&s3, "admin-key", "admin-secret", bucket)
            .ensure_bucket()
            .await
            .expect("bucket");
    }
    keyed(&s3, "admin-key", "admin-secret", "events")
        .put_raw("tickets/secret.txt", b"events only", "text/plain")
        .await
        .expect("put");

    // Restaurants' key: everything in its own bucket...
    let own = keyed(&s3, "restaurants-key", "restaurants-secret", "restaurants");
    own.ping().await.expect("its bucket answers");
    own.put_raw("menu/a.txt", b"soup", "text/plain")
        .await
        .expect("put");
    assert_eq!(
        own.get("menu/a.txt").await.expect("get").map(|(b, _)| b),
        Some(b"soup".to_vec())
    );
    assert_eq!(own.all_keys().await.expect("list"), ["menu/a.txt"]);
    own.delete("menu/a.txt").await.expect("delete");

    // ...and nothing of the events' bucket: not read, listed, written, nor deleted.
    let other = keyed(&s3, "restaurants-key", "restaurants-secret", "events");
    assert!(other.get("tickets/secret.txt").await.is_err());
    assert!(other.all_keys().await.is_err());
    assert!(
        other
            .put_raw("x.txt", b"planted", "text/plain")
            .await
            .is_err()
    );
    assert!(other.delete("tickets/secret.txt").await.is_err());
    // Nor a new bucket.
    assert!(
        keyed(&s3, "restaurants-key", "restaurants-secret", "mine-now")
            .ensure_bucket()
            .await
            .is_err()
    );
    // A wrong secret reaches nothing.
    assert!(
        keyed(&s3, "restaurants-key", "wrong", "restaurants")
            .ping()
            .await
            .is_err()
    );
    // The events' file is as it was, and nothing was planted.
    let events = keyed(&s3, "events-key", "events-secret", "events");
    assert_eq!(
        events
            .get("tickets/secret.txt")
            .await
            .expect("get")
            .map(|(b, _)| b),
        Some(b"events only".to_vec())
    );
    assert_eq!(
        events.all_keys().await.expect("list"),
        ["tickets/secret.txt"]
    );
}

#[tokio::test]
async fn a_stopped_server_answers_nothing_even_on_a_kept_alive_connection() {
    let (s3, _dir) = server().await;
    let st = storage(&s3, "test-secret-123");
    st.ensure_bucket().await.expect("bucket created");
    // The client keeps its connection open for the next request...
    st.ping().await.expect("bucket answers");
    drop(s3);
    // ...which must not reach a server that was stopped (`suite soak` stops it under load).
    assert!(
        st.ping().await.is_err(),
        "the stopped server still answered"
    );
}

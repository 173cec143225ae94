//! The storage crate against a real S3-compatible server (embedded s3s-fs, SigV4 checked).

use devstack::EmbeddedS3;
use secrecy::SecretString;
use storage::{BucketConfig, Storage, StorageError};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

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

    let obj = st.put_image("covers", PNG).await.expect("upload");
    assert!(
        obj.key.starts_with("covers/") && obj.key.ends_with(".png"),
        "{}",
        obj.key
    );
    let (bytes, ctype) = st.get(&obj.key).await.expect("read").expect("exists");
    assert_eq!(bytes, PNG);
    assert_eq!(ctype, "image/png");

    st.delete(&obj.key).await.expect("delete");
    assert!(st.get(&obj.key).await.expect("read").is_none());
}

#[tokio::test]
async fn bad_uploads_are_refused_before_anything_is_stored() {
    let (s3, _dir) = server().await;
    let st = storage(&s3, "test-secret-123").with_max_bytes(64);
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
    let mut big = PNG.to_vec();
    big.resize(65, 0);
    assert!(matches!(
        st.put_image("x", &big).await,
        Err(StorageError::TooLarge { .. })
    ));
    assert_eq!(
        st.list("").await.expect("list"),
        Vec::<String>::new(),
        "nothing was stored"
    );
    // The limit itself is allowed, and stored.
    let mut just = PNG.to_vec();
    just.resize(64, 0);
    let kept = st.put_image("x", &just).await.expect("at the limit");
    assert_eq!(st.list("").await.expect("list"), vec![kept.key]);
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
        wrong.put_image("x", PNG).await,
        Err(StorageError::Backend(_))
    ));
}

//! `suite backup` and `suite restore` against a real app's database and bucket: back up,
//! destroy both, restore, and find every row and every object as they were.

use std::collections::BTreeMap;

use devstack::harness::{Opts, TestApp};
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use suite::backup::{self, Target};

/// Every table of the app's schema: its rows, in order, hashed.
async fn tables(pool: &PgPool) -> BTreeMap<String, (i64, String)> {
    let names: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables
         where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut out = BTreeMap::new();
    for name in names {
        let (count, digest): (i64, Option<String>) = sqlx::query_as(&format!(
            "select count(*), md5(string_agg(t::text, '|' order by t::text)) from \"{name}\" t"
        ))
        .fetch_one(pool)
        .await
        .expect("rows");
        out.insert(name, (count, digest.unwrap_or_default()));
    }
    out
}

/// Every object of the bucket: its SHA-256 and content type.
async fn objects(storage: &storage::Storage) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for key in storage.all_keys().await.expect("keys") {
        let (bytes, ctype) = storage.get(&key).await.expect("get").expect("the object");
        out.insert(key, (hex::encode(Sha256::digest(&bytes)), ctype));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_brings_back_every_row_and_object_after_both_are_destroyed() {
    let app = TestApp::spawn_with(restaurants::server::app(), Opts::seeded()).await;
    let storage = app.storage();
    let before_rows = tables(&app.db.pool).await;
    let before_objects = objects(&storage).await;
    assert!(
        before_rows.get("restaurants").is_some_and(|(n, _)| *n > 0),
        "the demo data: {before_rows:?}"
    );
    assert!(
        before_objects.len() >= 2,
        "the demo photos: {before_objects:?}"
    );

    // What the server's /etc/stepperslife holds, made here: settings in the app's env file,
    // secrets as credential files.
    let etc = tempfile::tempdir().expect("etc");
    let bucket = app.bucket_config().expect("restaurants has a bucket");
    std::fs::write(
        etc.path().join("restaurants.env"),
        format!(
            "# settings\nS3_ENDPOINT={}\nS3_ACCESS_KEY=\"{}\"\nS3_BUCKET={}\n",
            bucket.endpoint, bucket.access_key, bucket.bucket
        ),
    )
    .expect("env");
    let credentials = etc.path().join("credentials/restaurants");
    std::fs::create_dir_all(&credentials).expect("credentials");
    std::fs::write(
        credentials.join("DATABASE_URL"),
        format!("{}\n", app.db.url),
    )
    .expect("url");
    {
        use secrecy::ExposeSecret;
        std::fs::write(
            credentials.join("S3_SECRET_KEY"),
            bucket.secret_key.expose_secret(),
        )
        .expect("secret");
    }
    let entry = platform::suite::Manifest::embedded()
        .app("restaurants")
        .expect("restaurants");
    let target = Target::from_etc(etc.path(), entry).expect("the target");

    let root = tempfile::tempdir().expect("backups");
    let (dir, summaries) = backup::backup(std::slice::from_ref(&target), root.path())
        .await
        .expect("backup");
    assert_eq!(summaries[0].objects, before_objects.len());
    assert!(summaries[0].dump_bytes > 0);
    assert_eq!(
        backup::backups(root.path()).expect("list"),
        std::slice::from_ref(&dir)
    );

    // Destroyed: the schema and every object gone.
    sqlx::query("drop schema public cascade")
        .execute(&app.db.pool)
        .await
        .expect("drop");
    sqlx::query("create schema public")
        .execute(&app.db.pool)
        .await
        .expect("create");
    for key in before_objects.keys() {
        storage.delete(key).await.expect("delete");
    }
    // And something new that the backup does not have.
    storage
        .put_raw(
            "stray/after-the-backup.txt",
            b"not in the backup",
            "text/plain",
        )
        .await
        .expect("put");
    assert!(tables(&app.db.pool).await.is_empty());

    let restored = backup::restore(&target, &dir).await.expect("restore");
    assert_eq!(restored.objects, before_objects.len());
    assert_eq!(tables(&app.db.pool).await, before_rows);
    assert_eq!(objects(&storage).await, before_objects);

    // A damaged backup is refused before anything is changed.
    let list: Vec<backup::ObjectEntry> =
        serde_json::from_slice(&std::fs::read(dir.join("restaurants/objects.json")).expect("list"))
            .expect("entries");
    std::fs::write(
        dir.join("restaurants/objects").join(&list[0].key),
        b"bit rot",
    )
    .expect("damage");
    sqlx::query("insert into _sqlx_migrations (version, description, success, checksum, execution_time) values (999999, 'after', true, '\\x00', 0)")
        .execute(&app.db.pool)
        .await
        .expect("a later change");
    let err = backup::restore(&target, &dir).await.expect_err("refused");
    assert!(err.to_string().contains("damaged"), "{err:#}");
    let later: i64 =
        sqlx::query_scalar("select count(*) from _sqlx_migrations where version = 999999")
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
    assert_eq!(later, 1, "the database was left alone");

    // Old backups go, the newest stay.
    let older = root.path().join("20200101-000000Z");
    std::fs::create_dir_all(&older).expect("older");
    std::fs::create_dir_all(root.path().join(".20200102-000000Z.partial")).expect("partial");
    let removed = backup::prune(root.path(), 1).expect("prune");
    assert_eq!(removed.len(), 2, "{removed:?}");
    assert_eq!(backup::backups(root.path()).expect("list"), [dir]);

    // A missing secret is named.
    std::fs::remove_file(credentials.join("S3_SECRET_KEY")).expect("remove");
    let err = Target::from_etc(etc.path(), entry).expect_err("incomplete");
    assert!(err.to_string().contains("S3_SECRET_KEY"), "{err:#}");
}

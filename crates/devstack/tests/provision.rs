//! Provisioning against the real PostgreSQL: each app's role reaches its own database only, and
//! the session reader may read the session table and do nothing else.

use devstack::{admin_url_from_env, provision_databases};
use platform::suite::Manifest;
use sqlx::{Connection, Executor, PgConnection};

async fn connect(url: &str) -> Result<PgConnection, sqlx::Error> {
    PgConnection::connect(url).await
}

/// `url` pointing at another database (same user).
fn other_db(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("url");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

fn is_denied(e: &sqlx::Error) -> bool {
    // 42501 insufficient_privilege (includes CONNECT refused).
    matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some("42501"))
}

/// Drops the test's databases and roles when dropped: a failing run leaves nothing behind.
struct CleanUp {
    admin: String,
    manifest: Manifest,
    reader: String,
}

impl Drop for CleanUp {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let databases: Vec<String> = self
            .manifest
            .enabled()
            .map(|a| a.database.clone())
            .collect();
        let reader = self.reader.clone();
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                let Ok(mut a) = connect(&admin).await else {
                    return;
                };
                for db in &databases {
                    let _ = a
                        .execute(format!("drop database if exists {db} with (force)").as_str())
                        .await;
                }
                for role in databases.iter().chain([&reader]) {
                    let _ = a
                        .execute(format!("drop role if exists {role}").as_str())
                        .await;
                }
            });
        })
        .join();
    }
}

#[tokio::test]
async fn each_app_reaches_only_its_own_database_and_the_reader_only_reads_sessions() {
    let (admin, _) = admin_url_from_env();
    let suffix = format!("_p{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let mut manifest = Manifest::embedded().clone();
    for app in &mut manifest.apps {
        app.database = format!("{}{suffix}", app.database);
    }
    let reader = format!("stepperslife_session_reader{suffix}");
    let _clean_up = CleanUp {
        admin: admin.clone(),
        manifest: manifest.clone(),
        reader: reader.clone(),
    };
    let creds = provision_databases(&admin, &manifest, &reader, |role| {
        format!("pw{}", role.len())
    })
    .await
    .expect("provisioned");
    // Running it again changes nothing and fails on nothing.
    provision_databases(&admin, &manifest, &reader, |role| {
        format!("pw{}", role.len())
    })
    .await
    .expect("provisioning is idempotent");

    let portal = creds.iter().find(|c| c.app == "portal").expect("portal");
    let restaurants = creds
        .iter()
        .find(|c| c.app == "restaurants")
        .expect("restaurants");

    // The portal creates the session table, as its migrations do.
    let mut p = connect(&portal.database_url)
        .await
        .expect("portal connects to its database");
    p.execute("create table tower_sessions.session (id text primary key, data bytea not null, expiry_date timestamptz not null)")
        .await
        .expect("portal owns the session schema");
    p.execute(
        "insert into tower_sessions.session values ('s1', '\\x00', now() + interval '1 hour')",
    )
    .await
    .expect("portal writes sessions");
    // And its other tables, which the reader must not see.
    p.execute("create table users (id int primary key, email text)")
        .await
        .expect("portal creates its tables");
    p.execute("insert into users values (1, 'ada@example.com')")
        .await
        .expect("portal writes users");

    // restaurants: its own database yes, the portal's no.
    let mut r = connect(&restaurants.database_url)
        .await
        .expect("restaurants connects to its database");
    r.execute("create table t (x int)")
        .await
        .expect("restaurants owns its schema");
    let other = other_db(&restaurants.database_url, &format!("stepperslife{suffix}"));
    let err = connect(&other)
        .await
        .expect_err("restaurants must not reach the portal database");
    assert!(is_denied(&err), "{err}");

    // The session reader: select yes; insert, update, delete no; other databases no.
    let mut s = connect(&restaurants.session_url)
        .await
        .expect("reader connects to the portal database");
    let n: i64 = sqlx::query_scalar("select count(*) from tower_sessions.session")
        .fetch_one(&mut s)
        .await
        .expect("reader reads");
    assert_eq!(n, 1);
    for stmt in [
        "insert into tower_sessions.session values ('s2', '\\x00', now())",
        "update tower_sessions.session set expiry_date = now()",
        "delete from tower_sessions.session",
        "create table tower_sessions.x (y int)",
        "select * from public.users",
    ] {
        let err = s.execute(stmt).await.expect_err(stmt);
        // Refused for want of the privilege, not because the table is missing.
        assert!(is_denied(&err), "{stmt}: {err}");
    }
    let reader_elsewhere = other_db(
        &restaurants.session_url,
        &format!("stepperslife_restaurants{suffix}"),
    );
    assert!(is_denied(
        &connect(&reader_elsewhere)
            .await
            .expect_err("reader stays out of app databases")
    ));

    drop((p, r, s));
}

//! `suite provision` with a folder for the server's root: every file, Unix user (`useradd
//! --prefix`) and unit lands there, against the real PostgreSQL and real S3 servers. Run after
//! run, it must do what is missing and nothing else.

use std::{
    collections::BTreeMap,
    os::unix::fs::{MetadataExt as _, PermissionsExt as _},
    path::Path,
};

use platform::suite::{Manifest, PublicPort, Suite};
use sqlx::Connection as _;
use suite::{
    provision::{Provision, Report},
    render,
};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// The embedded manifest with databases of their own and object stores on free ports.
fn manifest(suffix: &str) -> &'static Manifest {
    let mut m = Manifest::embedded().clone();
    for app in &mut m.apps {
        app.database = format!("{}_{suffix}", app.database);
        if app.bucket.is_some() {
            app.object_store_port = Some(free_port());
        }
    }
    Box::leak(Box::new(m))
}

/// A root with this machine's user files (useradd edits the copies) and Debian's default
/// nginx site enabled.
fn server_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("a directory");
    std::fs::create_dir_all(root.path().join("etc/nginx/sites-enabled")).expect("mkdir");
    for f in ["passwd", "group", "shadow", "gshadow", "login.defs"] {
        let from = Path::new("/etc").join(f);
        if from.exists() {
            std::fs::copy(&from, root.path().join("etc").join(f)).expect("copy");
        }
    }
    std::os::unix::fs::symlink(
        "/etc/nginx/sites-available/default",
        root.path().join("etc/nginx/sites-enabled/default"),
    )
    .expect("symlink");
    root
}

fn mode(path: &Path) -> (u32, u32) {
    let m = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (m.permissions().mode() & 0o7777, m.uid())
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Provisioning makes users and root-owned files: the tests run as root (as CI does here).
fn as_root() -> bool {
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if !root {
        eprintln!("not root: skipped (provisioning makes users and root-owned files)");
    }
    root
}

/// A server process, killed when dropped.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn run(p: &Provision) -> Report {
    let report = p.run().await.expect("provision runs");
    println!("{report}");
    report
}

#[tokio::test]
async fn provision_does_only_what_is_missing_run_after_run_and_the_apps_run_on_it() {
    if !as_root() {
        return;
    }
    let suffix = format!("prov{:08x}", rand::random::<u32>());
    let m = manifest(&suffix);
    let root = server_root();
    let (admin_url, _) = devstack::admin_url_from_env();
    let reader = format!("stepperslife_session_reader_{suffix}");
    let p = Provision {
        manifest: m,
        root: root.path().to_path_buf(),
        pg_admin: Some(admin_url.clone()),
        db_host: "127.0.0.1:5432".into(),
        reader_role: reader.clone(),
        packages: vec!["openssl".into()],
        given: BTreeMap::from([
            ("STRIPE_SECRET_KEY_STORE".into(), "sk_test_store".into()),
            ("OAUTH_PROVIDERS".into(), "github".into()),
            ("OAUTH_GITHUB_CLIENT_ID".into(), "gh-id".into()),
            ("OAUTH_GITHUB_CLIENT_SECRET".into(), "gh-secret".into()),
        ]),
    };
    let at = |abs: &str| p.path(abs);
    let apps: Vec<_> = m.enabled().collect();

    // First run: everything is made, and what is left is listed.
    let first = run(&p).await;
    let passwd = read(&at("/etc/passwd"));
    for app in &apps {
        let mut users = vec![render::unix_user(&app.name)];
        if app.bucket.is_some() {
            users.push(render::minio_user(&app.name));
        }
        for user in users {
            let line = passwd
                .lines()
                .find(|l| l.starts_with(&format!("{user}:")))
                .unwrap_or_else(|| panic!("{user} made"));
            assert!(line.ends_with(":/usr/sbin/nologin"), "{line}");
            assert!(
                first
                    .changes
                    .contains(&format!("created the Unix user {user}"))
            );
        }
    }
    assert_eq!(mode(&at("/etc/stepperslife/credentials")), (0o700, 0));
    for app in &apps {
        assert_eq!(
            mode(&at(&format!("/etc/stepperslife/{}.env", app.name))),
            (0o600, 0)
        );
        let creds = at(&render::credentials_dir(&app.name));
        assert_eq!(mode(&creds), (0o700, 0));
        for name in render::secrets(app) {
            assert_eq!(mode(&creds.join(name)), (0o600, 0), "{}/{name}", app.name);
        }
        // The unit as rendered, installed.
        assert_eq!(
            read(&at(&format!(
                "/etc/systemd/system/stepperslife-{}.service",
                app.name
            ))),
            render::systemd_unit(m, &app.name)
        );
    }
    // Each app's database, as its own role, and nobody else's.
    let url = |app: &str, name: &str| {
        read(&at(&format!("{}/{name}", render::credentials_dir(app))))
            .trim()
            .to_owned()
    };
    let mut restaurants = sqlx::PgConnection::connect(&url("restaurants", "DATABASE_URL"))
        .await
        .expect("restaurants connects with its credential");
    sqlx::query("create table provisioned (id int)")
        .execute(&mut restaurants)
        .await
        .expect("its role owns its database");
    restaurants.close().await.expect("close");
    let elsewhere = devstack::with_database(
        &url("restaurants", "DATABASE_URL"),
        &m.app("store").expect("store").database,
    )
    .expect("url");
    let refused = sqlx::PgConnection::connect(&elsewhere)
        .await
        .expect_err("refused");
    assert!(
        refused.to_string().contains("permission denied"),
        "{refused}"
    );
    let session_url = url("store", "SESSION_DATABASE_URL");
    assert!(session_url.starts_with(&format!("postgres://{reader}:")));
    sqlx::PgConnection::connect(&session_url)
        .await
        .expect("the session reader reaches the portal's database");
    // The object stores: their own keys and ports, in the app's settings and MinIO's.
    let store_env = suite::backup::read_env_file(&at("/etc/stepperslife/store.env")).expect("env");
    let store = m.app("store").expect("store");
    assert_eq!(
        store_env["S3_ENDPOINT"],
        format!("http://127.0.0.1:{}", store.object_store_port())
    );
    let minio_env =
        suite::backup::read_env_file(&at("/etc/stepperslife/minio-store.env")).expect("env");
    assert_eq!(minio_env["MINIO_ROOT_USER"], store_env["S3_ACCESS_KEY"]);
    assert_eq!(
        minio_env["MINIO_ROOT_PASSWORD"],
        url("store", "S3_SECRET_KEY")
    );
    assert_ne!(
        url("store", "S3_SECRET_KEY"),
        url("events", "S3_SECRET_KEY")
    );
    assert_eq!(
        mode(&at(&render::minio_data_dir("store"))).0,
        0o700,
        "the object store's data is its user's only"
    );
    assert!(at("/etc/systemd/system/stepperslife-minio-store.service").exists());
    // The operator's secret where it belongs; the missing ones listed.
    assert_eq!(url("store", "STRIPE_SECRET_KEY"), "sk_test_store");
    let portal_settings =
        suite::backup::read_env_file(&at("/etc/stepperslife/portal.env")).expect("env");
    assert_eq!(portal_settings["OAUTH_PROVIDERS"], "github");
    assert_eq!(portal_settings["OAUTH_GITHUB_CLIENT_ID"], "gh-id");
    assert_eq!(url("events", "STRIPE_SECRET_KEY"), "");
    let todo = first.todo.join("\n");
    assert!(
        todo.contains(
            "Secrets of events: write SMTP_URL, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET"
        ),
        "{todo}"
    );
    assert!(
        todo.contains("Secrets of store: write SMTP_URL, STRIPE_WEBHOOK_SECRET"),
        "{todo}"
    );
    // nginx: certbot's site until the certificate exists; Debian's default site gone.
    let suite = Suite::new(
        m,
        m.suite.domain.clone(),
        "https".into(),
        PublicPort::Default,
    );
    assert_eq!(
        read(&at("/etc/nginx/sites-available/stepperslife.conf")),
        render::nginx_before_certificate(&suite)
    );
    assert!(
        at("/etc/nginx/sites-enabled/stepperslife.conf")
            .symlink_metadata()
            .is_ok()
    );
    assert!(
        at("/etc/nginx/sites-enabled/default")
            .symlink_metadata()
            .is_err()
    );
    assert!(todo.contains(
        "certbot certonly --webroot -w /var/www/letsencrypt -d stepperslife.com -d restaurants.stepperslife.com -d events.stepperslife.com -d store.stepperslife.com"
    ), "{todo}");
    assert!(todo.contains("MinIO is not a Debian package"), "{todo}");
    assert!(
        todo.contains("The bucket store could not be made"),
        "{todo}"
    );
    assert!(at(render::DH_PARAMS).exists());

    // The object stores start (as MinIO would, with the credentials written): the buckets are
    // made, and only they change.
    let mut stores = Vec::new();
    for app in apps.iter().filter(|a| a.bucket.is_some()) {
        let env =
            suite::backup::read_env_file(&at(&format!("/etc/stepperslife/minio-{}.env", app.name)))
                .expect("env");
        stores.push(
            devstack::EmbeddedS3::start(
                &root.path().join("s3").join(&app.name),
                std::net::SocketAddr::from(([127, 0, 0, 1], app.object_store_port())),
                &env["MINIO_ROOT_USER"],
                &env["MINIO_ROOT_PASSWORD"],
            )
            .await
            .expect("S3 starts"),
        );
    }
    let second = run(&p).await;
    let mut made = second.changes.clone();
    made.sort();
    assert_eq!(
        made,
        [
            "created the bucket events",
            "created the bucket restaurants",
            "created the bucket store"
        ]
    );

    // The apps run on what was written: settings from the env files, secrets from their
    // credential folder as systemd hands it over (`$CREDENTIALS_DIRECTORY`), each app its own
    // role, database and object store; the portal first (it makes the session table).
    let mut servers = Vec::new();
    for app in ["portal", "restaurants"] {
        let mut env =
            suite::backup::read_env_file(&at("/etc/stepperslife/suite.env")).expect("env");
        env.extend(
            suite::backup::read_env_file(&at(&format!("/etc/stepperslife/{app}.env")))
                .expect("env"),
        );
        let port = free_port();
        let child = std::process::Command::new(suite::build::bin_path(app, false))
            .envs(&env)
            .env("CREDENTIALS_DIRECTORY", at(&render::credentials_dir(app)))
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("SITE_ROOT", suite::build::site_dir(app))
            .env(render::ALLOCATOR_ENV.0, render::ALLOCATOR_ENV.1)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{app}'s server (built by `suite build`): {e}"));
        servers.push(Server(child));
        let ready = format!("http://127.0.0.1:{port}/readyz");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Ok(r) = reqwest::get(&ready).await
                && r.status().is_success()
            {
                break;
            }
            let exited = servers
                .last_mut()
                .and_then(|s| s.0.try_wait().ok().flatten());
            assert!(
                exited.is_none() && std::time::Instant::now() < deadline,
                "{app} is not ready on the provisioned settings ({exited:?})"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
    drop(servers);

    // The certificate arrives: the https site replaces certbot's.
    let live = at("/etc/letsencrypt/live/stepperslife.com");
    std::fs::create_dir_all(&live).expect("mkdir");
    std::fs::write(live.join("fullchain.pem"), "certificate").expect("write");
    let third = run(&p).await;
    assert_eq!(
        third.changes,
        ["updated /etc/nginx/sites-available/stepperslife.conf"]
    );
    assert!(
        read(&at("/etc/nginx/sites-available/stepperslife.conf")).contains("listen 443 ssl http2;")
    );
    assert!(!third.todo.join("\n").contains("certbot"));

    // The operator's own lines stay; nothing else to do.
    let portal_env = at("/etc/stepperslife/portal.env");
    let mut text = read(&portal_env);
    assert!(text.contains("OAUTH_PROVIDERS=github\n"), "{text}");
    text = text.replace(
        "OAUTH_PROVIDERS=github\n",
        "OAUTH_PROVIDERS=github,google\n",
    );
    text.push_str("OAUTH_GOOGLE_CLIENT_ID=abc\n");
    std::fs::write(&portal_env, &text).expect("write");
    let fourth = run(&p).await;
    assert!(fourth.changes.is_empty(), "{:?}", fourth.changes);
    assert!(fourth.to_string().starts_with("Nothing to change"));
    assert_eq!(read(&portal_env), text);
    drop(stores);

    // Clean up the cluster.
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .expect("admin");
    for app in &apps {
        sqlx::query(&format!(
            "drop database if exists {} with (force)",
            app.database
        ))
        .execute(&mut admin)
        .await
        .expect("drop");
        sqlx::query(&format!("drop role if exists {}", app.database))
            .execute(&mut admin)
            .await
            .expect("drop");
    }
    sqlx::query(&format!("drop role if exists {reader}"))
        .execute(&mut admin)
        .await
        .expect("drop");
}

/// A release folder as the README makes one: every app's binary and site (`build` names it,
/// `old_build` the sites of apps other than `changed`, when given), and `suite`.
fn release(
    dir: &Path,
    build: &str,
    binaries: &[(&'static str, String)],
    changed: Option<(&str, &str)>,
) {
    for app in Manifest::embedded().enabled() {
        let build = match changed {
            Some((only, old_build)) if only != app.name => old_build,
            _ => build,
        };
        let site = dir.join("site").join(&app.name);
        std::fs::create_dir_all(site.join("pkg")).expect("mkdir");
        std::fs::write(
            site.join("build.txt"),
            format!("output=stepperslife.{build}\n"),
        )
        .expect("write");
        for ext in ["_bg.wasm", ".js"] {
            std::fs::write(site.join(format!("pkg/stepperslife.{build}{ext}")), build)
                .expect("write");
        }
    }
    std::fs::create_dir_all(dir.join("bin")).expect("mkdir");
    for (name, content) in binaries {
        std::fs::write(dir.join("bin").join(name), content).expect("write");
    }
}

fn every_binary(version: &str) -> Vec<(&'static str, String)> {
    Manifest::embedded()
        .enabled()
        .map(|a| a.name.as_str())
        .chain(["suite"])
        .map(|n| (n, format!("{n} {version}")))
        .collect()
}

#[test]
fn deploy_installs_a_release_and_restarts_only_what_changed_one_app_at_a_time() {
    if !as_root() {
        return;
    }
    let root = server_root();
    let p = Provision {
        manifest: Manifest::embedded(),
        root: root.path().to_path_buf(),
        pg_admin: None,
        db_host: "127.0.0.1:5432".into(),
        reader_role: devstack::SESSION_READER_ROLE.into(),
        packages: Vec::new(),
        given: BTreeMap::new(),
    };
    let at = |abs: &str| p.path(abs);
    let deploy = |from: &Path, fail_on: Option<&str>| {
        let mut restarted = Vec::new();
        let result = suite::deploy::deploy(
            &p,
            from,
            Some(&mut |app| {
                if Some(app.name.as_str()) == fail_on {
                    anyhow::bail!("not ready");
                }
                restarted.push(app.name.clone());
                Ok(())
            }),
        );
        (result, restarted)
    };

    // An incomplete release installs nothing.
    let one = tempfile::tempdir().expect("dir");
    let mut binaries = every_binary("1");
    binaries.retain(|(n, _)| *n != "store");
    release(one.path(), "aaa", &binaries, None);
    let (result, restarted) = deploy(one.path(), None);
    let error = format!("{:#}", result.expect_err("refused"));
    assert!(
        error.contains("lacks bin/store: nothing was installed"),
        "{error}"
    );
    assert!(restarted.is_empty());
    assert!(!at("/opt/stepperslife/bin/portal").exists());

    // The first release: everything installed, every app restarted, the portal last.
    release(one.path(), "aaa", &every_binary("1"), None);
    let (result, restarted) = deploy(one.path(), None);
    println!("{}", result.expect("deployed"));
    assert_eq!(restarted, ["restaurants", "events", "store", "portal"]);
    assert_eq!(read(&at("/opt/stepperslife/bin/store")), "store 1");
    assert_eq!(mode(&at("/opt/stepperslife/bin/store")).0, 0o755);
    assert_eq!(
        read(&at("/etc/systemd/system/stepperslife-store.service")),
        render::systemd_unit(Manifest::embedded(), "store")
    );

    // The same release again: nothing to do.
    let (result, restarted) = deploy(one.path(), None);
    assert!(result.expect("deployed").changes.is_empty());
    assert!(restarted.is_empty());

    // A release that changes restaurants only: its new site beside the old, the old binary kept.
    let two = tempfile::tempdir().expect("dir");
    let mut binaries = every_binary("1");
    binaries[1].1 = "restaurants 2".into();
    release(two.path(), "bbb", &binaries, Some(("restaurants", "aaa")));
    let (result, restarted) = deploy(two.path(), None);
    result.expect("deployed");
    assert_eq!(restarted, ["restaurants"]);
    let site = at("/opt/stepperslife/site/restaurants");
    assert_eq!(read(&site.join("build.txt")), "output=stepperslife.bbb\n");
    assert!(
        site.join("pkg/stepperslife.aaa.js").exists(),
        "the previous build stays"
    );
    assert!(site.join("pkg/stepperslife.bbb.js").exists());
    assert_eq!(
        read(&at("/opt/stepperslife/bin/restaurants.previous")),
        "restaurants 1"
    );

    // A new site with the same binary: the app restarts to read its build.txt.
    let events_site = two.path().join("site/events");
    std::fs::write(events_site.join("build.txt"), "output=stepperslife.ddd\n").expect("write");
    std::fs::write(events_site.join("pkg/stepperslife.ddd_bg.wasm"), "ddd").expect("write");
    let (result, restarted) = deploy(two.path(), None);
    result.expect("deployed");
    assert_eq!(restarted, ["events"]);

    // An app that does not come back stops the deploy there, and says how to go back.
    let three = tempfile::tempdir().expect("dir");
    release(three.path(), "ccc", &every_binary("3"), None);
    let (result, restarted) = deploy(three.path(), Some("events"));
    let error = format!("{:#}", result.expect_err("stopped"));
    assert!(error.contains("events did not come back"), "{error}");
    assert!(
        error.contains("/opt/stepperslife/bin/events.previous"),
        "{error}"
    );
    assert_eq!(
        restarted,
        ["restaurants"],
        "nothing after events was restarted"
    );
}

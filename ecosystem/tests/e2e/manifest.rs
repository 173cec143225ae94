//! The manifest alone decides what runs: events, enabled in the committed manifest, is
//! rendered, built, started, benchmarked and shown on the portal; the same manifest with it
//! disabled leaves every trace of it out.

use platform::suite::Manifest;
use suite::{
    bench,
    build::{self, Bundle},
    launcher::{Stack, StackOptions},
    render,
};

/// The committed manifest with events disabled.
fn without_events() -> &'static Manifest {
    let mut m = Manifest::embedded().clone();
    let events = m
        .apps
        .iter_mut()
        .find(|a| a.name == "events")
        .expect("the manifest lists events");
    assert!(
        events.enabled,
        "events is enabled in the committed manifest"
    );
    events.enabled = false;
    Box::leak(Box::new(m))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_alone_decides_which_apps_run() {
    let manifest = Manifest::embedded();

    // Rendered configuration: a server and an upstream in both nginx variants, a unit; none
    // of it when the app is disabled.
    let files = render::all_files(manifest);
    let file = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == name)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| panic!("{name} is rendered"))
    };
    assert!(file("nginx/stepperslife.conf").contains("server_name events.stepperslife.com;"));
    assert!(file("nginx/stepperslife.conf").contains("upstream stepperslife_events"));
    assert!(file("nginx/local.conf").contains("server_name events.stepperslife.localhost;"));
    assert!(
        file("ecosystem/systemd/stepperslife-events.service")
            .contains("ExecStart=/opt/stepperslife/bin/events")
    );
    let disabled = render::all_files(without_events());
    assert!(
        !disabled
            .iter()
            .any(|(_, c)| c.contains("events.stepperslife")),
        "nothing of it while it is disabled"
    );
    assert!(
        !disabled
            .iter()
            .any(|(p, _)| p.contains("stepperslife-events")),
        "no unit while it is disabled"
    );

    // The build: its browser bundle, linted and built with the others.
    let bundles = build::bundles(manifest);
    assert!(bundles.contains(&("events".to_owned(), Bundle::Public)));
    assert!(bundles.contains(&("restaurants".to_owned(), Bundle::Manage)));
    assert!(
        !build::bundles(without_events())
            .iter()
            .any(|(a, _)| a == "events")
    );

    // Run (as the browser tests and the benchmark run it): every enabled app on a free port,
    // all of them agreeing on the manifest.
    let dir = tempfile::tempdir().expect("dir");
    let suffix = format!("_mf_{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let mut opts = StackOptions::local(dir.path().join("state")).expect("options");
    opts.manifest = manifest;
    opts.free_ports = true;
    opts.name_suffix = suffix.clone();
    opts.show_logs = std::env::var_os("E2E_LOGS").is_some();
    let stack = Stack::start(opts).await.expect("the suite starts");
    let reader = format!("{}{suffix}", devstack::SESSION_READER_ROLE);
    let outcome = async {
        let events = stack.addrs.get("events").expect("events was started");
        let http = reqwest::Client::new();
        let ready: serde_json::Value = http
            .get(format!("http://{events}/readyz"))
            .send()
            .await
            .expect("readyz")
            .json()
            .await
            .expect("json");
        assert_eq!(ready["status"], "ready", "{ready}");

        // The benchmark measures its pages.
        let targets = bench::targets(stack.suite.manifest, &stack.addrs);
        assert!(
            targets
                .iter()
                .any(|(name, url)| name == "events list page" && url.contains(&events.to_string())),
            "{targets:?}"
        );

        // The portal: its header links to it, its home page shows its section.
        let portal = stack.addrs["portal"];
        let home = http
            .get(format!("http://{portal}/"))
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("html");
        assert!(
            home.contains(r#"data-testid="home-events-upcoming""#),
            "{home}"
        );
        // (The demo events: the launcher seeds every app.)
        assert!(
            home.contains("Upcoming events") && home.contains("Saturday Steppers Social"),
            "{home}"
        );
        assert!(home.contains(&format!(r#"href="{}/""#, stack.suite.origin_of("events"))));
        assert!(home.contains(r#"data-testid="home-restaurants-featured""#));

        // Restaurants takes a request from an events page as one of the suite's (a signed-out
        // visitor: 401, not the 403 of a foreign page).
        let res = http
            .post(format!(
                "http://{}/api/restaurants/create",
                stack.addrs["restaurants"]
            ))
            .header("origin", stack.suite.origin_of("events"))
            .header("accept", "application/json")
            .form(&[
                ("name", "x"),
                ("cuisine", "x"),
                ("city", "x"),
                ("address", "x"),
                ("description", "x"),
                ("price_level", "1"),
            ])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);

        events_on_the_portal(&stack).await;
    }
    .await;
    let _ = stack.drop_databases(&reader).await;
    stack.stop().await;
    outcome
}

/// The portal uses the events API for the signed-in person: an RSVP button on the home page
/// (once per key), "My tickets" on the account page.
async fn events_on_the_portal(stack: &Stack) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let portal = format!("http://{}", stack.addrs["portal"]);
    let events = format!("http://{}", stack.addrs["events"]);
    let (portal_origin, events_origin) = (stack.suite.portal(), stack.suite.origin_of("events"));
    let signed_in = http
        .post(format!("{portal}/api/auth/signin"))
        .header("origin", &portal_origin)
        .header("accept", "application/json")
        .form(&[
            ("email", "demo@stepperslife.com"),
            ("password", "stepperslife-demo"),
        ])
        .send()
        .await
        .expect("sign in");
    let cookie = signed_in
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("sl_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let call = |base: &str, origin: &str, path: &str, form: Vec<(&'static str, String)>| {
        http.post(format!("{base}{path}"))
            .header("origin", origin)
            .header("accept", "application/json")
            .header("cookie", &cookie)
            .form(&form)
            .send()
    };
    let res = call(
        &events,
        &events_origin,
        "/api/events/create",
        vec![
            ("title", "Portal Social".into()),
            ("description", String::new()),
            ("venue", "Hall".into()),
            ("address", String::new()),
            ("time_zone", "America/Chicago".into()),
            ("starts", "2099-06-01T20:00".into()),
            ("ends", "2099-06-01T23:00".into()),
            ("capacity", String::new()),
        ],
    )
    .await
    .expect("create");
    assert!(res.status().is_success(), "{:?}", res.text().await);
    for (path, form) in [
        (
            "/api/events/add-ticket-type",
            vec![
                ("slug", "portal-social".to_owned()),
                ("name", "General".into()),
                ("price", String::new()),
                ("capacity", "50".into()),
                ("max_per_order", String::new()),
            ],
        ),
        (
            "/api/events/publish",
            vec![("slug", "portal-social".to_owned())],
        ),
    ] {
        let res = call(&events, &events_origin, path, form).await.expect(path);
        assert!(res.status().is_success(), "{path}: {:?}", res.text().await);
    }
    let pool = sqlx::PgPool::connect(&stack.database_urls["events"])
        .await
        .expect("events database");
    let general: uuid::Uuid =
        sqlx::query_scalar("select id from ticket_types where name = 'General'")
            .fetch_one(&pool)
            .await
            .expect("type");

    // The home page: an RSVP button for the signed-in, "Sign in to RSVP" for a visitor.
    let home = |cookie: Option<String>| {
        let mut req = http.get(format!("{portal}/"));
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        async move { req.send().await.expect("home").text().await.expect("html") }
    };
    // (The portal keeps each app's sections for a few seconds.)
    let start = std::time::Instant::now();
    let html = loop {
        let html = home(Some(cookie.clone())).await;
        if html.contains("Portal Social") || start.elapsed() > std::time::Duration::from_secs(20) {
            break html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(
        html.contains("Portal Social") && html.contains(r#"data-testid="home-rsvp""#),
        "{html}"
    );
    assert!(html.contains(&general.to_string()));
    let html = home(None).await;
    assert!(
        html.contains(r#"data-testid="home-sign-in-to-rsvp""#),
        "{html}"
    );

    // RSVP from the portal, pressed twice: one place, then the tickets on events.
    for _ in 0..2 {
        let res = call(
            &portal,
            &portal_origin,
            "/api/home/rsvp",
            vec![
                ("app", "events".to_owned()),
                ("ticket_type_id", general.to_string()),
                ("key", "portal-home-rsvp-key-1".into()),
            ],
        )
        .await
        .expect("rsvp");
        assert!(res.status().is_success(), "{:?}", res.text().await);
        assert_eq!(
            res.headers().get("location").and_then(|l| l.to_str().ok()),
            Some(format!("{events_origin}/tickets").as_str())
        );
    }
    let tickets: i64 = sqlx::query_scalar("select count(*) from tickets")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(tickets, 1);

    // The account page lists it.
    let account = http
        .get(format!("{portal}/account"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("account")
        .text()
        .await
        .expect("html");
    assert!(account.contains(r#"data-testid="my-tickets""#), "{account}");
    // And the store's section, from the store's API with the same session.
    assert!(
        account.contains(r#"data-testid="my-store-orders""#)
            && account.contains("No store orders yet."),
        "{account}"
    );
    assert!(
        account.contains("Portal Social") && account.contains("General"),
        "{account}"
    );
    pool.close().await;
}

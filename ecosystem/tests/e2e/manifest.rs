//! Enabling an app in the manifest is all it takes: the throwaway case is the events skeleton
//! (built on the app kit, disabled in the committed manifest), enabled here beside restaurants.

use platform::suite::Manifest;
use suite::{
    bench,
    build::{self, Bundle},
    launcher::{Stack, StackOptions},
    render,
};

/// The committed manifest with events enabled.
fn with_events() -> &'static Manifest {
    let mut m = Manifest::embedded().clone();
    let events = m
        .apps
        .iter_mut()
        .find(|a| a.name == "events")
        .expect("the manifest lists events");
    assert!(
        !events.enabled,
        "events is not enabled yet in the committed manifest"
    );
    events.enabled = true;
    Box::leak(Box::new(m))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabling_an_app_in_the_manifest_is_all_it_takes() {
    let manifest = with_events();

    // Rendered configuration: a server and an upstream in both nginx variants, a unit.
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
    let committed = render::all_files(Manifest::embedded());
    assert!(
        !committed
            .iter()
            .any(|(_, c)| c.contains("events.stepperslife")),
        "and nothing of it while it is disabled"
    );

    // The build: its browser bundle, linted and built with the others.
    let bundles = build::bundles(manifest);
    assert!(bundles.contains(&("events".to_owned(), Bundle::Public)));
    assert!(bundles.contains(&("restaurants".to_owned(), Bundle::Manage)));
    assert!(
        !build::bundles(Manifest::embedded())
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
        assert!(home.contains("Upcoming events") && home.contains("No events coming up yet."));
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
    }
    .await;
    let _ = stack.drop_databases(&reader).await;
    stack.stop().await;
    outcome
}

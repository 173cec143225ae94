//! The account page: it gathers the person's own data and what other apps hold for them.

use std::time::Duration;

use devstack::harness::{self, Opts};
use reqwest::StatusCode;

use crate::helpers::{Options, TestApp, spawn_with};

/// Every answer is finished, however the three loads that make the page interleave: a resource
/// created inside another's `Suspense` left an answer unfinished now and then
/// (leptos-rs/leptos#4866), and nginx gave the customer a 504 a minute later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_page_is_always_answered_in_full() {
    // A real restaurants app, whose answer takes a real while (it does not share this portal's
    // sessions: its section says so).
    let restaurants =
        harness::TestApp::spawn_with(restaurants::server::app(), Opts::default()).await;
    let app = spawn_with(Options {
        restaurants_url: format!("http://{}", restaurants.addr),
        ..Options::default()
    })
    .await;
    let cookie = app.cookie_header(&app.signed_up("ada@example.com").await);
    let client = TestApp::client();
    for round in 0..10 {
        let mut loads = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (client, url, cookie) = (client.clone(), app.url("/account"), cookie.clone());
            loads.spawn(async move {
                let res = client
                    .get(url)
                    .header("cookie", cookie)
                    .timeout(Duration::from_secs(10))
                    .send()
                    .await?;
                let status = res.status();
                Ok::<_, reqwest::Error>((status, res.text().await?))
            });
        }
        while let Some(done) = loads.join_next().await {
            let (status, html) = done
                .expect("task")
                .unwrap_or_else(|e| panic!("round {round}: no whole answer in 10 s: {e}"));
            assert!(
                html.contains("ada@example.com")
                    && html.contains("Recent restaurant orders")
                    && html.contains("</html>"),
                "round {round}: {html}"
            );
            // (The restaurants section is an error: the page is still 200.)
            assert_eq!(status, StatusCode::OK, "round {round}");
        }
    }
}

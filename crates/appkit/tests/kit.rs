//! The app kit with a throwaway app built from it: what every app gets without writing it.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use appkit::{AppDef, AppState, jobs::Job};
use axum::{
    Json, Router,
    extract::State,
    routing::{get, post},
};
use devstack::harness::TestApp;
use reqwest::{StatusCode, header};
use sso::MaybeUser;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("tests/migrations");

async fn notes(State(state): State<AppState>) -> Json<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar("select body from notes order by id")
        .fetch_all(&state.pool)
        .await
        .unwrap_or_default();
    Json(rows)
}

async fn my_notes(State(state): State<AppState>, MaybeUser(user): MaybeUser) -> Json<Vec<String>> {
    let rows: Vec<String> = sqlx::query_scalar("select body from notes where owner_id = $1")
        .bind(user.map(|u| u.id))
        .fetch_all(&state.pool)
        .await
        .unwrap_or_default();
    Json(rows)
}

/// How many notes there are: a database error is the kit's answer (`AppError`).
async fn note_count(State(state): State<AppState>) -> Result<String, platform::AppError> {
    let n: i64 = sqlx::query_scalar("select count(*) from notes")
        .fetch_one(&state.pool)
        .await?;
    Ok(n.to_string())
}

/// The count, slowly: a query under way when the database goes.
async fn slow_note_count(State(state): State<AppState>) -> Result<String, platform::AppError> {
    let n: i64 = sqlx::query_scalar("select count(*) from notes, pg_sleep(3)")
        .fetch_one(&state.pool)
        .await?;
    Ok(n.to_string())
}

async fn add_note(State(state): State<AppState>, body: String) -> StatusCode {
    let done = sqlx::query("insert into notes (body) values ($1)")
        .bind(body)
        .execute(&state.pool)
        .await;
    if done.is_ok() {
        StatusCode::CREATED
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// Adds a note and tells `to` about it, in one transaction; the worker is woken after commit.
async fn add_note_and_tell(
    State(state): State<AppState>,
    axum::extract::Path(to): axum::extract::Path<String>,
    body: String,
) -> StatusCode {
    let done = async {
        let mut tx = state.pool.begin().await?;
        sqlx::query("insert into notes (body) values ($1)")
            .bind(&body)
            .execute(&mut *tx)
            .await?;
        let message = mail::Message {
            kind: "note-added",
            to_address: to,
            to_name: String::new(),
            subject: "A new note".into(),
            text: format!("Someone wrote: {body}"),
            html: None,
        };
        mail::enqueue(&mut *tx, &message).await?;
        tx.commit().await
    };
    match done.await {
        Ok(()) => {
            state.outbox.wake();
            StatusCode::CREATED
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A throwaway app: the portal's manifest entry (any enabled one will do), no pages.
fn throwaway() -> AppDef {
    AppDef::new("restaurants", &MIGRATOR)
        .sign_in_required(&["/mine/**"])
        .public_api(
            Router::new()
                .route("/api/v1/notes", get(notes))
                .route("/api/v1/notes/mine", get(my_notes)),
        )
        .routes(
            Router::new()
                .route("/mine", get(|| async { "your notes" }))
                .route("/notes/count", get(note_count))
                .route("/notes/slow-count", get(slow_note_count))
                .route("/notes", post(add_note))
                .route("/notes/tell/{to}", post(add_note_and_tell))
                .route(
                    "/client-ip",
                    get(
                        |State(state): State<AppState>, parts: http::request::Parts| async move {
                            state.client_ip(&parts)
                        },
                    ),
                ),
        )
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("select count(*) from {table}"))
        .fetch_one(&app.db.pool)
        .await
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_checks_what_the_app_declared_and_nothing_else() {
    let app = TestApp::spawn(throwaway()).await;
    let res = app.get("/readyz", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(
        body["checks"],
        serde_json::json!({ "database": "ok", "sessions": "ok" }),
        "no bucket declared, none checked"
    );
    let with_bucket = TestApp::spawn(throwaway().bucket()).await;
    let body: serde_json::Value = with_bucket
        .get("/readyz", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(body["checks"]["bucket"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_is_sent_to_sign_in_and_back_and_a_member_gets_the_page() {
    let app = TestApp::spawn(throwaway()).await;
    let res = app.get("/mine?tab=2", None).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location");
    assert_eq!(
        to,
        format!(
            "{}/signin?return_to={}",
            app.suite.portal(),
            platform::query_value(&format!("{}/mine?tab=2", app.origin))
        )
    );
    let ada = app.signed_in("Ada").await;
    let res = app.get("/mine?tab=2", Some(&ada)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.expect("body"), "your notes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_changing_request_from_outside_the_suite_changes_nothing() {
    let app = TestApp::spawn(throwaway()).await;
    for origin in [Some("https://evil.com"), Some("null"), None] {
        let res = devstack::testkit::client()
            .post(app.url("/notes"))
            .body("forged")
            .header(header::ORIGIN, origin.unwrap_or(""))
            .send()
            .await
            .expect("post");
        let res = if origin.is_none() {
            devstack::testkit::client()
                .post(app.url("/notes"))
                .body("forged")
                .send()
                .await
                .expect("post")
        } else {
            res
        };
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin:?}");
    }
    assert_eq!(count(&app, "notes").await, 0);
    let res = devstack::testkit::client()
        .post(app.url("/notes"))
        .body("kept")
        .header(header::ORIGIN, &app.origin)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(count(&app, "notes").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_answers_carry_an_etag_and_a_matching_one_gets_304() {
    let app = TestApp::spawn(throwaway()).await;
    sqlx::query("insert into notes (body) values ('one')")
        .execute(&app.db.pool)
        .await
        .expect("note");
    let res = app.get("/api/v1/notes", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CACHE_CONTROL],
        appkit::cache::PUBLIC_API
    );
    let tag = res.headers()[header::ETAG].clone();
    assert_eq!(res.text().await.expect("body"), r#"["one"]"#);

    let again = devstack::testkit::client()
        .get(app.url("/api/v1/notes"))
        .header(header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("get");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()[header::ETAG], tag);
    assert_eq!(again.bytes().await.expect("body").len(), 0);

    sqlx::query("insert into notes (body) values ('two')")
        .execute(&app.db.pool)
        .await
        .expect("note");
    let changed = devstack::testkit::client()
        .get(app.url("/api/v1/notes"))
        .header(header::IF_NONE_MATCH, &tag)
        .send()
        .await
        .expect("get");
    assert_eq!(changed.status(), StatusCode::OK, "a new answer, a new tag");
    assert_ne!(changed.headers()[header::ETAG], tag);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_that_depends_on_who_asked_is_never_public() {
    let app = TestApp::spawn(throwaway()).await;
    let ada = app.signed_in("Ada").await;
    for who in [None, Some(&ada)] {
        let res = app.get("/api/v1/notes/mine", who).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            appkit::cache::PERSONAL,
            "signed in: {}",
            who.is_some()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_is_never_kept_by_a_shared_cache() {
    let app = TestApp::spawn(throwaway().pages(|| {
        use leptos::prelude::*;
        view! { <p>"hello"</p> }
    }))
    .await;
    let res = app.get("/", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CACHE_CONTROL], appkit::cache::PAGE);
    assert!(res.text().await.expect("body").contains("hello"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_runs_on_one_instance_at_a_time() {
    let first = TestApp::spawn(throwaway()).await;
    // A second instance of the same app on the same database.
    let second = TestApp::spawn_with(
        throwaway(),
        devstack::harness::Opts::default().configure({
            let url = first.db.url.clone();
            move |cfg| cfg.database_url = secrecy::SecretString::from(url)
        }),
    )
    .await;
    let job = Job {
        name: "count",
        every: Duration::from_secs(3600),
        run: Arc::new(|state: AppState| {
            Box::pin(async move {
                sqlx::query("insert into job_runs default values")
                    .execute(&state.pool)
                    .await?;
                tokio::time::sleep(Duration::from_millis(500)).await;
                Ok(())
            })
        }),
    };
    let started = Instant::now();
    let (a, b) = tokio::join!(
        appkit::jobs::run_once(&first.state, &job),
        appkit::jobs::run_once(&second.state, &job)
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert!(a ^ b, "exactly one ran: {a} {b}");
    assert!(started.elapsed() >= Duration::from_millis(500));
    assert_eq!(count(&first, "job_runs").await, 1);
    // Once it is done, the next period runs again, on either.
    assert!(
        appkit::jobs::run_once(&second.state, &job)
            .await
            .expect("again")
    );
    assert_eq!(count(&first, "job_runs").await, 2);
}

/// A page whose content comes from a resource (as every app's pages do).
fn page_with_data() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let answer = Resource::new_blocking(
        || (),
        |()| async {
            tokio::time::sleep(Duration::from_millis(2)).await;
            42
        },
    );
    view! {
        <Suspense fallback=|| "loading">
            {move || Suspend::new(async move { format!("the answer is {}", answer.await) })}
        </Suspense>
    }
}

/// A root that takes a while to render (listing an app's routes renders it once).
fn slow_root() -> impl leptos::IntoView {
    std::thread::sleep(Duration::from_millis(100));
    "slow"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_answering_while_another_app_starts_in_the_same_process() {
    let app = TestApp::spawn(throwaway().pages(page_with_data)).await;
    let starting = tokio::spawn(async {
        for _ in 0..4 {
            drop(TestApp::spawn(throwaway().pages(slow_root)).await);
        }
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client");
    let url = format!("http://{}/", app.addr);
    let mut pages = 0;
    while !starting.is_finished() {
        let batch = (0..8).map(|_| {
            let req = client.get(&url).send();
            async move { req.await?.text().await }
        });
        for body in futures::future::join_all(batch).await {
            let body = body.expect("the page answers");
            assert!(body.contains("the answer is 42"), "{body}");
            pages += 1;
        }
    }
    starting.await.expect("the other apps started");
    assert!(pages > 0);
}

#[tokio::test]
async fn an_apps_mail_leaves_through_its_outbox_once_the_change_is_committed() {
    let app =
        TestApp::spawn_with(throwaway(), devstack::harness::Opts::default().with_mail()).await;
    let maildev = app.maildev.expect("with mail");
    let to = format!("reader-{}@example.com", app.db.name);
    let res = devstack::testkit::client()
        .post(app.url(&format!("/notes/tell/{to}")))
        .header(header::ORIGIN, &app.origin)
        .body("hello")
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CREATED);
    // Woken after the commit, the worker sends it well before its next poll.
    let got = maildev.wait_for(&to, 1, Duration::from_secs(10)).await;
    assert_eq!(got[0]["subject"], "A new note");
    assert!(
        got[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains("Someone wrote: hello")
    );
    // The row is marked sent right after the server's 250 (which maildev shows at once).
    let start = Instant::now();
    loop {
        let status: String = sqlx::query_scalar("select status from mail_outbox")
            .fetch_one(&app.db.pool)
            .await
            .expect("the outbox is in the app's database");
        if status == "sent" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(count(&app, "notes").await, 1);
}

#[tokio::test]
async fn the_client_address_comes_from_a_header_only_when_a_trusted_proxy_sent_it() {
    let ask = |app: &TestApp| {
        devstack::testkit::client()
            .get(app.url("/client-ip"))
            .header("x-real-ip", "203.0.113.5")
            .send()
    };
    let behind_proxy = TestApp::spawn(throwaway()).await;
    let res = ask(&behind_proxy).await.expect("get");
    assert_eq!(res.text().await.expect("body"), "203.0.113.5");

    let exposed = TestApp::spawn_with(
        throwaway(),
        devstack::harness::Opts::default().configure(|cfg| cfg.trusted_proxies.clear()),
    )
    .await;
    let res = ask(&exposed).await.expect("get");
    assert_eq!(
        res.text().await.expect("body"),
        "127.0.0.1",
        "a stranger's header is ignored"
    );
}

#[tokio::test]
async fn an_app_treats_two_session_cookies_as_nobody() {
    let app = TestApp::spawn(throwaway()).await;
    let ada = app.signed_in("Ada").await;
    let eve = app.signed_in("Eve").await;
    let ask = |cookie: String| {
        devstack::testkit::client()
            .get(app.url("/mine"))
            .header(header::COOKIE, cookie)
            .send()
    };
    let one = ask(app.cookie(&ada)).await.expect("get");
    assert_eq!(one.status(), StatusCode::OK);
    let both = format!("{}; {}", app.cookie(&eve), app.cookie(&ada));
    let res = ask(both).await.expect("get");
    assert!(
        res.status().is_redirection(),
        "sent to sign in: {}",
        res.status()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_and_are_for_the_machine_only() {
    let app = TestApp::spawn(throwaway()).await;
    for _ in 0..2 {
        assert_eq!(
            app.get("/api/v1/notes", None).await.status(),
            StatusCode::OK
        );
    }
    for path in ["/nope", "/nope/again"] {
        assert_eq!(app.get(path, None).await.status(), StatusCode::NOT_FOUND);
    }
    let job = Job {
        name: "tidy",
        every: Duration::from_secs(3600),
        run: Arc::new(|_state: AppState| Box::pin(async { Ok(()) })),
    };
    assert!(appkit::jobs::run_once(&app.state, &job).await.expect("ran"));

    let res = app.get("/metrics", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()[header::CONTENT_TYPE]
            .to_str()
            .is_ok_and(|t| t.starts_with("application/openmetrics-text"))
    );
    let text = res.text().await.expect("text");
    for line in [
        r#"http_requests_total{route="/api/v1/notes",method="GET",status="200"} 2"#,
        r#"http_request_duration_seconds_count{route="/api/v1/notes",method="GET"} 2"#,
        // Paths no route has share one series: clients cannot make new ones.
        r#"http_requests_total{route="unmatched",method="GET",status="404"} 2"#,
        r#"job_runs_total{job="tidy",outcome="ran"} 1"#,
        r#"mail_outbox_messages{status="pending"} 0"#,
    ] {
        assert!(text.contains(line), "{line} in:\n{text}");
    }
    assert!(text.contains("db_pool_connections "), "{text}");
    assert!(!text.contains("/nope"), "{text}");

    // Through the proxy (it sets X-Real-IP): not found.
    let proxied = devstack::testkit::client()
        .get(app.url("/metrics"))
        .header("x-real-ip", "203.0.113.9")
        .send()
        .await
        .expect("an answer");
    assert_eq!(proxied.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_every_database_connection_busy_a_request_gets_503_and_then_recovers() {
    let app = TestApp::spawn(throwaway()).await;
    assert_eq!(app.get("/notes/count", None).await.status(), StatusCode::OK);
    // Every connection of the app's pool held (as by a burst of slow requests, or a database
    // that stopped answering)...
    let mut held = Vec::new();
    while let Ok(Ok(c)) =
        tokio::time::timeout(Duration::from_millis(500), app.state.pool.acquire()).await
    {
        held.push(c);
    }
    assert!(!held.is_empty());
    // ...a request waits the pool's few seconds, then is told to retry: not a 500, not a hang.
    let started = Instant::now();
    let res = app.get("/notes/count", None).await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(res.headers()[header::RETRY_AFTER], "30");
    let body: serde_json::Value = res.json().await.expect("json");
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("try again")),
        "{body}"
    );
    // Connections back: it answers again, with no restart.
    drop(held);
    assert_eq!(app.get("/notes/count", None).await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_cut_off_by_the_database_shutting_down_is_a_503_not_a_500() {
    let app = TestApp::spawn(throwaway()).await;
    let slow = tokio::spawn(reqwest::get(app.url("/notes/slow-count")));
    // What PostgreSQL does to every connection when it is stopped ("fast" shutdown): ends
    // it with SQLSTATE 57P01, "terminating connection due to administrator command".
    let admin = sqlx::PgPool::connect(&devstack::admin_url_from_env().0)
        .await
        .expect("admin");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let ended: Vec<bool> = sqlx::query_scalar(
            "select pg_terminate_backend(pid) from pg_stat_activity
             where query like 'select count(*) from notes, pg_sleep(3)%' and pid <> pg_backend_pid()",
        )
        .fetch_all(&admin)
        .await
        .expect("terminate");
        if !ended.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the slow query never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = slow.await.expect("joined").expect("an answer");
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(res.headers()[header::RETRY_AFTER], "30");
    // The pool replaces the connection: the next request is answered.
    assert_eq!(app.get("/notes/count", None).await.status(), StatusCode::OK);
}

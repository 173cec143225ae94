//! What the events tests share: the app with events enabled, an event and its ticket types.
#![allow(dead_code)]

use devstack::harness::{Opts, TestApp, User};
use reqwest::StatusCode;

pub const EVENT: &[(&str, &str)] = &[
    ("title", "Saturday Social"),
    ("description", "Dance all night."),
    ("venue", "The Grand Ballroom"),
    ("address", "1 Main St, Chicago"),
    ("time_zone", "America/Chicago"),
    ("starts", "2099-12-12T20:00"),
    ("ends", "2099-12-13T01:00"),
    ("capacity", ""),
    ("cancel_hours", ""),
];

/// The events app on a free port, with its own database and bucket.
pub async fn spawn() -> TestApp {
    spawn_with(Opts::default()).await
}

/// Like [`spawn`], with `opts`.
pub async fn spawn_with(opts: Opts) -> TestApp {
    TestApp::spawn_with(events::server::app(), opts).await
}

/// `EVENT` with `changes`.
pub fn event_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    EVENT
        .iter()
        .map(|(k, v)| {
            let v = changes.iter().find(|(c, _)| c == k).map_or(*v, |(_, c)| *c);
            (*k, v)
        })
        .collect()
}

/// Creates an event as `organizer`; its slug.
pub async fn create(app: &TestApp, organizer: &User, changes: &[(&str, &str)]) -> String {
    let res = app
        .call("/api/events/create", &event_form(changes), Some(organizer))
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{:?}",
        res.body
    );
    sqlx::query_scalar("select slug from events order by created_at desc limit 1")
        .fetch_one(&app.db.pool)
        .await
        .expect("slug")
}

pub async fn add_type(
    app: &TestApp,
    who: &User,
    slug: &str,
    name: &str,
    price: &str,
    places: &str,
) -> StatusCode {
    app.call(
        "/api/events/add-ticket-type",
        &[
            ("slug", slug),
            ("name", name),
            ("price", price),
            ("capacity", places),
            ("max_per_order", ""),
        ],
        Some(who),
    )
    .await
    .status
}

pub async fn type_id(app: &TestApp, name: &str) -> String {
    sqlx::query_scalar::<_, uuid::Uuid>("select id from ticket_types where name = $1")
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .expect("type")
        .to_string()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect(sql)
}

//! An event's staff by invitation: they work the door and see the attendee list, and are
//! refused, like a stranger, everything that is the organizer's alone, with nothing changed.

mod common;

use common::{add_type, count, create, event_form, spawn, type_id};
use devstack::harness::{TestApp, User};
use reqwest::{StatusCode, header, multipart};

/// The organizer makes an invitation; its token.
async fn invite(app: &TestApp, organizer: &User, slug: &str) -> String {
    let res = app
        .call(
            "/api/event-staff/invite",
            &[("slug", slug)],
            Some(organizer),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let location = res.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let token = location
        .split_once("invite=")
        .map(|(_, t)| t.to_owned())
        .expect("the token");
    let page = app
        .get(&location, Some(organizer))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(&format!("/staff/join/{token}")), "{page}");
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_work_the_door_and_nothing_else_and_strangers_nothing() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let sam = app.signed_in("Sam Staff").await;
    let eve = app.signed_in("Eve").await;
    let bob = app.signed_in("Bob").await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let general = type_id(&app, "General").await;
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &general),
                ("quantity", "1"),
                ("idempotency_key", "staff-bob-rsvp"),
            ],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success());
    let code: String = sqlx::query_scalar("select secret from tickets")
        .fetch_one(&app.db.pool)
        .await
        .expect("code");

    // Before joining, Sam is a stranger at the door.
    let door_check = |who: &User| {
        let (app, slug, code) = (&app, slug.clone(), code.clone());
        let who = who.clone();
        async move {
            app.call(
                "/api/door/check-in",
                &[("slug", &slug), ("code", &code)],
                Some(&who),
            )
            .await
            .status
        }
    };
    assert_eq!(door_check(&sam).await, StatusCode::FORBIDDEN);

    // The organizer's own link is refused to the organizer; Sam joins with it; once only.
    let token = invite(&app, &ada, &slug).await;
    let res = app
        .call("/api/event-staff/join", &[("token", &token)], Some(&ada))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let res = app
        .call("/api/event-staff/join", &[("token", &token)], Some(&sam))
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    assert_eq!(
        res.headers["location"].to_str().ok(),
        Some(format!("/dashboard/e/{slug}/door").as_str())
    );
    let res = app
        .call("/api/event-staff/join", &[("token", &token)], Some(&eve))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "a used link");
    let page = app
        .get("/dashboard", Some(&sam))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Events you work at") && page.contains("Saturday Social"),
        "{page}"
    );

    // Staff work the door and see the attendees (and their CSV).
    assert!(door_check(&sam).await.is_success());
    for path in [
        format!("/dashboard/e/{slug}/door?q=bob"),
        format!("/dashboard/e/{slug}/attendees"),
        format!("/dashboard/e/{slug}/attendees.csv"),
    ] {
        let res = app.get(&path, Some(&sam)).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(res.text().await.expect("body").contains("Bob"), "{path}");
        assert_eq!(
            app.get(&path, Some(&eve)).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }

    // Everything of the organizer's alone is refused to staff and strangers, nothing changed.
    let mut update = event_form(&[("title", "Taken Over")]);
    update.push(("slug", slug.as_str()));
    let ada_id = ada.id.to_string();
    let organizer_only: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("/api/events/update", update.clone()),
        (
            "/api/events/add-ticket-type",
            vec![
                ("slug", &slug),
                ("name", "Extra"),
                ("price", ""),
                ("capacity", "5"),
                ("max_per_order", ""),
            ],
        ),
        ("/api/events/publish", vec![("slug", &slug)]),
        (
            "/api/events/postpone",
            vec![("slug", &slug), ("message", ""), ("confirm", "yes")],
        ),
        (
            "/api/events/cancel",
            vec![("slug", &slug), ("message", ""), ("confirm", "yes")],
        ),
        ("/api/event-staff/invite", vec![("slug", &slug)]),
        (
            "/api/event-staff/list",
            vec![("slug", &slug), ("invite", "")],
        ),
        (
            "/api/event-staff/remove",
            vec![("slug", &slug), ("user_id", &ada_id)],
        ),
        ("/api/events/for-edit", vec![("slug", &slug)]),
        (
            "/api/events/ticket-type",
            vec![("slug", &slug), ("id", &general)],
        ),
        (
            "/api/events/update-ticket-type",
            vec![
                ("slug", &slug),
                ("id", &general),
                ("name", "Taken"),
                ("price", "1"),
                ("capacity", "99"),
                ("max_per_order", ""),
            ],
        ),
        (
            "/api/events/remove-ticket-type",
            vec![("slug", &slug), ("id", &general)],
        ),
    ];
    for who in [&sam, &eve] {
        for (path, form) in &organizer_only {
            let res = app.call(path, form, Some(who)).await;
            assert_eq!(
                res.status,
                StatusCode::FORBIDDEN,
                "{} on {path}: {:?}",
                who.name,
                res.body
            );
        }
        let form = multipart::Form::new()
            .text("back", format!("/dashboard/e/{slug}"))
            .part(
                "photo",
                multipart::Part::bytes(devstack::testkit::photo_png(32, 18)).file_name("c.png"),
            );
        let res = devstack::testkit::client()
            .post(app.url(&format!("/dashboard/e/{slug}/cover")))
            .header(header::ORIGIN, &app.origin)
            .header(header::COOKIE, app.cookie(who))
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    let (title, status, cover): (String, String, Option<String>) =
        sqlx::query_as("select title, status, cover_key from events")
            .fetch_one(&app.db.pool)
            .await
            .expect("event");
    assert_eq!(
        (title.as_str(), status.as_str(), cover),
        ("Saturday Social", "published", None)
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from ticket_types where name = 'General' and capacity = 10 and price_cents = 0"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "select count(*) from event_staff_invites").await,
        1
    );
    assert_eq!(count(&app, "select count(*) from event_staff").await, 1);

    // Removed, Sam is a stranger again.
    let res = app
        .call(
            "/api/event-staff/remove",
            &[("slug", &slug), ("user_id", &sam.id.to_string())],
            Some(&ada),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    assert_eq!(
        app.get(&format!("/dashboard/e/{slug}/attendees.csv"), Some(&sam))
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

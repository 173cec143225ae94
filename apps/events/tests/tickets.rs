//! Organizers make events and ticket types; attendees take free places, which never oversell.

use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use common::{add_type, count, create, event_form, spawn, type_id};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_makes_an_event_with_ticket_types_and_publishes_it() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let stranger = app.signed_in("Stranger").await;

    // Field errors name the field; nothing is made.
    for (changes, field) in [
        (vec![("title", " ")], "title"),
        (vec![("ends", "2099-12-12T19:00")], "ends"),
        (vec![("time_zone", "Mars/Olympus")], "time_zone"),
        (vec![("starts", "2099-03-08T02:30")], "starts"),
        (vec![("venue", "")], "venue"),
    ] {
        let res = app
            .call("/api/events/create", &event_form(&changes), Some(&ada))
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{changes:?}");
        assert_eq!(
            res.body["Validation"]["field"],
            json!(field),
            "{:?}",
            res.body
        );
    }
    assert_eq!(count(&app, "select count(*) from events").await, 0);
    let res = app.call("/api/events/create", &event_form(&[]), None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    let slug = create(&app, &ada, &[]).await;
    assert_eq!(slug, "saturday-social");
    // A draft: its organizer sees it, nobody else does.
    assert_eq!(
        app.get("/e/saturday-social", None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/e/saturday-social", Some(&ada)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get("/e/saturday-social/calendar.ics", Some(&ada))
            .await
            .status(),
        StatusCode::NOT_FOUND,
        "no calendar file of a draft"
    );
    // Publishing needs a ticket type.
    let res = app
        .call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // Only the organizer adds ticket types and publishes; the stranger changes nothing.
    assert_eq!(
        add_type(&app, &stranger, &slug, "Sneaky", "", "5").await,
        StatusCode::FORBIDDEN
    );
    let res = app
        .call("/api/events/publish", &[("slug", &slug)], Some(&stranger))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(
        add_type(&app, &ada, &slug, "General", "", "100")
            .await
            .is_success()
    );
    assert!(
        add_type(&app, &ada, &slug, "VIP", "25.50", "20")
            .await
            .is_success()
    );
    assert_eq!(
        add_type(&app, &ada, &slug, "Bad", "-1", "20").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(count(&app, "select count(*) from ticket_types").await, 2);
    assert_eq!(
        count(&app, "select count(*) from events where status = 'draft'").await,
        1
    );
    let res = app
        .call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{:?}",
        res.body
    );

    // Published: "Add to calendar" gives the event in UTC (20:00 in Chicago is 02:00Z).
    let res = app.get("/e/saturday-social/calendar.ics", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let ics = res.text().await.expect("ics");
    assert!(ics.contains("DTSTART:20991213T020000Z\r\n"), "{ics}");
    assert!(
        ics.contains("LOCATION:The Grand Ballroom\\, 1 Main St\\, Chicago"),
        "{ics}"
    );
    // Published: everyone sees it, in its own zone, with its prices.
    let html = app
        .get("/e/saturday-social", None)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("Sat 12 Dec 2099, 20:00"), "{html}");
    assert!(html.contains("America/Chicago"));
    assert!(html.contains("Free") && html.contains("$25.50"));
    assert!(
        html.contains("data-testid=\"sign-in-to-rsvp\"") && !html.contains("data-testid=\"rsvp\""),
        "a visitor is asked to sign in before RSVPing"
    );
    let html = app
        .get("/e/saturday-social", Some(&stranger))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        html.contains("data-testid=\"rsvp\""),
        "the free type takes RSVPs"
    );
    let home: serde_json::Value = app
        .get("/api/v1/home", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        home["sections"][0]["cards"][0]["url"],
        json!(format!("{}/e/saturday-social", app.origin))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rsvp_takes_its_places_once_per_key_and_shows_in_my_tickets() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let bo = app.signed_in("Bo").await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "3").await;
    add_type(&app, &ada, &slug, "VIP", "40", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let general = type_id(&app, "General").await;
    let vip = type_id(&app, "VIP").await;
    let rsvp = |ty: String, qty: &'static str, key: &'static str| {
        let (app, bo) = (&app, &bo);
        async move {
            app.call(
                "/api/tickets/rsvp",
                &[
                    ("ticket_type_id", &ty),
                    ("quantity", qty),
                    ("idempotency_key", key),
                ],
                Some(bo),
            )
            .await
        }
    };
    let first = rsvp(general.clone(), "2", "key-aaaaaaaa").await;
    assert!(
        first.status.is_success() || first.status.is_redirection(),
        "{:?}",
        first.body
    );
    // The same form sent again: nothing more taken.
    let again = rsvp(general.clone(), "2", "key-aaaaaaaa").await;
    assert!(
        again.status.is_success() || again.status.is_redirection(),
        "{:?}",
        again.body
    );
    assert_eq!(count(&app, "select count(*) from tickets").await, 2);
    // One confirmation, in the outbox with the places.
    let (subject, body): (String, String) =
        sqlx::query_as("select subject, text_body from mail_outbox where kind = 'rsvp-confirmed'")
            .fetch_one(&app.db.pool)
            .await
            .expect("one confirmation");
    assert_eq!(subject, "You're going to Saturday Social");
    assert!(
        body.contains("2 × General") && body.contains("/tickets"),
        "{body}"
    );
    // The same key for another request: refused.
    assert_eq!(
        rsvp(general.clone(), "1", "key-aaaaaaaa").await.status,
        StatusCode::CONFLICT
    );
    // One place left: two more are refused with what is left; the paid type takes no RSVP.
    let res = rsvp(general.clone(), "2", "key-bbbbbbbb").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body["Conflict"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("Only 1 place"),
        "{:?}",
        res.body
    );
    assert_eq!(
        rsvp(vip, "1", "key-cccccccc").await.status,
        StatusCode::CONFLICT
    );
    assert_eq!(
        rsvp(general.clone(), "0", "key-dddddddd").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(count(&app, "select count(*) from tickets").await, 2);
    let html = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("1 left"), "{html}");

    // Bo's tickets, each with its own code; signed out, the page asks for sign-in.
    let html = app
        .get("/tickets", Some(&bo))
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(html.matches("data-testid=\"ticket\"").count(), 2, "{html}");
    let codes: Vec<String> = sqlx::query_scalar("select secret from tickets")
        .fetch_all(&app.db.pool)
        .await
        .expect("codes");
    assert!(
        codes
            .iter()
            .all(|c| c.len() == 64 && html.contains(c.as_str()))
    );
    assert_ne!(codes[0], codes[1]);
    assert_eq!(
        app.get("/tickets", None).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.get("/tickets", Some(&ada)).await.status(),
        StatusCode::OK
    );
    let ada_html = app
        .get("/tickets", Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        !codes.iter().any(|c| ada_html.contains(c.as_str())),
        "only one's own tickets"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_attempts_at_the_last_ten_places_take_exactly_ten() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    // A free ticket type and a paid one of 8 places each, sharing the event's 10: a free
    // place is confirmed at once, a paid one held while its buyer pays, and both count.
    let slug = create(&app, &ada, &[("capacity", "10")]).await;
    add_type(&app, &ada, &slug, "Early", "", "8").await;
    add_type(&app, &ada, &slug, "Door", "10.00", "8").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let types = [type_id(&app, "Early").await, type_id(&app, "Door").await];
    let mut people = Vec::new();
    for i in 0..40 {
        people.push(app.signed_in(&format!("Fan {i}")).await);
    }
    let taken = AtomicUsize::new(0);
    let refused = AtomicUsize::new(0);
    futures::stream::iter(0..1000)
        .for_each_concurrent(64, |i| {
            let (app, people, types, taken, refused) = (&app, &people, &types, &taken, &refused);
            async move {
                let key = format!("attempt-{i:06}");
                let path = if i % 2 == 0 {
                    "/api/tickets/rsvp"
                } else {
                    "/api/orders/checkout"
                };
                let res = app
                    .call(
                        path,
                        &[
                            ("ticket_type_id", &types[i % 2]),
                            ("quantity", "1"),
                            ("idempotency_key", &key),
                        ],
                        Some(&people[i % people.len()]),
                    )
                    .await;
                if res.status.is_success() || res.status.is_redirection() {
                    taken.fetch_add(1, Ordering::Relaxed);
                } else {
                    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
                    refused.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .await;
    assert_eq!(taken.load(Ordering::Relaxed), 10);
    assert_eq!(refused.load(Ordering::Relaxed), 990);
    assert_eq!(count(&app, "select count(*) from tickets").await, 10);
    assert_eq!(count(&app, "select count(*) from orders").await, 10);
    // Every paid hold has its one PaymentIntent, for its amount.
    let held: Vec<(uuid::Uuid, i32)> = sqlx::query_as(
        "select id, total_cents from orders where status = 'reserved' and payment_intent_id is not null",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("holds");
    assert_eq!(
        i64::try_from(held.len()).ok(),
        Some(
            count(
                &app,
                "select count(*) from orders where status = 'reserved'"
            )
            .await
        )
    );
    let localstripe = app.localstripe.expect("events takes payments");
    for (order, total) in held {
        let intents = localstripe
            .intents_with("order", &order.to_string())
            .await
            .expect("intents");
        assert_eq!(intents.len(), 1);
        assert_eq!(intents[0]["amount"], json!(total));
    }
    let html = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(
        html.matches("Sold out").count(),
        2,
        "both types show sold out"
    );
}

/// Every page of the app carries the suite's security headers (see `appkit::headers`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_carries_the_security_headers() {
    use devstack::pages::Visit;

    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    add_type(&app, &ada, &slug, "VIP", "25.00", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let vip = type_id(&app, "VIP").await;
    let held = app
        .call(
            "/api/orders/checkout",
            &[
                ("ticket_type_id", vip.as_str()),
                ("quantity", "1"),
                ("idempotency_key", "headers-test-order"),
            ],
            Some(&ada),
        )
        .await;
    let order = held.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let invited = app
        .call("/api/event-staff/invite", &[("slug", &slug)], Some(&ada))
        .await;
    let staff_page = invited.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let token = staff_page
        .split_once("invite=")
        .map(|(_, t)| t.to_owned())
        .expect("token");
    let sam = app.signed_in("Sam").await;
    let visit = |route, path: String, who| Visit { route, path, who };
    let visits = [
        visit("/", "/".into(), None),
        visit("/e/{slug}", format!("/e/{slug}"), None),
        visit("/e/{slug}", format!("/e/{slug}"), Some(&ada)),
        visit("/tickets", "/tickets".into(), Some(&ada)),
        visit("/orders/{id}", order, Some(&ada)),
        visit("/dashboard", "/dashboard".into(), Some(&ada)),
        visit("/dashboard/new", "/dashboard/new".into(), Some(&ada)),
        visit(
            "/dashboard/e/{slug}",
            format!("/dashboard/e/{slug}"),
            Some(&ada),
        ),
        visit("/dashboard/e/{slug}/staff", staff_page, Some(&ada)),
        visit(
            "/dashboard/e/{slug}/types/{id}",
            format!("/dashboard/e/{slug}/types/{vip}"),
            Some(&ada),
        ),
        visit(
            "/staff/join/{token}",
            format!("/staff/join/{token}"),
            Some(&sam),
        ),
        visit(
            "/dashboard/e/{slug}/edit",
            format!("/dashboard/e/{slug}/edit"),
            Some(&ada),
        ),
        visit(
            "/dashboard/e/{slug}/attendees",
            format!("/dashboard/e/{slug}/attendees?q=a&page=1"),
            Some(&ada),
        ),
        visit(
            "/dashboard/e/{slug}/door",
            format!("/dashboard/e/{slug}/door?q=ada"),
            Some(&ada),
        ),
    ];
    let routes = events::server::app().page_paths().await;
    app.check_every_page(&routes, &visits).await;
}

/// Without JavaScript, a form that fails goes back to its page, which says what is wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_sent_without_javascript_comes_back_with_its_error() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let form = event_form(&[("ends", "2099-12-12T19:00")]);
    let res = devstack::testkit::client()
        .post(app.url("/api/events/create"))
        .header("origin", &app.origin)
        .header("referer", format!("{}/dashboard/new", app.origin))
        .header("accept", "text/html,application/xhtml+xml")
        .header("cookie", app.cookie(&ada))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "a browser follows it");
    let back = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        back.starts_with(&format!("{}/dashboard/new?", app.origin)),
        "{back}"
    );
    let path = back.trim_start_matches(&app.origin).to_owned();
    let html = app.get(&path, Some(&ada)).await.text().await.expect("page");
    let ends_error = html
        .split("data-field-error=\"ends\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_default();
    assert!(
        ends_error.contains("End the event after it starts."),
        "the page shows the error at its field: {ends_error:?}"
    );
    assert_eq!(count(&app, "select count(*) from events").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_type_sells_only_within_its_sales_window() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let slug = create(&app, &ada, &[]).await;
    let add = |sales_start: &'static str, sales_end: &'static str| {
        let (app, ada, slug) = (&app, &ada, slug.clone());
        async move {
            app.call(
                "/api/events/add-ticket-type",
                &[
                    ("slug", slug.as_str()),
                    ("name", "Early"),
                    ("price", ""),
                    ("capacity", "10"),
                    ("max_per_order", ""),
                    ("sales_start", sales_start),
                    ("sales_end", sales_end),
                ],
                Some(ada),
            )
            .await
        }
    };
    // Closing before opening, or after the event starts (20:00 on 12 Dec 2099): refused.
    let res = add("2099-12-01T10:00", "2099-11-30T10:00").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["Validation"]["field"], json!("sales_end"));
    let res = add("", "2099-12-12T21:00").await;
    assert_eq!(
        res.body["Validation"]["message"],
        json!("Close sales by the time the event starts.")
    );
    // Opening on 1 December 2099, 10:00 in the event's zone.
    let res = add("2099-12-01T10:00", "").await;
    assert!(res.status.is_success(), "{:?}", res.body);
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let early = type_id(&app, "Early").await;
    let opens: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("select sales_start from ticket_types")
            .fetch_one(&app.db.pool)
            .await
            .expect("sales_start");
    assert_eq!(opens.to_rfc3339(), "2099-12-01T16:00:00+00:00");
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("On sale from Tue 1 Dec 2099, 10:00"),
        "{page}"
    );
    let rsvp = || {
        let (app, bob, early) = (&app, &bob, early.clone());
        async move {
            app.call(
                "/api/tickets/rsvp",
                &[
                    ("ticket_type_id", early.as_str()),
                    ("quantity", "1"),
                    ("idempotency_key", "window-bob-1"),
                ],
                Some(bob),
            )
            .await
        }
    };
    let res = rsvp().await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.body["Conflict"]["message"],
        json!("This ticket type is not on sale now.")
    );
    // Once open, it sells; once closed, it says so.
    sqlx::query("update ticket_types set sales_start = now() - interval '1 hour'")
        .execute(&app.db.pool)
        .await
        .expect("open");
    assert!(rsvp().await.status.is_success());
    sqlx::query("update ticket_types set sales_end = now() - interval '1 minute'")
        .execute(&app.db.pool)
        .await
        .expect("close");
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Sales have closed"), "{page}");
}

//! The door: a ticket's QR code opens its event's door page; a ticket comes in once, paid or
//! free, of its own event only; the organizer alone works the door.

mod common;

use common::{add_type, count, create, spawn, type_id};
use devstack::harness::{TestApp, User};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

async fn take(app: &TestApp, who: &User, path: &str, ticket_type: &str, key: &str) {
    let res = app
        .call(
            path,
            &[
                ("ticket_type_id", ticket_type),
                ("quantity", "1"),
                ("idempotency_key", key),
            ],
            Some(who),
        )
        .await;
    assert!(res.status.is_success(), "{path}: {:?}", res.body);
}

/// The code and id of `holder`'s ticket (their only one) of the event `slug`.
async fn ticket_of(app: &TestApp, slug: &str, holder: &User) -> (String, Uuid) {
    sqlx::query_as(
        "select t.secret, t.id from tickets t join orders o on o.id = t.order_id
         join events e on e.id = t.event_id where e.slug = $1 and o.buyer_id = $2",
    )
    .bind(slug)
    .bind(holder.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("ticket")
}

async fn check_in(
    app: &TestApp,
    who: Option<&User>,
    slug: &str,
    field: (&str, &str),
) -> devstack::testkit::Answer {
    app.call("/api/door/check-in", &[("slug", slug), field], who)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_comes_in_once_and_a_second_scan_says_when_and_by_whom() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let (bob, carol, dan) = (
        app.signed_in("Bob Banks").await,
        app.signed_in("Carol").await,
        app.signed_in("Dan").await,
    );
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "50").await;
    add_type(&app, &ada, &slug, "VIP", "25.00", "50").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let (general, vip) = (type_id(&app, "General").await, type_id(&app, "VIP").await);
    take(&app, &bob, "/api/tickets/rsvp", &general, "door-bob-rsvp").await;
    take(&app, &carol, "/api/orders/checkout", &vip, "door-carol-vip").await;
    take(&app, &dan, "/api/tickets/rsvp", &general, "door-dan-rsvp").await;
    let (bob_code, bob_ticket) = ticket_of(&app, &slug, &bob).await;
    let (carol_code, _) = ticket_of(&app, &slug, &carol).await;
    let (dan_code, _) = ticket_of(&app, &slug, &dan).await;

    // Bob's ticket shows a QR code that carries the door page with his code.
    let page = app
        .get("/tickets", Some(&bob))
        .await
        .text()
        .await
        .expect("page");
    let door_url = format!("{}/dashboard/e/{slug}/door?code={bob_code}", app.origin);
    let expected = events::tickets::ssr::qr_svg(&door_url);
    assert!(expected.starts_with("<svg"), "{expected}");
    assert!(
        page.contains(&expected),
        "the page's QR code is the door URL's"
    );

    // The camera opens the door page with the code: Bob, not in yet.
    let page = app
        .get(
            &format!("/dashboard/e/{slug}/door?code={bob_code}"),
            Some(&ada),
        )
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(
        page.contains("data-state=\"ready\"") && page.contains("Bob Banks"),
        "{page}"
    );
    assert!(page.contains("0 of 2 in"), "{page}");

    // Stranger, visitor and holder cannot work the door; nothing changes.
    let stranger = app.signed_in("Stranger").await;
    for who in [Some(&stranger), Some(&bob), None] {
        let res = check_in(&app, who, &slug, ("code", &bob_code)).await;
        let want = if who.is_some() {
            StatusCode::FORBIDDEN
        } else {
            StatusCode::UNAUTHORIZED
        };
        assert_eq!(res.status, want, "{:?}", res.body);
        let res = app
            .call(
                "/api/door/view",
                &[("slug", &slug), ("code", ""), ("q", "")],
                who,
            )
            .await;
        assert_eq!(res.status, want);
    }
    assert_eq!(
        count(
            &app,
            "select count(*) from tickets where checked_in_at is not null"
        )
        .await,
        0
    );

    // Ten scans at once (the QR's whole URL, pasted): one lets Bob in, the others say so.
    let results: Vec<StatusCode> = futures::stream::iter(0..10)
        .map(|_| {
            let (app, ada, slug, url) = (&app, &ada, &slug, &door_url);
            async move { check_in(app, Some(ada), slug, ("code", url)).await.status }
        })
        .buffer_unordered(10)
        .collect()
        .await;
    assert_eq!(
        results.iter().filter(|s| s.is_success()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        9
    );
    let (by, at): (String, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("select checked_in_by_name, checked_in_at from tickets where id = $1")
            .bind(bob_ticket)
            .fetch_one(&app.db.pool)
            .await
            .expect("ticket");
    assert_eq!(by, "Ada");
    assert!(at.is_some());

    // The second scan says when and by whom.
    let res = check_in(&app, Some(&ada), &slug, ("code", &bob_code)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let message = res.body["Conflict"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.starts_with("Already in: Bob Banks (General). Checked in ")
            && message.ends_with(" by Ada."),
        "{message}"
    );
    let page = app
        .get(
            &format!("/dashboard/e/{slug}/door?done={bob_ticket}"),
            Some(&ada),
        )
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Checked in: Bob Banks (General)"), "{page}");
    assert!(page.contains("1 of 2 in"), "{page}");

    // Unpaid, cancelled, another event's, made up: refused, with why.
    let res = check_in(&app, Some(&ada), &slug, ("code", &carol_code)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.body["Conflict"]["message"],
        json!("Carol's ticket is not paid: do not let it in.")
    );
    sqlx::query("update tickets set status = 'void' where secret = $1")
        .bind(&dan_code)
        .execute(&app.db.pool)
        .await
        .expect("void");
    let res = check_in(&app, Some(&ada), &slug, ("code", &dan_code)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.body["Conflict"]["message"],
        json!("Dan's ticket is cancelled: do not let it in.")
    );
    let other = create(&app, &ada, &[("title", "Sunday Brunch")]).await;
    add_type(&app, &ada, &other, "Brunch", "", "10").await;
    app.call("/api/events/publish", &[("slug", &other)], Some(&ada))
        .await;
    let brunch = type_id(&app, "Brunch").await;
    let eve = app.signed_in("Eve").await;
    take(&app, &eve, "/api/tickets/rsvp", &brunch, "door-eve-brunch").await;
    let (eve_code, _) = ticket_of(&app, &other, &eve).await;
    for code in [eve_code.as_str(), "0123456789abcdef0123456789abcdef"] {
        let res = check_in(&app, Some(&ada), &slug, ("code", code)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            res.body
        );
        assert_eq!(
            res.body["Validation"]["message"],
            json!("No ticket of this event has this code.")
        );
    }
    assert_eq!(
        count(
            &app,
            "select count(*) from tickets where checked_in_at is not null"
        )
        .await,
        1
    );

    // By name: Dan's cancelled ticket shows as such; a search finds Bob in already.
    let page = app
        .get(&format!("/dashboard/e/{slug}/door?q=bob"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Bob Banks") && page.contains("General · In"),
        "{page}"
    );
    assert!(!page.contains("Carol"), "{page}");

    // Someone without their phone: found by name and let in from the list.
    let fay = app.signed_in("Fay Fields").await;
    take(&app, &fay, "/api/tickets/rsvp", &general, "door-fay-rsvp").await;
    let page = app
        .get(&format!("/dashboard/e/{slug}/door?q=FIELDS"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Fay Fields") && page.contains("General · Not in yet"),
        "{page}"
    );
    let (_, fay_ticket) = ticket_of(&app, &slug, &fay).await;
    let res = check_in(&app, Some(&ada), &slug, ("ticket", &fay_ticket.to_string())).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    assert_eq!(
        count(
            &app,
            "select count(*) from tickets where checked_in_at is not null"
        )
        .await,
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_place_reserved_to_pay_at_the_door_comes_in_once_paid_there() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let carol = app.signed_in("Carol").await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "VIP", "25.00", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let vip = type_id(&app, "VIP").await;
    let reserve = |key: &'static str| {
        let (app, carol, vip) = (&app, &carol, vip.clone());
        async move {
            app.call(
                "/api/orders/at-the-door",
                &[
                    ("ticket_type_id", &vip),
                    ("quantity", "2"),
                    ("idempotency_key", key),
                ],
                Some(carol),
            )
            .await
        }
    };

    // Only where the organizer allows it.
    let res = reserve("door-carol-1").await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.body["Conflict"]["message"],
        json!("This event takes card payments only.")
    );
    sqlx::query("update events set door_payment = true")
        .execute(&app.db.pool)
        .await
        .expect("allow");
    let page = app
        .get(&format!("/e/{slug}"), Some(&carol))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(r#"data-testid="pay-at-door""#), "{page}");
    let res = reserve("door-carol-2").await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let order = res.headers["location"]
        .to_str()
        .expect("location")
        .to_owned();
    let page = app
        .get(&order, Some(&carol))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Reserved: pay at the door") && page.contains("Pay $50.00 at the door"),
        "{page}"
    );
    let mine = app.call("/api/tickets/mine", &[], Some(&carol)).await.body;
    assert_eq!(
        mine.as_array().map(Vec::len),
        Some(2),
        "her tickets, with their codes"
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from mail_outbox where kind = 'door-reserved'"
        )
        .await,
        1
    );

    // At the door: not in before paying, and the page offers to take the money.
    let (code, ticket) = ticket_of_first(&app, &carol).await;
    let res = check_in(&app, Some(&ada), &slug, ("code", &code)).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(
        res.body["Conflict"]["message"],
        json!("Carol pays at the door: take $50.00 first, then let them in.")
    );
    let page = app
        .get(&format!("/dashboard/e/{slug}/door?code={code}"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Took $50.00: let in"), "{page}");
    let stranger = app.signed_in("Stranger").await;
    let paid = |who| {
        let (app, slug, ticket) = (&app, slug.clone(), ticket.to_string());
        async move {
            app.call(
                "/api/door/paid",
                &[("slug", &slug), ("ticket", &ticket)],
                who,
            )
            .await
        }
    };
    assert_eq!(paid(Some(&stranger)).await.status, StatusCode::FORBIDDEN);
    let res = paid(Some(&ada)).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let (status, paid_by): (String, Option<String>) =
        sqlx::query_as("select status, paid_by from orders")
            .fetch_one(&app.db.pool)
            .await
            .expect("order");
    assert_eq!(
        (status.as_str(), paid_by.as_deref()),
        ("paid", Some("door"))
    );
    assert_eq!(
        count(
            &app,
            "select count(*) from tickets where checked_in_at is not null"
        )
        .await,
        1
    );
    // Twice is once; her second ticket now comes in like any paid one.
    assert_eq!(paid(Some(&ada)).await.status, StatusCode::CONFLICT);
    let other: String = sqlx::query_scalar("select secret from tickets where id <> $1")
        .bind(ticket)
        .fetch_one(&app.db.pool)
        .await
        .expect("ticket");
    assert!(
        check_in(&app, Some(&ada), &slug, ("code", &other))
            .await
            .status
            .is_success()
    );
    let page = app
        .get(&format!("/dashboard/e/{slug}/attendees"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Paid $50.00 · refunded $0.00 · net $50.00"),
        "{page}"
    );
}

async fn ticket_of_first(app: &TestApp, holder: &User) -> (String, Uuid) {
    sqlx::query_as(
        "select t.secret, t.id from tickets t join orders o on o.id = t.order_id
         where o.buyer_id = $1 order by t.id limit 1",
    )
    .bind(holder.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("ticket")
}

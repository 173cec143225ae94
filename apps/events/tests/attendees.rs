//! The organizer's sales and attendee list: counts and money that add up, search, pages, and a
//! CSV that a spreadsheet reads as text.

mod common;

use common::{add_type, create, spawn, type_id};
use devstack::{harness::TestApp, localstripe::cards};
use reqwest::StatusCode;

async fn take(
    app: &TestApp,
    who: &devstack::harness::User,
    path: &str,
    t: &str,
    n: &str,
    key: &str,
) -> Option<String> {
    let res = app
        .call(
            path,
            &[
                ("ticket_type_id", t),
                ("quantity", n),
                ("idempotency_key", key),
            ],
            Some(who),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    res.headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/orders/"))
        .map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organizer_sees_sales_and_attendees_and_downloads_them_as_safe_csv() {
    let app = spawn().await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob Banks").await;
    let mallory = app
        .signed_in("=HYPERLINK(\"http://evil.test\",\"x\")")
        .await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "VIP", "25.00", "10").await;
    add_type(&app, &ada, &slug, "General", "", "100").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let (vip, general) = (type_id(&app, "VIP").await, type_id(&app, "General").await);

    // Bob buys two VIP and pays, then cancels one; Mallory and 60 fans RSVP.
    let order = take(&app, &bob, "/api/orders/checkout", &vip, "2", "att-bob-vip")
        .await
        .expect("order");
    let token = app
        .localstripe
        .expect("payments")
        .token(cards::VISA)
        .await
        .expect("token");
    let res = app
        .call(
            "/api/orders/pay",
            &[("id", &order), ("token", &token)],
            Some(&bob),
        )
        .await;
    assert_eq!(res.body, serde_json::json!("paid"));
    let bob_ticket: uuid::Uuid =
        sqlx::query_scalar("select id from tickets where order_id = $1::uuid order by id limit 1")
            .bind(&order)
            .fetch_one(&app.db.pool)
            .await
            .expect("ticket");
    app.call(
        "/api/tickets/cancel",
        &[("id", &bob_ticket.to_string())],
        Some(&bob),
    )
    .await;
    take(
        &app,
        &mallory,
        "/api/tickets/rsvp",
        &general,
        "1",
        "att-mallory",
    )
    .await;
    for i in 0..6 {
        let fan = app.signed_in(&format!("Fan {i}")).await;
        take(
            &app,
            &fan,
            "/api/tickets/rsvp",
            &general,
            "10",
            &format!("att-fan-{i:04}"),
        )
        .await;
    }

    // Sales and money add up: 1 VIP sold (one cancelled), $50 paid, $25 back.
    let page = app
        .get(&format!("/dashboard/e/{slug}/attendees"), Some(&ada))
        .await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(page.contains("1 of 10 sold · $25.00"), "{page}");
    assert!(page.contains("61 of 100 sold · Free"), "{page}");
    assert!(
        page.contains("Paid $50.00 · refunded $25.00 · net $25.00"),
        "{page}"
    );
    assert!(page.contains("63 tickets"), "{page}");
    assert_eq!(
        page.matches("<tr class=\"border-b border-slate-100\"")
            .count(),
        50
    );
    let second = app
        .get(&format!("/dashboard/e/{slug}/attendees?page=2"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert_eq!(
        second
            .matches("<tr class=\"border-b border-slate-100\"")
            .count(),
        13
    );

    // Search by part of a name, whatever its case.
    let found = app
        .get(
            &format!("/dashboard/e/{slug}/attendees?q=BANKS"),
            Some(&ada),
        )
        .await
        .text()
        .await
        .expect("page");
    assert!(
        found.contains("2 tickets") && found.contains("Cancelled") && found.contains("Paid"),
        "{found}"
    );
    assert!(!found.contains("Fan 1"), "{found}");

    // The CSV: every ticket, and a formula in a name stays text.
    let res = app
        .get(&format!("/dashboard/e/{slug}/attendees.csv"), Some(&ada))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csv = res.text().await.expect("csv");
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 64, "a header and 63 tickets");
    assert!(lines[0].starts_with("Name,Email,Ticket,Price,Status"));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.test\"\",\"\"x\"\")\""),
        "{}",
        lines[1]
    );
    assert!(
        csv.contains("Bob Banks,")
            && csv.contains(",25.00,Cancelled,")
            && csv.contains(",25.00,Paid,")
    );

    // Nobody else gets them.
    let stranger = app.signed_in("Stranger").await;
    for path in [
        format!("/dashboard/e/{slug}/attendees.csv"),
        format!("/dashboard/e/{slug}/attendees"),
    ] {
        let res = app.get(&path, Some(&stranger)).await;
        let status = res.status();
        let body = res.text().await.unwrap_or_default();
        assert!(!body.contains("Bob Banks"), "{path}: {body}");
        if path.ends_with(".csv") {
            assert_eq!(status, StatusCode::FORBIDDEN);
        }
        let res = app.get(&path, None).await;
        assert!(
            res.status().is_redirection(),
            "{path}: a visitor is sent to sign in"
        );
    }
    let res = app
        .call(
            "/api/attendees/list",
            &[("slug", &slug), ("q", ""), ("page", "1")],
            Some(&stranger),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

//! Editing an event: what its page says changes; taken places stay (capacity cannot go below
//! them); a new date is told to every ticket holder and reschedules a postponed event.

mod common;

use common::{add_type, create, event_form, spawn_with, type_id};
use devstack::harness::Opts;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_edits_an_event_and_holders_hear_of_a_new_date() {
    let app = spawn_with(Opts::default().with_mail()).await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let slug = create(&app, &ada, &[("capacity", "10")]).await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let general = type_id(&app, "General").await;
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &general),
                ("quantity", "3"),
                ("idempotency_key", "edit-bob-rsvp"),
            ],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success());

    // The form comes filled in, in the event's own zone.
    let page = app
        .get(&format!("/dashboard/e/{slug}/edit"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains(r#"value="2099-12-12T20:00""#) && page.contains("The Grand Ballroom"),
        "{page}"
    );

    let update = |changes: Vec<(&'static str, &'static str)>| {
        let mut form = event_form(&changes);
        form.push(("slug", slug.as_str()));
        form
    };
    // Below the places taken: refused at the field; a stranger: refused; nothing changed.
    let res = app
        .call(
            "/api/events/update",
            &update(vec![("capacity", "2")]),
            Some(&ada),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["Validation"]["field"], json!("capacity"));
    let stranger = app.signed_in("Stranger").await;
    let res = app
        .call(
            "/api/events/update",
            &update(vec![("title", "Mine Now")]),
            Some(&stranger),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Saturday Social") && !page.contains("Mine Now"));

    // A new title and place: shown; nobody mailed (no new date).
    let res = app
        .call(
            "/api/events/update",
            &update(vec![
                ("title", "Saturday Social Deluxe"),
                ("venue", "The Loft"),
                ("capacity", "3"),
            ]),
            Some(&ada),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Saturday Social Deluxe") && page.contains("The Loft"),
        "{page}"
    );
    assert!(page.contains("Sold out"), "3 places, 3 taken: {page}");

    // Postponed, then a new date: rescheduled, and Bob hears of it.
    let res = app
        .call(
            "/api/events/postpone",
            &[("slug", &slug), ("message", ""), ("confirm", "yes")],
            Some(&ada),
        )
        .await;
    assert!(res.status.is_success());
    let res = app
        .call(
            "/api/events/update",
            &update(vec![
                ("title", "Saturday Social Deluxe"),
                ("venue", "The Loft"),
                ("capacity", "3"),
                ("starts", "2099-12-19T20:00"),
                ("ends", "2099-12-20T01:00"),
            ]),
            Some(&ada),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let status: String = sqlx::query_scalar("select status from events")
        .fetch_one(&app.db.pool)
        .await
        .expect("status");
    assert_eq!(status, "published");
    // (Bob: his RSVP, the postponement, the new date.)
    let mails = app.mails_to(&bob.email, 3).await;
    let moved = mails
        .iter()
        .find(|m| m["subject"] == json!("Saturday Social Deluxe: a new date"))
        .expect("told of the new date");
    let text = moved["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Sat 19 Dec 2099, 20:00") && text.contains("America/Chicago"),
        "{text}"
    );
}

/// The description is shown formatted (paragraphs, emphasis, lists, web links), and whatever
/// markup or script an organizer types is shown as text, never run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_description_is_shown_formatted_and_never_as_markup() {
    let app = spawn_with(Opts::default()).await;
    let ada = app.signed_in("Ada").await;
    let description = "Doors at **8**.\n\n- Smart casual\n- [Parking](https://example.com/park)\n\n\
                       <script>alert(1)</script> [x](javascript:alert(1))";
    let slug = create(&app, &ada, &[("description", description)]).await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    let shown = page
        .split_once(r#"data-testid="event-description""#)
        .and_then(|(_, rest)| rest.split_once("</div>"))
        .map(|(d, _)| d)
        .unwrap_or_else(|| panic!("a description in {page}"));
    assert!(
        shown.contains("<p>Doors at <strong>8</strong>.</p>"),
        "{shown}"
    );
    assert!(shown.contains("<li>Smart casual</li>"), "{shown}");
    assert!(
        shown.contains(
            r#"<a href="https://example.com/park" rel="nofollow ugc noopener">Parking</a>"#
        ),
        "{shown}"
    );
    assert!(
        shown.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{shown}"
    );
    assert!(
        !shown.contains("<script") && !shown.contains(r#"href="javascript"#),
        "{shown}"
    );

    // The edit form has it as typed.
    let form = app
        .get(&format!("/dashboard/e/{slug}/edit"), Some(&ada))
        .await
        .text()
        .await
        .expect("form");
    assert!(form.contains("Doors at **8**."), "{form}");
}

/// Ticket types are edited and removed by their organizer: places never below those taken, a
/// type with tickets issued stays (with how to stop selling it), a new price is for new orders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_edits_and_removes_ticket_types_never_below_what_is_taken() {
    let app = spawn_with(Opts::default()).await;
    let ada = app.signed_in("Ada").await;
    let bob = app.signed_in("Bob").await;
    let slug = create(&app, &ada, &[]).await;
    add_type(&app, &ada, &slug, "General", "", "10").await;
    add_type(&app, &ada, &slug, "Spare", "", "5").await;
    app.call("/api/events/publish", &[("slug", &slug)], Some(&ada))
        .await;
    let (general, spare) = (type_id(&app, "General").await, type_id(&app, "Spare").await);
    let res = app
        .call(
            "/api/tickets/rsvp",
            &[
                ("ticket_type_id", &general),
                ("quantity", "3"),
                ("idempotency_key", "types-bob"),
            ],
            Some(&bob),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);

    // The form, filled in.
    let page = app
        .get(&format!("/dashboard/e/{slug}/types/{general}"), Some(&ada))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains(r#"value="General""#) && page.contains("3 places taken"),
        "{page}"
    );
    let (on, as_ada) = (&app, &ada);
    let edit = |id: &str, name: &str, price: &str, places: &str| {
        let form = [
            ("slug", slug.clone()),
            ("id", id.to_owned()),
            ("name", name.to_owned()),
            ("price", price.to_owned()),
            ("capacity", places.to_owned()),
            ("max_per_order", String::new()),
        ];
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            on.call("/api/events/update-ticket-type", &form, Some(as_ada))
                .await
        }
    };

    // Not below what is taken.
    let res = edit(&general, "General", "", "2").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["Validation"]["field"], json!("capacity"));
    assert!(
        res.body.to_string().contains("at least 3"),
        "{:?}",
        res.body
    );

    // Renamed, priced, and down to what is taken: sold out, and Bob's order as it was.
    let res = edit(&general, "General admission", "12.50", "3").await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let (name, price, places): (String, i32, i32) =
        sqlx::query_as("select name, price_cents, capacity from ticket_types where id = $1::uuid")
            .bind(&general)
            .fetch_one(&app.db.pool)
            .await
            .expect("type");
    assert_eq!(
        (name.as_str(), price, places),
        ("General admission", 1250, 3)
    );
    let bob_total: i32 = sqlx::query_scalar("select total_cents from orders")
        .fetch_one(&app.db.pool)
        .await
        .expect("order");
    assert_eq!(bob_total, 0);
    let page = app
        .get(&format!("/e/{slug}"), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("General admission") && page.contains("$12.50") && page.contains("Sold out"),
        "{page}"
    );

    // A type with tickets stays; one without goes.
    let remove = |id: String| {
        let slug = slug.clone();
        async move {
            on.call(
                "/api/events/remove-ticket-type",
                &[("slug", slug.as_str()), ("id", id.as_str())],
                Some(as_ada),
            )
            .await
        }
    };
    let res = remove(general.clone()).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body.to_string().contains("set its places to 3"),
        "{:?}",
        res.body
    );
    let res = remove(spare.clone()).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    assert_eq!(
        common::count(&app, "select count(*) from ticket_types").await,
        1
    );
    // Gone is gone; and a type is only found through its own event.
    let res = remove(spare).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let other = create(&app, &ada, &[("title", "Other Night")]).await;
    let res = app
        .call(
            "/api/events/remove-ticket-type",
            &[("slug", other.as_str()), ("id", general.as_str())],
            Some(&ada),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

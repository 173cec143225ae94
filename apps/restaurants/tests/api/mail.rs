//! Mail about orders, through the outbox to a real SMTP server (maildev): the customer's
//! confirmation and "ready for pickup", the restaurant's new-order notice (which its owner can
//! turn off).

use devstack::harness::{Opts, TestApp};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::Fixtures;

const ORDERS: &str = "/api/v1/orders";

async fn step(app: &TestApp, order: &str, step: &str, who: &devstack::harness::User) {
    let res = app
        .call(
            "/api/orders/step",
            &[("id", order), ("step", step)],
            Some(who),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{step}: {:?}", res.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_and_the_restaurant_hear_about_an_order_and_the_owner_can_say_no_more() {
    let app = TestApp::spawn_with(restaurants::server::app(), Opts::default().with_mail()).await;
    let owner = app.signed_in("Owner").await;
    let customer = app.signed_in("Cleo").await;
    let k = app.kitchen(owner.id).await;
    let kitchen_inbox = format!(
        "orders-{}@example.com",
        &Uuid::new_v4().simple().to_string()[..8]
    );

    // Only the owner decides where new-order mail goes.
    let set = |who: &devstack::harness::User, email: &str, on: bool| {
        let id = k.id.to_string();
        let email = email.to_owned();
        let who = who.clone();
        let app = &app;
        async move {
            let mut form = vec![("restaurant_id", id.as_str()), ("email", email.as_str())];
            if on {
                form.push(("on", "on"));
            }
            app.call("/api/orders/set-emails", &form, Some(&who)).await
        }
    };
    assert_eq!(
        set(&customer, "evil@example.com", true).await.status,
        StatusCode::FORBIDDEN
    );
    let bad = set(&owner, "not an address", true).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_field().as_deref(), Some("email"));
    assert_eq!(
        set(&owner, &kitchen_inbox, true).await.status,
        StatusCode::OK
    );

    let place = || async {
        let (status, order) = app
            .send_json(
                ORDERS,
                &k.order(&[(k.wings, 2, &[k.lemon_pepper])], None),
                Some(&customer),
                Some(&Uuid::new_v4().to_string()),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{order}");
        order
    };
    let order = place().await;
    let id = order["id"].as_str().expect("id").to_owned();
    let number = order["number"].as_i64().expect("number");

    let mine = app.mails_to(&customer.email, 1).await;
    assert_eq!(
        mine[0]["subject"],
        format!("Your order #{number} at Test Kitchen")
    );
    let text = mine[0]["text"].as_str().unwrap_or("");
    assert!(text.contains("2 × Wings (Lemon pepper)  $23.00"), "{text}");
    assert!(text.contains("Total: $23.00"), "{text}");
    assert!(text.contains(&format!("/orders/{id}")), "{text}");

    let theirs = app.mails_to(&kitchen_inbox, 1).await;
    assert_eq!(
        theirs[0]["subject"],
        format!("New order #{number} from Cleo: $23.00")
    );
    assert!(
        theirs[0]["text"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("/dashboard/r/{}/orders", k.slug))
    );

    // Ready for pickup: the customer is told (and only then).
    step(&app, &id, "accept", &owner).await;
    step(&app, &id, "start", &owner).await;
    assert_eq!(
        app.maildev
            .expect("mail")
            .messages_to(&customer.email)
            .await
            .len(),
        1
    );
    step(&app, &id, "ready", &owner).await;
    let mine = app.mails_to(&customer.email, 2).await;
    assert_eq!(
        mine[1]["subject"],
        format!("Order #{number} is ready for pickup at Test Kitchen")
    );

    // The owner turns new-order mail off: the next order brings the customer's mail only.
    assert_eq!(
        set(&owner, &kitchen_inbox, false).await.status,
        StatusCode::OK
    );
    place().await;
    app.mails_to(&customer.email, 3).await;
    let queued: i64 = sqlx::query_scalar("select count(*) from mail_outbox where to_address = $1")
        .bind(&kitchen_inbox)
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(queued, 1, "no notice once turned off");
}

//! A shop's staff, by invitation: they work its orders, and nothing else.

mod common;

use common::{add, checkout, ok, pay, product, shop, spawn};
use devstack::localstripe::cards;
use reqwest::StatusCode;

#[tokio::test]
async fn a_shops_staff_move_its_orders_on_but_cannot_cancel_them_or_change_the_shop() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let stan = app.signed_in("Stan Staff").await;
    let stranger = app.signed_in("Sid Stranger").await;
    let shopper = app.signed_in("Sam Shopper").await;
    let slug = shop(&app, &vera, "Vera's Shoes", "5", "").await;
    let (product_slug, shoes) =
        product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "3")]).await;
    add(&app, &shopper, &shoes[0], "1").await;
    let (_, id, _) = checkout(&app, &shopper, "sam-checkout-1").await;
    assert_eq!(
        pay(&app, &shopper, id.expect("checkout"), cards::VISA)
            .await
            .body,
        "paid"
    );
    let order: uuid::Uuid = sqlx::query_scalar("select id from orders")
        .fetch_one(&app.db.pool)
        .await
        .expect("order");
    let order = order.to_string();

    // Vera makes a link; only she can.
    let made = app.call("/api/shop-staff/invite", &[], Some(&stan)).await;
    assert_eq!(made.status, StatusCode::NOT_FOUND, "Stan has no shop");
    let made = app.call("/api/shop-staff/invite", &[], Some(&vera)).await;
    let location = made.redirect_to().expect("back to the staff page");
    let token = location
        .strip_prefix("/dashboard/staff?invite=")
        .expect("the token in the URL")
        .to_owned();
    let listed = app
        .call("/api/shop-staff/list", &[("invite", &token)], Some(&vera))
        .await;
    assert!(
        listed.body["invite_link"]
            .as_str()
            .is_some_and(|l| l.ends_with(&format!("/staff/join/{token}"))),
        "{:?}",
        listed.body
    );
    // The pages: her staff page shows the link; the link's page names the shop to Stan.
    let page = app
        .get(&format!("/dashboard/staff?invite={token}"), Some(&vera))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains(&format!("/staff/join/{token}")), "{page}");
    let page = app
        .get(&format!("/staff/join/{token}"), Some(&stan))
        .await
        .text()
        .await
        .expect("page");
    assert!(page.contains("Join Vera's Shoes as staff"), "{page}");
    assert!(page.contains(r#"data-testid="join-staff""#), "{page}");
    // Her own link does nothing for her; Stan joins with it; it is used up.
    let own = app
        .call("/api/shop-staff/join", &[("token", &token)], Some(&vera))
        .await;
    assert_eq!(own.status, StatusCode::CONFLICT, "{:?}", own.body);
    let joined = app
        .call("/api/shop-staff/join", &[("token", &token)], Some(&stan))
        .await;
    assert_eq!(
        joined.redirect_to().as_deref(),
        Some(format!("/dashboard/orders?shop={slug}").as_str()),
        "{:?}",
        joined.body
    );
    let again = app
        .call(
            "/api/shop-staff/join",
            &[("token", &token)],
            Some(&stranger),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let mine = app.call("/api/shop-staff/mine", &[], Some(&stan)).await;
    assert_eq!(mine.body[0]["slug"], slug.as_str(), "{:?}", mine.body);

    // Stan sees the shop's orders, without "cancel", and moves one on.
    let page = app
        .get(&format!("/dashboard/orders?shop={slug}"), Some(&stan))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Suede sole")
            && page.contains("you are on its staff")
            && !page.contains("Cancel and refund"),
        "{page}"
    );
    let desk = app
        .call("/api/orders/shop", &[("shop", &slug)], Some(&stan))
        .await;
    assert_eq!(desk.body["owner"], false, "{:?}", desk.body);
    let steps = desk.body["orders"][0]["next"].to_string();
    assert!(
        steps.contains("accepted") && !steps.contains("cancelled"),
        "{steps}"
    );
    let res = app
        .call(
            "/api/orders/advance",
            &[("id", &order), ("status", "accepted")],
            Some(&stan),
        )
        .await;
    assert_eq!(
        res.redirect_to().as_deref(),
        Some(format!("/dashboard/orders?shop={slug}").as_str()),
        "{:?}",
        res.body
    );
    // He cannot cancel (and refund) it, nor change the shop or its products.
    let res = app
        .call(
            "/api/orders/advance",
            &[("id", &order), ("status", "cancelled")],
            Some(&stan),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
    let res = app
        .call(
            "/api/shops/update",
            &[
                ("name", "Stan's now"),
                ("description", ""),
                ("pickup_address", ""),
                ("shipping", "0"),
            ],
            Some(&stan),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .call(
            "/api/products/publish",
            &[("slug", &product_slug), ("published", "false")],
            Some(&stan),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app.call("/api/shop-staff/invite", &[], Some(&stan)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // A stranger sees nothing and moves nothing.
    let res = app
        .call("/api/orders/shop", &[("shop", &slug)], Some(&stranger))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .call(
            "/api/orders/advance",
            &[
                ("id", &order),
                ("status", "shipped"),
                ("tracking_note", "x"),
            ],
            Some(&stranger),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let (status, refunds): (String, i64) =
        sqlx::query_as("select o.status, (select count(*) from refunds) from orders o")
            .fetch_one(&app.db.pool)
            .await
            .expect("order");
    assert_eq!((status.as_str(), refunds), ("accepted", 0));

    // Vera removes Stan: he no longer sees the orders.
    let res = app
        .call(
            "/api/shop-staff/remove",
            &[("user_id", &stan.id.to_string())],
            Some(&vera),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let res = app
        .call("/api/orders/shop", &[("shop", &slug)], Some(&stan))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let res = app
        .call(
            "/api/orders/advance",
            &[
                ("id", &order),
                ("status", "shipped"),
                ("tracking_note", "x"),
            ],
            Some(&stan),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

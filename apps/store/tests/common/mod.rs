//! What the store tests share: the app, approved shops, products with variants, carts.
#![allow(dead_code)]

use devstack::harness::{Opts, TestApp, User};
use reqwest::StatusCode;
use uuid::Uuid;

/// The store on a free port, with its own database and bucket, paying through localstripe.
pub async fn spawn() -> TestApp {
    TestApp::spawn_with(store::server::app(), Opts::default().with_mail()).await
}

/// Whether a server function's answer is a success (or the redirect a form follows).
pub fn ok(status: StatusCode) -> bool {
    status.is_success() || status.is_redirection()
}

/// `owner` opens a shop (`shipping` dollars an order, pickup at `pickup` when not empty) and
/// an admin approves it; its slug.
pub async fn shop(app: &TestApp, owner: &User, name: &str, shipping: &str, pickup: &str) -> String {
    let res = app
        .call(
            "/api/shops/open",
            &[
                ("name", name),
                ("description", "We make things."),
                ("pickup_address", pickup),
                ("shipping", shipping),
            ],
            Some(owner),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let slug: String = sqlx::query_scalar("select slug from shops where owner_id = $1")
        .bind(owner.id)
        .fetch_one(&app.db.pool)
        .await
        .expect("shop");
    let admin = app.signed_in_admin("Ada Admin").await;
    let res = app
        .call(
            "/api/shops/set-status",
            &[("slug", &slug), ("status", "approved")],
            Some(&admin),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    slug
}

/// `owner`'s shop's new published product with `variants` (name, price in dollars, units);
/// its slug and the variants' ids, in order.
pub async fn product(
    app: &TestApp,
    owner: &User,
    title: &str,
    variants: &[(&str, &str, &str)],
) -> (String, Vec<String>) {
    let res = app
        .call(
            "/api/products/create",
            &[
                ("title", title),
                ("description", "Good."),
                ("category", "apparel"),
            ],
            Some(owner),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let slug: String = sqlx::query_scalar(
        "select p.slug from products p join shops s on s.id = p.shop_id
         where s.owner_id = $1 order by p.created_at desc limit 1",
    )
    .bind(owner.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("product");
    for (name, price, stock) in variants {
        let res = app
            .call(
                "/api/products/add-variant",
                &[
                    ("slug", &slug),
                    ("name", name),
                    ("price", price),
                    ("stock", stock),
                ],
                Some(owner),
            )
            .await;
        assert!(ok(res.status), "{:?}", res.body);
    }
    let res = app
        .call(
            "/api/products/publish",
            &[("slug", &slug), ("published", "true")],
            Some(owner),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "select v.id from variants v join products p on p.id = v.product_id
         where p.slug = $1 order by v.position",
    )
    .bind(&slug)
    .fetch_all(&app.db.pool)
    .await
    .expect("variants");
    (slug, ids.iter().map(Uuid::to_string).collect())
}

/// `who` puts `quantity` of `variant` in their cart.
pub async fn add(app: &TestApp, who: &User, variant: &str, quantity: &str) {
    let res = app
        .call(
            "/api/cart/add",
            &[("variant_id", variant), ("quantity", quantity)],
            Some(who),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
}

/// `who` checks out their cart with `key`: the answer's status, the checkout it leads to,
/// and the body.
pub async fn checkout(
    app: &TestApp,
    who: &User,
    key: &str,
) -> (StatusCode, Option<Uuid>, serde_json::Value) {
    let res = app
        .call(
            "/api/checkout/start",
            &[
                ("idempotency_key", key),
                ("ship_name", "Grace Hopper"),
                ("ship_address", "1 Main St\nChicago, IL 60601"),
            ],
            Some(who),
        )
        .await;
    let id = res
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.strip_prefix("/orders/"))
        .and_then(|id| id.parse().ok());
    (res.status, id, res.body)
}

/// `who` pays checkout `id` with the test card `number` as the card form does; the answer.
pub async fn pay(app: &TestApp, who: &User, id: Uuid, number: &str) -> devstack::testkit::Answer {
    let token = app
        .localstripe
        .expect("the store takes payments")
        .token(number)
        .await
        .expect("token");
    app.call(
        "/api/checkout/pay",
        &[("id", &id.to_string()), ("token", &token)],
        Some(who),
    )
    .await
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect(sql)
}

/// (on hand, reserved) of a variant.
pub async fn stock(app: &TestApp, variant: &str) -> (i32, i32) {
    sqlx::query_as("select on_hand, reserved from variants where id = $1::uuid")
        .bind(variant)
        .fetch_one(&app.db.pool)
        .await
        .expect("variant")
}

pub async fn status(app: &TestApp, checkout: Uuid) -> String {
    sqlx::query_scalar("select status from checkouts where id = $1")
        .bind(checkout)
        .fetch_one(&app.db.pool)
        .await
        .expect("checkout")
}

//! The store's public API (types in the `api` crate): the portal's home section, the newest
//! products, a product, and the signed-in user's orders.

mod common;

use api::{
    home::HomeSections,
    store::{MyOrders, ProductDetail, ProductList},
};
use common::{add, checkout, pay, product, shop, spawn};
use devstack::localstripe::cards;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_lists_new_products_a_product_and_my_orders() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let shopper = app.signed_in("Sam Shopper").await;
    shop(&app, &vera, "Vera's Shoes", "5", "").await;
    let (_, shoes) = product(
        &app,
        &vera,
        "Suede sole",
        &[("Size 9", "89.00", "2"), ("Size 10", "79.00", "0")],
    )
    .await;
    product(&app, &vera, "Shoe brush", &[("One size", "12.50", "0")]).await;
    // A draft is not listed.
    app.call(
        "/api/products/create",
        &[
            ("title", "Secret"),
            ("description", ""),
            ("category", "other"),
        ],
        Some(&vera),
    )
    .await;

    let res = app.get("/api/v1/products?limit=5", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: ProductList = res.json().await.expect("json");
    let titles: Vec<&str> = list.products.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["Shoe brush", "Suede sole"]);
    let sole = &list.products[1];
    assert_eq!(sole.price_from_cents, 7900);
    assert!(sole.in_stock);
    assert!(!list.products[0].in_stock);
    assert_eq!(sole.vendor.name, "Vera's Shoes");
    assert!(sole.url.ends_with("/p/suede-sole"), "{}", sole.url);
    assert_eq!(
        app.get("/api/v1/products?limit=0", None).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.get("/api/v1/products?limit=x", None).await.status(),
        StatusCode::BAD_REQUEST
    );

    let detail: ProductDetail = app
        .get("/api/v1/products/suede-sole", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(detail.variants.len(), 2);
    assert_eq!(detail.variants[0].left, 2);
    assert_eq!(
        app.get("/api/v1/products/secret", None).await.status(),
        StatusCode::NOT_FOUND
    );

    let home: HomeSections = app
        .get("/api/v1/home", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(home.sections[0].key, "new");
    assert_eq!(home.sections[0].cards.len(), 2);
    assert!(
        home.sections[0].cards[1].subtitle.contains("from $79.00"),
        "{:?}",
        home.sections[0].cards
    );
    assert_eq!(
        home.sections[0].cards[0]
            .badge
            .as_ref()
            .map(|b| b.text.as_str()),
        Some("Sold out")
    );

    // My orders: signed in only, one's own.
    assert_eq!(
        app.get("/api/v1/orders", None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    add(&app, &shopper, &shoes[0], "1").await;
    let (_, id, _) = checkout(&app, &shopper, "sam-api-1").await;
    assert_eq!(
        pay(&app, &shopper, id.expect("checkout"), cards::VISA)
            .await
            .body,
        "paid"
    );
    let mine: MyOrders = app
        .get("/api/v1/orders", Some(&shopper))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(mine.orders.len(), 1);
    assert_eq!(mine.orders[0].total_cents, 8900 + 500);
    assert_eq!(mine.orders[0].status, "paid");
    assert!(mine.orders_url.ends_with("/orders"), "{}", mine.orders_url);
    assert!(mine.orders[0].number.starts_with('S') && mine.orders[0].number.len() == 9);
    let theirs: MyOrders = app
        .get("/api/v1/orders", Some(&vera))
        .await
        .json()
        .await
        .expect("json");
    assert!(theirs.orders.is_empty());
}

//! Shops and products: a member opens a shop, an admin approves it before its products are
//! listed; the catalog searches, filters, sorts and pages; a shop can see and change only its
//! own products and orders, a shopper only their own orders.

mod common;

use common::{add, checkout, count, ok, pay, product, shop, spawn, stock};
use devstack::localstripe::cards;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_shop_is_listed_once_an_admin_approves_it() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let res = app
        .call(
            "/api/shops/open",
            &[
                ("name", "Vera's Shoes"),
                ("description", ""),
                ("pickup_address", ""),
                ("shipping", "abc"),
            ],
            Some(&vera),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(count(&app, "select count(*) from shops").await, 0);
    let res = app
        .call(
            "/api/shops/open",
            &[
                ("name", "Vera's Shoes"),
                ("description", "Hand made."),
                ("pickup_address", ""),
                ("shipping", "5"),
            ],
            Some(&vera),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    // One shop per member.
    let res = app
        .call(
            "/api/shops/open",
            &[
                ("name", "Another"),
                ("description", ""),
                ("pickup_address", ""),
                ("shipping", ""),
            ],
            Some(&vera),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
    let (slug, variants) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "3")]).await;
    // Pending: neither the shop nor its products are listed, but the owner sees them.
    let list = app
        .call(
            "/api/catalog/list",
            &[("query[q]", ""), ("query[page]", "1")],
            None,
        )
        .await;
    assert_eq!(list.body["total"], 0, "{:?}", list.body);
    assert_eq!(
        app.get(&format!("/p/{slug}"), None).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&format!("/p/{slug}"), Some(&vera)).await.status(),
        StatusCode::OK
    );
    let shopper = app.signed_in("Sam Shopper").await;
    let res = app
        .call(
            "/api/cart/add",
            &[("variant_id", &variants[0]), ("quantity", "1")],
            Some(&shopper),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{:?}", res.body);

    // Only an admin approves.
    let res = app
        .call(
            "/api/shops/set-status",
            &[("slug", "vera-s-shoes"), ("status", "approved")],
            Some(&vera),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let admin = app.signed_in_admin("Ada Admin").await;
    let res = app
        .call(
            "/api/shops/set-status",
            &[("slug", "vera-s-shoes"), ("status", "approved")],
            Some(&admin),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let page = app.get(&format!("/p/{slug}"), None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(
        page.contains("Suede sole") && page.contains("$89.00") && page.contains("Only 3 left"),
        "{page}"
    );
    // Every page leads to the cart, the orders and the shop's dashboard.
    for link in [
        r#"href="/cart""#,
        r#"href="/orders""#,
        r#"href="/dashboard""#,
    ] {
        assert!(page.contains(link), "{link}: {page}");
    }
    let shop_page = app
        .get("/s/vera-s-shoes", None)
        .await
        .text()
        .await
        .expect("page");
    assert!(
        shop_page.contains("Hand made.") && shop_page.contains("Shipping $5.00 an order"),
        "{shop_page}"
    );

    // Suspended: off the list again.
    app.call(
        "/api/shops/set-status",
        &[("slug", "vera-s-shoes"), ("status", "suspended")],
        Some(&admin),
    )
    .await;
    assert_eq!(
        app.get(&format!("/p/{slug}"), None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_searches_filters_sorts_and_pages() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let otto = app.signed_in("Otto Other").await;
    shop(&app, &vera, "Vera's Shoes", "5", "").await;
    shop(&app, &otto, "Otto's Tees", "0", "").await;
    product(
        &app,
        &vera,
        "Suede sole dance shoe",
        &[("Size 9", "89.00", "3"), ("Size 10", "95.00", "0")],
    )
    .await;
    product(&app, &vera, "Shoe brush", &[("One size", "12.50", "0")]).await;
    product(&app, &otto, "Steppers tee", &[("M", "20.00", "10")]).await;
    let titles = |body: &serde_json::Value| -> Vec<String> {
        body["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let list = |q: &'static [(&'static str, &'static str)]| {
        let app = &app;
        async move {
            let mut form = vec![("query[page]", "1")];
            form.extend_from_slice(q);
            let res = app.call("/api/catalog/list", &form, None).await;
            assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
            res.body
        }
    };
    let all = list(&[]).await;
    assert_eq!(all["total"], 3);
    assert_eq!(titles(&all)[0], "Steppers tee", "newest first");
    let mut shoes = titles(&list(&[("query[q]", "shoes")]).await);
    shoes.sort();
    assert_eq!(
        shoes,
        ["Shoe brush", "Suede sole dance shoe"],
        "both stem to shoe"
    );
    let by_price = titles(&list(&[("query[sort]", "price")]).await);
    assert_eq!(
        by_price,
        ["Shoe brush", "Steppers tee", "Suede sole dance shoe"]
    );
    let in_stock = titles(&list(&[("query[in_stock]", "true")]).await);
    assert_eq!(in_stock.len(), 2, "{in_stock:?}");
    assert!(!in_stock.contains(&"Shoe brush".to_owned()));
    let cheap = titles(&list(&[("query[min]", "10"), ("query[max]", "25")]).await);
    assert_eq!(cheap.len(), 2, "{cheap:?}");
    let from_otto = titles(&list(&[("query[shop]", "otto-s-tees")]).await);
    assert_eq!(from_otto, ["Steppers tee"]);
    let res = app
        .call(
            "/api/catalog/list",
            &[("query[page]", "1"), ("query[min]", "ten")],
            None,
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    // The page itself, signed out, with the filters in its URL.
    let page = app.get("/?q=tee&in_stock=1", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("page");
    assert!(
        page.contains("Steppers tee") && !page.contains("Shoe brush"),
        "{page}"
    );

    // The shop filter offers the shops with something listed (not one waiting for approval),
    // by name, the chosen one selected.
    let penny = app.signed_in("Penny Pending").await;
    let res = app
        .call(
            "/api/shops/open",
            &[
                ("name", "Penny's Pending"),
                ("description", ""),
                ("pickup_address", ""),
                ("shipping", "0"),
            ],
            Some(&penny),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    product(&app, &penny, "Unlisted hat", &[("One size", "5.00", "5")]).await;
    let shops = app.call("/api/catalog/shops", &[], None).await;
    assert_eq!(
        shops.body,
        serde_json::json!([
            {"slug": "otto-s-tees", "name": "Otto's Tees"},
            {"slug": "vera-s-shoes", "name": "Vera's Shoes"},
        ])
    );
    let page = app
        .get("/?shop=otto-s-tees", None)
        .await
        .text()
        .await
        .expect("page");
    let option = page
        .split("<option value=\"otto-s-tees\"")
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_default();
    assert!(option.contains("selected"), "{page}");
    assert!(
        page.contains("Steppers tee") && !page.contains("Suede sole") && !page.contains("Penny"),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shop_sees_and_changes_only_its_own_products_and_orders() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let otto = app.signed_in("Otto Other").await;
    let shopper = app.signed_in("Sam Shopper").await;
    let stranger = app.signed_in("Stan Stranger").await;
    shop(&app, &vera, "Vera's Shoes", "5", "").await;
    shop(&app, &otto, "Otto's Tees", "0", "").await;
    let (slug, shoes) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "3")]).await;
    let (_, tees) = product(&app, &otto, "Tee", &[("M", "20.00", "5")]).await;
    add(&app, &shopper, &shoes[0], "1").await;
    add(&app, &shopper, &tees[0], "1").await;
    let (_, id, _) = checkout(&app, &shopper, "sam-checkout-1").await;
    let id = id.expect("checkout");
    assert_eq!(pay(&app, &shopper, id, cards::VISA).await.body, "paid");
    let vera_order: uuid::Uuid = sqlx::query_scalar(
        "select o.id from orders o join shops s on s.id = o.shop_id where s.owner_id = $1",
    )
    .bind(vera.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("order");
    let vera_order = vera_order.to_string();
    let before: String = sqlx::query_scalar(
        "select string_agg(p.title || p.published || v.name || v.price_cents || v.on_hand, ',' order by v.id)
         from products p join variants v on v.product_id = p.id",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("snapshot");

    // Otto (another shop) and a stranger (no shop) try every vendor function on Vera's
    // product and order.
    let variant = shoes[0].as_str();
    let checkout_id = id.to_string();
    let tries: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/api/products/update",
            vec![
                ("slug", &slug),
                ("title", "Mine"),
                ("description", ""),
                ("category", "shoes"),
                ("low_stock_at", "1"),
            ],
        ),
        (
            "/api/products/add-variant",
            vec![
                ("slug", &slug),
                ("name", "XL"),
                ("price", "1"),
                ("stock", "9"),
            ],
        ),
        (
            "/api/products/update-variant",
            vec![
                ("slug", &slug),
                ("id", variant),
                ("name", "X"),
                ("price", "1"),
                ("stock", "0"),
            ],
        ),
        (
            "/api/products/publish",
            vec![("slug", &slug), ("published", "false")],
        ),
        ("/api/products/manage", vec![("slug", &slug)]),
        (
            "/api/orders/advance",
            vec![("id", &vera_order), ("status", "cancelled")],
        ),
        ("/api/orders/cancel-mine", vec![("id", &vera_order)]),
        ("/api/checkout/get", vec![("id", &checkout_id)]),
        ("/api/checkout/confirm", vec![("id", &checkout_id)]),
    ];
    for who in [&otto, &stranger] {
        for (path, form) in &tries {
            let res = app.call(path, form, Some(who)).await;
            assert!(
                matches!(res.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{} on {path}: {} {:?}",
                who.name,
                res.status,
                res.body
            );
        }
        // Visitors are sent to sign in.
        for (path, form) in &tries {
            let res = app.call(path, form, None).await;
            assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
        }
    }
    let after: String = sqlx::query_scalar(
        "select string_agg(p.title || p.published || v.name || v.price_cents || v.on_hand, ',' order by v.id)
         from products p join variants v on v.product_id = p.id",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("snapshot");
    assert_eq!(before, after, "nothing changed");
    assert_eq!(
        count(&app, "select count(*) from orders where status = 'paid'").await,
        2
    );
    assert_eq!(count(&app, "select count(*) from refunds").await, 0);

    // Each shop's order list holds its own order only, with its own lines.
    let mine = app.call("/api/orders/shop", &[], Some(&otto)).await;
    let orders = mine.body["orders"].as_array().expect("orders");
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["lines"][0]["title"], "Tee");
    assert_eq!(
        app.call("/api/orders/shop", &[], Some(&stranger))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // The shopper sees both; someone else none of them.
    let theirs = app.call("/api/orders/mine", &[], Some(&shopper)).await;
    assert_eq!(theirs.body.as_array().map(Vec::len), Some(2));
    let none = app.call("/api/orders/mine", &[], Some(&stranger)).await;
    assert_eq!(none.body.as_array().map(Vec::len), Some(0));
    assert_eq!(
        app.get(&format!("/orders/{id}"), Some(&stranger))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // Vera's order moves on: accepted, shipped with a note; the shopper's page shows it.
    for (to, note) in [("accepted", ""), ("shipped", "USPS 9400 1000 0000")] {
        let res = app
            .call(
                "/api/orders/advance",
                &[("id", &vera_order), ("status", to), ("tracking_note", note)],
                Some(&vera),
            )
            .await;
        assert!(ok(res.status), "{to}: {:?}", res.body);
    }
    // Shipped: it cannot be cancelled any more.
    let res = app
        .call(
            "/api/orders/advance",
            &[("id", &vera_order), ("status", "cancelled")],
            Some(&vera),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    let page = app
        .get(&format!("/orders/{id}"), Some(&shopper))
        .await
        .text()
        .await
        .expect("page");
    assert!(
        page.contains("Shipped") && page.contains("USPS 9400 1000 0000"),
        "{page}"
    );
    // The shopper can no longer cancel Vera's shipped part, but cancels Otto's, still at the
    // shop: its money goes back, Vera's order stays.
    let res = app
        .call(
            "/api/orders/cancel-mine",
            &[("id", &vera_order)],
            Some(&shopper),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
    let otto_order: uuid::Uuid = sqlx::query_scalar(
        "select o.id from orders o join shops s on s.id = o.shop_id where s.owner_id = $1",
    )
    .bind(otto.id)
    .fetch_one(&app.db.pool)
    .await
    .expect("order");
    let res = app
        .call(
            "/api/orders/cancel-mine",
            &[("id", &otto_order.to_string())],
            Some(&shopper),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    let statuses: Vec<(String, String)> = sqlx::query_as(
        "select s.name, o.status from orders o join shops s on s.id = o.shop_id order by s.name",
    )
    .fetch_all(&app.db.pool)
    .await
    .expect("orders");
    assert_eq!(
        statuses,
        [
            ("Otto's Tees".to_owned(), "cancelled".to_owned()),
            ("Vera's Shoes".to_owned(), "shipped".to_owned())
        ]
    );
    let owed: i32 = sqlx::query_scalar("select amount_cents from refunds where order_id = $1")
        .bind(otto_order)
        .fetch_one(&app.db.pool)
        .await
        .expect("a refund");
    assert_eq!(owed, 2000);
    assert_eq!(
        stock(&app, &tees[0]).await,
        (5, 0),
        "the tee is back on the shelf"
    );
    let to_otto = app.mails_to(&otto.email, 2).await;
    assert!(
        to_otto.iter().any(|m| m["subject"]
            .as_str()
            .unwrap_or_default()
            .ends_with("was cancelled")),
        "{to_otto:?}"
    );
    let mails = app.mails_to(&shopper.email, 2).await;
    assert!(
        mails.iter().any(|m| m["subject"]
            .as_str()
            .unwrap_or_default()
            .contains("has shipped")),
        "{mails:?}"
    );
    assert_eq!(stock(&app, &shoes[0]).await, (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_is_never_set_below_what_checkouts_hold() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    let shopper = app.signed_in("Sam Shopper").await;
    shop(&app, &vera, "Vera's Shoes", "5", "").await;
    let (slug, shoes) = product(&app, &vera, "Suede sole", &[("Size 9", "89.00", "5")]).await;
    add(&app, &shopper, &shoes[0], "3").await;
    let (status, _, _) = checkout(&app, &shopper, "sam-checkout-1").await;
    assert!(ok(status));
    let res = app
        .call(
            "/api/products/update-variant",
            &[
                ("slug", &slug),
                ("id", &shoes[0]),
                ("name", "Size 9"),
                ("price", "89.00"),
                ("stock", "2"),
            ],
            Some(&vera),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
    assert!(
        res.body.to_string().contains("set at least 3"),
        "{:?}",
        res.body
    );
    assert_eq!(stock(&app, &shoes[0]).await, (5, 3));
    let res = app
        .call(
            "/api/products/update-variant",
            &[
                ("slug", &slug),
                ("id", &shoes[0]),
                ("name", "Size 9"),
                ("price", "79.00"),
                ("stock", "3"),
            ],
            Some(&vera),
        )
        .await;
    assert!(ok(res.status), "{:?}", res.body);
    assert_eq!(stock(&app, &shoes[0]).await, (3, 3));
    // A price of nothing, or negative stock, is a field error.
    for (field, price, stock_value) in [
        ("price", "0", "3"),
        ("stock", "5", "-1"),
        ("price", "1.234", "1"),
    ] {
        let res = app
            .call(
                "/api/products/add-variant",
                &[
                    ("slug", &slug),
                    ("name", "Size 11"),
                    ("price", price),
                    ("stock", stock_value),
                ],
                Some(&vera),
            )
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {:?}",
            res.body
        );
        assert!(res.body.to_string().contains(field), "{:?}", res.body);
    }
}

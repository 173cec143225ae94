//! A visitor's cart: kept in their browser, priced by the server like any cart, and moved into
//! the member's cart at sign-in, once.

mod common;

use common::{add, ok, product, shop, spawn};
use devstack::{harness::TestApp, testkit};
use reqwest::{StatusCode, header};

const COOKIE: &str = "sl_cart";

/// A visitor (no session) calls a cart function with the cart cookie `cart` (if any); the
/// answer and the cart cookie it sets.
async fn visitor_call(
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
    cart: Option<&str>,
) -> (testkit::Answer, Option<String>) {
    let cookie = cart.map(|c| format!("{COOKIE}={c}"));
    let res = testkit::post_form(&app.url(path), form, cookie.as_deref(), Some(&app.origin)).await;
    let set = res.cookie(COOKIE).map(|(value, _)| value);
    (res, set)
}

/// GET `path` with these cookies; the status, the cart cookie it sets and the page.
async fn get_with(
    app: &TestApp,
    path: &str,
    cookies: &str,
) -> (StatusCode, Option<String>, String) {
    let res = testkit::client()
        .get(app.url(path))
        .header(header::COOKIE, cookies)
        .send()
        .await
        .expect("request");
    let status = res.status();
    let set = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{COOKIE}=")))
        .map(str::to_owned);
    (status, set, res.text().await.unwrap_or_default())
}

async fn quantities(app: &TestApp, owner: uuid::Uuid) -> Vec<(String, i32)> {
    sqlx::query_as(
        "select v.name, c.quantity from cart_lines c join variants v on v.id = c.variant_id
         where c.owner_id = $1 order by v.name",
    )
    .bind(owner)
    .fetch_all(&app.db.pool)
    .await
    .expect("cart")
}

#[tokio::test]
async fn a_visitors_cart_is_kept_in_the_browser_and_joins_the_members_cart_once_at_sign_in() {
    let app = spawn().await;
    let vera = app.signed_in("Vera Vendor").await;
    shop(&app, &vera, "Vera's Shoes", "5", "").await;
    let (_, shoes) = product(
        &app,
        &vera,
        "Suede sole",
        &[("Size 8", "12.50", "5"), ("Size 9", "20.00", "1")],
    )
    .await;
    let (s8, s9) = (shoes[0].as_str(), shoes[1].as_str());

    // A visitor adds two of size 8, then one of size 9: the browser keeps both.
    let (res, cart) = visitor_call(
        &app,
        "/api/cart/add",
        &[("variant_id", s8), ("quantity", "2")],
        None,
    )
    .await;
    assert!(ok(res.status), "{:?}", res.body);
    let cart = cart.expect("the cart is kept in a cookie");
    let (res, cart) = visitor_call(
        &app,
        "/api/cart/add",
        &[("variant_id", s9), ("quantity", "1")],
        Some(&cart),
    )
    .await;
    assert!(ok(res.status), "{:?}", res.body);
    let cart = cart.expect("the cart is kept in a cookie");
    assert!(
        res.cookie(COOKIE)
            .is_some_and(|(_, line)| line.contains("HttpOnly")
                && line.contains("SameSite=Lax")
                && line.contains("Path=/")),
        "{:?}",
        res.headers
    );
    // Bad input is refused with a reason, and the cart is left as it was.
    let (res, set) = visitor_call(
        &app,
        "/api/cart/add",
        &[("variant_id", s8), ("quantity", "0")],
        Some(&cart),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_field().as_deref(), Some("quantity"));
    assert_eq!(set, None);

    // The cart page prices it now: 2 × $12.50 + $20.00 + $5.00 shipping; checkout needs a
    // sign-in.
    let (status, _, page) = get_with(&app, "/cart", &format!("{COOKIE}={cart}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("$50.00") && page.contains("Sign in to check out"),
        "{page}"
    );
    let (res, _) = visitor_call(
        &app,
        "/api/checkout/start",
        &[
            ("idempotency_key", "visitor-key-1"),
            ("ship_name", "V"),
            ("ship_address", "x"),
        ],
        Some(&cart),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    // A cookie the server did not make shows an empty cart, never an error.
    for bad in [
        "garbage",
        "0.1.2",
        &format!(
            "{}.{}-5",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        ),
    ] {
        let (status, _, page) = get_with(&app, "/cart", &format!("{COOKIE}={bad}")).await;
        assert_eq!(status, StatusCode::OK, "{bad}");
        assert!(page.contains("Your cart is empty"), "{bad}: {page}");
    }

    // Sam had one of size 8 in his cart. He signs in in the visitor's browser: his next
    // requests (ten at once, as a page and its calls can be) move the visitor's cart into his,
    // once, and remove it from the browser.
    let sam = app.signed_in("Sam Shopper").await;
    add(&app, &sam, s8, "1").await;
    let cookies = format!("{}; {COOKIE}={cart}", app.cookie(&sam));
    let answers =
        futures::future::join_all((0..10).map(|_| get_with(&app, "/cart", &cookies))).await;
    for (status, set, _) in &answers {
        assert_eq!(*status, StatusCode::OK);
        assert!(
            set.as_deref().is_some_and(|c| c.contains("Max-Age=0")),
            "the browser's cart is removed: {set:?}"
        );
    }
    assert_eq!(
        quantities(&app, sam.id).await,
        [("Size 8".to_owned(), 3), ("Size 9".to_owned(), 1)]
    );
    // The page shows the whole cart, with its checkout.
    let (_, _, page) = get_with(&app, "/cart", &app.cookie(&sam)).await;
    assert!(
        page.contains("$62.50") && page.contains("checkout-form"),
        "{page}"
    );

    // A member's cart never leaks to a visitor: the visitor's browser holds only its own.
    let (_, _, page) = get_with(&app, "/cart", "").await;
    assert!(page.contains("Your cart is empty"), "{page}");
}

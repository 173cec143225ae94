//! The menu editor's server functions: owners build the menu, staff switch dishes sold out,
//! nobody else touches anything.

use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::fixtures::{Fixtures, Kitchen, TestApp, spawn_app};

async fn id_of(app: &TestApp, sql: &str, name: &str) -> String {
    sqlx::query_scalar::<_, Uuid>(sql)
        .bind(name)
        .fetch_one(&app.db.pool)
        .await
        .expect("row")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_builds_a_menu_that_customers_and_the_api_see() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let k = app.kitchen(owner_id).await;
    let rid = k.id.to_string();

    let res = app
        .call(
            "/api/menu/add-category",
            &[("restaurant_id", &rid), ("name", "Sides")],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let sides = id_of(
        &app,
        "select id from menu_categories where name = $1",
        "Sides",
    )
    .await;
    let res = app
        .call(
            "/api/menu/add-item",
            &[
                ("restaurant_id", &rid),
                ("category_id", &sides),
                ("name", "Collard greens"),
                ("description", "Slow-cooked."),
                ("price", "4.5"),
                ("tags[]", "vegan"),
                ("tags[]", "gluten_free"),
            ],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let greens = id_of(
        &app,
        "select id from menu_items where name = $1",
        "Collard greens",
    )
    .await;
    let res = app
        .call(
            "/api/menu/add-group",
            &[
                ("item_id", &greens),
                ("name", "Portion"),
                ("min_choices", "1"),
                ("max_choices", "1"),
            ],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let size = id_of(
        &app,
        "select id from option_groups where name = $1",
        "Portion",
    )
    .await;
    for (name, delta) in [("Small", ""), ("Large", "+2.00")] {
        let res = app
            .call(
                "/api/menu/add-option",
                &[("group_id", &size), ("name", name), ("price_delta", delta)],
                Some(&owner),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }

    // Bad input names its field and stores nothing.
    let bad = [
        (vec![("price", "free")], "price"),
        (vec![("price", "10000.01")], "price"),
        (vec![("name", "  ")], "name"),
        (vec![("tags[]", "<script>")], "tags"),
    ];
    for (spoil, field) in bad {
        let mut f = vec![
            ("restaurant_id", rid.as_str()),
            ("category_id", sides.as_str()),
            ("name", "Yams"),
            ("description", ""),
            ("price", "3"),
        ];
        for (k2, v) in spoil {
            f.retain(|(fk, _)| *fk != k2);
            f.push((k2, v));
        }
        let res = app.call("/api/menu/add-item", &f, Some(&owner)).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {}",
            res.body
        );
        assert_eq!(res.error_field().as_deref(), Some(field));
    }
    let res = app
        .call(
            "/api/menu/add-group",
            &[
                ("item_id", &greens),
                ("name", "Bad"),
                ("min_choices", "3"),
                ("max_choices", "2"),
            ],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.error_field().as_deref(), Some("max_choices"));
    let groups: i64 = sqlx::query_scalar("select count(*) from option_groups where name = 'Bad'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(groups, 0, "nothing stored");
    let yams: i64 = sqlx::query_scalar("select count(*) from menu_items where name = 'Yams'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(yams, 0);
    // A section with dishes is not deleted with them.
    let res = app
        .call("/api/menu/delete-category", &[("id", &sides)], Some(&owner))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);

    // The public API shows the menu with its choices.
    let detail: serde_json::Value = app
        .get(&format!("/api/v1/restaurants/{}", k.slug), None)
        .await
        .json()
        .await
        .expect("json");
    let sides_json = detail["menu"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["name"] == json!("Sides"))
        .cloned()
        .expect("Sides listed");
    let item = &sides_json["items"][0];
    assert_eq!(item["name"], json!("Collard greens"));
    assert_eq!(item["price_cents"], json!(450));
    assert_eq!(item["tags"], json!(["vegan", "gluten_free"]));
    assert_eq!(
        item["option_groups"][0]["options"][1]["price_delta_cents"],
        json!(200)
    );
    assert_eq!(detail["name"], json!("Test Kitchen"));
    assert_eq!(detail["is_open_now"], json!(true));
    assert_eq!(
        app.get("/api/v1/restaurants/no-such-place", None)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );

    // The page lists it; the sold-out dish is shown as such, with no "Add" button.
    let html = app
        .get(&format!("/r/{}", k.slug), None)
        .await
        .text()
        .await
        .expect("page");
    assert!(html.contains("Collard greens") && html.contains("$4.50"));
    assert!(html.contains("Vegan · Gluten-free"));
    let oxtail = html.find(r#"data-item="Oxtail""#).expect("oxtail listed");
    let after = &html[oxtail..];
    let row_end = after.find("</li>").expect("row end");
    assert!(after[..row_end].contains("Sold out") && !after[..row_end].contains("add-item"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_join_by_link_and_may_switch_sold_out_but_not_edit() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let staff = app.signed_in("Sam").await;
    let staff_id = staff.id;
    let k = app.kitchen(owner_id).await;
    let rid = k.id.to_string();

    let res = app
        .call(
            "/api/staff/invite",
            &[("restaurant_id", &rid)],
            Some(&staff),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "only the owner invites");
    let res = app
        .call(
            "/api/staff/invite",
            &[("restaurant_id", &rid)],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let link = res.body.as_str().expect("link").to_owned();
    let token = link.rsplit('/').next().expect("token").to_owned();
    assert_eq!(token.len(), 64);

    // The owner cannot use their own link; the staff member can, once.
    let res = app
        .call("/api/staff/join", &[("token", &token)], Some(&owner))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    // That attempt did not use the link up (its transaction was rolled back).
    let res = app
        .call("/api/staff/join", &[("token", &token)], Some(&staff))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let third = app.signed_in("Third").await;
    let res = app
        .call("/api/staff/join", &[("token", &token)], Some(&third))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "used once only");
    let res = app
        .call(
            "/api/staff/join",
            &[("token", "0".repeat(64).as_str())],
            Some(&third),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    let oxtail = k.oxtail.to_string();
    let res = app
        .call(
            "/api/menu/sold-out",
            &[("id", &oxtail), ("sold_out", "false")],
            Some(&staff),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let sold_out: bool = sqlx::query_scalar("select sold_out from menu_items where id = $1")
        .bind(k.oxtail)
        .fetch_one(&app.db.pool)
        .await
        .expect("row");
    assert!(!sold_out);
    let res = app
        .call(
            "/api/menu/update-item",
            &[
                ("id", &oxtail),
                ("category_id", &k.category.to_string()),
                ("name", "Cheap"),
                ("description", ""),
                ("price", "0.01"),
            ],
            Some(&staff),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Every owner-only function refuses staff, and changes nothing.
    let before = crate::fixtures::snapshot(&app, &k).await;
    for (path, form) in owner_only(&k, staff_id, k.category) {
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let res = app.call(path, &form, Some(&staff)).await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{path} {form:?}: {}",
            res.body
        );
    }
    assert_eq!(crate::fixtures::snapshot(&app, &k).await, before);
    let res = app
        .call("/api/menu/editor", &[("slug", &k.slug)], Some(&staff))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["role"], json!("Staff"));
    let res = app
        .call("/api/orders/queue", &[("slug", &k.slug)], Some(&staff))
        .await;
    assert_eq!(res.status, StatusCode::OK);

    // Removed: back to nothing.
    let res = app
        .call(
            "/api/staff/remove",
            &[("restaurant_id", &rid), ("user_id", &staff_id.to_string())],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let res = app
        .call(
            "/api/menu/sold-out",
            &[("id", &oxtail), ("sold_out", "true")],
            Some(&staff),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    let sold_out: bool = sqlx::query_scalar("select sold_out from menu_items where id = $1")
        .bind(k.oxtail)
        .fetch_one(&app.db.pool)
        .await
        .expect("row");
    assert!(!sold_out, "a removed member changes nothing");
}

/// Every owner and staff endpoint, tried by someone who is neither: all refused, nothing changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_cannot_touch_another_restaurant_anywhere() {
    let app = spawn_app().await;
    let owner_id = app.signed_in("Owner").await.id;
    let stranger = app.signed_in("Mallory").await;
    let mallory_id = stranger.id;
    let k = app.kitchen(owner_id).await;
    // The stranger's own restaurant, to try to move things into or out of.
    let theirs = app.kitchen(mallory_id).await;
    let customer = app.signed_in("Cleo").await;
    let (_, order) = app
        .send_json(
            "/api/v1/orders",
            &k.order(&[(k.wings, 1, &[k.mild])], None),
            Some(&customer),
            Some(&Uuid::new_v4().to_string()),
        )
        .await;
    let order = order["id"].as_str().expect("order").to_owned();
    let snapshot = || crate::fixtures::snapshot(&app, &k);
    let (rid, cat, wings) = (
        k.id.to_string(),
        k.category.to_string(),
        k.wings.to_string(),
    );
    let their_id = theirs.id.to_string();
    // Someone is on the staff, so that removing staff is tried on a real member.
    let sam = app.signed_in("Sam").await.id;
    sqlx::query("insert into restaurant_staff (restaurant_id, user_id, user_name, added_by) values ($1, $2, 'Sam', $3)")
        .bind(k.id)
        .bind(sam)
        .bind(owner_id)
        .execute(&app.db.pool)
        .await
        .expect("staff");
    let before = snapshot().await;
    let mut calls = owner_only(&k, sam, theirs.category);
    calls.extend(staff_level(&k));
    for (path, form) in &calls {
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let res = app.call(path, &form, Some(&stranger)).await;
        assert_eq!(
            res.status,
            StatusCode::FORBIDDEN,
            "{path} {form:?}: {}",
            res.body
        );
        let res = app.call(path, &form, None).await;
        assert_eq!(
            res.status,
            StatusCode::UNAUTHORIZED,
            "{path} signed out: {}",
            res.body
        );
    }
    // Their order: the stranger is told there is no such order, whatever the step.
    for step in [
        "accept",
        "reject",
        "start",
        "ready",
        "picked_up",
        "cancel",
        "withdraw",
    ] {
        let res = app
            .call(
                "/api/orders/step",
                &[("id", &order), ("step", step)],
                Some(&stranger),
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{step}: {}", res.body);
    }
    // An item added to their own restaurant cannot be filed under the victim's section.
    let cross = [
        ("restaurant_id", their_id.as_str()),
        ("category_id", &cat),
        ("name", "X"),
        ("description", ""),
        ("price", "1"),
    ];
    let res = app
        .call("/api/menu/add-item", &cross, Some(&stranger))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert_eq!(res.error_field().as_deref(), Some("category_id"));
    // The photo uploads.
    for path in [
        format!("/dashboard/photos/cover/{rid}"),
        format!("/dashboard/photos/item/{wings}"),
    ] {
        let res = crate::photos::upload(&app, &path, crate::photos::png(), Some(&stranger)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
    }
    assert!(
        app.storage()
            .list(&format!("covers/{}", k.id))
            .await
            .expect("list")
            .is_empty()
            && app.storage().list("items/").await.expect("list").is_empty(),
        "nothing was stored"
    );
    // The dashboard does not list it.
    let res = app.call("/api/dashboard/mine", &[], Some(&stranger)).await;
    assert!(!res.body.to_string().contains(&k.slug), "{}", res.body);
    assert!(res.body.to_string().contains(&theirs.slug), "{}", res.body);
    assert_eq!(snapshot().await, before, "nothing changed");
}

/// Every server function only a restaurant's owner may call, aimed at `k` (`staff` is a member
/// of its staff; `elsewhere` a section of another restaurant).
fn owner_only(
    k: &Kitchen,
    staff: Uuid,
    elsewhere: Uuid,
) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let (rid, cat, wings, sauce, mild) = (
        k.id.to_string(),
        k.category.to_string(),
        k.wings.to_string(),
        k.sauce.to_string(),
        k.mild.to_string(),
    );
    let item = |id: &str, category: &str| {
        vec![
            ("id", id.to_owned()),
            ("category_id", category.to_owned()),
            ("name", "X".to_owned()),
            ("description", String::new()),
            ("price", "0".to_owned()),
        ]
    };
    let mut hours = vec![("id", rid.clone())];
    for d in [
        "hours_0", "hours_1", "hours_2", "hours_3", "hours_4", "hours_5", "hours_6",
    ] {
        hours.push((d, String::new()));
    }
    let s = |v: &str| v.to_owned();
    vec![
        (
            "/api/restaurants/update",
            vec![
                ("id", rid.clone()),
                ("name", s("Mine now")),
                ("cuisine", s("x")),
                ("city", s("x")),
                ("address", s("")),
                ("description", s("")),
                ("price_level", s("1")),
            ],
        ),
        ("/api/restaurants/hours", hours),
        ("/api/restaurants/for-edit", vec![("slug", k.slug.clone())]),
        (
            "/api/menu/add-category",
            vec![("restaurant_id", rid.clone()), ("name", s("Mine"))],
        ),
        (
            "/api/menu/rename-category",
            vec![("id", cat.clone()), ("name", s("Mine"))],
        ),
        ("/api/menu/delete-category", vec![("id", cat.clone())]),
        (
            "/api/menu/add-item",
            vec![
                ("restaurant_id", rid.clone()),
                ("category_id", cat.clone()),
                ("name", s("X")),
                ("description", s("")),
                ("price", s("1")),
            ],
        ),
        ("/api/menu/update-item", item(&wings, &cat)),
        (
            "/api/menu/update-item",
            item(&wings, &elsewhere.to_string()),
        ),
        ("/api/menu/delete-item", vec![("id", wings.clone())]),
        (
            "/api/menu/add-group",
            vec![
                ("item_id", wings.clone()),
                ("name", s("X")),
                ("min_choices", s("0")),
                ("max_choices", s("1")),
            ],
        ),
        ("/api/menu/delete-group", vec![("id", sauce.clone())]),
        (
            "/api/menu/add-option",
            vec![
                ("group_id", sauce),
                ("name", s("X")),
                ("price_delta", s("-9")),
            ],
        ),
        ("/api/menu/delete-option", vec![("id", mild)]),
        ("/api/staff/list", vec![("slug", k.slug.clone())]),
        ("/api/staff/invite", vec![("restaurant_id", rid.clone())]),
        (
            "/api/staff/remove",
            vec![("restaurant_id", rid), ("user_id", staff.to_string())],
        ),
    ]
}

/// What the owner and staff may call, aimed at `k`.
fn staff_level(k: &Kitchen) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    vec![
        ("/api/menu/editor", vec![("slug", k.slug.clone())]),
        (
            "/api/menu/sold-out",
            vec![
                ("id", k.oxtail.to_string()),
                ("sold_out", "false".to_owned()),
            ],
        ),
        ("/api/orders/queue", vec![("slug", k.slug.clone())]),
    ]
}

/// A section deleted by someone else between the checks and the insert: a clear 409, no 500,
/// and no dish left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dish_added_to_a_section_deleted_meanwhile_is_refused_clearly() {
    let app = spawn_app().await;
    let owner = app.signed_in("Owner").await;
    let owner_id = owner.id;
    let k = app.kitchen(owner_id).await;
    let res = app
        .call(
            "/api/menu/add-category",
            &[("restaurant_id", &k.id.to_string()), ("name", "Specials")],
            Some(&owner),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    let specials = id_of(
        &app,
        "select id from menu_categories where name = $1",
        "Specials",
    )
    .await;
    // Stands in for the other editor: the section goes just before the dish is inserted.
    sqlx::query(
        "create function drop_section() returns trigger language plpgsql as $$
         begin delete from menu_categories where id = new.category_id; return new; end $$",
    )
    .execute(&app.db.pool)
    .await
    .expect("function");
    sqlx::query("create trigger drop_section before insert on menu_items for each row execute function drop_section()")
        .execute(&app.db.pool)
        .await
        .expect("trigger");
    let form = [
        ("restaurant_id", k.id.to_string()),
        ("category_id", specials.clone()),
        ("name", "Gumbo".to_owned()),
        ("description", String::new()),
        ("price", "9".to_owned()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let res = app.call("/api/menu/add-item", &form, Some(&owner)).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(
        res.body
            .to_string()
            .contains("That section was just deleted"),
        "{}",
        res.body
    );
    let gumbo: i64 = sqlx::query_scalar("select count(*) from menu_items where name = 'Gumbo'")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(gumbo, 0);
}

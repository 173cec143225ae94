//! The restaurants tests' own fixtures; the app runs through the suite's harness
//! (`devstack::harness`).

use devstack::harness::Opts;
pub use devstack::harness::{TestApp, User};
use reqwest::StatusCode;
use uuid::Uuid;

/// The app, without demo data.
pub async fn spawn_app() -> TestApp {
    TestApp::spawn(restaurants::server::app()).await
}

/// The app with its demo data (six restaurants, three menus, four cover images).
pub async fn spawn_seeded() -> TestApp {
    TestApp::spawn_with(restaurants::server::app(), Opts::seeded()).await
}

/// What the restaurants tests add to the harness.
pub trait Fixtures {
    /// A restaurant owned by `owner` with a small menu, open around the clock.
    fn kitchen(&self, owner: Uuid) -> impl Future<Output = Kitchen>;
    /// `POST` JSON as a page of the app does; the status and the JSON (or text) answered.
    fn send_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        who: Option<&User>,
        idempotency_key: Option<&str>,
    ) -> impl Future<Output = (StatusCode, serde_json::Value)>;
}

impl Fixtures for TestApp {
    async fn send_json(
        &self,
        path: &str,
        body: &serde_json::Value,
        who: Option<&User>,
        idempotency_key: Option<&str>,
    ) -> (StatusCode, serde_json::Value) {
        let res = self.post_json(path, body, who, idempotency_key).await;
        (res.status, res.body)
    }

    async fn kitchen(&self, owner: Uuid) -> Kitchen {
        let pool = &self.db.pool;
        let slug = format!("kitchen-{}", &Uuid::new_v4().simple().to_string()[..8]);
        let id: Uuid = sqlx::query_scalar(
            "insert into restaurants (owner_id, slug, name, cuisine, city, price_level, time_zone)
             values ($1, $2, 'Test Kitchen', 'Soul food', 'Chicago', 2, 'America/Chicago') returning id",
        )
        .bind(owner)
        .bind(&slug)
        .fetch_one(pool)
        .await
        .expect("restaurant");
        sqlx::query(
            "insert into opening_hours (restaurant_id, weekday, opens, closes)
             select $1, d, '00:00', '00:00' from generate_series(0, 6) d",
        )
        .bind(id)
        .execute(pool)
        .await
        .expect("hours");
        let cat: Uuid = sqlx::query_scalar(
            "insert into menu_categories (restaurant_id, name) values ($1, 'Mains') returning id",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .expect("category");
        let item = |name: &'static str, price: i32, sold_out: bool| async move {
            sqlx::query_scalar::<_, Uuid>(
                "insert into menu_items (restaurant_id, category_id, name, price_cents, sold_out)
                 values ($1, $2, $3, $4, $5) returning id",
            )
            .bind(id)
            .bind(cat)
            .bind(name)
            .bind(price)
            .bind(sold_out)
            .fetch_one(pool)
            .await
            .expect("item")
        };
        let wings = item("Wings", 1000, false).await;
        let oxtail = item("Oxtail", 2200, true).await;
        let group: Uuid = sqlx::query_scalar(
            "insert into option_groups (item_id, name, min_choices, max_choices) values ($1, 'Sauce', 1, 1) returning id",
        )
        .bind(wings)
        .fetch_one(pool)
        .await
        .expect("group");
        let option = |name: &'static str, delta: i32| async move {
            sqlx::query_scalar::<_, Uuid>(
                "insert into options (group_id, name, price_delta_cents) values ($1, $2, $3) returning id",
            )
            .bind(group)
            .bind(name)
            .bind(delta)
            .fetch_one(pool)
            .await
            .expect("option")
        };
        let mild = option("Mild", 0).await;
        let lemon_pepper = option("Lemon pepper", 150).await;
        Kitchen {
            id,
            slug,
            category: cat,
            wings,
            oxtail,
            sauce: group,
            mild,
            lemon_pepper,
        }
    }
}

/// Everything about `k` that its owner or staff can change: its public menu, its row, its hours,
/// its staff and invitations, its orders' statuses and events. Equal before and after means
/// nothing changed.
pub async fn snapshot(app: &TestApp, k: &Kitchen) -> serde_json::Value {
    let pool = &app.db.pool;
    let menu: serde_json::Value = app
        .get(&format!("/api/v1/restaurants/{}", k.slug), None)
        .await
        .json()
        .await
        .expect("json");
    let row: serde_json::Value =
        sqlx::query_scalar("select to_jsonb(r) from restaurants r where id = $1")
            .bind(k.id)
            .fetch_one(pool)
            .await
            .expect("row");
    let rows = |sql: &'static str| async move {
        sqlx::query_scalar::<_, serde_json::Value>(sql)
            .bind(k.id)
            .fetch_one(pool)
            .await
            .expect(sql)
    };
    serde_json::json!({
        "menu": menu,
        "restaurant": row,
        "hours": rows("select coalesce(jsonb_agg(h order by weekday, opens), '[]') from opening_hours h where restaurant_id = $1").await,
        "staff": rows("select coalesce(jsonb_agg(s order by user_id), '[]') from restaurant_staff s where restaurant_id = $1").await,
        "invites": rows("select coalesce(jsonb_agg(i order by token_hash), '[]') from staff_invites i where restaurant_id = $1").await,
        "orders": rows("select coalesce(jsonb_agg(jsonb_build_object('id', id, 'status', status) order by id), '[]') from orders where restaurant_id = $1").await,
        "events": rows("select count(*)::int::text::jsonb from order_events e join orders o on o.id = e.order_id where o.restaurant_id = $1").await,
    })
}

/// A restaurant made by [`TestApp::kitchen`]: Wings $10.00 (sauce: Mild +$0, Lemon pepper
/// +$1.50, choose exactly 1) and Oxtail $22.00 (sold out).
#[derive(Debug, Clone)]
pub struct Kitchen {
    pub id: Uuid,
    pub slug: String,
    pub category: Uuid,
    pub wings: Uuid,
    pub oxtail: Uuid,
    pub sauce: Uuid,
    pub mild: Uuid,
    pub lemon_pepper: Uuid,
}

impl Kitchen {
    /// An order body: `lines` of (item, quantity, options).
    pub fn order(
        &self,
        lines: &[(Uuid, u32, &[Uuid])],
        expected: Option<i64>,
    ) -> serde_json::Value {
        serde_json::json!({
            "restaurant_id": self.id,
            "lines": lines.iter().map(|(item, q, opts)| serde_json::json!({
                "item_id": item, "quantity": q, "option_ids": opts,
            })).collect::<Vec<_>>(),
            "pickup": { "kind": "asap" },
            "expected_total_cents": expected,
        })
    }
}

/// A valid restaurant form, with `overrides` applied.
pub fn form<'a>(overrides: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("name", "Test Kitchen"),
        ("cuisine", "Soul food"),
        ("city", "Chicago"),
        ("address", "1 Main St"),
        ("description", "Good food."),
        ("price_level", "2"),
    ];
    for (k, v) in overrides {
        if let Some(slot) = f.iter_mut().find(|(fk, _)| fk == k) {
            slot.1 = v;
        }
    }
    f
}

//! The demo data: the demo account's approved shop with a few published products, their
//! variants and stock, and (with the `demo` feature) generated pictures, so that a first start
//! shows a living store and `suite bench` has pages to load. Idempotent: a product whose slug
//! exists is left alone. Only for local runs and the tests that ask for it (`SEED_DEMO=true`).

use appkit::AppState;
use sqlx::PgPool;
use uuid::Uuid;

struct Demo {
    slug: &'static str,
    title: &'static str,
    description: &'static str,
    category: &'static str,
    /// (name, price in cents, units).
    variants: &'static [(&'static str, i32, i32)],
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    colours: ([u8; 3], [u8; 3]),
}

const SHOP_SLUG: &str = "steppers-supply";

const DEMO: [Demo; 4] = [
    Demo {
        slug: "suede-sole-dance-shoe",
        title: "Suede-sole dance shoe",
        description: "Hand-stitched leather uppers on a suede sole that turns on any floor. \
                      **Runs true to size.**",
        category: "shoes",
        variants: &[
            ("Size 9 / Black", 8900, 6),
            ("Size 10 / Black", 8900, 4),
            ("Size 11 / Brown", 9400, 2),
        ],
        colours: ([0x78, 0x35, 0x0f], [0x1c, 0x19, 0x17]),
    },
    Demo {
        slug: "steppers-life-tee",
        title: "SteppersLife tee",
        description: "Soft cotton tee with the SteppersLife script on the chest.",
        category: "apparel",
        variants: &[
            ("S", 2000, 20),
            ("M", 2000, 30),
            ("L", 2200, 25),
            ("XL", 2200, 3),
        ],
        colours: ([0xb4, 0x53, 0x09], [0x7c, 0x2d, 0x12]),
    },
    Demo {
        slug: "shoe-brush",
        title: "Suede shoe brush",
        description: "Brass bristles bring a worn suede sole back to grip between sets.",
        category: "accessories",
        variants: &[("One size", 1250, 40)],
        colours: ([0x47, 0x55, 0x69], [0x1e, 0x29, 0x3b]),
    },
    Demo {
        slug: "classic-steppin-mix-vinyl",
        title: "Classic steppin' mix (vinyl)",
        description: "Twelve floor-fillers from the Chicago set, pressed on 180 g vinyl.",
        category: "music",
        variants: &[("LP", 3000, 10)],
        colours: ([0x7c, 0x3a, 0xed], [0x1e, 0x1b, 0x4b]),
    },
];

/// Inserts the demo shop and products that are missing.
pub async fn demo(state: AppState) -> anyhow::Result<()> {
    let shop = shop(&state.pool).await?;
    for d in &DEMO {
        product(&state.pool, shop, d).await?;
    }
    #[cfg(feature = "demo")]
    pictures(&state).await;
    Ok(())
}

async fn shop(pool: &PgPool) -> Result<Uuid, sqlx::Error> {
    sqlx::query(
        "insert into shops (owner_id, owner_email, slug, name, description, pickup_address,
                            shipping_cents, status)
         values ($1, $2, $3, 'Steppers Supply', $4, '4455 S King Dr, Chicago, IL 60653', 500,
                 'approved')
         on conflict do nothing",
    )
    .bind(sso::DEMO_USER_ID)
    .bind(sso::DEMO_EMAIL)
    .bind(SHOP_SLUG)
    .bind("Shoes, tees and music for steppers, from the South Side since 1998.")
    .execute(pool)
    .await?;
    sqlx::query_scalar("select id from shops where owner_id = $1")
        .bind(sso::DEMO_USER_ID)
        .fetch_one(pool)
        .await
}

/// A demo product, published, with its variants, unless its slug exists; whole or not at all.
async fn product(pool: &PgPool, shop: Uuid, d: &Demo) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let id: Option<Uuid> = sqlx::query_scalar(
        "insert into products (shop_id, slug, title, description, category, published,
                               published_at)
         values ($1, $2, $3, $4, $5, true, now())
         on conflict (slug) do nothing returning id",
    )
    .bind(shop)
    .bind(d.slug)
    .bind(d.title)
    .bind(d.description)
    .bind(d.category)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(());
    };
    for (position, (name, price, units)) in d.variants.iter().enumerate() {
        sqlx::query(
            "insert into variants (product_id, name, price_cents, on_hand, position)
             values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(price)
        .bind(units)
        .bind(i32::try_from(position).unwrap_or(0))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// A picture for each demo product that has none. Best effort: a failure is logged.
#[cfg(feature = "demo")]
async fn pictures(state: &AppState) {
    let Ok(storage) = state.storage() else {
        return;
    };
    for d in &DEMO {
        let id: Option<Uuid> = sqlx::query_scalar(
            "select p.id from products p where p.slug = $1
             and not exists (select 1 from product_images i where i.product_id = p.id)",
        )
        .bind(d.slug)
        .fetch_optional(&state.pool)
        .await
        .ok()
        .flatten();
        let Some(id) = id else { continue };
        let pool = &state.pool;
        storage::demo::attach_cover(storage, &format!("products/{id}"), d.colours, |key| async move {
            sqlx::query(
                "insert into product_images (product_id, key)
                 select $1, $2 where not exists (select 1 from product_images where product_id = $1)",
            )
            .bind(id)
            .bind(&key)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
        })
        .await;
    }
}

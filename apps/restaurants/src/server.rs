//! The restaurants server: configuration, state, router.

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::{FromRef, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Redirect, Response},
};
use leptos::prelude::*;
use platform::{config, suite::Suite};
use sqlx::PgPool;
use sso::{SessionReader, SessionSettings};
use storage::{BucketConfig, Storage};
use ui::NavContext;

use crate::app::{App, shell};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Everything read from the environment at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// This app's own database, as its own role.
    pub database_url: String,
    /// The portal's database, as the read-only session-reader role.
    pub session_database_url: String,
    pub bind: SocketAddr,
    pub site_root: String,
    pub suite: Suite,
    pub sessions: SessionSettings,
    pub bucket: BucketConfig,
    /// Insert the demo restaurants (idempotent).
    pub seed_demo: bool,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let suite = Suite::from_env()?;
        let port = suite.manifest.app("restaurants").map_or(3010, |a| a.port);
        Ok(Self {
            database_url: config::var("DATABASE_URL")?,
            session_database_url: config::var("SESSION_DATABASE_URL")?,
            bind: config::parse_or("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], port)))?,
            site_root: config::var_or("SITE_ROOT", "site/restaurants"),
            sessions: SessionSettings::from_env(&suite)?,
            bucket: BucketConfig::from_env()?,
            seed_demo: config::parse_or("SEED_DEMO", false)?,
            suite,
        })
    }
}

#[derive(Clone, FromRef)]
pub struct AppState {
    pub pool: PgPool,
    pub suite: Arc<Suite>,
    pub sessions: SessionReader,
    pub storage: Storage,
    pub leptos_options: LeptosOptions,
}

/// The app's state, inside a server function.
pub fn state() -> Result<AppState, platform::AppError> {
    use_context::<AppState>().ok_or_else(|| platform::AppError::internal("no AppState"))
}

/// The app's state and the signed-in user, inside a server function; 401 when nobody is.
pub async fn require_user() -> Result<(AppState, sso::SessionUser), platform::AppError> {
    Ok((state()?, ui::require_user().await?))
}

/// SHA-256 of `data` in lower-case hex (invitation tokens, order requests).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Pages that only make sense signed in: a visitor who is not is sent to the portal's sign-in
/// and brought back here afterwards.
fn needs_sign_in(path: &str) -> bool {
    let under = |prefix: &str| path == prefix || path.starts_with(&format!("{prefix}/"));
    path == "/new"
        || (path.starts_with("/r/") && path.ends_with("/edit"))
        || under("/dashboard")
        || under("/orders")
        || under("/staff")
}

async fn sign_in_gate(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == http::Method::GET && needs_sign_in(req.uri().path()) {
        match state.sessions.user(req.headers()).await {
            Ok(Some(_)) => {}
            Ok(None) => {
                let here = format!(
                    "{}{}",
                    state.suite.origin_of("restaurants"),
                    req.uri().path_and_query().map_or("/", |p| p.as_str())
                );
                let to = format!(
                    "{}/signin?return_to={}",
                    state.suite.portal(),
                    platform::percent_encode(&here)
                );
                return Redirect::to(&to).into_response();
            }
            Err(e) => return e.into_response(),
        }
    }
    next.run(req).await
}

/// Connects, migrates and builds the router.
pub async fn build(config: Config) -> anyhow::Result<(Router, AppState)> {
    let pool = platform::db::connect(&config.database_url, 10).await?;
    platform::db::migrate(&pool, &MIGRATOR).await?;
    let storage = Storage::new(&config.bucket)?;
    if config.seed_demo {
        crate::server::seed::demo(&pool).await?;
        crate::server::seed::demo_covers(&pool, &storage).await;
    }
    let session_pool = platform::db::connect(&config.session_database_url, 5).await?;

    let leptos_options = ui::server::leptos_options(&config.site_root, config.bind);
    let suite = Arc::new(config.suite.clone());
    let state = AppState {
        pool: pool.clone(),
        suite: suite.clone(),
        sessions: SessionReader::new(session_pool.clone(), config.sessions.clone()),
        storage: storage.clone(),
        leptos_options: leptos_options.clone(),
    };

    let nav = NavContext {
        app: "restaurants",
        suite: suite.clone(),
        sessions: state.sessions.clone(),
    };
    let api = crate::api::ssr::routes().layer(sso::origin::cors(&suite));
    let photos = crate::photos::ssr::routes(storage.max_bytes());
    let checks = vec![
        (
            "database",
            platform::health::check({
                let pool = pool.clone();
                move || {
                    let pool = pool.clone();
                    async move { platform::db::ping(&pool).await }
                }
            }),
        ),
        (
            "sessions",
            platform::health::check(move || {
                let pool = session_pool.clone();
                async move { platform::db::ping(&pool).await }
            }),
        ),
        (
            "bucket",
            platform::health::check(move || {
                let storage = storage.clone();
                async move { storage.ping().await.map_err(|e| e.to_string()) }
            }),
        ),
    ];
    let router = ui::server::with_pages(
        Router::new().merge(api).merge(photos),
        &state,
        nav,
        App,
        shell,
    )
    .layer(middleware::from_fn_with_state(state.clone(), sign_in_gate))
    .layer(middleware::from_fn_with_state(
        suite,
        sso::origin::require_suite_origin,
    ))
    .with_state(state.clone())
    .merge(state.storage.media_routes())
    .merge(platform::health::routes(checks));
    Ok((platform::telemetry::layer(router), state))
}

/// Serves until `shutdown` resolves; `on_bound` learns the bound address first.
pub async fn serve(
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_bound: impl FnOnce(SocketAddr),
) -> anyhow::Result<()> {
    let bind = config.bind;
    let (router, _) = build(config).await?;
    platform::serve::serve("restaurants", router, bind, shutdown, on_bound).await?;
    Ok(())
}

pub mod seed {
    use sqlx::PgPool;

    struct Demo {
        slug: &'static str,
        name: &'static str,
        cuisine: &'static str,
        city: &'static str,
        address: &'static str,
        description: &'static str,
        price_level: i16,
        featured: bool,
        time_zone: &'static str,
        /// (weekdays, opens, closes): the same period on each of those days (0 = Monday).
        hours: &'static [(&'static [i16], &'static str, &'static str)],
    }

    const LUNCH_AND_DINNER: &[(&[i16], &str, &str)] = &[
        (&[1, 2, 3, 4, 5, 6], "11:00", "14:30"),
        (&[1, 2, 3, 4, 5, 6], "17:00", "22:00"),
    ];
    const LATE_NIGHT: &[(&[i16], &str, &str)] = &[
        (&[0, 1, 2, 3], "16:00", "23:00"),
        (&[4, 5], "16:00", "02:00"),
        (&[6], "12:00", "20:00"),
    ];
    const DAYTIME: &[(&[i16], &str, &str)] = &[(&[0, 1, 2, 3, 4, 5, 6], "07:00", "15:00")];

    const DEMO: [Demo; 6] = [
        Demo {
            slug: "mama-lous-soul-kitchen",
            name: "Mama Lou's Soul Kitchen",
            cuisine: "Soul food",
            city: "Chicago",
            address: "4301 S King Dr",
            description: "Smothered chicken, greens and peach cobbler — the after-set favourite.",
            price_level: 2,
            featured: true,
            time_zone: "America/Chicago",
            hours: LUNCH_AND_DINNER,
        },
        Demo {
            slug: "island-groove-grill",
            name: "Island Groove Grill",
            cuisine: "Caribbean",
            city: "Atlanta",
            address: "1189 Peachtree St NE",
            description: "Jerk chicken, oxtail and plantains, open late on social nights.",
            price_level: 2,
            featured: true,
            time_zone: "America/New_York",
            hours: LATE_NIGHT,
        },
        Demo {
            slug: "the-smooth-step-cafe",
            name: "The Smooth Step Café",
            cuisine: "Café",
            city: "Detroit",
            address: "7 Woodward Ave",
            description: "Coffee, waffles and a dance floor on Sunday afternoons.",
            price_level: 1,
            featured: true,
            time_zone: "America/Detroit",
            hours: DAYTIME,
        },
        Demo {
            slug: "bayou-bistro",
            name: "Bayou Bistro",
            cuisine: "Cajun",
            city: "Houston",
            address: "2200 Main St",
            description: "Gumbo, étouffée and beignets.",
            price_level: 3,
            featured: false,
            time_zone: "America/Chicago",
            hours: LUNCH_AND_DINNER,
        },
        Demo {
            slug: "uptown-steak-and-jazz",
            name: "Uptown Steak & Jazz",
            cuisine: "Steakhouse",
            city: "Chicago",
            address: "55 E Ohio St",
            description: "Dry-aged steaks with a live trio every Friday.",
            price_level: 4,
            featured: false,
            time_zone: "America/Chicago",
            hours: LATE_NIGHT,
        },
        Demo {
            slug: "harlem-table",
            name: "Harlem Table",
            cuisine: "American",
            city: "New York",
            address: "310 Lenox Ave",
            description: "Brunch that runs until the music stops.",
            price_level: 2,
            featured: true,
            time_zone: "America/New_York",
            hours: DAYTIME,
        },
    ];

    /// Two colours of each featured demo restaurant's cover: from the top left to the bottom
    /// right.
    const COVERS: [(&str, [u8; 3], [u8; 3]); 4] = [
        (
            "mama-lous-soul-kitchen",
            [0xb4, 0x53, 0x09],
            [0x7c, 0x2d, 0x12],
        ),
        (
            "island-groove-grill",
            [0x05, 0x96, 0x69],
            [0xea, 0xb3, 0x08],
        ),
        (
            "the-smooth-step-cafe",
            [0x78, 0x35, 0x0f],
            [0xd9, 0x77, 0x06],
        ),
        ("harlem-table", [0x1e, 0x3a, 0x8a], [0xdb, 0x27, 0x77]),
    ];

    /// A 640×360 PNG: a diagonal gradient between two colours with soft stripes, standing in
    /// for a photograph.
    fn cover_png(from: [u8; 3], to: [u8; 3]) -> Vec<u8> {
        const W: u32 = 640;
        const H: u32 = 360;
        let mut pixels = Vec::with_capacity((W * H * 3) as usize);
        for y in 0..H {
            for x in 0..W {
                // In 48 steps: bands compress to a few kilobytes, a smooth ramp does not.
                let t = f64::from((x + y) * 48 / (W + H)) / 48.0;
                let stripe = if (x + 2 * y) / 40 % 2 == 0 { 1.0 } else { 0.93 };
                for c in 0..3 {
                    let v = (f64::from(from[c]) * (1.0 - t) + f64::from(to[c]) * t) * stripe;
                    pixels.push(v.clamp(0.0, 255.0) as u8);
                }
            }
        }
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, W, H);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let written = encoder
            .write_header()
            .and_then(|mut w| w.write_image_data(&pixels));
        if written.is_err() {
            out.clear();
        }
        out
    }

    /// Cover photos for the featured demo restaurants that have none, so a first start shows
    /// the photos on the list and the portal home. Best effort: a failure is logged, not fatal.
    pub async fn demo_covers(pool: &PgPool, storage: &storage::Storage) {
        for (slug, from, to) in COVERS {
            let missing: Result<Option<uuid::Uuid>, _> = sqlx::query_scalar(
                "select id from restaurants where slug = $1 and cover_key is null",
            )
            .bind(slug)
            .fetch_optional(pool)
            .await;
            let Ok(Some(id)) = missing else {
                continue;
            };
            let stored = match storage
                .put_image(&format!("covers/{id}"), &cover_png(from, to))
                .await
            {
                Ok(stored) => stored,
                Err(e) => {
                    tracing::warn!(error = %e, slug, "demo cover not stored");
                    continue;
                }
            };
            // Only where there is still none (another instance may have been quicker).
            let set = sqlx::query(
                "update restaurants set cover_key = $2 where id = $1 and cover_key is null",
            )
            .bind(id)
            .bind(&stored.key)
            .execute(pool)
            .await;
            if !matches!(set, Ok(ref r) if r.rows_affected() == 1) {
                let _ = storage.delete(&stored.key).await;
            }
        }
    }

    /// A demo dish: name, description, cents, tags, option groups (name, min, max, options).
    type Dish = (
        &'static str,
        &'static str,
        i32,
        &'static [&'static str],
        &'static [(&'static str, i16, i16, &'static [(&'static str, i32)])],
    );
    const SIDES: (&str, i16, i16, &[(&str, i32)]) = (
        "Side",
        1,
        1,
        &[
            ("Collard greens", 0),
            ("Mac and cheese", 100),
            ("Candied yams", 0),
        ],
    );
    /// A demo menu section: its name and dishes.
    type Section = (&'static str, &'static [Dish]);
    const MENUS: &[(&str, &[Section])] = &[
        (
            "mama-lous-soul-kitchen",
            &[
                (
                    "Plates",
                    &[
                        (
                            "Smothered chicken",
                            "Slow-cooked in onion gravy.",
                            1450,
                            &["contains_gluten"],
                            &[SIDES],
                        ),
                        (
                            "Fried catfish",
                            "Cornmeal-crusted, with hot sauce.",
                            1600,
                            &["contains_fish"],
                            &[SIDES],
                        ),
                        (
                            "Oxtail plate",
                            "Braised until it falls apart.",
                            2200,
                            &[],
                            &[SIDES],
                        ),
                    ],
                ),
                (
                    "Desserts",
                    &[
                        (
                            "Peach cobbler",
                            "Warm, with a buttery crust.",
                            650,
                            &["vegetarian", "contains_dairy", "contains_gluten"],
                            &[("Extras", 0, 1, &[("Vanilla ice cream", 200)])],
                        ),
                        (
                            "Sweet potato pie",
                            "By the slice.",
                            550,
                            &["vegetarian", "contains_egg"],
                            &[],
                        ),
                    ],
                ),
            ],
        ),
        (
            "island-groove-grill",
            &[(
                "From the grill",
                &[
                    (
                        "Jerk chicken",
                        "Scotch bonnet and allspice.",
                        1500,
                        &["spicy", "gluten_free"],
                        &[
                            ("Heat", 1, 1, &[("Mild", 0), ("Hot", 0), ("Island hot", 0)]),
                            ("Extras", 0, 2, &[("Plantains", 300), ("Festival", 250)]),
                        ],
                    ),
                    ("Curry goat", "With rice and peas.", 1800, &["spicy"], &[]),
                    (
                        "Veggie rundown",
                        "Coconut stew of the season's vegetables.",
                        1300,
                        &["vegan", "gluten_free"],
                        &[],
                    ),
                ],
            )],
        ),
        (
            "the-smooth-step-cafe",
            &[
                (
                    "Breakfast",
                    &[
                        (
                            "Chicken and waffles",
                            "Crispy thighs, maple butter.",
                            1350,
                            &["contains_gluten", "contains_dairy", "contains_egg"],
                            &[],
                        ),
                        (
                            "Shrimp and grits",
                            "Cheddar grits, Cajun butter.",
                            1500,
                            &["contains_shellfish", "contains_dairy"],
                            &[],
                        ),
                    ],
                ),
                (
                    "Drinks",
                    &[(
                        "Coffee",
                        "Fresh every hour.",
                        300,
                        &["vegan"],
                        &[
                            ("Size", 1, 1, &[("Small", 0), ("Large", 100)]),
                            ("Milk", 0, 1, &[("Oat milk", 75), ("Whole milk", 0)]),
                        ],
                    )],
                ),
            ],
        ),
    ];

    /// The demo menus, for demo restaurants that have no menu yet.
    async fn demo_menus(pool: &PgPool) -> Result<(), sqlx::Error> {
        for (slug, sections) in MENUS {
            let mut tx = pool.begin().await?;
            // Two instances starting together seed one menu, not two.
            sqlx::query("select pg_advisory_xact_lock(hashtext('demo-menu:' || $1))")
                .bind(slug)
                .execute(&mut *tx)
                .await?;
            let restaurant: Option<uuid::Uuid> = sqlx::query_scalar(
                "select r.id from restaurants r where r.slug = $1
                 and not exists (select 1 from menu_categories c where c.restaurant_id = r.id)",
            )
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(restaurant) = restaurant else {
                continue;
            };
            for (pos, (section, dishes)) in sections.iter().enumerate() {
                let category: uuid::Uuid = sqlx::query_scalar(
                    "insert into menu_categories (restaurant_id, name, position) values ($1, $2, $3) returning id",
                )
                .bind(restaurant)
                .bind(section)
                .bind(i32::try_from(pos).unwrap_or(0))
                .fetch_one(&mut *tx)
                .await?;
                for (n, (name, description, cents, tags, groups)) in dishes.iter().enumerate() {
                    let item: uuid::Uuid = sqlx::query_scalar(
                        "insert into menu_items (restaurant_id, category_id, name, description, price_cents, tags, position)
                         values ($1, $2, $3, $4, $5, $6, $7) returning id",
                    )
                    .bind(restaurant)
                    .bind(category)
                    .bind(name)
                    .bind(description)
                    .bind(cents)
                    .bind(tags.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
                    .bind(i32::try_from(n).unwrap_or(0))
                    .fetch_one(&mut *tx)
                    .await?;
                    for (g, (group, min, max, options)) in groups.iter().enumerate() {
                        let group_id: uuid::Uuid = sqlx::query_scalar(
                            "insert into option_groups (item_id, name, min_choices, max_choices, position)
                             values ($1, $2, $3, $4, $5) returning id",
                        )
                        .bind(item)
                        .bind(group)
                        .bind(min)
                        .bind(max)
                        .bind(i32::try_from(g).unwrap_or(0))
                        .fetch_one(&mut *tx)
                        .await?;
                        for (o, (option, delta)) in options.iter().enumerate() {
                            sqlx::query(
                                "insert into options (group_id, name, price_delta_cents, position) values ($1, $2, $3, $4)",
                            )
                            .bind(group_id)
                            .bind(option)
                            .bind(delta)
                            .bind(i32::try_from(o).unwrap_or(0))
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Demo restaurants owned by the demo account, so that a first start shows a living site.
    /// Idempotent: existing slugs are left alone.
    pub async fn demo(pool: &PgPool) -> Result<(), sqlx::Error> {
        let owner = sso::DEMO_USER_ID;
        for d in DEMO {
            sqlx::query(
                "insert into restaurants (owner_id, slug, name, cuisine, city, address, description, price_level, featured, time_zone)
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 on conflict (slug) do nothing",
            )
            .bind(owner)
            .bind(d.slug)
            .bind(d.name)
            .bind(d.cuisine)
            .bind(d.city)
            .bind(d.address)
            .bind(d.description)
            .bind(d.price_level)
            .bind(d.featured)
            .bind(d.time_zone)
            .execute(pool)
            .await?;
            for (days, opens, closes) in d.hours {
                // Only for a demo restaurant that has no hours yet (its owner may have set some).
                sqlx::query(
                    "insert into opening_hours (restaurant_id, weekday, opens, closes)
                     select r.id, day, $3::time, $4::time
                     from restaurants r, unnest($2::smallint[]) as day
                     where r.slug = $1
                       and not exists (
                           select 1 from opening_hours o
                           where o.restaurant_id = r.id and o.weekday = day and o.opens = $3::time)",
                )
                .bind(d.slug)
                .bind(*days)
                .bind(*opens)
                .bind(*closes)
                .execute(pool)
                .await?;
            }
        }
        demo_menus(pool).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_personal_pages_need_sign_in() {
        assert!(super::needs_sign_in("/new"));
        assert!(super::needs_sign_in("/r/soul/edit"));
        assert!(super::needs_sign_in("/dashboard"));
        assert!(super::needs_sign_in("/dashboard/r/soul/orders"));
        assert!(super::needs_sign_in("/orders"));
        assert!(super::needs_sign_in("/staff/join/abc"));
        assert!(!super::needs_sign_in("/"));
        assert!(!super::needs_sign_in("/r/soul"));
        assert!(!super::needs_sign_in("/ordersx"));
    }
}

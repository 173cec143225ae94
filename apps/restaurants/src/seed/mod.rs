//! The demo data: six restaurants owned by the demo account, with hours, three menus and (with
//! the `demo` feature) generated cover images for the featured ones, so that a first start shows
//! a living site. Idempotent: what exists is left alone (an owner's edits included). Only for
//! local runs and the tests that ask for it (`SEED_DEMO=true`).

mod db;

use appkit::AppState;

/// Inserts what is missing of the demo data.
pub async fn demo(state: AppState) -> anyhow::Result<()> {
    for d in &DEMO {
        db::restaurant(&state.pool, d).await?;
    }
    for (slug, sections) in MENUS {
        db::menu(&state.pool, slug, sections).await?;
    }
    #[cfg(feature = "demo")]
    covers(&state).await;
    Ok(())
}

/// Cover photos for the featured demo restaurants that have none, so a first start shows the
/// photos on the list and the portal home. Best effort: a failure is logged, not fatal.
#[cfg(feature = "demo")]
async fn covers(state: &AppState) {
    let Ok(storage) = state.storage() else {
        return;
    };
    for (slug, from, to) in COVERS {
        let Ok(Some(id)) = db::without_cover(&state.pool, slug).await else {
            continue;
        };
        let pool = &state.pool;
        storage::demo::attach_cover(
            storage,
            &format!("covers/{id}"),
            (from, to),
            |key| async move { db::set_cover_if_none(pool, id, &key).await },
        )
        .await;
    }
}

pub(crate) struct Demo {
    pub(crate) slug: &'static str,
    pub(crate) name: &'static str,
    pub(crate) cuisine: &'static str,
    pub(crate) city: &'static str,
    pub(crate) address: &'static str,
    pub(crate) description: &'static str,
    pub(crate) price_level: i16,
    pub(crate) featured: bool,
    pub(crate) time_zone: &'static str,
    /// (weekdays, opens, closes): the same period on each of those days (0 = Monday).
    pub(crate) hours: &'static [(&'static [i16], &'static str, &'static str)],
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
#[cfg(feature = "demo")]
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

/// A demo dish: name, description, cents, tags, option groups (name, min, max, options).
pub(crate) type Dish = (
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
pub(crate) type Section = (&'static str, &'static [Dish]);
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

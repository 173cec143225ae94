//! The demo data: a few published events of the demo account's, weeks ahead of the first start,
//! with paid, free and pay-at-the-door tickets and (with the `demo` feature) generated covers,
//! so that a first start shows a living site and `suite bench` has pages to load. Idempotent:
//! an event whose slug exists is left alone (an organizer's edits included). Only for local
//! runs and the tests that ask for it (`SEED_DEMO=true`).

mod db;

use appkit::AppState;

/// Inserts the demo events that are missing.
pub async fn demo(state: AppState) -> anyhow::Result<()> {
    for d in &DEMO {
        db::event(&state.pool, d).await?;
    }
    #[cfg(feature = "demo")]
    covers(&state).await;
    Ok(())
}

/// Cover pictures for the demo events that have none. Best effort: a failure is logged.
#[cfg(feature = "demo")]
async fn covers(state: &AppState) {
    let Ok(storage) = state.storage() else {
        return;
    };
    for d in &DEMO {
        let Ok(Some(id)) = db::without_cover(&state.pool, d.slug).await else {
            continue;
        };
        let pool = &state.pool;
        storage::demo::attach_cover(
            storage,
            &format!("covers/{id}"),
            d.colours,
            |key| async move { db::set_cover_if_none(pool, id, &key).await },
        )
        .await;
    }
}

pub(crate) struct Demo {
    pub(crate) slug: &'static str,
    pub(crate) title: &'static str,
    pub(crate) description: &'static str,
    pub(crate) venue: &'static str,
    pub(crate) address: &'static str,
    pub(crate) online: bool,
    pub(crate) time_zone: &'static str,
    /// Days after the first start, and the local start time; how long it lasts.
    pub(crate) in_days: i32,
    pub(crate) starts: &'static str,
    pub(crate) hours: i32,
    pub(crate) capacity: Option<i32>,
    pub(crate) door_payment: bool,
    /// (name, price in cents, places, per order at most).
    pub(crate) types: &'static [(&'static str, i32, i32, i32)],
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    pub(crate) colours: ([u8; 3], [u8; 3]),
}

/// The name the demo events show as their organizer's.
pub(crate) const ORGANIZER: &str = "SteppersLife Demo";

const DEMO: [Demo; 4] = [
    Demo {
        slug: "saturday-steppers-social",
        title: "Saturday Steppers Social",
        description: "Our monthly social: a warm-up lesson at 8, then the floor is yours until \
                      one. Smart casual; the kitchen serves until midnight.\n\nTables seat \
                      eight: a VIP ticket holds a seat at one near the floor.",
        venue: "The Parkway Ballroom",
        address: "4455 S King Dr, Chicago, IL 60653",
        online: false,
        time_zone: "America/Chicago",
        in_days: 12,
        starts: "20:00",
        hours: 5,
        capacity: Some(180),
        door_payment: true,
        types: &[
            ("General admission", 2500, 160, 8),
            ("VIP table seat", 4500, 20, 4),
        ],
        colours: ([0x7c, 0x3a, 0xed], [0x1e, 0x1b, 0x4b]),
    },
    Demo {
        slug: "beginners-stepping-workshop",
        title: "Beginners' Stepping Workshop",
        description: "Never stepped before? Two hours on the basic count, the turn and leading \
                      and following, with partners rotating. Free; bring comfortable shoes.",
        venue: "South Side Community Center",
        address: "1000 E 47th St, Chicago, IL 60653",
        online: false,
        time_zone: "America/Chicago",
        in_days: 5,
        starts: "14:00",
        hours: 2,
        capacity: None,
        door_payment: false,
        types: &[("Free place", 0, 40, 2)],
        colours: ([0x05, 0x96, 0x69], [0x06, 0x4e, 0x3b]),
    },
    Demo {
        slug: "detroit-ballroom-night",
        title: "Detroit Ballroom Night",
        description: "Detroit ballroom and Chicago steppin' on one floor, with a live band for \
                      the first set and DJ Smooth after ten.",
        venue: "Motor City Dance Hall",
        address: "2200 Woodward Ave, Detroit, MI 48201",
        online: false,
        time_zone: "America/Detroit",
        in_days: 19,
        starts: "19:30",
        hours: 4,
        capacity: None,
        door_payment: false,
        types: &[("General admission", 2000, 200, 10)],
        colours: ([0xdb, 0x27, 0x77], [0x83, 0x18, 0x43]),
    },
    Demo {
        slug: "footwork-fundamentals-online",
        title: "Footwork Fundamentals (online)",
        description: "An hour of footwork drills you can do in your living room, live on \
                      video: the link comes with your ticket.",
        venue: "",
        address: "",
        online: true,
        time_zone: "America/New_York",
        in_days: 3,
        starts: "19:00",
        hours: 1,
        capacity: None,
        door_payment: false,
        types: &[("Free place", 0, 500, 1)],
        colours: ([0x25, 0x63, 0xeb], [0x1e, 0x3a, 0x8a]),
    },
];

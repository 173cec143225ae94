//! `suite soak`: the whole suite (release servers, demo data) behind nginx under mixed traffic
//! for a while — pages of every app, sign-ins, restaurant orders, cover uploads — with
//! PostgreSQL stopped for a spell in the middle and the object store and one app stopped at the
//! end. It prints figures every interval (requests, 5xx, each server's resident memory), what
//! the outage did (answers, the slowest one, `/readyz`) and how long the apps took to come back
//! by themselves, then checks that every order the apps confirmed is in the database.
//!
//! PostgreSQL is a private cluster under the state folder, so stopping it stops nothing else.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use rand::Rng;
use sqlx::Row;

use crate::{
    bench::memory_kib,
    launcher::{Stack, StackOptions},
};

#[derive(Debug, Clone, Copy)]
pub struct SoakOptions {
    pub duration: Duration,
    /// Clients sending requests one after another.
    pub workers: usize,
    /// How long PostgreSQL is stopped, halfway through (zero: not at all).
    pub outage: Duration,
    /// A line of figures every this often.
    pub interval: Duration,
    /// Release servers (the product's figures); debug ones only to try the command out.
    pub release: bool,
    /// Print the apps' logs too.
    pub logs: bool,
}

impl Default for SoakOptions {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(600),
            workers: 8,
            outage: Duration::from_secs(20),
            interval: Duration::from_secs(30),
            release: true,
            logs: false,
        }
    }
}

/// What the clients saw, by kind of request.
#[derive(Debug, Default, Clone)]
struct Counts {
    /// Answers by status (0: none).
    statuses: BTreeMap<u16, u64>,
    ok: u64,
    refused: u64,
    server_errors: u64,
    unanswered: u64,
    slowest: Duration,
}

#[derive(Debug, Default)]
struct Tally {
    by_kind: BTreeMap<&'static str, Counts>,
    /// Answers while the database was away (and until every app was ready again), by kind
    /// and status.
    outage_statuses: BTreeMap<(&'static str, u16), u64>,
    outage_slowest: Duration,
    /// 5xx outside the outage.
    server_errors_outside: u64,
    /// Orders the restaurants app answered 201 for.
    confirmed_orders: Vec<String>,
    total: u64,
}

struct Shared {
    tally: Mutex<Tally>,
    in_outage: AtomicBool,
}

impl Shared {
    fn record(&self, kind: &'static str, status: Option<u16>, took: Duration) {
        let mut t = self
            .tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        t.total += 1;
        let outage = self.in_outage.load(Ordering::Relaxed);
        let c = t.by_kind.entry(kind).or_default();
        c.slowest = c.slowest.max(took);
        *c.statuses.entry(status.unwrap_or(0)).or_default() += 1;
        match status {
            Some(s) if s >= 500 => c.server_errors += 1,
            Some(s) if s >= 400 => c.refused += 1,
            Some(_) => c.ok += 1,
            None => c.unanswered += 1,
        }
        if outage {
            *t.outage_statuses
                .entry((kind, status.unwrap_or(0)))
                .or_default() += 1;
            t.outage_slowest = t.outage_slowest.max(took);
        } else if status.is_none_or(|s| s >= 500) {
            t.server_errors_outside += 1;
        }
    }
}

/// What the workers need to know about the running suite.
struct Setup {
    http: reqwest::Client,
    /// `http://<host>:<nginx port>` of each app.
    origins: BTreeMap<String, String>,
    pages: Vec<String>,
    demo_cookie: String,
    restaurant_id: String,
    item_id: String,
    picture: Vec<u8>,
    /// Clients ordering at once.
    ordering: tokio::sync::Semaphore,
    /// Orders whose kitchen steps were cut off, with the step to do next.
    unfinished: Mutex<Vec<(String, usize)>>,
}

/// What the owner does with each order, in order.
const KITCHEN: [&str; 4] = ["accept", "start", "ready", "picked_up"];

/// How often each server's memory is read.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

const DEMO_EMAIL: &str = "demo@stepperslife.com";
const DEMO_PASSWORD: &str = "stepperslife-demo";
const RESTAURANT: &str = "mama-lous-soul-kitchen";

/// Starts the suite, runs the traffic and the faults, prints, stops.
pub async fn run(state_dir: &std::path::Path, opts: SoakOptions) -> anyhow::Result<()> {
    // A fresh start each time: the figures of one run do not depend on the last one's data.
    if state_dir.exists() {
        std::fs::remove_dir_all(state_dir)
            .with_context(|| format!("cannot clear {}", state_dir.display()))?;
    }
    let port = free_port()?;
    let mut so = StackOptions::local(state_dir.to_path_buf())?;
    so.release = opts.release;
    so.show_logs = opts.logs;
    so.name_suffix = "_soak".into();
    so.free_ports = true;
    so.private_postgres = true;
    so.behind_proxy = true;
    so.public_port = platform::suite::PublicPort::Fixed(port);
    let mut stack = Stack::start(so).await?;
    let result = async {
        let nginx = crate::proxy::Proxy::start(&stack, port, &state_dir.join("nginx"), "")
            .await?
            .with_context(|| format!("nginx cannot listen on port {port}"))?;
        let setup = Arc::new(prepare(&stack, port).await?);
        soak(&mut stack, &setup, opts).await?;
        drop(nginx);
        anyhow::Ok(())
    }
    .await;
    stack.stop().await;
    result
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The cookie a sign-in answer sets, as a `Cookie` header value.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("sl_session="))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

async fn sign_in(http: &reqwest::Client, portal: &str) -> anyhow::Result<(u16, Option<String>)> {
    let res = http
        .post(format!("{portal}/api/auth/signin"))
        .header("origin", portal)
        .form(&[("email", DEMO_EMAIL), ("password", DEMO_PASSWORD)])
        .send()
        .await?;
    Ok((res.status().as_u16(), session_cookie(&res)))
}

/// Finds what the workers use, and keeps the demo restaurant open around the clock (its
/// hours are the only thing changed: orders "as soon as possible" are then always taken).
async fn prepare(stack: &Stack, port: u16) -> anyhow::Result<Setup> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(32);
    let mut origins = BTreeMap::new();
    for app in stack.suite.manifest.enabled() {
        let host = stack.suite.host(app);
        builder = builder.resolve(&host, std::net::SocketAddr::from(([127, 0, 0, 1], port)));
        origins.insert(app.name.clone(), format!("http://{host}:{port}"));
    }
    let http = builder.build()?;
    let mut pages = Vec::new();
    for app in stack.suite.manifest.enabled() {
        for t in &app.bench {
            pages.push(format!("{}{}", origins[&app.name], t.path));
        }
    }
    let (_, cookie) = sign_in(&http, &origins["portal"]).await?;
    let demo_cookie = cookie.context("the demo account could not sign in")?;

    let restaurants = &origins["restaurants"];
    let detail: serde_json::Value = http
        .get(format!("{restaurants}/api/v1/restaurants/{RESTAURANT}"))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let restaurant_id = detail["id"]
        .as_str()
        .context("the restaurant's id")?
        .to_owned();
    let item_id = orderable_item(&detail).context("an item without required choices")?;
    // What is uploaded: the restaurant's own demo cover.
    let cover = detail["cover_url"]
        .as_str()
        .context("the demo restaurant has a cover")?;
    let cover = if cover.starts_with("http") {
        cover.to_owned()
    } else {
        format!("{restaurants}{cover}")
    };
    let picture = http
        .get(cover)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?
        .to_vec();
    let db = sqlx::PgPool::connect(&stack.database_urls["restaurants"]).await?;
    sqlx::query(
        "delete from opening_hours where restaurant_id = $1::uuid;
         ",
    )
    .bind(&restaurant_id)
    .execute(&db)
    .await?;
    sqlx::query(
        "insert into opening_hours (restaurant_id, weekday, opens, closes)
         select $1::uuid, d, '00:00', '00:00' from generate_series(0, 6) d",
    )
    .bind(&restaurant_id)
    .execute(&db)
    .await?;
    db.close().await;
    Ok(Setup {
        http,
        origins,
        pages,
        demo_cookie,
        restaurant_id,
        item_id,
        picture,
        ordering: tokio::sync::Semaphore::new(4),
        unfinished: Mutex::new(Vec::new()),
    })
}

/// The first item of a menu that can be ordered as it is (not sold out, no required choice).
fn orderable_item(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Object(o) => {
            if let (Some(groups), Some(id)) = (o.get("option_groups"), o.get("id")) {
                let free = groups
                    .as_array()
                    .is_some_and(|g| g.iter().all(|g| g["min_choices"].as_i64() == Some(0)));
                if free && o.get("sold_out") == Some(&serde_json::Value::Bool(false)) {
                    return id.as_str().map(str::to_owned);
                }
            }
            o.values().find_map(orderable_item)
        }
        serde_json::Value::Array(a) => a.iter().find_map(orderable_item),
        _ => None,
    }
}

/// The status of an answer (`None`: no answer), its body read.
async fn status_of(res: reqwest::Result<reqwest::Response>) -> Option<u16> {
    let r = res.ok()?;
    let status = r.status().as_u16();
    r.bytes().await.ok().map(|_| status)
}

/// One request of the mix (an order with the kitchen's steps after it), recorded.
async fn one(s: &Setup, shared: &Shared) {
    let roll = rand::thread_rng().gen_range(0..100);
    let t = Instant::now();
    if roll < 70 {
        let page = &s.pages[rand::thread_rng().gen_range(0..s.pages.len())];
        let status = status_of(s.http.get(page).send().await).await;
        shared.record("page", status, t.elapsed());
    } else if roll < 80 {
        let status = sign_in(&s.http, &s.origins["portal"])
            .await
            .ok()
            .map(|(s, _)| s);
        shared.record("sign-in", status, t.elapsed());
    } else if roll < 95 {
        order(s, shared).await;
    } else {
        let res = upload(s).await;
        // The upload flow answers with a redirect; a failure names itself in it.
        let status = res.as_ref().ok().map(|r| {
            if location(r).contains("upload_error") {
                422
            } else {
                r.status().as_u16()
            }
        });
        shared.record("upload", status, t.elapsed());
    }
}

/// The demo account orders at its own restaurant (a fresh idempotency key each time), then, as
/// its owner, takes the order through the kitchen's steps to "picked up". One customer may have
/// six orders open at a restaurant: at most four clients order at once.
async fn order(s: &Setup, shared: &Shared) {
    let Ok(_turn) = s.ordering.acquire().await else {
        return;
    };
    let interrupted = s
        .unfinished
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .pop();
    if let Some((id, step)) = interrupted {
        kitchen(s, shared, id, step).await;
    }
    let t = Instant::now();
    let key = format!("soak-{:032x}", rand::random::<u128>());
    let res = s
        .http
        .post(format!("{}/api/v1/orders", s.origins["restaurants"]))
        .header("cookie", &s.demo_cookie)
        .header("origin", &s.origins["restaurants"])
        .header("idempotency-key", key)
        .json(&serde_json::json!({
            "restaurant_id": s.restaurant_id,
            "lines": [{"item_id": s.item_id, "quantity": 1}],
            "pickup": {"kind": "asap"},
        }))
        .send()
        .await;
    let Ok(r) = res else {
        shared.record("order", None, t.elapsed());
        return;
    };
    let status = r.status().as_u16();
    let body: Option<serde_json::Value> = r.json().await.ok();
    shared.record("order", Some(status), t.elapsed());
    let Some(id) = body
        .filter(|_| status == 201)
        .and_then(|b| b["id"].as_str().map(str::to_owned))
    else {
        return;
    };
    shared
        .tally
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .confirmed_orders
        .push(id.clone());
    kitchen(s, shared, id, 0).await;
}

/// The owner's steps for an order, from `from` on. One that fails (the database away) is
/// tried again at the client's next order, so that interrupted orders do not stay open.
async fn kitchen(s: &Setup, shared: &Shared, id: String, from: usize) {
    for (i, step) in KITCHEN.iter().enumerate().skip(from) {
        let t = Instant::now();
        let res = s
            .http
            .post(format!("{}/api/orders/step", s.origins["restaurants"]))
            .header("cookie", &s.demo_cookie)
            .header("origin", &s.origins["restaurants"])
            .form(&[("id", id.as_str()), ("step", step)])
            .send()
            .await;
        let status = status_of(res).await;
        shared.record("kitchen", status, t.elapsed());
        if status != Some(200) {
            s.unfinished
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((id, i));
            return;
        }
    }
}

/// `200 ×5, 503 ×2` (0: no answer).
fn statuses(counts: impl Iterator<Item = (u16, u64)>) -> String {
    counts
        .map(|(s, n)| {
            if s == 0 {
                format!("no answer ×{n}")
            } else {
                format!("{s} ×{n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

async fn soak(stack: &mut Stack, s: &Arc<Setup>, opts: SoakOptions) -> anyhow::Result<()> {
    let apps: Vec<String> = stack
        .suite
        .manifest
        .enabled()
        .map(|a| a.name.clone())
        .collect();
    let shared = Arc::new(Shared {
        tally: Mutex::new(Tally::default()),
        in_outage: AtomicBool::new(false),
    });
    let start = Instant::now();
    let deadline = start + opts.duration;
    let mut workers = Vec::new();
    for _ in 0..opts.workers {
        let (s, shared) = (s.clone(), shared.clone());
        workers.push(tokio::spawn(async move {
            while Instant::now() < deadline {
                one(&s, &shared).await;
            }
        }));
    }
    println!(
        "SteppersLife soak: {} servers behind nginx, demo data, {} clients for {} s \
         (70% pages, 10% sign-ins, 15% orders each taken to \"picked up\" by the owner, 5% cover uploads); PostgreSQL stopped for {} s \
         halfway",
        if opts.release { "release" } else { "debug" },
        opts.workers,
        opts.duration.as_secs(),
        opts.outage.as_secs()
    );
    print!(
        "{:>6} {:>8} {:>7} {:>5}",
        "time", "requests", "req/s", "5xx"
    );
    for app in &apps {
        print!(" {:>12}", format!("{app} MiB"));
    }
    println!();
    // Each server's resident memory, every few seconds.
    let mut samples: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut next_sample = start;
    let mut last_total = 0;
    let mut last_line = start;
    let mut outage_done = opts.outage.is_zero();
    let mut next_line = start + opts.interval;
    let mut recovery = None;
    while Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        if !outage_done && start.elapsed() >= opts.duration / 2 {
            outage_done = true;
            recovery = Some(outage(stack, &shared, opts.outage).await?);
        }
        let now = Instant::now();
        if now >= next_sample {
            next_sample = now + SAMPLE_EVERY;
            for app in &apps {
                if let Some((rss, _)) = stack.pid(app).and_then(memory_kib) {
                    samples.entry(app.as_str()).or_default().push(rss);
                }
            }
        }
        if now >= next_line {
            while next_line <= now {
                next_line += opts.interval;
            }
            let (total, errors) = {
                let t = shared
                    .tally
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                (t.total, t.server_errors_outside)
            };
            print!(
                "{:>5}s {:>8} {:>7.0} {:>5}",
                start.elapsed().as_secs(),
                total,
                (total - last_total) as f64 / last_line.elapsed().as_secs_f64(),
                errors
            );
            last_total = total;
            last_line = now;
            for app in &apps {
                let rss = samples
                    .get(app.as_str())
                    .and_then(|s| s.last().copied())
                    .unwrap_or(0);
                print!(" {:>12}", mib(rss));
            }
            println!();
        }
    }
    for w in workers {
        let _ = w.await;
    }
    // Every client is done: the tally is final.
    let t = std::mem::take(
        &mut *shared
            .tally
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    println!();
    println!(
        "{:<10} {:>8} {:>9} {:>5} {:>10} {:>10}",
        "request", "ok", "refused", "5xx", "no answer", "slowest"
    );
    for (kind, c) in &t.by_kind {
        println!(
            "{:<10} {:>8} {:>9} {:>5} {:>10} {:>8.0}ms   {}",
            kind,
            c.ok,
            c.refused,
            c.server_errors,
            c.unanswered,
            c.slowest.as_secs_f64() * 1000.0,
            statuses(c.statuses.iter().map(|(s, n)| (*s, *n)))
        );
    }
    println!();
    println!(
        "5xx or no answer outside the database outage: {}",
        t.server_errors_outside
    );
    println!(
        "resident memory, sampled every {} s: lowest and highest; highest of the first and of the \
         last third of the run",
        SAMPLE_EVERY.as_secs()
    );
    for app in &apps {
        let s = samples.get(app.as_str()).map_or(&[][..], Vec::as_slice);
        let third = (s.len() / 3).max(1).min(s.len());
        let peak = |part: &[u64]| part.iter().copied().max().unwrap_or(0);
        println!(
            "  {app:<12} {:>7} {:>7}   {:>7} → {:>7} MiB",
            mib(s.iter().copied().min().unwrap_or(0)),
            mib(peak(s)),
            mib(peak(&s[..third])),
            mib(peak(&s[s.len() - third..]))
        );
    }
    if let Some(r) = recovery {
        println!();
        println!(
            "PostgreSQL stopped for {} s under load:",
            opts.outage.as_secs()
        );
        println!("  answers meanwhile:");
        for kind in t.by_kind.keys() {
            let seen = statuses(
                t.outage_statuses
                    .iter()
                    .filter(|((k, _), _)| k == kind)
                    .map(|((_, s), n)| (*s, *n)),
            );
            if !seen.is_empty() {
                println!("    {kind:<8} {seen}");
            }
        }
        println!(
            "  slowest answer meanwhile: {:.0} ms",
            t.outage_slowest.as_secs_f64() * 1000.0
        );
        for line in &r.readyz {
            println!("  {line}");
        }
        println!("  a page during the outage: {}", r.page);
        println!(
            "  every app ready again {:.1} s after PostgreSQL came back, without a restart",
            r.back_after.as_secs_f64()
        );
    }
    let orders = t.confirmed_orders;
    let db = sqlx::PgPool::connect(&stack.database_urls["restaurants"]).await?;
    let found: i64 = sqlx::query("select count(*) from orders where id = any($1::uuid[])")
        .bind(&orders)
        .fetch_one(&db)
        .await?
        .try_get(0)?;
    db.close().await;
    println!();
    println!(
        "orders confirmed (201): {}; found in the database afterwards: {found}",
        orders.len()
    );
    faults(stack, s).await?;
    if found != i64::try_from(orders.len())? {
        bail!("confirmed orders are missing from the database");
    }
    Ok(())
}

/// What the outage showed.
struct Recovery {
    readyz: Vec<String>,
    page: String,
    back_after: Duration,
}

async fn outage(stack: &mut Stack, shared: &Shared, length: Duration) -> anyhow::Result<Recovery> {
    println!("— stopping PostgreSQL for {} s —", length.as_secs());
    shared.in_outage.store(true, Ordering::Relaxed);
    stack.stop_postgres()?;
    let direct = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    tokio::time::sleep(length / 2).await;
    let mut readyz = Vec::new();
    for (app, addr) in &stack.addrs {
        let t = Instant::now();
        let line = match direct.get(format!("http://{addr}/readyz")).send().await {
            Ok(r) => format!(
                "{app} /readyz: {} in {:.0} ms: {}",
                r.status().as_u16(),
                t.elapsed().as_secs_f64() * 1000.0,
                r.text().await.unwrap_or_default().trim().replace('\n', " ")
            ),
            Err(e) => format!("{app} /readyz: no answer ({e})"),
        };
        readyz.push(line);
    }
    let page = match direct
        .get(format!("http://{}/", stack.addrs["restaurants"]))
        .send()
        .await
    {
        Ok(r) => {
            let status = r.status().as_u16();
            let retry = r
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(|v| format!(", Retry-After {v}"))
                .unwrap_or_default();
            let text = r.text().await.unwrap_or_default();
            let said = if text.contains("try again") {
                ", says \"try again\""
            } else {
                ""
            };
            format!("restaurants / answered {status}{retry}{said}")
        }
        Err(e) => format!("no answer ({e})"),
    };
    tokio::time::sleep(length - length / 2).await;
    stack.start_postgres()?;
    println!("— PostgreSQL back —");
    let back = Instant::now();
    'wait: loop {
        if back.elapsed() > Duration::from_secs(120) {
            bail!("the apps were not ready 120 s after PostgreSQL came back");
        }
        for addr in stack.addrs.values() {
            let ok = direct
                .get(format!("http://{addr}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if !ok {
                tokio::time::sleep(Duration::from_millis(200)).await;
                continue 'wait;
            }
        }
        break;
    }
    let back_after = back.elapsed();
    shared.in_outage.store(false, Ordering::Relaxed);
    Ok(Recovery {
        readyz,
        page,
        back_after,
    })
}

/// After the traffic: the object store stopped (an upload is refused clearly, the row is
/// unchanged), then one app stopped (the portal's home still shows the others).
async fn faults(stack: &mut Stack, s: &Setup) -> anyhow::Result<()> {
    println!();
    let db = sqlx::PgPool::connect(&stack.database_urls["restaurants"]).await?;
    let cover = || async {
        sqlx::query("select cover_key from restaurants where id = $1::uuid")
            .bind(&s.restaurant_id)
            .fetch_one(&db)
            .await
            .and_then(|r| r.try_get::<Option<String>, _>(0))
    };
    let before = cover().await?;
    stack.stop_object_store();
    let status = match upload(s).await {
        Ok(r) => format!("{} → {}", r.status().as_u16(), location(&r)),
        Err(e) => format!("no answer ({e})"),
    };
    let after = cover().await?;
    db.close().await;
    println!(
        "object store stopped: an upload answered {status}; the restaurant's cover {}",
        if before == after {
            "unchanged"
        } else {
            "CHANGED"
        }
    );
    stack.stop_app("events").await;
    let res = s
        .http
        .get(format!("{}/", s.origins["portal"]))
        .send()
        .await?;
    let status = res.status().as_u16();
    let without = res.text().await?;
    let kept: Vec<&str> = ["home-restaurants-featured", "home-store-new"]
        .into_iter()
        .filter(|section| without.contains(&format!(r#"data-testid="{section}""#)))
        .collect();
    println!(
        "events stopped: the portal home answered {status} and still shows {}",
        if kept.is_empty() {
            "no other section".to_owned()
        } else {
            kept.join(", ")
        }
    );
    if before != after || status != 200 || kept.len() < 2 {
        bail!("a fault was not handled as it should be");
    }
    Ok(())
}

/// Where an answer sends the browser.
fn location(r: &reqwest::Response) -> &str {
    r.headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or("")
}

/// The demo account replaces the restaurant's cover, as its edit page's form does.
async fn upload(s: &Setup) -> reqwest::Result<reqwest::Response> {
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(s.picture.clone()).file_name("cover.jpg"),
    );
    s.http
        .post(format!(
            "{}/dashboard/photos/cover/{}",
            s.origins["restaurants"], s.restaurant_id
        ))
        .header("cookie", &s.demo_cookie)
        .header("origin", &s.origins["restaurants"])
        .multipart(form)
        .send()
        .await
}

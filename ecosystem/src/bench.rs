//! `suite bench`: load figures for the pages people open most, against release builds of the
//! servers with the demo data, and what each server holds in memory.
//!
//! A closed-loop load generator in this process: `concurrency` connections each send the next
//! request as soon as the last answer is read, for `duration` per target after a short warm-up.
//! It shares the machine's cores with the servers, so the figures are a floor, good for
//! comparing one change with another on the same machine, not a capacity statement.

use std::{
    collections::BTreeMap,
    net::SocketAddr,
    path::Path,
    time::{Duration, Instant},
};

use platform::suite::Manifest;

use crate::launcher::{Stack, StackOptions};

#[derive(Debug, Clone, Copy)]
pub struct BenchOptions {
    pub duration: Duration,
    pub concurrency: usize,
    /// Run Lighthouse on each page too (npm's, installed in `ecosystem/lighthouse/` on first use).
    pub audit: bool,
}

impl Default for BenchOptions {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(10),
            concurrency: 16,
            audit: false,
        }
    }
}

/// What one target measured.
#[derive(Debug, Clone)]
pub struct Figures {
    pub requests: usize,
    pub errors: usize,
    pub per_second: f64,
    pub p50: Duration,
    pub p99: Duration,
}

/// The value at quantile `q` (0..=1) of sorted `samples` (nearest rank).
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Loads `url` with `concurrency` loops for `duration`.
pub async fn load(
    http: &reqwest::Client,
    url: &str,
    concurrency: usize,
    duration: Duration,
) -> Figures {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (http, url) = (http.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut samples = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match http.get(&url).send().await {
                    Ok(res) => res.status().is_success() && res.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    samples.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (samples, errors)
        }));
    }
    let mut samples = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((s, e)) = t.await {
            samples.extend(s);
            errors += e;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    samples.sort_unstable();
    Figures {
        requests: samples.len(),
        errors,
        per_second: samples.len() as f64 / elapsed,
        p50: quantile(&samples, 0.50),
        p99: quantile(&samples, 0.99),
    }
}

/// Resident and peak resident memory of a process, in KiB (`VmRSS`, `VmHWM`).
pub fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let status =
        std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// What the benchmark loads: every enabled app's `[[app.bench]]` pages and endpoints, straight
/// at its address (the figures are the apps', not nginx's), apps first, the portal last.
pub fn targets(manifest: &Manifest, addrs: &BTreeMap<String, SocketAddr>) -> Vec<(String, String)> {
    let mut apps: Vec<_> = manifest.enabled().collect();
    apps.sort_by_key(|a| a.name == "portal");
    apps.iter()
        .filter_map(|a| Some((a, addrs.get(&a.name)?)))
        .flat_map(|(a, addr)| {
            a.bench
                .iter()
                .map(move |t| (t.name.clone(), format!("http://{addr}{}", t.path)))
        })
        .collect()
}

/// Starts the suite (release binaries, demo data, its own databases), measures, prints, stops.
pub async fn run(state_dir: &Path, opts: BenchOptions) -> anyhow::Result<()> {
    let mut stack_opts = StackOptions::local(state_dir.to_path_buf())?;
    stack_opts.release = true;
    stack_opts.show_logs = false;
    stack_opts.name_suffix = "_bench".into();
    stack_opts.free_ports = true;
    let lighthouse = match opts.audit {
        true => Some(lighthouse(state_dir.parent().unwrap_or(state_dir))?),
        false => None,
    };
    let stack = Stack::start(stack_opts).await?;
    let result = async {
        measure(&stack, opts).await?;
        if let Some(lighthouse) = lighthouse {
            audit(&stack, &lighthouse).await?;
        }
        anyhow::Ok(())
    }
    .await;
    stack.stop().await;
    result
}

async fn measure(stack: &Stack, opts: BenchOptions) -> anyhow::Result<()> {
    let targets = targets(stack.suite.manifest, &stack.addrs);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(opts.concurrency)
        .timeout(Duration::from_secs(10))
        .build()?;
    println!(
        "SteppersLife benchmark: release servers, demo data, {} connections, {} s per target (after 2 s warm-up)",
        opts.concurrency,
        opts.duration.as_secs()
    );
    println!(
        "{:<32} {:>10} {:>10} {:>10} {:>9} {:>7}",
        "target", "req/s", "p50", "p99", "requests", "errors"
    );
    for (name, url) in &targets {
        // Check the page answers before loading it (a broken page would measure errors).
        let res = http.get(url).send().await?;
        anyhow::ensure!(res.status().is_success(), "{url} answered {}", res.status());
        load(&http, url, opts.concurrency, Duration::from_secs(2)).await;
        let f = load(&http, url, opts.concurrency, opts.duration).await;
        println!(
            "{:<32} {:>10.0} {:>10} {:>10} {:>9} {:>7}",
            name,
            f.per_second,
            ms(f.p50),
            ms(f.p99),
            f.requests,
            f.errors
        );
    }
    println!();
    println!(
        "{:<32} {:>12}   (budget {} KB: the HTML, stylesheet, script, wasm and the pictures it loads at once, gzip-compressed as nginx sends them)",
        "first load of a page",
        "KB",
        FIRST_LOAD_BUDGET / 1000
    );
    for (name, url) in &targets {
        if let Some(bytes) = first_load(&http, url).await? {
            println!(
                "{:<32} {:>12.1}{}",
                name,
                bytes as f64 / 1000.0,
                if bytes > FIRST_LOAD_BUDGET {
                    "   OVER BUDGET"
                } else {
                    ""
                }
            );
        }
    }
    println!();
    println!("{:<32} {:>12} {:>12}", "server", "RSS now", "peak RSS");
    for app in stack.suite.manifest.enabled().map(|a| a.name.as_str()) {
        let Some((rss, peak)) = stack.pid(app).and_then(memory_kib) else {
            println!("{app:<32} {:>12}", "unknown");
            continue;
        };
        println!(
            "{:<32} {:>9.1} MiB {:>8.1} MiB",
            app,
            rss as f64 / 1024.0,
            peak as f64 / 1024.0
        );
    }
    Ok(())
}

/// Lighthouse from npm (pinned by `ecosystem/lighthouse/package-lock.json`), installed on first
/// use: it drives the machine's Chromium and downloads no browser.
fn lighthouse(repo: &Path) -> anyhow::Result<std::path::PathBuf> {
    let dir = repo.join("ecosystem/lighthouse");
    let bin = dir.join("node_modules/.bin/lighthouse");
    if !bin.exists() {
        println!("installing Lighthouse (ecosystem/lighthouse/, once)");
        let ok = std::process::Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()?
            .success();
        anyhow::ensure!(ok, "npm install in {} failed", dir.display());
    }
    Ok(bin)
}

/// Lighthouse's mobile performance and accessibility scores of each page target, with the
/// accessibility audits that fail (the budget: performance 90 or more, no failure).
async fn audit(stack: &Stack, lighthouse: &Path) -> anyhow::Result<()> {
    let chromium = std::env::var("CHROME_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let http = reqwest::Client::new();
    println!();
    println!(
        "{:<32} {:>12} {:>14}   (Lighthouse, mobile; budget: performance 90, no accessibility failure)",
        "audit", "performance", "accessibility"
    );
    for (name, url) in targets(stack.suite.manifest, &stack.addrs) {
        if first_load(&http, &url).await?.is_none() {
            continue;
        }
        let dir = tempfile::tempdir()?;
        let report = dir.path().join("report.json");
        let ok = tokio::process::Command::new(lighthouse)
            .arg(&url)
            .args([
                "--quiet",
                "--form-factor=mobile",
                "--only-categories=performance,accessibility",
                "--output=json",
            ])
            .arg(format!("--output-path={}", report.display()))
            .arg(format!(
                "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
                 --disable-background-networking --disable-component-update --disable-sync \
                 --user-data-dir={}",
                dir.path().join("profile").display()
            ))
            .env("CHROME_PATH", &chromium)
            .status()
            .await?
            .success();
        anyhow::ensure!(ok, "Lighthouse failed on {url}");
        let r: serde_json::Value = serde_json::from_slice(&std::fs::read(&report)?)?;
        let score = |c: &str| r["categories"][c]["score"].as_f64().map(|s| s * 100.0);
        let failing: Vec<&str> = r["categories"]["accessibility"]["auditRefs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["id"].as_str())
            .filter(|id| r["audits"][*id]["score"].as_f64() == Some(0.0))
            .collect();
        let (perf, a11y) = (score("performance"), score("accessibility"));
        println!(
            "{:<32} {:>12} {:>14}{}{}",
            name,
            perf.map_or("?".into(), |p| format!("{p:.0}")),
            a11y.map_or("?".into(), |a| format!("{a:.0}")),
            if perf.is_some_and(|p| p < 90.0) {
                "   BELOW 90"
            } else {
                ""
            },
            if failing.is_empty() {
                String::new()
            } else {
                format!("   failing: {}", failing.join(", "))
            }
        );
    }
    Ok(())
}

/// The most a public page's first load may transfer (the issues' budget: 250 KB).
pub const FIRST_LOAD_BUDGET: u64 = 250 * 1000;

/// What a first visit to the page at `url` transfers, `None` for what is not a page: the HTML
/// and what it loads at once (see [`first_load_assets`]), text and wasm gzip-compressed as
/// nginx sends them (level 5), pictures as they are.
pub async fn first_load(http: &reqwest::Client, url: &str) -> anyhow::Result<Option<u64>> {
    let res = http.get(url).send().await?.error_for_status()?;
    let html_page = res
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let html = res.text().await?;
    if !html_page {
        return Ok(None);
    }
    let base = reqwest::Url::parse(url)?;
    let mut total = gzip_len(html.as_bytes())?;
    for (asset, compressed) in first_load_assets(&html) {
        let bytes = http
            .get(base.join(&asset)?)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?;
        total += if compressed {
            gzip_len(&bytes)?
        } else {
            bytes.len() as u64
        };
    }
    Ok(Some(total))
}

/// What a page loads at once besides its HTML, `(url, sent compressed)`: stylesheets, preloaded
/// scripts and wasm, and pictures that are not `loading="lazy"` (inline `data:` ones are in the
/// HTML already).
pub fn first_load_assets(html: &str) -> Vec<(String, bool)> {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!(" {name}=\"");
        let start = tag.find(&key)? + key.len();
        tag[start..].split('"').next().map(str::to_owned)
    };
    let mut out = Vec::new();
    for tag in html.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        let src = if tag.starts_with("link ")
            && matches!(
                attr(tag, "rel").as_deref(),
                Some("stylesheet" | "modulepreload" | "preload")
            ) {
            attr(tag, "href").map(|h| (h, true))
        } else if tag.starts_with("img ") && attr(tag, "loading").as_deref() != Some("lazy") {
            attr(tag, "src").map(|h| (h, false))
        } else {
            None
        };
        if let Some((url, compressed)) = src
            && !url.starts_with("data:")
        {
            out.push((url.replace("&amp;", "&"), compressed));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn gzip_len(bytes: &[u8]) -> anyhow::Result<u64> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(5));
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_load_counts_what_the_page_loads_at_once() {
        let html = r#"<html><head><link rel="icon" href="data:image/svg+xml,x"><link rel="stylesheet" href="/pkg/a.css"><link rel="modulepreload" href="/pkg/a.js" crossorigin=""><link rel="preload" href="/pkg/a_bg.wasm" as="fetch"></head><body><img src="/media/c.webp?w=1&amp;h=2" alt=""><img src="/media/later.webp" loading="lazy"><img src="data:image/png;base64,x"><a href="/e/x">x</a></body></html>"#;
        assert_eq!(
            first_load_assets(html),
            vec![
                ("/media/c.webp?w=1&h=2".to_owned(), false),
                ("/pkg/a.css".to_owned(), true),
                ("/pkg/a.js".to_owned(), true),
                ("/pkg/a_bg.wasm".to_owned(), true),
            ]
        );
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(quantile(&samples, 0.50), Duration::from_millis(50));
        assert_eq!(quantile(&samples, 0.99), Duration::from_millis(99));
        assert_eq!(quantile(&samples[..1], 0.99), Duration::from_millis(1));
        assert_eq!(quantile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn memory_of_this_process_is_read_from_proc() {
        let (rss, peak) = memory_kib(std::process::id()).expect("readable");
        assert!(rss > 0 && peak >= rss);
    }
}

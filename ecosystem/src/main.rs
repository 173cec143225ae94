//! `suite`: build, run and render the SteppersLife suite. See ecosystem/README.md.

use anyhow::bail;
use suite::{
    build::{self, BuildOptions},
    launcher::{Stack, StackOptions},
    render, repo_root,
};

const USAGE: &str =
    "usage: suite <build|run|bench|soak|render|lint-wasm|make-admin|provision|deploy|backup|restore>
             [--release] [--no-build] [--wasm-only] [--proxy] [--duration SECS] [--concurrency N]
             [--audit] [--clients N] [--outage SECS]

  build    build every enabled app (wasm, stylesheet, server binaries; --wasm-only: no servers);
           prints each app's wasm size (raw, and gzip and brotli for --release)
  lint-wasm  clippy -D warnings on every enabled app's browser half
  run      build, then start the whole suite locally until Ctrl-C (--proxy: behind nginx, every
           host on the manifest's local_proxy_port, as in production)
  bench    build for release, start the suite with demo data, print req/s, p50/p99 latency of
           the busiest pages, their first load against the 250 KB budget and each server's
           memory (--duration 10, --concurrency 16; --audit: Lighthouse's mobile performance
           and accessibility scores of each page too, with Debian's chromium)
  soak     build for release, start the suite with demo data behind nginx, keep --clients N
           (default 8) busy for --duration SECS (default 600) with pages, sign-ins, orders and
           uploads, stop PostgreSQL for --outage SECS (default 20; 0: not) halfway; prints
           requests, 5xx, each server's memory over time, the outage and the recovery, then
           stops the object store and one app; fails on a lost order or a mishandled fault
           (--debug: debug servers, to try it out; the figures are the release build's;
           --logs: the apps' logs too)
  render   write nginx/ and ecosystem/systemd/ from the manifest
  make-admin EMAIL  make that account a suite admin (the portal's database: PORTAL_DATABASE_URL,
           else the local suite's)
  provision  on a Debian 12 server, as root: packages, users, databases and roles, object
           stores, settings and credentials, units and the nginx site, from the manifest; a
           second run changes nothing; prints what is left by hand (DNS, certbot, MinIO)
  deploy --from DIR  on the server, as root: install the release in DIR (bin/<app>,
           bin/suite, site/<app>/) and restart the apps whose binary changed, one at a time
  backup   on the server: every app's database (pg_dump -Fc) and bucket into a dated folder
           (--to DIR, default /var/backups/stepperslife; --keep N complete backups, default 14;
           --etc DIR, default /etc/stepperslife: where the apps' settings and credentials are)
  restore APP --from DIR  put that app's database and bucket back as the backup DIR has them
           (--etc as for backup); stop the app first";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let release = args.iter().any(|a| a == "--release");
    let no_build = args.iter().any(|a| a == "--no-build");
    let skip_servers = args.iter().any(|a| a == "--wasm-only");
    match args.first().map(String::as_str) {
        Some("build") => build::build_all(BuildOptions {
            release,
            skip_servers,
        }),
        Some("run") => run(release, no_build, args.iter().any(|a| a == "--proxy")).await,
        Some("render") => render_all(),
        Some("lint-wasm") => build::lint_wasm(),
        Some("provision") => provision().await,
        Some("deploy") => deploy(&args),
        Some("soak") => {
            let mut opts = suite::soak::SoakOptions::default();
            if let Some(secs) = flag(&args, "--duration")? {
                opts.duration = std::time::Duration::from_secs(secs);
            }
            if let Some(n) = flag(&args, "--clients")? {
                opts.workers = usize::try_from(n)?;
            }
            if let Some(secs) = value(&args, "--outage")? {
                let secs = secs
                    .parse()
                    .map_err(|_| anyhow::anyhow!("--outage needs seconds (0: no outage)"))?;
                opts.outage = std::time::Duration::from_secs(secs);
            }
            opts.release = !args.iter().any(|a| a == "--debug");
            opts.logs = args.iter().any(|a| a == "--logs");
            if !no_build {
                build::build_all(BuildOptions {
                    release: opts.release,
                    skip_servers: false,
                })?;
            }
            suite::soak::run(&repo_root().join(".suite").join("soak"), opts).await
        }
        Some("backup") => backup(&args).await,
        Some("restore") => restore(&args).await,
        Some("make-admin") => {
            let Some(email) = args.get(1) else {
                eprintln!("{USAGE}");
                bail!("make-admin needs the account's email");
            };
            make_admin(email).await
        }
        Some("bench") => {
            let mut opts = suite::bench::BenchOptions::default();
            if let Some(secs) = flag(&args, "--duration")? {
                opts.duration = std::time::Duration::from_secs(secs);
            }
            if let Some(n) = flag(&args, "--concurrency")? {
                opts.concurrency = usize::try_from(n)?.max(1);
            }
            opts.audit = args.iter().any(|a| a == "--audit");
            if !no_build {
                build::build_all(BuildOptions {
                    release: true,
                    skip_servers: false,
                })?;
            }
            suite::bench::run(&repo_root().join(".suite"), opts).await
        }
        _ => {
            eprintln!("{USAGE}");
            bail!("no command given")
        }
    }
}

/// Makes the account of `email` a suite admin, in `PORTAL_DATABASE_URL` (production: the
/// portal's `DATABASE_URL`) or else the local suite's portal database.
async fn make_admin(email: &str) -> anyhow::Result<()> {
    let url = match platform::config::var_opt("PORTAL_DATABASE_URL") {
        Some(url) => url,
        None => {
            let manifest = platform::suite::Manifest::current()?;
            let portal = manifest
                .app("portal")
                .ok_or_else(|| anyhow::anyhow!("the manifest has no portal"))?;
            devstack::with_database(&devstack::admin_url_from_env().0, &portal.database)?
        }
    };
    let pool = platform::db::connect(&url, 1).await?;
    if portal::admin::ssr::grant_admin(&pool, email).await? {
        println!("{email} is now a suite admin.");
        Ok(())
    } else {
        bail!("no account has the address {email}")
    }
}

async fn run(release: bool, no_build: bool, proxy: bool) -> anyhow::Result<()> {
    if !no_build {
        build::build_all(BuildOptions {
            release,
            skip_servers: false,
        })?;
    }
    let state = repo_root().join(".suite");
    let mut opts = StackOptions::local(state.clone())?;
    opts.release = release;
    let port = opts.manifest.suite.local_proxy_port;
    if proxy {
        opts.public_port = platform::suite::PublicPort::Fixed(port);
        opts.behind_proxy = true;
    }
    println!("Starting the SteppersLife suite…");
    let mut stack = Stack::start(opts).await?;
    let _nginx = if proxy {
        let nginx = suite::proxy::Proxy::start(&stack, port, &state.join("nginx"), "").await?;
        Some(nginx.ok_or_else(|| anyhow::anyhow!("nginx cannot listen on port {port}"))?)
    } else {
        None
    };
    println!();
    println!("SteppersLife is running:");
    for (name, url) in stack.urls() {
        println!("  {name:>12}  {url}");
    }
    for (what, which) in stack.services() {
        println!("  {what:>12}  {which}");
    }
    println!();
    println!("Demo account: demo@stepperslife.com / stepperslife-demo");
    println!("Press Ctrl-C to stop.");
    tokio::select! {
        () = platform::shutdown::signal() => {}
        name = stack.any_exit() => eprintln!("{name} stopped unexpectedly; stopping the suite"),
    }
    println!("Stopping…");
    stack.stop().await;
    println!("Stopped.");
    Ok(())
}

/// The value after `name`, if the flag is given.
fn value<'a>(args: &'a [String], name: &str) -> anyhow::Result<Option<&'a str>> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => match args.get(i + 1) {
            Some(v) if !v.starts_with("--") => Ok(Some(v)),
            _ => bail!("{name} needs a value"),
        },
    }
}

/// The targets of every enabled app, from the server's `--etc` folder.
fn server_targets(args: &[String]) -> anyhow::Result<Vec<suite::backup::Target>> {
    let etc = std::path::PathBuf::from(value(args, "--etc")?.unwrap_or("/etc/stepperslife"));
    platform::suite::Manifest::current()?
        .enabled()
        .map(|app| suite::backup::Target::from_etc(&etc, app))
        .collect()
}

/// `suite provision` and `suite deploy` are for the server itself, as root.
fn server_only() -> anyhow::Result<&'static platform::suite::Manifest> {
    let uid = std::process::Command::new("id").arg("-u").output()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        bail!("run this as root on the server");
    }
    Ok(platform::suite::Manifest::current()?)
}

async fn provision() -> anyhow::Result<()> {
    let report = suite::provision::Provision::for_this_server(server_only()?)
        .run()
        .await?;
    print!("{report}");
    Ok(())
}

fn deploy(args: &[String]) -> anyhow::Result<()> {
    let Some(from) = value(args, "--from")? else {
        bail!("deploy needs --from <a release folder>");
    };
    let p = suite::provision::Provision::for_this_server(server_only()?);
    let mut restart = suite::deploy::systemd_restart;
    let restart: Option<&mut suite::deploy::Restart<'_>> =
        p.systemd_running().then_some(&mut restart);
    let report = suite::deploy::deploy(&p, std::path::Path::new(from), restart)?;
    print!("{report}");
    Ok(())
}

async fn backup(args: &[String]) -> anyhow::Result<()> {
    let root =
        std::path::PathBuf::from(value(args, "--to")?.unwrap_or("/var/backups/stepperslife"));
    let keep = usize::try_from(flag(args, "--keep")?.unwrap_or(14))?;
    let targets = server_targets(args)?;
    let (dir, summaries) = suite::backup::backup(&targets, &root).await?;
    println!("backed up into {}:", dir.display());
    for s in summaries {
        println!("  {s}");
    }
    for old in suite::backup::prune(&root, keep)? {
        println!("removed {}", old.display());
    }
    Ok(())
}

async fn restore(args: &[String]) -> anyhow::Result<()> {
    let Some(app) = args.get(1).filter(|a| !a.starts_with("--")) else {
        eprintln!("{USAGE}");
        bail!("restore needs the app's name");
    };
    let Some(from) = value(args, "--from")? else {
        bail!("restore needs --from <a backup's folder>");
    };
    let target = server_targets(args)?
        .into_iter()
        .find(|t| &t.app == app)
        .ok_or_else(|| anyhow::anyhow!("{app} is not an enabled app of the manifest"))?;
    let summary = suite::backup::restore(&target, std::path::Path::new(from)).await?;
    println!("restored {summary}");
    Ok(())
}

/// The number after `name`, if the flag is given.
fn flag(args: &[String], name: &str) -> anyhow::Result<Option<u64>> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => match args.get(i + 1).map(|v| v.parse::<u64>()) {
            Some(Ok(n)) if n > 0 => Ok(Some(n)),
            _ => bail!("{name} needs a positive number"),
        },
    }
}

fn render_all() -> anyhow::Result<()> {
    let root = repo_root();
    for (path, content) in render::all_files(platform::suite::Manifest::current()?) {
        let path = root.join(path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, content)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

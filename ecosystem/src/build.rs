//! Builds every enabled app: the browser half (wasm through wasm-bindgen), the stylesheet
//! (Tailwind v4 from npm), and the server binaries. This is what cargo-leptos would do, in a few
//! plain steps, so that a fresh machine needs no 20-minute tool install.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};
use platform::suite::Manifest;

use crate::{repo_root, target_dir};

/// The wasm-bindgen version pinned in Cargo.toml; the CLI must be exactly this one.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// Base name of the built files in each site's `pkg/` (same as `ui::OUTPUT_NAME`).
pub const OUTPUT_NAME: &str = "stepperslife";

#[derive(Debug, Clone, Copy, Default)]
pub struct BuildOptions {
    pub release: bool,
    /// Leave the server binaries alone (the caller has built them, e.g. the test script through
    /// `cargo test --no-run`, which builds them with the tests' feature set).
    pub skip_servers: bool,
}

/// Directory served by `app` (its `SITE_ROOT`).
pub fn site_dir(app: &str) -> PathBuf {
    repo_root().join("site").join(app)
}

/// The server binary of `app`.
pub fn bin_path(app: &str, release: bool) -> PathBuf {
    target_dir()
        .join(if release { "release" } else { "debug" })
        .join(app)
}

fn run(cmd: &mut Command) -> anyhow::Result<()> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

fn tool(name: &str) -> PathBuf {
    repo_root().join("style/node_modules/.bin").join(name)
}

/// Checks the tools the build needs and says how to get each missing one.
pub fn check_tools() -> anyhow::Result<()> {
    let mut missing = Vec::new();
    match Command::new("wasm-bindgen").arg("--version").output() {
        Ok(out) if String::from_utf8_lossy(&out.stdout).contains(WASM_BINDGEN_VERSION) => {}
        _ => missing.push(format!(
            "wasm-bindgen {WASM_BINDGEN_VERSION} (cargo install wasm-bindgen-cli --version {WASM_BINDGEN_VERSION})"
        )),
    }
    if !tool("tailwindcss").exists() {
        missing.push("the Tailwind compiler (cd style && npm install)".to_owned());
    }
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !targets.contains("wasm32-unknown-unknown") {
        missing.push("the wasm target (rustup target add wasm32-unknown-unknown)".to_owned());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        bail!(
            "missing build tools — run ecosystem/bootstrap, or install:\n  - {}",
            missing.join("\n  - ")
        )
    }
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(repo_root());
    // The hydrate build must not see the server's output-name override (see leptos' hydration
    // scripts): wasm-bindgen names the module `<name>_bg.wasm`.
    c.env_remove("LEPTOS_OUTPUT_NAME");
    c
}

/// Builds the wasm, the stylesheet and the server binaries of every enabled app.
pub fn build_all(opts: BuildOptions) -> anyhow::Result<()> {
    check_tools()?;
    let apps: Vec<String> = Manifest::embedded()
        .enabled()
        .map(|a| a.name.clone())
        .collect();

    // 1. The browser half: one cargo invocation for every app.
    let mut wasm = cargo();
    wasm.args([
        "build",
        "--lib",
        "--target",
        "wasm32-unknown-unknown",
        "--no-default-features",
        "--features",
        "hydrate",
    ]);
    if opts.release {
        wasm.args(["--profile", "wasm-release"]);
    }
    for app in &apps {
        wasm.args(["-p", app]);
    }
    run(&mut wasm)?;
    let wasm_dir = target_dir()
        .join("wasm32-unknown-unknown")
        .join(if opts.release {
            "wasm-release"
        } else {
            "debug"
        });

    // 2. The stylesheet, once for every app.
    let css = target_dir().join("stepperslife.css");
    let mut tw = Command::new(tool("tailwindcss"));
    tw.current_dir(repo_root())
        .args(["-i", "style/main.css", "-o"])
        .arg(&css);
    if opts.release {
        tw.arg("--minify");
    }
    run(&mut tw)?;

    for app in &apps {
        let pkg = site_dir(app).join("pkg");
        // A failed build must not leave a half-empty pkg/ behind an old one: build into a
        // fresh directory, then swap.
        let staging = site_dir(app).join("pkg.new");
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)?;
        run(Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                OUTPUT_NAME,
                "--out-dir",
            ])
            .arg(&staging)
            .arg(wasm_dir.join(format!("{app}.wasm"))))?;
        if opts.release {
            let file = staging.join(format!("{OUTPUT_NAME}_bg.wasm"));
            run(Command::new(tool("wasm-opt"))
                .arg("-Oz")
                .arg(&file)
                .arg("-o")
                .arg(&file))?;
        }
        std::fs::copy(&css, staging.join(format!("{OUTPUT_NAME}.css")))?;
        let _ = std::fs::remove_dir_all(&pkg);
        std::fs::rename(&staging, &pkg)?;
    }

    // 3. The servers (`ssr` is the apps' default feature). The whole workspace in one build, as
    // the tests build it, so that both share their dependencies' artifacts.
    if !opts.skip_servers {
        let mut servers = cargo();
        servers.args(["build", "--workspace", "--bins"]);
        if opts.release {
            servers.arg("--release");
        }
        run(&mut servers)?;
    }
    Ok(())
}

/// Whether `dir` holds a built site (for `run --no-build`).
pub fn site_is_built(dir: &Path) -> bool {
    dir.join("pkg")
        .join(format!("{OUTPUT_NAME}_bg.wasm"))
        .exists()
}

//! Builds every enabled app: the browser half (wasm through wasm-bindgen, wasm-opt for release),
//! the stylesheet (Tailwind v4 from npm), and the server binaries. What cargo-leptos would do, in
//! a few plain steps, so that a fresh machine needs no 20-minute tool install.
//!
//! Each app's wasm is built on its own with `cargo rustc --crate-type cdylib`: the library
//! itself is a plain rlib (a `cdylib` crate type next to `rlib` silently turns link-time
//! optimisation off, and makes every native build link a useless shared library).
//!
//! The files in `site/<app>/pkg/` have content-hashed names (`stepperslife.<hash>.js`,
//! `…_bg.wasm`, `….css`), precompressed next to them (`.br`, `.gz`) in release builds, and are
//! served as immutable. `site/<app>/build.txt` names the current build for the server; the
//! previous build's files stay, so that a page rendered just before a deploy still loads.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::{Context, bail};
use platform::suite::{Manifest, OUTPUT_NAME};
use sha2::{Digest, Sha256};

use crate::{repo_root, target_dir};

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

/// The version of the `wasm-bindgen` crate in `Cargo.lock`: the CLI must be exactly this one.
pub fn wasm_bindgen_version() -> anyhow::Result<String> {
    let lock =
        std::fs::read_to_string(repo_root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            let version = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'));
            if let Some(v) = version {
                return Ok(v.to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen")
}

/// Checks the tools the build needs and says how to get each missing one.
pub fn check_tools() -> anyhow::Result<()> {
    let version = wasm_bindgen_version()?;
    let mut missing = Vec::new();
    match Command::new("wasm-bindgen").arg("--version").output() {
        Ok(out) if String::from_utf8_lossy(&out.stdout).contains(&version) => {}
        _ => missing.push(format!(
            "wasm-bindgen {version} (cargo install wasm-bindgen-cli --version {version})"
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

/// The browser bundles `manifest` asks for: every enabled app's, and the owners' one of each
/// app with `manage_paths`.
pub fn bundles(manifest: &Manifest) -> Vec<(String, Bundle)> {
    manifest
        .enabled()
        .flat_map(|app| {
            let kinds: &[Bundle] = if app.manage_paths.is_empty() {
                &[Bundle::Public]
            } else {
                &[Bundle::Public, Bundle::Manage]
            };
            kinds.iter().map(|k| (app.name.clone(), *k))
        })
        .collect()
}

/// `cargo clippy -D warnings` on every browser bundle the manifest asks for, and on those of
/// apps whose crate exists while they are still off in the manifest (being built).
pub fn lint_wasm() -> anyhow::Result<()> {
    let mut manifest = Manifest::current()?.clone();
    for app in &mut manifest.apps {
        app.enabled |= crate::repo_root().join("apps").join(&app.name).is_dir();
    }
    let bundles = bundles(&manifest);
    for kind in [Bundle::Public, Bundle::Manage] {
        let apps: Vec<&String> = bundles
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(a, _)| a)
            .collect();
        if apps.is_empty() {
            continue;
        }
        let mut clippy = cargo();
        clippy.args([
            "clippy",
            "-q",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            kind.features(),
        ]);
        for app in apps {
            clippy.args(["-p", app]);
        }
        clippy.args(["--", "-D", "warnings"]);
        run(&mut clippy)?;
    }
    Ok(())
}

/// Sizes of one built wasm: raw, gzip, brotli (the last two when compressed).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: Option<u64>,
    pub brotli: Option<u64>,
}

/// Builds the wasm, the stylesheet and the server binaries of every enabled app.
pub fn build_all(opts: BuildOptions) -> anyhow::Result<()> {
    check_tools()?;
    let manifest = Manifest::current()?;
    let apps: Vec<String> = manifest.enabled().map(|a| a.name.clone()).collect();

    // 1. The browser half, one bundle at a time (they share every dependency's build): each
    // app's customer bundle, and the owners' bundle of apps that have `manage_paths`.
    let profile = if opts.release {
        "wasm-release"
    } else {
        "debug"
    };
    let wasm_dir = target_dir().join("wasm32-unknown-unknown").join(profile);
    let staging = tempfile::tempdir()?;
    let mut built_wasm = Vec::new();
    for (app, kind) in bundles(manifest) {
        let mut wasm = cargo();
        wasm.args([
            "rustc",
            "-q",
            "-p",
            &app,
            "--lib",
            "--crate-type",
            "cdylib",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            kind.features(),
        ]);
        if opts.release {
            wasm.args(["--profile", "wasm-release"]);
        }
        run(&mut wasm)?;
        // Both bundles of an app come out under one name: keep each.
        let kept = staging.path().join(format!("{app}.{}.wasm", kind.key()));
        std::fs::copy(wasm_dir.join(format!("{app}.wasm")), &kept)?;
        built_wasm.push((app, kind, kept));
    }

    // 2. The stylesheet, once for every app.
    let css_path = target_dir().join("stepperslife.css");
    let mut tw = Command::new(tool("tailwindcss"));
    tw.current_dir(repo_root())
        .args(["-i", "style/main.css", "-o"])
        .arg(&css_path);
    if opts.release {
        tw.arg("--minify");
    }
    run(&mut tw)?;
    let css = std::fs::read(&css_path)?;

    // 3. Each bundle: wasm-bindgen (and wasm-opt), hashed names, compressed copies; two at a
    // time. Then each site's build.txt names them.
    type Built = anyhow::Result<(String, Bundle, String, Sizes)>;
    let built: Vec<Built> = std::thread::scope(|scope| {
        let mut results = Vec::new();
        for pair in built_wasm.chunks(2) {
            let handles: Vec<_> = pair
                .iter()
                .map(|(app, kind, wasm)| {
                    let css = &css;
                    scope.spawn(move || {
                        bundle(app, wasm, css, opts.release)
                            .map(|(name, sizes)| (app.clone(), *kind, name, sizes))
                    })
                })
                .collect();
            for h in handles {
                results.push(
                    h.join()
                        .unwrap_or_else(|_| Err(anyhow::anyhow!("a bundle build panicked"))),
                );
            }
        }
        results
    });
    println!(
        "{:<22} {:>12} {:>12} {:>12}",
        "wasm", "raw", "gzip", "brotli"
    );
    let mut names: Vec<(String, Bundle, String)> = Vec::new();
    for b in built {
        let (app, kind, name, s) = b?;
        let kib =
            |b: Option<u64>| b.map_or("-".to_owned(), |b| format!("{:.1} KiB", b as f64 / 1024.0));
        println!(
            "{:<22} {:>12} {:>12} {:>12}",
            format!("{app} ({})", kind.label()),
            kib(Some(s.raw)),
            kib(s.gzip),
            kib(s.brotli)
        );
        names.push((app, kind, name));
    }
    for app in &apps {
        let mine: Vec<(Bundle, String)> = names
            .iter()
            .filter(|(a, _, _)| a == app)
            .map(|(_, k, n)| (*k, n.clone()))
            .collect();
        record(app, &mine)?;
    }

    // 4. The servers (`ssr` is the apps' default feature). The whole workspace in one build, as
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

/// The hash of a build's files: the first 16 hex digits of SHA-256 over all of them.
fn build_hash(files: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for f in files {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f);
    }
    hex::encode(h.finalize())[..16].to_owned()
}

/// Writes `bytes` to `path`, and its compressed copies (`.gz`, `.br`) when `compress`; the
/// sizes of the copies.
fn write_file(
    path: &Path,
    bytes: &[u8],
    compress: bool,
) -> anyhow::Result<(Option<u64>, Option<u64>)> {
    std::fs::write(path, bytes)?;
    if !compress {
        return Ok((None, None));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes)?;
    let gz = gz.finish()?;
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
        w.write_all(bytes)?;
    }
    let name = path.display();
    std::fs::write(format!("{name}.gz"), &gz)?;
    std::fs::write(format!("{name}.br"), &br)?;
    Ok((Some(gz.len() as u64), Some(br.len() as u64)))
}

/// The build named in `build.txt` under `key` (`output`, `previous`).
fn recorded(site: &Path, key: &str) -> Option<String> {
    std::fs::read_to_string(site.join("build.txt"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")).map(str::to_owned))
}

/// The browser bundles of an app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bundle {
    /// What every page loads (the customers' islands).
    Public,
    /// What the owners' pages load (`manage_paths`): the editors' islands too.
    Manage,
}

impl Bundle {
    /// Its line in `build.txt`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Public => "output",
            Self::Manage => "manage",
        }
    }

    /// What the size report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Public => "pages",
            Self::Manage => "owners",
        }
    }

    fn features(self) -> &'static str {
        match self {
            Self::Public => "hydrate",
            Self::Manage => "hydrate,manage",
        }
    }
}

/// One bundle into its app's `pkg/` from its wasm: wasm-bindgen (and wasm-opt), the files
/// under their content-hashed name (with compressed copies in release builds). Its name and
/// sizes.
fn bundle(app: &str, wasm: &Path, css: &[u8], release: bool) -> anyhow::Result<(String, Sizes)> {
    let pkg = site_dir(app).join("pkg");
    std::fs::create_dir_all(&pkg)?;
    let out = tempfile::tempdir()?;
    run(Command::new("wasm-bindgen")
        .args([
            "--target",
            "web",
            "--no-typescript",
            "--out-name",
            OUTPUT_NAME,
            "--out-dir",
        ])
        .arg(out.path())
        .arg(wasm))?;
    let bg = out.path().join(format!("{OUTPUT_NAME}_bg.wasm"));
    if release {
        run(Command::new(tool("wasm-opt"))
            .arg("-Oz")
            .arg(&bg)
            .arg("-o")
            .arg(&bg))?;
    }
    let js = std::fs::read(out.path().join(format!("{OUTPUT_NAME}.js")))?;
    let wasm = std::fs::read(&bg)?;
    let name = format!("{OUTPUT_NAME}.{}", build_hash(&[&js, &wasm, css]));
    write_file(&pkg.join(format!("{name}.js")), &js, release)?;
    write_file(&pkg.join(format!("{name}.css")), css, release)?;
    let (gzip, brotli) = write_file(&pkg.join(format!("{name}_bg.wasm")), &wasm, release)?;
    Ok((
        name,
        Sizes {
            raw: wasm.len() as u64,
            gzip,
            brotli,
        },
    ))
}

/// Names the current bundles in `build.txt` (with the ones before, which stay for a page
/// rendered just before a deploy), and removes older files.
fn record(app: &str, bundles: &[(Bundle, String)]) -> anyhow::Result<()> {
    let site = site_dir(app);
    let pkg = site.join("pkg");
    let mut record = String::new();
    let mut keep: Vec<String> = Vec::new();
    for (kind, name) in bundles {
        record.push_str(&format!("{}={name}\n", kind.key()));
        keep.push(name.clone());
        let previous_key = format!("previous_{}", kind.key());
        if let Some(p) = recorded(&site, kind.key()).filter(|p| p != name) {
            record.push_str(&format!("{previous_key}={p}\n"));
            keep.push(p);
        }
    }
    for entry in std::fs::read_dir(&pkg)? {
        let path = entry?.path();
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kept = keep
            .iter()
            .any(|n| file.starts_with(&format!("{n}.")) || file.starts_with(&format!("{n}_")));
        if !kept {
            let _ = std::fs::remove_file(&path);
        }
    }
    let tmp = site.join("build.txt.new");
    std::fs::write(&tmp, record)?;
    std::fs::rename(&tmp, site.join("build.txt"))?;
    Ok(())
}

/// Whether `dir` holds a built site (for `run --no-build`).
pub fn site_is_built(dir: &Path) -> bool {
    recorded(dir, "output")
        .is_some_and(|name| dir.join("pkg").join(format!("{name}_bg.wasm")).exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_build_is_named_by_its_content() {
        let a = build_hash(&[b"js", b"wasm", b"css"]);
        assert_eq!(a.len(), 16);
        assert_eq!(a, build_hash(&[b"js", b"wasm", b"css"]));
        assert_ne!(a, build_hash(&[b"js", b"wasm", b"css!"]));
        // Where one file ends matters.
        assert_ne!(build_hash(&[b"ab", b"c"]), build_hash(&[b"a", b"bc"]));
    }

    /// The packages a build of `app` with `features` links (normal dependencies).
    /// `<package> [<its enabled features>]` of every package `app` links, built with `features`.
    fn dependencies(app: &str, features: &[&str]) -> Vec<String> {
        let out = cargo()
            .args(["tree", "-q", "-p", app, "-e", "normal", "--prefix", "none"])
            .args(["--format", "{p} [{f}]"])
            .args(features)
            .output()
            .expect("cargo tree");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Whether a line of [`dependencies`] is a package with its `demo` feature on.
    fn demo_on(line: &str) -> bool {
        line.split_once(" [").is_some_and(|(_, features)| {
            features
                .trim_end_matches(" (*)")
                .trim_end_matches(']')
                .split(',')
                .any(|f| f == "demo")
        })
    }

    #[test]
    fn a_production_server_has_no_demo_data_generator() {
        for app in Manifest::embedded().enabled() {
            let production =
                dependencies(&app.name, &["--no-default-features", "--features", "ssr"]);
            let demo: Vec<_> = production.iter().filter(|l| demo_on(l)).collect();
            assert!(
                demo.is_empty(),
                "{}'s production build has demo parts: {demo:?}",
                app.name
            );
        }
        // The local and test build of restaurants has them (so the check above can tell).
        assert!(dependencies("restaurants", &[]).iter().any(|l| demo_on(l)));
    }

    #[test]
    fn the_wasm_bindgen_version_comes_from_the_lock_file() {
        let v = wasm_bindgen_version().expect("in Cargo.lock");
        assert!(v.starts_with("0.2."), "{v}");
    }
}

//! `suite deploy --from DIR`: installs a release (DIR holds `bin/<app>` and `bin/suite`, the
//! servers built for production, and `site/<app>/`, their built sites; see the README) and
//! restarts the apps whose binary changed, one at a time, each ready before the next.
//!
//! Nothing changes until the release is complete. Each site gains the new build's files and
//! keeps the previous ones (a page rendered just before the restart still loads its script).
//! Each replaced binary is kept as `bin/<app>.previous`, to go back with one `mv` and a
//! restart. The units and the nginx site are rendered again from the manifest, as `suite
//! provision` does, so a release that changes them brings them along.
//!
//! A restart drops no request: systemd holds each app's listening socket across it (see
//! `render::systemd_socket`; the production test restarts an app under load through nginx).

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};

use crate::provision::{OPT, Provision, Report, write_atomically};

/// Every file under `dir`, as paths relative to it, sorted.
fn files_under(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?
        {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir)?.to_path_buf());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Copies `from` to `to` (see [`write_atomically`]) unless it holds the same bytes already.
/// Returns whether anything changed.
fn install(from: &Path, to: &Path, mode: u32) -> anyhow::Result<bool> {
    let bytes = std::fs::read(from).with_context(|| format!("cannot read {}", from.display()))?;
    if std::fs::read(to).ok().as_deref() == Some(&bytes[..]) {
        return Ok(false);
    }
    write_atomically(to, &bytes, mode)?;
    Ok(true)
}

/// How an app is restarted and known to be ready: `systemctl restart`, then its `/readyz`.
pub type Restart<'a> = dyn FnMut(&platform::suite::AppEntry) -> anyhow::Result<()> + 'a;

/// The restart of a server: systemd restarts the app on its kept socket, then its `/readyz`
/// must answer 200 within a minute.
pub fn systemd_restart(app: &platform::suite::AppEntry) -> anyhow::Result<()> {
    let unit = format!("stepperslife-{}.service", app.name);
    let ok = std::process::Command::new("systemctl")
        .args(["restart", &unit])
        .status()
        .context("systemctl")?
        .success();
    if !ok {
        bail!("systemctl restart {unit} failed (journalctl -u {unit})");
    }
    let url = format!("http://127.0.0.1:{}/readyz", app.port);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ready = std::process::Command::new("curl")
            .args(["-fsS", "-o", "/dev/null", "--max-time", "5", &url])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    bail!(
        "{} is not ready a minute after its restart ({url})",
        app.name
    )
}

/// Installs the release in `from` on the server `p` describes and restarts, with `restart`,
/// each app whose binary or site changed (the portal last).
/// Without a `restart` (no systemd here), the apps to restart are listed instead.
pub fn deploy(
    p: &Provision,
    from: &Path,
    restart: Option<&mut Restart<'_>>,
) -> anyhow::Result<Report> {
    let mut r = Report::default();
    // The whole release first: nothing is installed from an incomplete one.
    let mut missing = Vec::new();
    for app in p.manifest.enabled() {
        if !from.join("bin").join(&app.name).is_file() {
            missing.push(format!("bin/{}", app.name));
        }
        if !crate::build::site_is_built(&from.join("site").join(&app.name)) {
            missing.push(format!("site/{}/", app.name));
        }
    }
    if !from.join("bin/suite").is_file() {
        missing.push("bin/suite".into());
    }
    if !missing.is_empty() {
        bail!(
            "{} lacks {}: nothing was installed",
            from.display(),
            missing.join(", ")
        );
    }

    // Sites: the new build's files, its build.txt last (the server reads it at start: an app
    // whose site changed is restarted even when its binary did not).
    let mut changed_apps: Vec<String> = Vec::new();
    for app in p.manifest.enabled() {
        let src = from.join("site").join(&app.name);
        let dst = p.path(&format!("{OPT}/site/{}", app.name));
        let mut files = files_under(&src)?;
        files.sort_by_key(|f| f == Path::new("build.txt"));
        let mut added = 0;
        for f in files {
            if install(&src.join(&f), &dst.join(&f), 0o644)? {
                added += 1;
            }
        }
        if added > 0 {
            r.changes
                .push(format!("{}: {added} site files installed", app.name));
            changed_apps.push(app.name.clone());
        }
    }

    // Binaries, the old one kept beside.
    let bin = p.path(&format!("{OPT}/bin"));
    std::fs::create_dir_all(&bin)?;
    for name in p
        .manifest
        .enabled()
        .map(|a| a.name.as_str())
        .chain(["suite"])
    {
        let to = bin.join(name);
        let new = std::fs::read(from.join("bin").join(name))?;
        if std::fs::read(&to).ok().as_deref() == Some(&new[..]) {
            continue;
        }
        if to.exists() {
            std::fs::copy(&to, bin.join(format!("{name}.previous")))?;
        }
        install(&from.join("bin").join(name), &to, 0o755)?;
        r.changes.push(format!("installed {OPT}/bin/{name}"));
        if name != "suite" && !changed_apps.iter().any(|a| a == name) {
            changed_apps.push(name.to_owned());
        }
    }

    // Units and the nginx site, as the manifest renders them now.
    let units_changed = p.install_units(&mut r)?;
    let site_changed = p.install_nginx_site(&mut r)?;
    p.reload(&mut r, units_changed, site_changed)?;

    // One app at a time, in the manifest's order but the portal last (it calls the others).
    let order = |name: &String| {
        let at = p.manifest.enabled().position(|a| &a.name == name);
        (name == "portal", at)
    };
    changed_apps.sort_by_key(order);
    let Some(restart) = restart else {
        if !changed_apps.is_empty() {
            r.todo.push(format!(
                "systemd is not running here: restart {} by hand, one at a time, each \
                 answering /readyz before the next.",
                changed_apps.join(", ")
            ));
        }
        return Ok(r);
    };
    for name in changed_apps {
        let app = p.manifest.app(&name).context("an enabled app")?;
        restart(app).with_context(|| {
            format!(
                "{name} did not come back; the previous binary is {OPT}/bin/{name}.previous \
                 (mv it back and `systemctl restart stepperslife-{name}`); the apps after it \
                 were not restarted"
            )
        })?;
        r.changes.push(format!("restarted {name}"));
    }
    Ok(r)
}

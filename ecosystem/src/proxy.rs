//! nginx in front of a running suite, every host on one port, as in production (less TLS):
//! for `suite run --proxy`, the benchmark's and Lighthouse's measurements, and the browser tests.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::Context;

use crate::{launcher::Stack, render};

/// A running nginx; stopped when dropped.
pub struct Proxy {
    child: Child,
    pub port: u16,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Stops nginx the way that takes its workers with it: SIGTERM to the master (which stops
/// the workers and then exits), SIGKILL only if it has not gone within 5 s. A SIGKILL first
/// would leave the workers running, orphaned, holding the port.
fn stop(child: &mut Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The host name of the probe server: not a suite host, never resolved.
const PROBE_HOST: &str = "probe.invalid";

impl Proxy {
    /// Starts nginx on `port` in front of `stack` (files under `dir`), with `extra` server
    /// blocks inside its `http` block. `Ok(None)` when nginx could not listen on `port` (someone
    /// else took it: choose another and start again).
    pub async fn start(
        stack: &Stack,
        port: u16,
        dir: &Path,
        extra: &str,
    ) -> anyhow::Result<Option<Self>> {
        std::fs::create_dir_all(dir)?;
        let up = render::Upstreams {
            suite: &stack.suite,
            addrs: stack
                .addrs
                .iter()
                .map(|(n, a)| (n.clone(), a.to_string()))
                .collect(),
        };
        let mut conf = render::nginx_local(&up, port, &dir.display().to_string());
        // A token only this nginx answers: whoever else may hold the port does not.
        let token = format!("{:x}", rand::random::<u128>());
        conf.truncate(conf.trim_end().len() - 1); // reopen the http block
        conf.push_str(&format!(
            "    server {{\n        listen 127.0.0.1:{port};\n        server_name {PROBE_HOST};\n        \
             location = /probe {{\n            default_type text/plain;\n            return 200 {token};\n        }}\n    }}\n\n\
             {extra}}}\n"
        ));
        let conf_path = dir.join("nginx.conf");
        std::fs::write(&conf_path, conf)?;
        let child = Command::new("nginx")
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .context("nginx does not run (apt-get install nginx-light)")?;
        let mut proxy = Self { child, port };
        let probe = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if proxy.child.try_wait()?.is_some() {
                return Ok(None);
            }
            let answer = probe
                .get(format!("http://127.0.0.1:{port}/probe"))
                .header("host", PROBE_HOST)
                .send()
                .await;
            if let Ok(res) = answer
                && res.text().await.is_ok_and(|t| t == token)
            {
                return Ok(Some(proxy));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        stop(&mut proxy.child);
        Ok(None)
    }
}

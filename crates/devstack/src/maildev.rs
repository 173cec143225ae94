//! maildev (npm, `ecosystem/maildev/`): a real SMTP server whose inbox tests read through its REST
//! API, and `suite run` shows in a browser.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

/// A maildev process; it stops when this is dropped, or when this process ends (it exits when
/// its standard input closes).
#[derive(Debug)]
pub struct Maildev {
    child: Child,
    pub smtp_port: u16,
    pub web_port: u16,
}

impl Drop for Maildev {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `ecosystem/maildev/` is (its `server.mjs` and `node_modules`).
pub fn maildev_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ecosystem/maildev")
}

impl Maildev {
    /// Starts maildev on `smtp_port` and `web_port` (0: free ports it binds itself and reports),
    /// keeping mail in `mail_dir` (when `None`, a temporary folder that maildev removes when it
    /// stops: this handle may live in a static, which is never dropped).
    pub fn start(smtp_port: u16, web_port: u16, mail_dir: Option<&Path>) -> anyhow::Result<Self> {
        let dir = maildev_dir();
        if !dir.join("node_modules/maildev").is_dir() {
            anyhow::bail!(
                "maildev is not installed in {}: run ecosystem/bootstrap",
                dir.display()
            );
        }
        let (mail_dir, ephemeral) = match mail_dir {
            Some(d) => (d.to_path_buf(), None),
            None => (tempfile::tempdir()?.keep(), Some("ephemeral")),
        };
        let mut child = Command::new("node")
            .arg("server.mjs")
            .args([smtp_port.to_string(), web_port.to_string()])
            .arg(&mail_dir)
            .args(ephemeral)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot run node for maildev: {e}"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut ports = None;
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            if let Some(rest) = line.strip_prefix("READY ") {
                let mut it = rest.split_whitespace().map(str::parse::<u16>);
                if let (Some(Ok(s)), Some(Ok(w))) = (it.next(), it.next()) {
                    ports = Some((s, w));
                }
                break;
            }
        }
        let Some((smtp_port, web_port)) = ports else {
            let _ = child.kill();
            anyhow::bail!("maildev did not start (no READY line)");
        };
        Ok(Self {
            child,
            smtp_port,
            web_port,
        })
    }

    /// `smtp://127.0.0.1:<port>`: what `SMTP_URL` is set to.
    pub fn smtp_url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.smtp_port)
    }

    /// The inbox in a browser, and the REST API under `/api`.
    pub fn web_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.web_port)
    }

    /// Every message to `address` so far, oldest first (maildev's JSON: `subject`, `text`,
    /// `html`, `from`, `to`, `headers`).
    pub async fn messages_to(&self, address: &str) -> Vec<Value> {
        self.messages(&[("to.address", address)]).await
    }

    /// Every message matching all of `filters` (maildev's dot notation: `to.address`,
    /// `from.address`, `subject`), oldest first.
    pub async fn messages(&self, filters: &[(&str, &str)]) -> Vec<Value> {
        let url = format!("{}/api/email", self.web_url());
        let answer = reqwest::Client::new()
            .get(url)
            .query(filters)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status);
        match answer {
            Ok(res) => res.json::<Vec<Value>>().await.unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// Waits until `address` has at least `count` messages (at most `within`), and returns them;
    /// panics with what arrived when they do not come.
    pub async fn wait_for(&self, address: &str, count: usize, within: Duration) -> Vec<Value> {
        self.wait_for_matching(&[("to.address", address)], count, within)
            .await
    }

    /// Waits until at least `count` messages match `filters` (at most `within`), and returns
    /// them; panics with what arrived when they do not come.
    pub async fn wait_for_matching(
        &self,
        filters: &[(&str, &str)],
        count: usize,
        within: Duration,
    ) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let got = self.messages(filters).await;
            if got.len() >= count {
                return got;
            }
            assert!(
                start.elapsed() < within,
                "{filters:?}: {} message(s) in {within:?}, expected {count}: {got:#?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The first `http…` link in `text` that starts with `prefix`.
pub fn link_in(text: &str, prefix: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || c == '<' || c == '>' || c == '"')
        .find(|w| w.starts_with(prefix))
        .map(str::to_owned)
}

//! localstripe (PyPI, `ecosystem/localstripe/`): a server that speaks Stripe's HTTP API and signs
//! its webhooks for real. `suite run` takes payments through it when no `STRIPE_SECRET_KEY` is
//! set, and the tests pay through it, playing the card holder's part the way Stripe.js would.

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

use serde_json::Value;

/// Any `sk_…` key is accepted by localstripe.
pub const SECRET_KEY: &str = "sk_test_stepperslife_local";
pub const PUBLISHABLE_KEY: &str = "pk_test_stepperslife_local";

/// Cards as localstripe knows them (Stripe's test numbers).
pub mod cards {
    /// Pays.
    pub const VISA: &str = "4242424242424242";
    /// Declined when the payment is confirmed.
    pub const DECLINED: &str = "4000000000000341";
    /// Asks for 3-D Secure.
    pub const THREE_D_SECURE: &str = "4000002500003155";
}

/// A localstripe process; it stops when this is dropped, or when this process ends (it exits
/// when its standard input closes).
#[derive(Debug)]
pub struct Localstripe {
    child: Child,
    pub port: u16,
    http: reqwest::Client,
}

impl Drop for Localstripe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where `ecosystem/localstripe/` is (its `server.py` and `.venv`).
pub fn localstripe_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ecosystem/localstripe")
}

impl Localstripe {
    /// Starts localstripe on `port` (0: a free port it binds itself and reports), keeping its
    /// state in `state_dir` (`None`: nowhere).
    pub fn start(port: u16, state_dir: Option<&Path>) -> anyhow::Result<Self> {
        let dir = localstripe_dir();
        let python = dir.join(".venv/bin/python");
        if !python.is_file() {
            anyhow::bail!(
                "localstripe is not installed in {}: run ecosystem/bootstrap",
                dir.display()
            );
        }
        let state = state_dir.map_or_else(|| "-".into(), |d| d.display().to_string());
        let mut child = Command::new(python)
            .arg("server.py")
            .arg(port.to_string())
            .arg(state)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| anyhow::anyhow!("cannot run localstripe's python: {e}"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
        let mut port = None;
        for line in BufReader::new(stdout).lines() {
            if let Some(p) = line?.strip_prefix("READY ") {
                port = p.trim().parse::<u16>().ok();
                break;
            }
        }
        let Some(port) = port else {
            let _ = child.kill();
            anyhow::bail!("localstripe did not start (no READY line)");
        };
        // No pooled connections: one localstripe serves every test of a process, each test on
        // a runtime of its own, and a connection pooled by a finished runtime is dead.
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()?;
        Ok(Self { child, port, http })
    }

    /// What `STRIPE_API_BASE` is set to.
    pub fn api_base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Its stand-in for Stripe.js (`STRIPE_JS_URL`; the trailing slash is needed).
    pub fn js_url(&self) -> String {
        format!("{}/js.stripe.com/v3/", self.api_base())
    }

    /// Sends every payment webhook to `url`, signed with `secret`, under the name `id` (a second
    /// call with the same `id` replaces it).
    pub async fn add_webhook(&self, id: &str, url: &str, secret: &str) -> anyhow::Result<()> {
        self.http
            .post(format!("{}/_config/webhooks/{id}", self.api_base()))
            .form(&[("url", url), ("secret", secret)])
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    async fn call(&self, req: reqwest::RequestBuilder) -> anyhow::Result<Value> {
        let res = req.basic_auth(SECRET_KEY, Some("")).send().await?;
        let status = res.status();
        let body: Value = res.json().await?;
        anyhow::ensure!(status.is_success(), "localstripe answered {status}: {body}");
        Ok(body)
    }

    /// The card holder pays the PaymentIntent `intent` with the test card `number` (see
    /// [`cards`]): a payment method made from the card, set on the intent, which is then
    /// confirmed, as the card form does. The intent as it is afterwards, or localstripe's error
    /// (a declined card).
    pub async fn pay(&self, intent: &str, number: &str) -> anyhow::Result<Value> {
        let base = self.api_base();
        let method = self
            .call(self.http.post(format!("{base}/v1/payment_methods")).form(&[
                ("type", "card"),
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2030"),
                ("card[cvc]", "123"),
            ]))
            .await?;
        let method = method["id"].as_str().unwrap_or_default().to_owned();
        self.call(
            self.http
                .post(format!("{base}/v1/payment_intents/{intent}"))
                .form(&[("payment_method", method.as_str())]),
        )
        .await?;
        self.call(
            self.http
                .post(format!("{base}/v1/payment_intents/{intent}/confirm")),
        )
        .await
    }

    /// A token for the test card `number`, as Stripe.js's card form makes one in the browser
    /// (with the publishable key).
    pub async fn token(&self, number: &str) -> anyhow::Result<String> {
        let res = self
            .http
            .post(format!("{}/v1/tokens", self.api_base()))
            .form(&[
                ("card[number]", number),
                ("card[exp_month]", "12"),
                ("card[exp_year]", "2030"),
                ("card[cvc]", "123"),
                ("key", PUBLISHABLE_KEY),
            ])
            .send()
            .await?;
        let body: Value = res.json().await?;
        body["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no token: {body}"))
    }

    /// Every object of a list endpoint (`/v1/payment_intents`), page after page.
    async fn list_all(&self, path: &str) -> anyhow::Result<Vec<Value>> {
        let mut all: Vec<Value> = Vec::new();
        loop {
            let mut query = vec![("limit", "100".to_owned())];
            if let Some(last) = all.last().and_then(|o| o["id"].as_str()) {
                query.push(("starting_after", last.to_owned()));
            }
            let page = self
                .call(
                    self.http
                        .get(format!("{}{path}", self.api_base()))
                        .query(&query),
                )
                .await?;
            all.extend(page["data"].as_array().cloned().unwrap_or_default());
            if page["has_more"].as_bool() != Some(true) {
                return Ok(all);
            }
        }
    }

    /// Every PaymentIntent localstripe holds whose metadata has `key` = `value`.
    pub async fn intents_with(&self, key: &str, value: &str) -> anyhow::Result<Vec<Value>> {
        Ok(self
            .list_all("/v1/payment_intents")
            .await?
            .into_iter()
            .filter(|i| i["metadata"][key].as_str() == Some(value))
            .collect())
    }

    /// The refunds of the PaymentIntent `intent`.
    pub async fn refunds_of(&self, intent: &str) -> anyhow::Result<Vec<Value>> {
        Ok(self
            .list_all("/v1/refunds")
            .await?
            .into_iter()
            .filter(|r| r["payment_intent"].as_str() == Some(intent))
            .collect())
    }
}

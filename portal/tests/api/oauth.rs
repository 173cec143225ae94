//! Sign-in with a real OAuth2/OIDC authorization server (oauth2-mock-server from npm, run by
//! ecosystem/idp/server.mjs): discovery, PKCE, state, nonce and ID-token validation.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
};

use reqwest::{StatusCode, header};

use crate::helpers::{Options, TestApp, spawn_with};

/// The identity provider process; killed when dropped.
pub struct Idp {
    child: Child,
    pub issuer: String,
    /// The control port's origin (also GitHub's API stand-in).
    api: String,
    control: String,
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Idp {
    pub fn start() -> Self {
        // Tests run in the package's directory (portal/).
        let dir = std::path::Path::new("../ecosystem/idp");
        // Port 0: the IdP binds free ports itself and says which.
        let mut child = Command::new("node")
            .args(["server.mjs", "0", "0"])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs the IdP (ecosystem/bootstrap --test installs it)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("IdP prints READY");
        let (issuer, control) = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|rest| rest.split_once(' '))
            .expect("READY <issuer> <control port>");
        let (issuer, control) = (issuer.to_owned(), control.to_owned());
        Self {
            child,
            issuer,
            api: format!("http://127.0.0.1:{control}"),
            control: format!("http://127.0.0.1:{control}/next"),
        }
    }

    /// Changes more of what the IdP answers (`only_sub`, `userinfo_sub`, …).
    pub async fn set(&self, changes: serde_json::Value) {
        let res = reqwest::Client::new()
            .post(&self.control)
            .json(&changes)
            .send()
            .await
            .expect("control");
        assert!(res.status().is_success());
    }

    /// The IdP signs with a new key from now on.
    pub async fn rotate_keys(&self) {
        let res = reqwest::Client::new()
            .post(format!("{}/rotate", self.api))
            .send()
            .await
            .expect("rotate");
        assert!(res.status().is_success());
    }

    /// Sets who the next tokens are for, and a defect for the next ID token.
    pub async fn next(&self, sub: &str, email: &str, tamper: Option<&str>) {
        let res = reqwest::Client::new()
            .post(&self.control)
            .json(&serde_json::json!({ "sub": sub, "email": email, "email_verified": true, "name": "Idp Person", "tamper": tamper }))
            .send()
            .await
            .expect("control");
        assert!(res.status().is_success());
    }
}

async fn spawn_with_idp() -> (TestApp, Idp) {
    use portal::oauth::ssr::{ProviderConfig, ProviderKind};
    let idp = Idp::start();
    let provider = |name: &str, title: &str, kind| ProviderConfig {
        name: name.into(),
        title: title.into(),
        kind,
        client_id: "stepperslife-portal".into(),
        client_secret: secrecy::SecretString::from("portal-secret".to_owned()),
    };
    let acme = ProviderKind::Oidc {
        issuer: idp.issuer.clone(),
    };
    // GitHub's OAuth2 endpoints are the IdP's real ones; its user API is the wrapper's stand-in.
    let github = ProviderKind::Github {
        auth_url: format!("{}/authorize", idp.issuer),
        token_url: format!("{}/token", idp.issuer),
        api_url: idp.api.clone(),
    };
    let app = spawn_with(Options {
        providers: vec![
            provider("acme", "Acme ID", acme),
            provider("github", "GitHub", github),
        ],
        ..Options::default()
    })
    .await;
    (app, idp)
}

fn set_session(name: &str, res: &reqwest::Response, cookie: &mut Option<String>) {
    let prefix = format!("{name}=");
    for v in res.headers().get_all(header::SET_COOKIE) {
        if let Some(rest) = v.to_str().ok().and_then(|c| c.strip_prefix(&prefix)) {
            *cookie = Some(rest.split(';').next().unwrap_or("").to_owned());
        }
    }
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

struct Flow {
    /// The session cookie as the browser would hold it.
    cookie: Option<String>,
    /// Where the provider sent the browser back to (on the test server).
    callback: String,
}

impl TestApp {
    /// Starts a provider sign-in and lets the provider answer; returns the callback to call.
    async fn begin(&self, cookie: Option<String>, query: &str) -> Flow {
        self.begin_with("acme", cookie, query).await
    }

    async fn begin_with(&self, provider: &str, cookie: Option<String>, query: &str) -> Flow {
        let mut req = Self::client().get(self.url(&format!("/auth/{provider}/start{query}")));
        if let Some(c) = &cookie {
            req = req.header(header::COOKIE, self.cookie_header(c));
        }
        let res = req.send().await.expect("start");
        self.to_provider(res, cookie, provider).await
    }

    /// Links the provider to the account signed in with `cookie`, proving it with `password`.
    async fn begin_link(&self, cookie: String, password: Option<&str>) -> Flow {
        let res = self.link_request(&cookie, password).await;
        self.to_provider(res, Some(cookie), "acme").await
    }

    async fn link_request(&self, cookie: &str, password: Option<&str>) -> reqwest::Response {
        Self::client()
            .post(self.url("/auth/acme/link"))
            .header(header::ORIGIN, &self.origin)
            .header(header::COOKIE, self.cookie_header(cookie))
            .form(&[("password", password.unwrap_or(""))])
            .send()
            .await
            .expect("link")
    }

    /// Follows the portal's redirect to the provider, which answers at once.
    async fn to_provider(
        &self,
        res: reqwest::Response,
        mut cookie: Option<String>,
        provider: &str,
    ) -> Flow {
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "start: {}",
            res.text().await.unwrap_or_default()
        );
        set_session(&self.cookie_name, &res, &mut cookie);
        let authorize = location(&res);
        assert!(
            authorize.contains("code_challenge_method=S256"),
            "PKCE S256: {authorize}"
        );
        if provider != "github" {
            assert!(authorize.contains("nonce="), "OIDC nonce: {authorize}");
        }
        assert!(authorize.contains("state="), "state: {authorize}");
        let res = Self::client()
            .get(&authorize)
            .send()
            .await
            .expect("authorize");
        assert!(res.status().is_redirection(), "authorize: {}", res.status());
        let back = location(&res);
        let back = back.replacen(&self.origin, &format!("http://{}", self.addr), 1);
        Flow {
            cookie,
            callback: back,
        }
    }

    async fn finish(
        &self,
        callback: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, String, Option<String>, String) {
        let mut req = Self::client().get(callback);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, self.cookie_header(c));
        }
        let res = req.send().await.expect("callback");
        let mut new_cookie = cookie.map(str::to_owned);
        set_session(&self.cookie_name, &res, &mut new_cookie);
        let status = res.status();
        let to = location(&res);
        let body = res.text().await.unwrap_or_default();
        (status, to, new_cookie, body)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_an_oidc_provider_makes_an_account_keyed_by_issuer_and_subject() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("alice-1", "alice@idp.test", None).await;
    let flow = app.begin(None, "?return_to=%2Faccount").await;
    let (status, to, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(to, "/account");
    assert_ne!(cookie, flow.cookie, "a new session id after sign-in");
    let devices: i64 = sqlx::query_scalar("select count(*) from known_devices")
        .fetch_one(&app.db.pool)
        .await
        .expect("devices");
    assert_eq!(
        devices, 1,
        "this browser is now one of the account's known devices"
    );
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("alice@idp.test")
    );
    let (issuer, subject): (String, String) =
        sqlx::query_as("select issuer, subject from identities")
            .fetch_one(&app.db.pool)
            .await
            .expect("identity");
    assert_eq!(
        (issuer.as_str(), subject.as_str()),
        (idp.issuer.as_str(), "alice-1")
    );

    // The same subject with another email is the same person; another subject with the first
    // email is not (and may not take the account over).
    idp.next("alice-1", "alice.new@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (status, _, cookie, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("alice@idp.test")
    );
    idp.next("mallory-9", "alice@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (status, _, _, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(users, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_state_is_refused() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("bob-1", "bob@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let url = url::Url::parse(&flow.callback).expect("url");
    let mut forged = url.clone();
    forged.query_pairs_mut().clear();
    for (k, v) in url.query_pairs() {
        let v = if k == "state" {
            "forged-state".to_owned()
        } else {
            v.into_owned()
        };
        forged.query_pairs_mut().append_pair(&k, &v);
    }
    let (status, _, cookie, body) = app.finish(forged.as_str(), flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("could not be completed"), "{body}");
    assert_eq!(app.whoami(cookie.as_deref()).await, None);
    // The genuine callback is refused too now: the attempt was spent.
    let (status, _, _, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_code_is_refused() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("carol-1", "carol@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (status, _, signed_in, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for cookie in [flow.cookie.as_deref(), signed_in.as_deref(), None] {
        let (status, _, _, body) = app.finish(&flow.callback, cookie).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    // A fresh attempt replaying the old code with its own (valid) state: the provider refuses
    // the code, whose PKCE challenge it has already spent.
    let fresh = app.begin(None, "").await;
    let old = url::Url::parse(&flow.callback).expect("url");
    let new = url::Url::parse(&fresh.callback).expect("url");
    let old_code = old
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    let mut replay = new.clone();
    replay.query_pairs_mut().clear();
    for (k, v) in new.query_pairs() {
        let v = if k == "code" {
            old_code.clone()
        } else {
            v.into_owned()
        };
        replay.query_pairs_mut().append_pair(&k, &v);
    }
    let (status, _, cookie, body) = app.finish(replay.as_str(), fresh.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.whoami(cookie.as_deref()).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_id_token_is_refused() {
    let (app, idp) = spawn_with_idp().await;
    for tamper in ["aud", "nonce", "iss", "exp"] {
        idp.next(
            &format!("dave-{tamper}"),
            &format!("dave-{tamper}@idp.test"),
            Some(tamper),
        )
        .await;
        let flow = app.begin(None, "").await;
        let (status, _, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{tamper}: {body}");
        assert_eq!(app.whoami(cookie.as_deref()).await, None, "{tamper}");
    }
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(users, 0, "no account from a refused token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_person_links_a_provider_and_can_then_sign_in_with_it() {
    let (app, idp) = spawn_with_idp().await;
    let local = app.signed_up("erin@example.com").await;
    let account = app.call("/api/account/get", &[], Some(&local)).await;
    assert_eq!(account.body["can_link"][0]["name"], "acme");

    idp.next("erin-at-acme", "erin.work@idp.test", None).await;
    let flow = app
        .begin_link(local.clone(), Some("correct horse battery"))
        .await;
    let (status, to, _, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(to, "/account");
    let account = app.call("/api/account/get", &[], Some(&local)).await;
    assert_eq!(account.body["providers"][0]["provider"], "acme");
    let mails = app.mails_to("erin@example.com", 2).await;
    assert!(
        mails[1]["text"]
            .as_str()
            .unwrap_or("")
            .contains("Acme ID was linked to your account"),
        "the account is told: {mails:#?}"
    );

    // Later, from another device, the provider signs into the same account.
    let flow = app.begin(None, "").await;
    let (_, _, cookie, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("erin@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linking_needs_a_signed_in_person_and_a_fresh_proof() {
    let (app, _idp) = spawn_with_idp().await;
    let res = TestApp::client()
        .post(app.url("/auth/acme/link"))
        .header(header::ORIGIN, &app.origin)
        .form(&[("password", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // The old way in (a GET anyone's page could send the browser to) is closed.
    let local = app.signed_up("fay@example.com").await;
    let res = TestApp::client()
        .get(app.url("/auth/acme/start?link=1"))
        .header(header::COOKIE, app.cookie_header(&local))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // A wrong password starts nothing.
    let res = app.link_request(&local, Some("not my password 123")).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nor does a request from outside the suite.
    let res = TestApp::client()
        .post(app.url("/auth/acme/link"))
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, app.cookie_header(&local))
        .form(&[("password", "correct horse battery")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = TestApp::client()
        .get(app.url("/auth/nope/start"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sign_in_page_offers_the_configured_providers() {
    let (app, _idp) = spawn_with_idp().await;
    let html = TestApp::client()
        .get(app.url("/signin?return_to=%2Faccount"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("Continue with Acme ID"), "{html}");
    assert!(html.contains("/auth/acme/start?return_to=%2Faccount"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_github_uses_pkce_and_its_user_api() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("4242", "octo@idp.test", None).await;
    let flow = app
        .begin_with("github", None, "?return_to=%2Faccount")
        .await;
    let (status, to, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(to, "/account");
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("octo@idp.test")
    );
    let (provider, subject): (String, String) =
        sqlx::query_as("select provider, subject from identities")
            .fetch_one(&app.db.pool)
            .await
            .expect("identity");
    assert_eq!((provider.as_str(), subject.as_str()), ("github", "4242"));
    // The callback is single-use here too.
    let (status, _, _, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_started_by_one_account_cannot_complete_for_another() {
    let (app, idp) = spawn_with_idp().await;
    // Mallory starts linking her provider account from her own session...
    let mallory = app.signed_up("mallory@example.com").await;
    idp.next("mallory-at-acme", "mallory@idp.test", None).await;
    let flow = app
        .begin_link(mallory.clone(), Some("correct horse battery"))
        .await;
    // ...plants that session in the victim's browser, where the victim then signs up...
    let victim = app
        .call(
            "/api/auth/signup",
            &[
                ("name", "Victim"),
                ("email", "victim@example.com"),
                ("password", "correct horse battery"),
            ],
            Some(&mallory),
        )
        .await;
    assert!(victim.session_cookie().is_none());
    let victim = app
        .confirm_sign_up("victim@example.com", 1, Some(&mallory))
        .await
        .session_cookie()
        .expect("signed up")
        .0;
    // ...and sends it to her saved callback: refused, nothing linked.
    let (status, _, _, body) = app.finish(&flow.callback, Some(&victim)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let links: i64 = sqlx::query_scalar("select count(*) from identities")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(links, 0);
    assert_eq!(
        app.whoami(Some(&victim)).await.as_deref(),
        Some("victim@example.com")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_vouching_for_an_address_takes_it_from_an_account_that_never_proved_it() {
    let (app, idp) = spawn_with_idp().await;
    let (id, squatter) = crate::verification::squat(&app, "gail@idp.test").await;
    idp.next("gail-1", "gail@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (status, _, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("gail@idp.test")
    );
    assert_eq!(
        app.whoami(Some(&squatter)).await,
        None,
        "the squatter's session ended"
    );
    let (same, password, verified, links): (bool, bool, bool, Vec<String>) = sqlx::query_as(
        "select id = $1, password_hash is not null, email_verified_at is not null,
                array(select subject from identities where user_id = users.id)
         from users where email = 'gail@idp.test'",
    )
    .bind(id)
    .fetch_one(&app.db.pool)
    .await
    .expect("user");
    assert_eq!(
        (same, password, verified, links),
        (true, false, true, vec!["gail-1".to_owned()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_token_with_only_sub_gets_the_address_from_userinfo() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("hana-1", "hana@idp.test", None).await;
    idp.set(serde_json::json!({ "only_sub": true })).await;
    let flow = app.begin(None, "").await;
    let (status, _, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("hana@idp.test")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn userinfo_about_another_subject_is_refused() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("ines-1", "ines@idp.test", None).await;
    idp.set(serde_json::json!({ "only_sub": true, "userinfo_sub": "someone-else" }))
        .await;
    let flow = app.begin(None, "").await;
    let (status, _, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.whoami(cookie.as_deref()).await, None);
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(users, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_keeps_working_when_the_provider_rotates_its_keys() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("jo-1", "jo@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (status, _, _, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    // The portal now holds the provider's keys; the provider signs with a new one.
    idp.rotate_keys().await;
    idp.next("kai-1", "kai@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (status, _, cookie, body) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(
        app.whoami(cookie.as_deref()).await.as_deref(),
        Some("kai@idp.test")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_linked_method_can_be_removed_while_another_remains_and_the_account_is_told() {
    let (app, idp) = spawn_with_idp().await;
    // An account made by the provider: its only way in.
    idp.next("lea-1", "lea@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let (_, _, cookie, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    let lea = cookie.expect("signed in");
    let res = app
        .call("/api/account/unlink", &[("provider", "acme")], Some(&lea))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);

    // With a password set (the sign-in is fresh), the provider can go.
    let res = app
        .call(
            "/api/account/password",
            &[
                ("current_password", ""),
                ("new_password", "lea keeps a long phrase 4"),
            ],
            Some(&lea),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    // Removing it asks for that password; a wrong one removes nothing.
    for wrong in [
        &[("provider", "acme")][..],
        &[("provider", "acme"), ("password", "not it at all 4")],
    ] {
        let res = app.call("/api/account/unlink", wrong, Some(&lea)).await;
        assert!(res.status.is_client_error(), "{:?}", res.body);
    }
    let links: i64 = sqlx::query_scalar("select count(*) from identities")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(links, 1, "still linked");
    let res = app
        .call(
            "/api/account/unlink",
            &[
                ("provider", "acme"),
                ("password", "lea keeps a long phrase 4"),
            ],
            Some(&lea),
        )
        .await;
    assert!(
        res.status.is_success() || res.status.is_redirection(),
        "{:?}",
        res.body
    );
    let links: i64 = sqlx::query_scalar("select count(*) from identities")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(links, 0);
    let mails = app.mails_to("lea@idp.test", 2).await;
    assert!(
        mails.iter().any(|m| m["text"]
            .as_str()
            .unwrap_or("")
            .contains("acme was removed")),
        "{mails:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitors_provider_attempt_lives_minutes_and_the_signed_in_session_its_full_life() {
    let (app, idp) = spawn_with_idp().await;
    idp.next("mo-1", "mo@idp.test", None).await;
    let flow = app.begin(None, "").await;
    let expires_in = |cookie: String| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, f64>(
                "select extract(epoch from expiry_date - now())::float8
                 from tower_sessions.session where id = $1",
            )
            .bind(platform::token::sha256_hex(cookie.as_bytes()))
            .fetch_one(&pool)
            .await
            .expect("session row")
        }
    };
    let attempt = expires_in(flow.cookie.clone().expect("a session for the attempt")).await;
    assert!(
        attempt <= 600.0 + 5.0,
        "the attempt's session ends within 10 minutes: {attempt}"
    );
    let (_, _, cookie, _) = app.finish(&flow.callback, flow.cookie.as_deref()).await;
    let signed_in = expires_in(cookie.expect("signed in")).await;
    assert!(
        signed_in > 1800.0,
        "a signed-in session gets the configured idle time: {signed_in}"
    );
}

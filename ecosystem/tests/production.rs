//! The production configuration `suite render` writes, checked with the real tools:
//! - nginx (`nginx/stepperslife.conf`): `nginx -t` passes, and run with a throwaway certificate
//!   in front of a real app it serves TLS with HSTS, mirrors the apps' security headers on its
//!   own answers too, rate-limits the manifest's `limited_paths`, caps request bodies, keeps
//!   probes off the public side, sends http to https and drops unknown hosts;
//! - systemd units: `systemd-analyze verify` passes and `systemd-analyze security` rates each
//!   "OK" or better (where systemd is installed; the README shows the figures otherwise).

use std::{
    net::SocketAddr,
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use devstack::harness::{Opts, TestApp};
use platform::suite::{Manifest, PublicPort, Suite};
use reqwest::{StatusCode, header};
use suite::render;

const DOMAIN: &str = "stepperslife.com";

/// A free port on the loopback address.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A throwaway certificate for the domain and its subdomains, and the DH group, in `dir`.
fn throwaway_tls(dir: &Path) {
    run(Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
        ])
        .arg(format!("/CN={DOMAIN}"))
        .arg("-addext")
        .arg(format!("subjectAltName=DNS:{DOMAIN},DNS:*.{DOMAIN}"))
        // A server's certificate, not an authority's: TLS clients refuse a CA as the server.
        .args([
            "-addext",
            "basicConstraints=critical,CA:FALSE",
            "-addext",
            "extendedKeyUsage=serverAuth",
        ])
        .arg("-keyout")
        .arg(dir.join("privkey.pem"))
        .arg("-out")
        .arg(dir.join("fullchain.pem")));
    std::fs::write(
        dir.join("dh.pem"),
        suite::provision::dh_group_pem().expect("openssl"),
    )
    .expect("write");
}

/// nginx, stopped (with its workers) when dropped.
struct Nginx(Child);

impl Nginx {
    /// nginx with its files under `dir` and the configuration `conf`, in the foreground.
    fn start(dir: &Path, conf: &Path) -> Self {
        Self(
            Command::new("nginx")
                .arg("-p")
                .arg(dir)
                .arg("-c")
                .arg(conf)
                .args(["-g", "daemon off;"])
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("nginx runs"),
        )
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.0.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The production site for `addrs`, made to run here: certificate and DH group from `dir`,
/// IPv4 loopback ports instead of 80 and 443.
fn site_for_here(addrs: Vec<(String, String)>, dir: &Path, http: u16, https: u16) -> String {
    let suite = Suite::new(
        Manifest::embedded(),
        DOMAIN.into(),
        "https".into(),
        PublicPort::Default,
    );
    let conf = render::nginx_production(&render::Upstreams {
        suite: &suite,
        addrs,
    });
    let d = dir.display();
    conf.replace(
        &render::CERT_DIR.replace("{domain}", DOMAIN),
        &d.to_string(),
    )
    .replace(render::DH_PARAMS, &format!("{d}/dh.pem"))
    .replace(render::ACME_ROOT, &format!("{d}/acme"))
    .lines()
    .filter(|l| !l.trim_start().starts_with("listen [::]"))
    .map(|l| {
        l.replace("listen 80", &format!("listen 127.0.0.1:{http}"))
            .replace("listen 443", &format!("listen 127.0.0.1:{https}"))
    })
    .collect::<Vec<_>>()
    .join("\n")
}

fn wrapper(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/cb;\n  proxy_temp_path {d}/p;\n  \
         fastcgi_temp_path {d}/f;\n  uwsgi_temp_path {d}/u;\n  scgi_temp_path {d}/s;\n  \
         include {d}/site.conf;\n}}\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_nginx_serves_tls_headers_and_limits_in_front_of_a_real_app() {
    let app = TestApp::spawn_with(restaurants::server::app(), Opts::default()).await;
    let dir = tempfile::tempdir().expect("a directory");
    throwaway_tls(dir.path());
    let (http, https) = (free_port(), free_port());
    // Restaurants is the app running here; the others point at a closed port.
    let addrs = Manifest::embedded()
        .enabled()
        .map(|a| {
            let addr = if a.name == "restaurants" {
                app.addr.to_string()
            } else {
                "127.0.0.1:9".to_owned()
            };
            (a.name.clone(), addr)
        })
        .collect();
    std::fs::write(
        dir.path().join("site.conf"),
        site_for_here(addrs, dir.path(), http, https),
    )
    .expect("write");
    let conf = dir.path().join("nginx.conf");
    std::fs::write(&conf, wrapper(dir.path())).expect("write");
    run(Command::new("nginx")
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&conf));
    let _nginx = Nginx::start(dir.path(), &conf);
    let tls_at: SocketAddr = ([127, 0, 0, 1], https).into();
    let cert = reqwest::Certificate::from_pem(
        &std::fs::read(dir.path().join("fullchain.pem")).expect("certificate"),
    )
    .expect("a certificate");
    let hosts = [
        "stepperslife.com",
        "restaurants.stepperslife.com",
        "events.stepperslife.com",
    ];
    let mut client = reqwest::Client::builder()
        .add_root_certificate(cert)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10));
    for host in hosts {
        client = client.resolve(host, tls_at);
    }
    let client = client.build().expect("client");
    let restaurants = format!("https://restaurants.{DOMAIN}:{https}");
    let deadline = Instant::now() + Duration::from_secs(20);
    let page = loop {
        match client.get(format!("{restaurants}/")).send().await {
            Ok(res) => break res,
            Err(e) => {
                assert!(Instant::now() < deadline, "nginx never answered: {e:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };

    // The app's page over TLS: HSTS, each security header once, no version in `Server`.
    assert_eq!(page.status(), StatusCode::OK);
    let h = page.headers();
    assert!(
        h.get(header::STRICT_TRANSPORT_SECURITY)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("max-age=63072000") && v.contains("includeSubDomains")),
        "{h:?}"
    );
    for (name, value) in platform::headers::EVERYWHERE {
        let values: Vec<_> = h.get_all(name).iter().collect();
        assert_eq!(values, [value], "{name}: {h:?}");
    }
    assert!(
        h.contains_key(header::CONTENT_SECURITY_POLICY),
        "the app's own"
    );
    assert_eq!(
        h.get(header::SERVER).and_then(|v| v.to_str().ok()),
        Some("nginx")
    );

    // nginx's own answer (an app that is down) carries them too.
    let down = client
        .get(format!("https://events.{DOMAIN}:{https}/"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(down.status(), StatusCode::BAD_GATEWAY);
    assert!(
        down.headers()
            .contains_key(header::STRICT_TRANSPORT_SECURITY)
    );
    for (name, value) in platform::headers::EVERYWHERE {
        let values: Vec<_> = down.headers().get_all(name).iter().collect();
        assert_eq!(values, [value], "{name} on nginx's 502");
    }

    // Probes and metrics: on the machine, not through nginx.
    for path in ["/healthz", "/readyz", "/metrics"] {
        let res = client
            .get(format!("{restaurants}{path}"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let direct = reqwest::get(format!("http://{}/healthz", app.addr))
        .await
        .expect("direct");
    assert_eq!(direct.status(), StatusCode::OK);

    // A body over the app's limit is refused by nginx.
    let big = client
        .post(format!("{restaurants}/api/restaurants/create"))
        .body(vec![b'x'; 7 * 1024 * 1024])
        .send()
        .await
        .expect("an answer");
    assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);

    // Orders are rate-limited per client: a burst goes through, then 429.
    let mut statuses = Vec::new();
    for _ in 0..15 {
        let res = client
            .post(format!("{restaurants}/api/orders/submit"))
            .header(header::CONTENT_TYPE, "application/json")
            .body("{}")
            .send()
            .await
            .expect("an answer");
        statuses.push(res.status());
    }
    assert_ne!(statuses[0], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Other paths are not limited.
    for _ in 0..15 {
        let res = client
            .get(format!("{restaurants}/"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(res.status(), StatusCode::OK);
    }

    // Plain http: to https, except certbot's challenges.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(
            &format!("restaurants.{DOMAIN}"),
            ([127, 0, 0, 1], http).into(),
        )
        .resolve("unknown.example", ([127, 0, 0, 1], http).into())
        .build()
        .expect("client");
    let res = plain
        .get(format!("http://restaurants.{DOMAIN}:{http}/r/x?y=1"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        res.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some(format!("https://restaurants.{DOMAIN}/r/x?y=1").as_str())
    );
    // Unknown hosts: no answer over http, no handshake over https (whatever certificate
    // the client would accept).
    assert!(
        plain
            .get(format!("http://unknown.example:{http}/"))
            .send()
            .await
            .is_err()
    );
    let lax = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .resolve("unknown.example", tls_at)
        .build()
        .expect("client");
    assert!(
        lax.get(format!("https://unknown.example:{https}/"))
            .send()
            .await
            .is_err()
    );
}

/// `systemd-analyze security`'s overall exposure of a unit file: its score and rating.
fn exposure(path: &Path) -> (f32, String) {
    let security = run(Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(path));
    let text = String::from_utf8_lossy(&security.stdout);
    let overall = text
        .lines()
        .find(|l| l.contains("Overall exposure level"))
        .unwrap_or_else(|| panic!("{}: {text}", path.display()));
    let (score, rating) = overall
        .rsplit_once(": ")
        .and_then(|(_, r)| r.split_once(' '))
        .expect("score and rating");
    (score.parse().expect("a score"), rating.to_owned())
}

#[test]
fn every_unit_passes_systemd_analyze_and_is_rated_ok_or_better() {
    if Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("systemd-analyze is not installed: skipped (the README shows its figures)");
        return;
    }
    let dir = tempfile::tempdir().expect("a directory");
    // Each unit as rendered, but running a program that exists on this machine (verify
    // checks it), written into `dir`.
    let write = |name: &str, content: String, program: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, content.replace(program, "/bin/true")).expect("write");
        path
    };
    for app in Manifest::embedded().enabled() {
        let service = write(
            &format!("stepperslife-{}.service", app.name),
            render::systemd_unit(Manifest::embedded(), &app.name),
            &format!("/opt/stepperslife/bin/{}", app.name),
        );
        let socket = write(
            &format!("stepperslife-{}.socket", app.name),
            render::systemd_socket(Manifest::embedded(), &app.name),
            "/bin/true",
        );
        verified(&[&service, &socket]);
        rated_ok(&service);
    }
    // Each app's object store (MinIO).
    for app in Manifest::embedded()
        .enabled()
        .filter(|a| a.bucket.is_some())
    {
        let service = write(
            &format!("stepperslife-minio-{}.service", app.name),
            render::systemd_minio(app),
            render::MINIO_BINARY,
        );
        verified(&[&service]);
        rated_ok(&service);
    }
    // The daily backup and its timer.
    let (service, timer) = render::backup_units();
    let service = write(
        "stepperslife-backup.service",
        service,
        "/opt/stepperslife/bin/suite",
    );
    let timer = write("stepperslife-backup.timer", timer, "/bin/true");
    verified(&[&service, &timer]);
}

/// `systemd-analyze verify` says nothing about these unit files.
fn verified(units: &[&Path]) {
    let verify = run(Command::new("systemd-analyze").arg("verify").args(units));
    assert!(
        verify.stderr.is_empty(),
        "{units:?}: {}",
        String::from_utf8_lossy(&verify.stderr)
    );
}

/// `systemd-analyze security` rates the unit "OK" or better (exposure under 2.0).
fn rated_ok(unit: &Path) {
    let (score, rating) = exposure(unit);
    eprintln!("{}: {score} {rating}", unit.display());
    assert!(
        (rating.starts_with("OK") || rating.starts_with("SAFE")) && score < 2.0,
        "{}: {score} {rating}",
        unit.display()
    );
}

/// nginx in front of `instances` (app name, address; an app named twice has two instances),
/// as `suite render` writes the local variant (plain http, every host on one port); the other
/// enabled apps point at a closed port. nginx (stopped when dropped), its folder, and a client
/// that sends `host`'s requests to it, with the base URL, once it answers `host`'s `/`.
async fn local_nginx(
    instances: &[(&str, SocketAddr)],
    host_app: &str,
) -> (Nginx, tempfile::TempDir, reqwest::Client, String) {
    let dir = tempfile::tempdir().expect("a directory");
    let port = free_port();
    let suite = Suite::new(
        Manifest::embedded(),
        "stepperslife.localhost".into(),
        "http".into(),
        PublicPort::Fixed(port),
    );
    let mut addrs: Vec<(String, String)> = instances
        .iter()
        .map(|(app, addr)| ((*app).to_owned(), addr.to_string()))
        .collect();
    addrs.extend(
        Manifest::embedded()
            .enabled()
            .filter(|app| !instances.iter().any(|(a, _)| *a == app.name))
            .map(|app| (app.name.clone(), "127.0.0.1:9".to_owned())),
    );
    let conf = dir.path().join("nginx.conf");
    std::fs::write(
        &conf,
        render::nginx_local(
            &render::Upstreams {
                suite: &suite,
                addrs,
            },
            port,
            &dir.path().display().to_string(),
        ),
    )
    .expect("write");
    let nginx = Nginx::start(dir.path(), &conf);
    let entry = Manifest::embedded().app(host_app).expect("the app");
    let host = suite.host(entry);
    let client = reqwest::Client::builder()
        .resolve(&host, ([127, 0, 0, 1], port).into())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let base = format!("http://{host}:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !client
        .get(format!("{base}/"))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
    {
        assert!(Instant::now() < deadline, "nginx never answered");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (nginx, dir, client, base)
}

/// Requests to `url` from `tasks` clients at once until `until` says stop: (answered 200,
/// failures with what went wrong).
async fn keep_asking(
    client: reqwest::Client,
    url: String,
    tasks: usize,
    until: tokio::sync::watch::Receiver<bool>,
) -> (usize, Vec<String>) {
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let (client, url, until) = (client.clone(), url.clone(), until.clone());
        handles.push(tokio::spawn(async move {
            let (mut ok, mut failed) = (0, Vec::new());
            while !*until.borrow() {
                match client.get(&url).send().await {
                    Ok(res) if res.status() == StatusCode::OK => {
                        // The whole page, not just its head.
                        match res.bytes().await {
                            Ok(_) => ok += 1,
                            Err(e) => failed.push(format!("body: {e}")),
                        }
                    }
                    Ok(res) => failed.push(format!("status {}", res.status())),
                    Err(e) => failed.push(format!("{e:?}")),
                }
            }
            (ok, failed)
        }));
    }
    let mut total = (0, Vec::new());
    for h in handles {
        let (ok, failed) = h.await.expect("a client");
        total.0 += ok;
        total.1.extend(failed);
    }
    total
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_app_restarting_on_its_socket_behind_nginx_drops_no_request() {
    // The listening socket stays open across the restart, as systemd's socket unit keeps it:
    // connections that arrive while no process serves wait in its queue.
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a socket");
    let upstream = socket.local_addr().expect("addr");
    let mut first = TestApp::spawn_with(
        restaurants::server::app(),
        Opts::default().listener(socket.try_clone().expect("clone")),
    )
    .await;

    // nginx in front, as in production (the local variant: plain http, one port).
    let (_nginx, _dir, client, base) =
        local_nginx(&[("restaurants", upstream)], "restaurants").await;
    let url = format!("{base}/");

    let (stop, until) = tokio::sync::watch::channel(false);
    let load = tokio::spawn(keep_asking(client, url, 8, until));
    tokio::time::sleep(Duration::from_millis(800)).await;
    // The restart: the running instance stops as SIGTERM stops it (what it has under way is
    // answered), and a new one starts on the same socket and database.
    first.stop_serving().await;
    let db_url = first.db.url.clone();
    let second = TestApp::spawn_with(
        restaurants::server::app(),
        Opts::default()
            .listener(socket.try_clone().expect("clone"))
            .configure(move |cfg| cfg.database_url = secrecy::SecretString::from(db_url)),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.send(true).expect("stop the clients");
    let (ok, failed) = load.await.expect("the load");
    eprintln!(
        "{ok} requests answered across the restart, {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{failed:?}");
    assert!(ok > 50, "only {ok} requests");
    drop(second);
}

/// `http_requests_total` of an instance, all routes but `/metrics`' own and unmatched paths.
async fn requests_served(addr: SocketAddr) -> u64 {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    text.lines()
        .filter(|l| l.starts_with("http_requests_total{") && !l.contains("unmatched"))
        .filter_map(|l| l.rsplit_once(' ').and_then(|(_, n)| n.parse::<u64>().ok()))
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_behind_one_upstream_share_sessions_data_and_files() {
    let a = TestApp::spawn_with(restaurants::server::app(), Opts::default()).await;
    let db = a.db.url.clone();
    let sessions = a
        .sessions_db
        .as_ref()
        .expect("a session database")
        .url
        .clone();
    let bucket = a.bucket_config().expect("a bucket").clone();
    let b = TestApp::spawn_with(
        restaurants::server::app(),
        Opts::default().configure(move |cfg| {
            cfg.database_url = secrecy::SecretString::from(db);
            cfg.session_database_url = Some(secrecy::SecretString::from(sessions));
            cfg.bucket = Some(bucket);
        }),
    )
    .await;

    // nginx with both in restaurants' upstream (as render writes it for two instances).
    let (_nginx, dir, client, base) = local_nginx(
        &[("restaurants", a.addr), ("restaurants", b.addr)],
        "restaurants",
    )
    .await;
    let conf_text = std::fs::read_to_string(dir.path().join("nginx.conf")).expect("conf");
    assert!(
        conf_text.contains(&format!(
            "upstream stepperslife_restaurants {{\n        server {};\n        server {};",
            a.addr, b.addr
        )),
        "{conf_text}"
    );

    // Signed in once (the session is in the shared session database)...
    let owner = a.signed_in("Olivia Owner").await;
    let cookie = a.cookie(&owner);
    // ...she adds a restaurant through nginx...
    let res = client
        .post(format!("{base}/api/restaurants/create"))
        .header(header::ORIGIN, &a.origin)
        .header(header::COOKIE, &cookie)
        .header(header::ACCEPT, "application/json")
        .form(&[
            ("name", "Twin Kitchen"),
            ("cuisine", "Soul food"),
            ("city", "Chicago"),
            ("address", "1 Main St"),
            ("description", "Good food."),
            ("price_level", "2"),
        ])
        .send()
        .await
        .expect("create");
    assert!(res.status().is_success(), "{:?}", res.text().await);
    let id: uuid::Uuid =
        sqlx::query_scalar("select id from restaurants where slug = 'twin-kitchen'")
            .fetch_one(&a.db.pool)
            .await
            .expect("the restaurant");
    // ...gives it a cover photo...
    let form = reqwest::multipart::Form::new()
        .text("back", "/r/twin-kitchen")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(devstack::testkit::photo_png(320, 180))
                .file_name("cover.png"),
        );
    let res = client
        .post(format!("{base}/dashboard/photos/cover/{id}"))
        .header(header::ORIGIN, &a.origin)
        .header(header::COOKIE, &cookie)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let back = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(back, "/r/twin-kitchen", "{:?}", res.status());
    // ...and sees her restaurant, as its owner, on every page she opens, whichever instance
    // answers.
    for _ in 0..10 {
        let page = client
            .get(format!("{base}/r/twin-kitchen"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("page");
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(
            html.contains("Olivia Owner") && html.contains(r#"data-testid="edit-restaurant""#),
            "{html}"
        );
    }
    // Both instances took their share.
    let (served_a, served_b) = (requests_served(a.addr).await, requests_served(b.addr).await);
    assert!(served_a >= 3 && served_b >= 3, "{served_a} and {served_b}");
    // The photo one instance stored, the other serves.
    let key: String = sqlx::query_scalar("select cover_key from restaurants where id = $1")
        .bind(id)
        .fetch_one(&a.db.pool)
        .await
        .expect("a cover");
    for addr in [a.addr, b.addr] {
        let res = reqwest::get(format!("http://{addr}/media/{key}"))
            .await
            .expect("media");
        assert_eq!(res.status(), StatusCode::OK, "{addr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_object_store_down_an_upload_is_refused_clearly_and_leaves_no_row() {
    // The bucket's server stops answering (here: the app is pointed at a closed port).
    let app = TestApp::spawn_with(
        restaurants::server::app(),
        Opts::default().configure(|cfg| {
            if let Some(bucket) = cfg.bucket.as_mut() {
                bucket.endpoint = "http://127.0.0.1:9".into();
            }
        }),
    )
    .await;
    let owner = app.signed_in("Olivia Owner").await;
    let res = app
        .call(
            "/api/restaurants/create",
            &[
                ("name", "Dry Kitchen"),
                ("cuisine", "Soul food"),
                ("city", "Chicago"),
                ("address", "1 Main St"),
                ("description", "Good food."),
                ("price_level", "2"),
            ],
            Some(&owner),
        )
        .await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let id: uuid::Uuid = sqlx::query_scalar("select id from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("the restaurant");

    let started = Instant::now();
    let form = reqwest::multipart::Form::new()
        .text("back", "/r/dry-kitchen")
        .part(
            "photo",
            reqwest::multipart::Part::bytes(devstack::testkit::photo_png(320, 180))
                .file_name("cover.png"),
        );
    let res = devstack::testkit::client()
        .post(app.url(&format!("/dashboard/photos/cover/{id}")))
        .header(header::ORIGIN, &app.origin)
        .header(header::COOKIE, app.cookie(&owner))
        .multipart(form)
        .send()
        .await
        .expect("an answer");
    assert!(started.elapsed() < Duration::from_secs(20), "no hang");
    // Back to the form with the "could not be saved, try again" code; no row points anywhere.
    assert_eq!(
        res.headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/r/dry-kitchen?upload_error=failed")
    );
    assert!(
        platform::upload::Problem::Failed
            .message()
            .contains("Try again"),
    );
    let cover: Option<String> = sqlx::query_scalar("select cover_key from restaurants")
        .fetch_one(&app.db.pool)
        .await
        .expect("row");
    assert_eq!(cover, None);
    // Readiness says why; the pages still answer.
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(body["checks"]["database"], "ok");
    assert_ne!(body["checks"]["bucket"], "ok");
    assert_eq!(
        app.get("/r/dry-kitchen", None).await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_portal_instances_share_the_session_and_signing_out_on_one_ends_it_on_both() {
    let settings = || portal::server::Settings {
        providers: Vec::new(),
        aggregate_timeout: Duration::from_millis(300),
    };
    let a = TestApp::spawn(portal::server::app(settings())).await;
    let db = a.db.url.clone();
    let b = TestApp::spawn_with(
        portal::server::app(settings()),
        Opts::default().configure(move |cfg| {
            cfg.database_url = secrecy::SecretString::from(db);
        }),
    )
    .await;
    let (_nginx, _dir, client, base) =
        local_nginx(&[("portal", a.addr), ("portal", b.addr)], "portal").await;
    let member = a.signed_in("Portia Member").await;
    let cookie = a.cookie(&member);
    // Signed in on every page, whichever instance answers...
    for _ in 0..6 {
        let html = client
            .get(format!("{base}/"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("html");
        assert!(html.contains("Portia Member"), "{html}");
    }
    let (served_a, served_b) = (requests_served(a.addr).await, requests_served(b.addr).await);
    assert!(served_a >= 2 && served_b >= 2, "{served_a} and {served_b}");
    // ...and signed out on both after signing out on one.
    let res = client
        .post(format!("{base}/signout"))
        .header(header::ORIGIN, &a.origin)
        .header(header::COOKIE, &cookie)
        .form(&[("return_to", "")])
        .send()
        .await
        .expect("sign out");
    assert!(res.status().is_redirection(), "{}", res.status());
    for addr in [a.addr, b.addr] {
        let html = reqwest::Client::new()
            .get(format!("http://{addr}/"))
            .header(header::COOKIE, &cookie)
            .send()
            .await
            .expect("home")
            .text()
            .await
            .expect("html");
        assert!(!html.contains("Portia Member"), "{addr}: still signed in");
    }
}

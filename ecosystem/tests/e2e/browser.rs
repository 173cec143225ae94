use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::{FOREIGN_HOST, World, cookie_name};

/// chromedriver's `POST /session/{id}/se/log` for the browser's console.
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

struct Browser {
    client: Client,
    _driver: Driver,
    _profile: tempdir::Dir,
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The Chromium binary: `CHROME_PATH`, else `chromium` on the `PATH`.
fn chromium() -> String {
    if let Some(p) = std::env::var_os("CHROME_PATH") {
        return p.to_string_lossy().into_owned();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("chromium"))
                .find(|p| p.is_file())
        })
        .map(|p| p.display().to_string())
        .expect("chromium is on the PATH (apt-get install chromium)")
}

/// chromedriver and the Chromium it starts, killed together when dropped: chromedriver runs in
/// a process group of its own, which Chromium joins, and the whole group goes (killing only
/// chromedriver left every test's browser running, adopted by init).
struct Driver(std::process::Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// chromedriver on a free port (`TZ` set to `tz` for the browser it starts), and the port; `None`
/// when it ends without saying which.
async fn start_driver(tz: Option<&str>) -> Option<(Driver, u16)> {
    use std::os::unix::process::CommandExt;
    let mut driver = std::process::Command::new("chromedriver");
    if let Some(tz) = tz {
        // Chromium inherits it from chromedriver.
        driver.env("TZ", tz);
    }
    let mut driver = driver
        .arg("--port=0")
        .process_group(0)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver runs (apt-get install chromium-driver)");
    let stdout = driver.stdout.take().expect("stdout");
    let driver = Driver(driver);
    let port = tokio::task::spawn_blocking(move || {
        use std::io::BufRead;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let port = lines.by_ref().map_while(Result::ok).find_map(|l| {
            l.split_once("started successfully on port ")
                .and_then(|(_, p)| p.trim_end_matches('.').trim().parse::<u16>().ok())
        });
        // Keep reading so that chromedriver never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        port
    })
    .await
    .expect("reader")?;
    Some((driver, port))
}

impl Browser {
    async fn start() -> Self {
        Self::start_in(None).await
    }

    /// A browser whose clock is in time zone `tz` (else the machine's).
    async fn start_in(tz: Option<&str>) -> Self {
        // Port 0: chromedriver binds a free port itself and says which. It has (once, in CI)
        // ended without saying it: then it is started again, up to three times.
        let mut started = None;
        for _ in 0..3 {
            started = start_driver(tz).await;
            if started.is_some() {
                break;
            }
        }
        let (driver, port) = started.expect("chromedriver says its port (tried three times)");
        let profile =
            tempdir::Dir(std::env::temp_dir().join(format!("chromium-{}", uuid::Uuid::new_v4())));
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.0.display()),
                ],
            }),
        );
        // The console, to check that no page logs an error (a failed hydration, a missing file).
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        // chromedriver speaks plain http on loopback: no TLS stack needed.
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("chromium starts");
        Self {
            client,
            _driver: driver,
            _profile: profile,
        }
    }

    async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("open {url}: {e}"));
    }

    /// Waits (10 s) for an element. A look-up that a navigation under way interrupts
    /// ("aborted by navigation": the page it looked in went away) is tried again on the next
    /// page, within the same 10 s.
    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let found = self
                .client
                .wait()
                .at_most(left.max(Duration::from_millis(100)))
                .for_element(Locator::Css(css))
                .await;
            let interrupted = found
                .as_ref()
                .err()
                .is_some_and(|e| e.to_string().contains("aborted by navigation"));
            if !interrupted || std::time::Instant::now() >= deadline {
                break self.found_or_panic(css, found).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn found_or_panic(
        &self,
        css: &str,
        found: Result<fantoccini::elements::Element, fantoccini::error::CmdError>,
    ) -> fantoccini::elements::Element {
        match found {
            Ok(el) => el,
            Err(e) => {
                let url = self.client.current_url().await.ok();
                let body = match self.client.find(Locator::Css("body")).await {
                    Ok(b) => b.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("no {css} on {url:?}: {e}\n--- page ---\n{body}")
            }
        }
    }

    /// Waits until `css` holds `needle`.
    async fn wait_text(&self, css: &str, needle: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && el.text().await.is_ok_and(|t| t.contains(needle))
            {
                return;
            }
            if std::time::Instant::now() > deadline {
                let url = self.client.current_url().await.ok();
                let body = match self.client.find(Locator::Css("body")).await {
                    Ok(b) => b.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                panic!("{css} never showed {needle:?} on {url:?}\n--- page ---\n{body}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Reloads the page every half second until `css` holds `needle` (20 s): for what a page
    /// shows only when it is rendered again.
    async fn reload_until(&self, css: &str, needle: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await
                && el.text().await.is_ok_and(|t| t.contains(needle))
            {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{css} never showed {needle:?}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
            self.client.refresh().await.expect("reload");
        }
    }

    async fn fill(&self, name: &str, value: &str) {
        let el = self.find(&format!("[name={name}]")).await;
        el.clear().await.expect("clear");
        el.send_keys(value).await.expect("type");
    }

    /// The console's errors since the last call (chromedriver's log endpoint).
    async fn console_errors(&self) -> Vec<String> {
        let logs = self
            .client
            .issue_cmd(BrowserLog)
            .await
            .expect("the browser's log");
        logs.as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["level"] == "SEVERE")
            .map(|l| l["message"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Asserts that no page this browser showed logged an error to its console.
    async fn assert_clean_console(&self, who: &str) {
        let errors = self.console_errors().await;
        assert!(errors.is_empty(), "{who}'s console: {errors:#?}");
    }

    async fn session_cookie(&self, world: &World) -> Option<String> {
        self.client
            .get_named_cookie(&cookie_name(&world.stack().suite))
            .await
            .ok()
            .map(|c| c.value().to_owned())
    }
}

async fn count_named(pool: &sqlx::PgPool, name: &str) -> i64 {
    sqlx::query_scalar("select count(*) from restaurants where name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn one_sign_in_works_across_the_suite_and_one_sign_out_ends_it_everywhere() {
    let mut world = World::start().await;
    let b = Browser::start().await;
    let db = world.restaurants_db().await;

    // A visitor: restaurants offers sign-in and its list is public.
    b.goto(&world.url("restaurants", "/")).await;
    b.wait_text("[data-testid=restaurant-list]", "Mama Lou")
        .await;
    b.find("[data-testid=sign-in]").await;

    // Sign up on the portal...
    b.goto(&world.url("portal", "/signup")).await;
    b.fill("name", "Ada Stepper").await;
    b.fill("email", "ada@example.com").await;
    b.fill("password", "correct horse battery").await;

    // ...while, in another tab, a sibling subdomain plants a session id for the whole parent
    // domain (session fixation): a real one, of the attacker's own session, which the portal
    // knows and would happily keep using without the cycle at sign-in.
    let planted = world.attacker_session().await;
    let form_tab = b.client.window().await.expect("tab");
    let other = b.client.new_window(true).await.expect("new tab");
    b.client
        .switch_to_window(other.handle)
        .await
        .expect("switch");
    b.goto(&format!(
        "http://{FOREIGN_HOST}:{}/plant?v={planted}",
        world.port
    ))
    .await;
    b.client.close_window().await.expect("close tab");
    b.client
        .switch_to_window(form_tab)
        .await
        .expect("switch back");
    assert_eq!(
        b.session_cookie(&world).await.as_deref(),
        Some(planted.as_str()),
        "the planted cookie is in place"
    );
    b.find("[data-testid=signup-form] button[type=submit]")
        .await
        .click()
        .await
        .expect("submit");
    // No account until the address is confirmed from the mail.
    b.find("[data-testid=signup-sent]").await;
    b.goto(&world.confirm_link("ada@example.com").await).await;
    b.click("[data-testid=confirm-form] button[type=submit]")
        .await;
    b.wait_text("[data-testid=header-user]", "Ada Stepper")
        .await;
    let session = b.session_cookie(&world).await.expect("signed in");
    assert_ne!(session, planted, "...is not the one in use after it");

    // The restaurants subdomain knows who this is.
    b.goto(&world.url("restaurants", "/")).await;
    b.wait_text("[data-testid=header-user]", "Ada Stepper")
        .await;

    // Create a restaurant.
    b.find("[data-testid=add-restaurant]")
        .await
        .click()
        .await
        .expect("click add");
    b.find("[data-testid=restaurant-form]").await;
    b.fill("name", "Ada's Two-Step Diner").await;
    b.fill("cuisine", "Diner").await;
    b.fill("city", "Chicago").await;
    b.find("[data-testid=restaurant-form] button[type=submit]")
        .await
        .click()
        .await
        .expect("submit");
    b.wait_text("[data-testid=restaurant-name]", "Ada's Two-Step Diner")
        .await;

    // Its owner sets the hours; Friday runs past midnight.
    b.find("[data-testid=edit-restaurant]")
        .await
        .click()
        .await
        .expect("click edit");
    b.find("[data-testid=hours-form]").await;
    b.fill("hours_4", "17:00-02:00").await;
    b.find("[data-testid=hours-form] button[type=submit]")
        .await
        .click()
        .await
        .expect("save hours");
    b.wait_text("[data-testid=hours]", "17:00–02:00 (next day)")
        .await;

    // It shows on the portal home (which keeps each app's sections for a few seconds).
    b.goto(&world.url("portal", "/")).await;
    b.reload_until("[data-testid=home-restaurants-new]", "Ada's Two-Step Diner")
        .await;

    // A same-site page outside the suite posts to restaurants with the session cookie: refused.
    b.goto(&format!("http://{FOREIGN_HOST}:{}/", world.port))
        .await;
    b.find("#go")
        .await
        .click()
        .await
        .expect("submit forged form");
    b.wait_text("body", "did not come from a SteppersLife page")
        .await;
    assert_eq!(count_named(&db, "Forged").await, 0);

    // The same POST from a suite page works. (Its answer is opaque to the page, which is not
    // the app's own: the row it made is what shows it was carried out.)
    b.goto(&world.url("portal", "/")).await;
    b.find("[data-testid=header-user]").await;
    b.client
        .execute_async(
            "const [url, done] = arguments;
             const body = new URLSearchParams({name: 'Forged', cuisine: 'x', city: 'x', address: 'x', description: 'x', price_level: '1'});
             fetch(url, {method: 'POST', body, credentials: 'include', mode: 'no-cors'})
               .then(() => done(), () => done());",
            vec![json!(world.url("restaurants", "/api/restaurants/create"))],
        )
        .await
        .expect("fetch runs");
    assert_eq!(
        count_named(&db, "Forged").await,
        1,
        "the suite-origin POST was carried out"
    );

    // Sign out on the portal...
    b.find("[data-testid=sign-out]")
        .await
        .click()
        .await
        .expect("sign out");
    b.find("[data-testid=sign-in]").await;
    // ...and restaurants sees a visitor at the next request, even with the old cookie replayed.
    b.goto(&format!(
        "http://{FOREIGN_HOST}:{}/plant?v={session}",
        world.port
    ))
    .await;
    b.goto(&world.url("restaurants", "/")).await;
    assert_eq!(
        b.session_cookie(&world).await.as_deref(),
        Some(session.as_str()),
        "the old cookie is replayed"
    );
    b.find("[data-testid=sign-in]").await;
    assert!(
        b.client
            .find(Locator::Css("[data-testid=header-user]"))
            .await
            .is_err()
    );
    b.goto(&world.url("restaurants", "/new")).await;
    let url = b.client.current_url().await.expect("url");
    assert!(
        url.as_str().contains("/signin?return_to="),
        "sent to sign in: {url}"
    );

    // Restaurants goes down: the portal home still renders, with the last good copy, and says
    // so once that copy is no longer fresh (a few seconds) and asking again failed.
    b.goto(&world.url("portal", "/")).await;
    b.wait_text("[data-testid=home-restaurants-new]", "Ada's Two-Step Diner")
        .await;
    world.stack_mut().stop_app("restaurants").await;
    b.goto(&world.url("portal", "/")).await;
    b.wait_text("[data-testid=home-restaurants-new]", "Ada's Two-Step Diner")
        .await;
    b.reload_until(
        "[data-testid=home-restaurants-new]",
        "may be a little out of date",
    )
    .await;
    b.wait_text("[data-testid=home-restaurants-new]", "Ada's Two-Step Diner")
        .await;
    b.find("[data-testid=sign-in]").await;

    // No page logged an error, except the two refusals the test asked for: the foreign page's
    // POST (403) and, with restaurants stopped, nothing else.
    let errors: Vec<String> = b
        .console_errors()
        .await
        .into_iter()
        .filter(|e| !e.contains("403 (Forbidden)"))
        .collect();
    assert!(errors.is_empty(), "console: {errors:#?}");
    let _ = b.client.close().await;
    world.stop().await;
}

impl Browser {
    /// Types into the element at `css` (cleared first).
    async fn type_into(&self, css: &str, value: &str) {
        let el = self.find(css).await;
        el.clear().await.expect("clear");
        el.send_keys(value).await.expect("type");
    }

    /// Opens the (first) item's owner tools in the menu editor, unless they are open.
    async fn open_item_tools(&self) {
        let details = self.find("[data-testid=editor-item] details").await;
        if details.attr("open").await.ok().flatten().is_none() {
            self.click("[data-testid=editor-item] details summary")
                .await;
        }
    }

    async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Signs up on the portal and waits until the header shows the name.
    async fn sign_up(&self, world: &World, name: &str, email: &str) {
        self.goto(&world.url("portal", "/signup")).await;
        self.fill("name", name).await;
        self.fill("email", email).await;
        self.fill("password", "correct horse battery").await;
        self.click("[data-testid=signup-form] button[type=submit]")
            .await;
        self.find("[data-testid=signup-sent]").await;
        self.goto(&world.confirm_link(email).await).await;
        self.click("[data-testid=confirm-form] button[type=submit]")
            .await;
        self.wait_text("[data-testid=header-user]", name).await;
    }
}

#[tokio::test]
async fn a_customer_orders_and_sees_it_ready_while_the_owner_works_the_live_queue() {
    let world = World::start().await;
    let owner = Browser::start().await;
    let customer = Browser::start().await;
    let db = world.restaurants_db().await;

    // The owner opens a restaurant, open around the clock...
    owner
        .sign_up(&world, "Olivia Owner", "olivia@example.com")
        .await;
    owner.goto(&world.url("restaurants", "/new")).await;
    owner.fill("name", "Olivia's Kitchen").await;
    owner.fill("cuisine", "Soul food").await;
    owner.fill("city", "Chicago").await;
    owner
        .click("[data-testid=restaurant-form] button[type=submit]")
        .await;
    owner
        .wait_text("[data-testid=restaurant-name]", "Olivia's Kitchen")
        .await;
    let page = owner.client.current_url().await.expect("url");
    let slug = page
        .path()
        .strip_prefix("/r/")
        .expect("on the restaurant's page")
        .to_owned();
    let slug = slug.as_str();
    owner
        .goto(&world.url("restaurants", &format!("/r/{slug}/edit")))
        .await;
    for day in 0..7 {
        owner.fill(&format!("hours_{day}"), "00:00-00:00").await;
    }
    owner
        .click("[data-testid=hours-form] button[type=submit]")
        .await;
    owner
        .wait_text("[data-testid=open-status]", "Open now")
        .await;

    // ...and writes its menu in the editor: a section, a dish, a required choice, a photo.
    owner
        .goto(&world.url("restaurants", &format!("/dashboard/r/{slug}/menu")))
        .await;
    owner.find("[data-testid=editor][data-hydrated=true]").await;
    owner
        .type_into("[data-testid=add-category] [name=name]", "Plates")
        .await;
    owner
        .click("[data-testid=add-category] button[type=submit]")
        .await;
    owner
        .click("[data-testid=menu-section] [data-testid=add-item] summary")
        .await;
    owner
        .type_into(
            "[data-testid=new-item-form] [name=name]",
            "Smothered chicken",
        )
        .await;
    owner
        .type_into("[data-testid=new-item-form] [name=price]", "14.50")
        .await;
    owner
        .click("[data-testid=new-item-form] input[value=contains_gluten]")
        .await;
    owner
        .click("[data-testid=new-item-form] button[type=submit]")
        .await;
    owner
        .wait_text("[data-testid=editor-item]", "Smothered chicken")
        .await;
    owner
        .click("[data-testid=editor-item] details summary")
        .await;
    owner
        .type_into("[data-testid=add-group] [name=name]", "Side")
        .await;
    owner
        .click("[data-testid=add-group] button[type=submit]")
        .await;
    owner.wait_text("[data-testid=group]", "Side").await;
    for (name, delta) in [("Greens", ""), ("Mac and cheese", "+1.00")] {
        // Each edit reloads the editor (closing the details), so open it again.
        owner.open_item_tools().await;
        owner
            .type_into("[data-testid=add-option] [name=name]", name)
            .await;
        owner
            .type_into("[data-testid=add-option] [name=price_delta]", delta)
            .await;
        owner
            .click("[data-testid=add-option] button[type=submit]")
            .await;
        owner.wait_text("[data-testid=group]", name).await;
    }
    let photo = world.dir.join("chicken.png");
    std::fs::write(&photo, devstack::testkit::photo_png(64, 48)).expect("photo file");
    owner.open_item_tools().await;
    owner
        .find("[data-testid=item-photo-form] input[type=file]")
        .await
        .send_keys(&photo.display().to_string())
        .await
        .expect("choose file");
    owner.click("[data-testid=item-photo-form] button").await;
    owner
        .find("[data-testid=editor-item] img[src^='/media/items/']")
        .await;

    // The owner watches the queue; it is empty.
    owner
        .goto(&world.url("restaurants", &format!("/dashboard/r/{slug}/orders")))
        .await;
    owner
        .find("[data-testid=live-queue][data-hydrated=true]")
        .await;
    owner.find("[data-testid=queue-empty]").await;

    // A customer orders: the dish with the dearer side, as soon as possible.
    customer
        .sign_up(&world, "Cleo Customer", "cleo@example.com")
        .await;
    customer
        .goto(&world.url("restaurants", &format!("/r/{slug}")))
        .await;
    customer
        .find("[data-testid=menu-item] img[src^='/media/items/']")
        .await;
    // The menu is an island: its buttons work once its code has loaded.
    customer
        .find("[data-hydrated=true] [data-testid=menu]")
        .await;
    customer
        .click("[data-item='Smothered chicken'] [data-testid=add-item]")
        .await;
    // The choice is required: adding without it is refused in the page.
    customer.click("[data-testid=add-choice]").await;
    customer
        .wait_text("[data-testid=chooser]", "Choose at least 1 for “Side”")
        .await;
    customer
        .click("[data-testid=chooser] label:nth-of-type(2) input")
        .await;
    customer.click("[data-testid=add-choice]").await;
    customer
        .wait_text("[data-testid=cart-total]", "$15.50")
        .await;
    customer.click("[data-testid=place-order]").await;
    customer
        .wait_text("[data-testid=order-status]", "Placed")
        .await;
    let order_url = customer.client.current_url().await.expect("url");
    assert!(order_url.path().starts_with("/orders/"), "{order_url}");
    customer
        .find("[data-testid=order][data-hydrated=true]")
        .await;
    // A mark on this very page: a reload or navigation would lose it.
    customer
        .client
        .execute("window.__stillHere = 'yes'", vec![])
        .await
        .expect("mark the page");
    owner
        .client
        .execute("window.__stillHere = 'yes'", vec![])
        .await
        .expect("mark the queue");

    // The owner's queue shows it without a reload; the owner moves it along to ready.
    owner
        .wait_text("[data-testid=queue]", "Cleo Customer")
        .await;
    owner
        .wait_text("[data-testid=queue]", "Mac and cheese")
        .await;
    for (step, shown) in [
        ("accept", "Accepted"),
        ("start", "Preparing"),
        ("ready", "Ready for pickup"),
    ] {
        owner
            .click(&format!("[data-testid=queue-order] [data-step={step}]"))
            .await;
        owner
            .wait_text(
                "[data-testid=queue-order] [data-testid=order-status]",
                shown,
            )
            .await;
    }

    // The customer's page, never reloaded, says so.
    customer
        .wait_text("[data-testid=order-status]", "Ready for pickup")
        .await;
    for (who, b) in [("customer", &customer), ("owner", &owner)] {
        let mark = b
            .client
            .execute("return window.__stillHere || 'reloaded'", vec![])
            .await
            .expect("read the mark");
        assert_eq!(mark, json!("yes"), "the {who}'s page was never reloaded");
    }

    // On the portal, the account lists it; "Order again" places a new order on restaurants.
    customer.goto(&world.url("portal", "/account")).await;
    customer
        .wait_text("[data-testid=past-order]", "Olivia's Kitchen")
        .await;
    customer.click("[data-testid=order-again]").await;
    customer
        .wait_text("[data-testid=order-status]", "Placed")
        .await;
    let again_url = customer.client.current_url().await.expect("url");
    assert_ne!(again_url, order_url, "a new order: {again_url}");
    let (orders, totals): (i64, i64) = sqlx::query_as(
        "select count(*), coalesce(sum(total_cents), 0)::bigint from orders o
         join restaurants r on r.id = o.restaurant_id where r.slug = $1",
    )
    .bind(slug)
    .fetch_one(&db)
    .await
    .expect("orders");
    assert_eq!((orders, totals), (2, 2 * 1550));
    owner.assert_clean_console("the owner").await;
    customer.assert_clean_console("the customer").await;

    let _ = owner.client.close().await;
    let _ = customer.client.close().await;
    world.stop().await;
}

#[tokio::test]
async fn an_account_is_made_from_the_inbox_and_a_forgotten_password_is_reset_through_it() {
    let world = World::start().await;
    let b = Browser::start().await;
    let maildev = world.stack().maildev.as_ref().expect("maildev");

    // Sign up, follow the mail's link, confirm: signed in.
    b.sign_up(&world, "Rita Reset", "rita@example.com").await;
    b.click("[data-testid=sign-out]").await;
    b.find("[data-testid=sign-in]").await;

    // Forgot the password: the sign-in page leads to a form that mails a link.
    b.goto(&world.url("portal", "/signin")).await;
    b.click("[data-testid=forgot-link]").await;
    b.fill("email", "rita@example.com").await;
    b.click("[data-testid=forgot-form] button[type=submit]")
        .await;
    b.find("[data-testid=forgot-sent]").await;
    let mails = maildev
        .wait_for("rita@example.com", 2, std::time::Duration::from_secs(15))
        .await;
    let text = mails[1]["text"].as_str().unwrap_or("");
    let link = devstack::link_in(
        text,
        &format!("{}/reset?token=", world.stack().suite.portal()),
    )
    .expect("a reset link");

    // The link's page takes a new password and signs in.
    b.goto(&link).await;
    b.fill("password", "new lantern orchard 58").await;
    b.click("[data-testid=reset-form] button[type=submit]")
        .await;
    b.wait_text("[data-testid=header-user]", "Rita Reset").await;

    // Signed out, the new password works (and the old one does not). (The sign-out's answer
    // lands first: a page opened while it is in flight would be replaced by it.)
    b.click("[data-testid=sign-out]").await;
    b.find("[data-testid=sign-in]").await;
    b.goto(&world.url("portal", "/signin")).await;
    b.fill("email", "rita@example.com").await;
    b.fill("password", "correct horse battery").await;
    b.click("[data-testid=signin-form] button[type=submit]")
        .await;
    b.wait_text("[data-testid=signin-form]", "incorrect").await;
    b.fill("password", "new lantern orchard 58").await;
    b.click("[data-testid=signin-form] button[type=submit]")
        .await;
    b.wait_text("[data-testid=header-user]", "Rita Reset").await;
}

impl Browser {
    /// Sets the value of the input at `css` as a picker would (for `datetime-local`, whose
    /// typed form depends on the browser's locale).
    async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]); el.value = arguments[1]; \
                 el.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    /// Clicks the element at `inner` inside the first `outer` whose text holds `needle`.
    async fn click_within(&self, outer: &str, needle: &str, inner: &str) {
        for el in self
            .client
            .find_all(Locator::Css(outer))
            .await
            .expect("find")
        {
            if el.text().await.is_ok_and(|t| t.contains(needle)) {
                el.find(Locator::Css(inner))
                    .await
                    .unwrap_or_else(|e| panic!("no {inner} in the {outer} of {needle:?}: {e}"))
                    .click()
                    .await
                    .expect("click");
                return;
            }
        }
        panic!("no {outer} holds {needle:?}");
    }
}

#[tokio::test]
async fn an_attendee_rsvps_from_the_portal_buys_by_card_on_a_phone_and_is_let_in_once() {
    let world = World::start().await;
    let organizer = Browser::start().await;
    // An attendee visiting from London, for an event in Chicago.
    let attendee = Browser::start_in(Some("Europe/London")).await;
    let db = world.db_of("events").await;

    // The organizer creates an event two days ahead, with a paid and a free ticket type.
    organizer
        .sign_up(&world, "Oscar Organizer", "oscar@example.com")
        .await;
    organizer.goto(&world.url("events", "/dashboard/new")).await;
    organizer.fill("title", "Riverside Step Night").await;
    organizer.fill("venue", "Riverside Hall").await;
    organizer
        .fill("address", "100 N Riverside Plaza, Chicago")
        .await;
    organizer
        .set_value("[name=time_zone]", "America/Chicago")
        .await;
    let day: String = sqlx::query_scalar(
        "select to_char((now() at time zone 'America/Chicago')::date + 2, 'YYYY-MM-DD')",
    )
    .fetch_one(&db)
    .await
    .expect("a date");
    organizer
        .set_value("[name=starts]", &format!("{day}T20:00"))
        .await;
    organizer
        .set_value("[name=ends]", &format!("{day}T23:30"))
        .await;
    organizer
        .click("[data-testid=event-form] button[type=submit]")
        .await;
    organizer.find("[data-testid=ticket-type-form]").await;
    let slug = organizer
        .client
        .current_url()
        .await
        .expect("url")
        .path()
        .strip_prefix("/dashboard/e/")
        .expect("on the event's dashboard")
        .to_owned();
    for (name, price) in [("General", "25"), ("Community pass", "")] {
        organizer
            .type_into("[data-testid=ticket-type-form] [name=name]", name)
            .await;
        organizer
            .type_into("[data-testid=ticket-type-form] [name=price]", price)
            .await;
        organizer
            .type_into("[data-testid=ticket-type-form] [name=capacity]", "50")
            .await;
        organizer
            .click("[data-testid=ticket-type-form] button[type=submit]")
            .await;
        organizer
            .wait_text("[data-testid=manage-ticket-types]", name)
            .await;
    }
    organizer
        .click("[data-testid=publish-form] button[type=submit]")
        .await;
    // (Published, it opens the event's public page.)
    organizer
        .wait_text("[data-testid=ticket-types]", "Community pass")
        .await;

    // The attendee, on a phone, RSVPs from the portal home (which keeps each app's sections
    // for a few seconds)...
    attendee
        .client
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    attendee
        .sign_up(&world, "Ada Attendee", "ada@example.com")
        .await;
    attendee.goto(&world.url("portal", "/")).await;
    attendee
        .reload_until("[data-testid=home-events-upcoming]", "Riverside Step Night")
        .await;
    attendee
        .click_within(
            "[data-testid=home-card]",
            "Riverside Step Night",
            "[data-testid=home-rsvp]",
        )
        .await;
    attendee
        .wait_text("[data-testid=tickets]", "Community pass")
        .await;

    // ...and buys a paid ticket on the event's page, by card.
    attendee
        .goto(&world.url("events", &format!("/e/{slug}")))
        .await;
    // Its times in the event's zone, and in the attendee's own: six hours later.
    attendee
        .wait_text(
            "[data-testid=event-when]",
            "20:00 – 23:30 (America/Chicago)",
        )
        .await;
    attendee
        .wait_text("[data-testid=event-when-yours]", "Your time:")
        .await;
    attendee
        .wait_text("[data-testid=event-when-yours]", "02:00")
        .await;
    attendee
        .click("[data-testid=ticket-type][data-name=General] [data-testid=buy]")
        .await;
    attendee
        .wait_text("[data-testid=order-headline]", "Pay to get your tickets")
        .await;
    attendee
        .find("[data-testid=card-element] input[placeholder=number]")
        .await;
    for (field, value) in [
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "60601"),
    ] {
        attendee
            .type_into(
                &format!("[data-testid=card-element] input[placeholder={field}]"),
                value,
            )
            .await;
    }
    attendee.click("[data-testid=pay]").await;
    attendee
        .wait_text(
            "[data-testid=order-headline]",
            "Paid: your tickets are ready",
        )
        .await;
    assert_eq!(
        sqlx::query_scalar::<_, i64>(
            "select count(*) from tickets t join orders o on o.id = t.order_id
             join events e on e.id = o.event_id
             where e.slug = $1 and o.status in ('paid', 'confirmed') and t.status = 'valid'",
        )
        .bind(&slug)
        .fetch_one(&db)
        .await
        .expect("count"),
        2,
        "one free ticket and one paid"
    );

    // Both come by email, with their codes (after the sign-up confirmation).
    let mails = world.mails_to("ada@example.com", 3).await;
    let paid = mails
        .iter()
        .find(|m| m["subject"] == "Your tickets for Riverside Step Night")
        .expect("the paid tickets' mail");
    assert!(
        mails
            .iter()
            .any(|m| m["subject"] == "You're going to Riverside Step Night"),
        "the RSVP's mail"
    );
    let text = paid["text"].as_str().unwrap_or_default();
    let code = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Ticket 1 (General): "))
        .unwrap_or_else(|| panic!("a ticket code in {text}"))
        .to_owned();

    // The organizer types the code at the door: the attendee is in...
    organizer
        .goto(&world.url("events", &format!("/dashboard/e/{slug}/door")))
        .await;
    organizer
        .type_into("[data-testid=door-code-form] [name=code]", &code)
        .await;
    organizer
        .click("[data-testid=door-code-form] button[type=submit]")
        .await;
    organizer
        .wait_text(
            "[data-testid=door-done]",
            "Checked in: Ada Attendee (General)",
        )
        .await;
    organizer
        .wait_text("[data-testid=door-count]", "1 of 2 in")
        .await;

    // ...and a second check-in of the same ticket is refused, with when and by whom.
    organizer
        .type_into("[data-testid=door-code-form] [name=code]", &code)
        .await;
    organizer
        .click("[data-testid=door-code-form] button[type=submit]")
        .await;
    organizer
        .wait_text("[data-testid=door]", "Already in: Ada Attendee (General)")
        .await;
    organizer
        .wait_text("[data-testid=door]", "by Oscar Organizer")
        .await;
    organizer
        .wait_text("[data-testid=door-count]", "1 of 2 in")
        .await;
    assert!(
        organizer
            .client
            .find(Locator::Css("[data-testid=door-done]"))
            .await
            .is_err(),
        "no green \"Checked in\" beside the refusal"
    );
    let checked_in: i64 = sqlx::query_scalar(
        "select count(*) from tickets where secret = $1 and checked_in_at is not null",
    )
    .bind(&code)
    .fetch_one(&db)
    .await
    .expect("count");
    assert_eq!(checked_in, 1);

    organizer.assert_clean_console("the organizer").await;
    attendee.assert_clean_console("the attendee").await;
    let _ = organizer.client.close().await;
    let _ = attendee.client.close().await;
    world.stop().await;
}

impl Browser {
    /// Signs up on the portal, is made a suite admin (as `suite make-admin` does), and signs
    /// in again: the role a session carries is the one its sign-in found.
    async fn sign_up_admin(&self, world: &World, name: &str, email: &str) {
        self.sign_up(world, name, email).await;
        let made = sqlx::query("update users set role = 'admin' where email = $1")
            .bind(email)
            .execute(&world.db_of("portal").await)
            .await
            .expect("made an admin");
        assert_eq!(made.rows_affected(), 1);
        // Signed out (the sign-out's own navigation done) before going on: otherwise it can
        // land after the next page is opened, and take the browser away from it.
        self.click("[data-testid=sign-out]").await;
        self.find("[data-testid=sign-in]").await;
        self.goto(&world.url("portal", "/signin")).await;
        self.fill("email", email).await;
        self.fill("password", "correct horse battery").await;
        self.click("[data-testid=signin-form] button[type=submit]")
            .await;
        self.wait_text("[data-testid=header-user]", name).await;
    }
}

#[tokio::test]
async fn a_shop_opens_sells_two_variants_by_card_on_a_phone_and_ships_its_own_part() {
    let world = World::start().await;
    let vendor = Browser::start().await;
    let admin = Browser::start().await;
    let shopper = Browser::start().await;
    let db = world.db_of("store").await;

    // A member opens a shop; it waits for an admin.
    vendor
        .sign_up(&world, "Vera Vendor", "vera@example.com")
        .await;
    vendor.goto(&world.url("store", "/dashboard")).await;
    vendor.fill("name", "Vera's Soles").await;
    vendor.fill("description", "Hand-made dance shoes.").await;
    vendor.fill("shipping", "4.50").await;
    vendor
        .click("[data-testid=shop-form] button[type=submit]")
        .await;
    vendor
        .wait_text("[data-testid=shop-status]", "Waiting for an admin")
        .await;

    // An admin approves it.
    admin
        .sign_up_admin(&world, "Adam Admin", "adam@example.com")
        .await;
    admin.goto(&world.url("store", "/admin/shops")).await;
    admin
        .wait_text("[data-testid=admin-shops]", "Vera's Soles")
        .await;
    admin
        .click_within("[data-testid=admin-shops] li", "Vera's Soles", "button")
        .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while sqlx::query_scalar::<_, String>("select status from shops where name = 'Vera''s Soles'")
        .fetch_one(&db)
        .await
        .expect("shop")
        != "approved"
    {
        assert!(std::time::Instant::now() < deadline, "never approved");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The vendor adds a product with two variants and a photo, and publishes it.
    vendor.goto(&world.url("store", "/dashboard")).await;
    vendor
        .wait_text("[data-testid=shop-status]", "Approved")
        .await;
    vendor
        .goto(&world.url("store", "/dashboard/products/new"))
        .await;
    vendor.fill("title", "Velvet step shoe").await;
    vendor
        .fill("description", "Soft **velvet**, suede sole.")
        .await;
    vendor
        .click("[data-testid=product-form] button[type=submit]")
        .await;
    for (n, (name, price, stock)) in [("Size 8", "79.00", "3"), ("Size 9", "84.50", "2")]
        .into_iter()
        .enumerate()
    {
        vendor.type_into("#new-name", name).await;
        vendor.type_into("#new-price", price).await;
        vendor.type_into("#new-stock", stock).await;
        vendor
            .click("[data-testid=variant-form] button[type=submit]")
            .await;
        vendor
            .find(&format!("[data-testid=variants] li:nth-child({})", n + 1))
            .await;
    }
    let photo = tempfile::Builder::new()
        .suffix(".png")
        .tempfile()
        .expect("a file");
    std::fs::write(photo.path(), devstack::testkit::photo_png(320, 180)).expect("write");
    vendor
        .find("[data-testid=image-form] input[type=file]")
        .await
        .send_keys(&photo.path().to_string_lossy())
        .await
        .expect("choose the photo");
    vendor.click("[data-testid=image-form] button").await;
    vendor.find("[data-testid=images] img").await;
    vendor
        .click("[data-testid=publish-form] button[type=submit]")
        .await;
    vendor
        .wait_text("[data-testid=published]", "Published")
        .await;

    // A shopper on a phone put another shop's brush in her cart last week, signed in...
    shopper
        .client
        .set_window_size(390, 844)
        .await
        .expect("a phone-sized window");
    shopper
        .sign_up(&world, "Sam Shopper", "sam@example.com")
        .await;
    let add = |product: &'static str, variant: &'static str| {
        let shopper = &shopper;
        let world = &world;
        async move {
            shopper
                .goto(&world.url("store", &format!("/p/{product}")))
                .await;
            shopper
                .click_within("[data-testid=variant]", variant, "input")
                .await;
            shopper.click("[data-testid=add]").await;
            shopper.wait_text("[data-testid=cart]", variant).await;
        }
    };
    add("shoe-brush", "One size").await;
    shopper.click("[data-testid=sign-out]").await;
    shopper.find("[data-testid=sign-in]").await;
    // ...and today, not signed in, puts both sizes in the cart her browser keeps...
    add("velvet-step-shoe", "Size 8").await;
    add("velvet-step-shoe", "Size 9").await;
    let cart = shopper
        .find("[data-testid=cart]")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        !cart.contains("brush"),
        "a visitor sees a member's cart: {cart}"
    );
    // $79.00 + $84.50 + $4.50 shipping.
    shopper
        .wait_text("[data-testid=cart-total]", "$168.00")
        .await;
    // ...signs in to check out, and finds both carts in one.
    shopper.click("[data-testid=sign-in-to-check-out] a").await;
    shopper.fill("email", "sam@example.com").await;
    shopper.fill("password", "correct horse battery").await;
    shopper
        .click("[data-testid=signin-form] button[type=submit]")
        .await;
    shopper.wait_text("[data-testid=cart]", "Size 9").await;
    shopper.wait_text("[data-testid=cart]", "One size").await;
    // $79.00 + $84.50 + $4.50 shipping; $12.50 + $5.00 shipping from the demo shop.
    shopper
        .wait_text("[data-testid=cart-total]", "$185.50")
        .await;
    shopper.fill("ship_name", "Sam Shopper").await;
    shopper
        .fill("ship_address", "1 Main St\nChicago, IL 60601")
        .await;
    shopper
        .click("[data-testid=checkout-form] button[type=submit]")
        .await;

    // ...and pays by card.
    shopper
        .find("[data-testid=card-element] input[placeholder=number]")
        .await;
    for (field, value) in [
        ("number", "4242424242424242"),
        ("exp_month", "12"),
        ("exp_year", "34"),
        ("cvc", "123"),
        ("postal_code", "60601"),
    ] {
        shopper
            .type_into(
                &format!("[data-testid=card-element] input[placeholder={field}]"),
                value,
            )
            .await;
    }
    shopper.click("[data-testid=pay]").await;
    shopper
        .wait_text("[data-testid=checkout]", "your order is paid")
        .await;
    let mails = world.mails_to("sam@example.com", 2).await;
    let paid = mails
        .iter()
        .find(|m| m["subject"] == "Your SteppersLife store order")
        .expect("the confirmation");
    let text = paid["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Vera's Soles")
            && text.contains("Steppers Supply")
            && text.contains("$185.50"),
        "{text}"
    );
    let split: Vec<(String, i32)> = sqlx::query_as(
        "select s.name, o.total_cents from orders o join shops s on s.id = o.shop_id order by s.name",
    )
    .fetch_all(&db)
    .await
    .expect("orders");
    assert_eq!(
        split,
        [
            ("Steppers Supply".to_owned(), 1750),
            ("Vera's Soles".to_owned(), 16800)
        ]
    );

    // The vendor sees only her own part, and ships it.
    vendor.goto(&world.url("store", "/dashboard/orders")).await;
    vendor
        .wait_text("[data-testid=shop-orders]", "Velvet step shoe")
        .await;
    let orders = vendor
        .find("[data-testid=shop-orders]")
        .await
        .text()
        .await
        .expect("text");
    assert!(!orders.contains("brush"), "another shop's line: {orders}");
    vendor
        .click_within("[data-testid=shop-order]", "Sam Shopper", "button")
        .await;
    vendor
        .wait_text("[data-testid=shop-order]", "Accepted")
        .await;
    vendor
        .type_into(
            "[data-testid=shop-order] [name=tracking_note]",
            "USPS 9400 1111",
        )
        .await;
    vendor
        .click_within("[data-testid=shop-order]", "Sam Shopper", "button")
        .await;
    vendor
        .wait_text("[data-testid=shop-order]", "Shipped")
        .await;

    // The shopper's order page shows it.
    shopper.client.refresh().await.expect("reload");
    shopper
        .wait_text("[data-testid=checkout]", "USPS 9400 1111")
        .await;
    shopper
        .wait_text("[data-testid=order-part]", "Shipped")
        .await;

    vendor.assert_clean_console("the vendor").await;
    shopper.assert_clean_console("the shopper").await;
    let _ = vendor.client.close().await;
    let _ = admin.client.close().await;
    let _ = shopper.client.close().await;
    world.stop().await;
}

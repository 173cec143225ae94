//! The home page's data: the sections of every app that has some (`home = true` in the
//! manifest), each kept for a few seconds and refreshed in the background, so that on a busy
//! site a view of the home page costs no call to the apps; and when an app is slow or down, its
//! last good copy is shown. One app down never takes the page down.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use api::{client::AppClient, home::HomeSections};
use tokio::time::Instant;

use super::{AppSections, Section};

/// A copy younger than this is served without asking the app.
pub const FRESH_FOR: Duration = Duration::from_secs(5);
/// After a failed call, the copy is served without asking the app again for this long, so that
/// an app that hangs does not slow every page down.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);
/// How long a view waits for the refresh of an older copy before it is served as it is.
pub const REFRESH_WAIT: Duration = Duration::from_millis(300);

struct Slot<T> {
    /// The last good answer, when it came, and its ETag.
    good: Option<(Instant, T, Option<String>)>,
    /// When the last call failed (cleared by a good one).
    failed_at: Option<Instant>,
}

/// One app's last good copy, refreshed by one call at a time.
pub struct Cached<T> {
    slot: Arc<Mutex<Slot<T>>>,
    refreshing: Arc<tokio::sync::Mutex<()>>,
}

impl<T> Clone for Cached<T> {
    fn clone(&self) -> Self {
        Self {
            slot: self.slot.clone(),
            refreshing: self.refreshing.clone(),
        }
    }
}

impl<T> Default for Cached<T> {
    fn default() -> Self {
        Self {
            slot: Arc::new(Mutex::new(Slot {
                good: None,
                failed_at: None,
            })),
            refreshing: Arc::default(),
        }
    }
}

/// What a call brings: the new answer with its ETag, `None` when it has not changed.
pub type Fetched<T> = Option<(T, Option<String>)>;

impl<T: Clone + Send + 'static> Cached<T> {
    /// The copy as it stands: fresh, stale (the last call failed), or nothing.
    fn current(&self) -> Section<T> {
        let Ok(slot) = self.slot.lock() else {
            return Section::Unavailable;
        };
        match (&slot.good, slot.failed_at) {
            (Some((at, data, _)), Some(_)) => Section::Stale {
                data: data.clone(),
                age_secs: at.elapsed().as_secs(),
            },
            (Some((_, data, _)), None) => Section::Fresh(data.clone()),
            (None, _) => Section::Unavailable,
        }
    }

    /// The section for a view. `fetch(etag)` asks the app (revalidating the copy's ETag),
    /// within `timeout`; it is called only when the copy is older than [`FRESH_FOR`] (and not
    /// within [`RETRY_AFTER`] of a failure), by one view at a time. The view waits for it at most
    /// [`REFRESH_WAIT`] when there is a copy to show meanwhile, else `timeout`.
    pub async fn get<F, Fut, E>(
        &self,
        what: &'static str,
        timeout: Duration,
        fetch: F,
    ) -> Section<T>
    where
        F: FnOnce(Option<String>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<Fetched<T>, E>> + Send + 'static,
        E: std::fmt::Display + Send + 'static,
    {
        let (has_copy, etag, call) = {
            let Ok(slot) = self.slot.lock() else {
                return Section::Unavailable;
            };
            let age = slot.good.as_ref().map(|(at, _, _)| at.elapsed());
            let resting = slot
                .failed_at
                .is_some_and(|at| at.elapsed() < RETRY_AFTER && slot.good.is_some());
            let fresh = age.is_some_and(|a| a < FRESH_FOR) && slot.failed_at.is_none();
            (
                age.is_some(),
                slot.good.as_ref().and_then(|(_, _, tag)| tag.clone()),
                !fresh && !resting,
            )
        };
        if !call {
            return self.current();
        }
        let wait = if has_copy { REFRESH_WAIT } else { timeout };
        let Ok(guard) = self.refreshing.clone().try_lock_owned() else {
            // Another view is asking already: show the copy, or wait for its answer.
            if !has_copy {
                let _ = tokio::time::timeout(wait, self.refreshing.lock()).await;
            }
            return self.current();
        };
        let slot = self.slot.clone();
        let task = tokio::spawn(async move {
            let _guard = guard;
            let outcome = tokio::time::timeout(timeout, fetch(etag)).await;
            let Ok(mut slot) = slot.lock() else {
                return;
            };
            match outcome {
                Ok(Ok(Some((data, tag)))) => {
                    slot.good = Some((Instant::now(), data, tag));
                    slot.failed_at = None;
                }
                Ok(Ok(None)) => {
                    if let Some((at, _, _)) = slot.good.as_mut() {
                        *at = Instant::now();
                    }
                    slot.failed_at = None;
                }
                Ok(Err(e)) => {
                    tracing::warn!(section = what, error = %e, "app call failed");
                    slot.failed_at = Some(Instant::now());
                }
                Err(_) => {
                    tracing::warn!(section = what, "app call timed out");
                    slot.failed_at = Some(Instant::now());
                }
            }
        });
        let _ = tokio::time::timeout(wait, task).await;
        self.current()
    }
}

/// One app on the home page.
struct AppFeed {
    name: String,
    title: String,
    /// Its public home page.
    url: String,
    client: AppClient,
    cache: Cached<HomeSections>,
}

/// Every app's sections, concurrently, each from its cache.
pub struct Aggregator {
    timeout: Duration,
    apps: Vec<AppFeed>,
}

impl Aggregator {
    /// The apps with sections on the home page (the manifest's `home`), in manifest order;
    /// `clients` has every enabled app's.
    pub fn new(
        config: &appkit::Config,
        clients: &BTreeMap<String, AppClient>,
        timeout: Duration,
    ) -> Self {
        let apps = config
            .suite
            .manifest
            .enabled()
            .filter(|a| a.home)
            .filter_map(|a| {
                Some(AppFeed {
                    client: clients.get(&a.name)?.clone(),
                    url: format!("{}/", config.suite.origin(a)),
                    name: a.name.clone(),
                    title: a.title.clone(),
                    cache: Cached::default(),
                })
            })
            .collect();
        Self { timeout, apps }
    }

    pub async fn feed(&self, request_id: Option<&str>) -> Vec<AppSections> {
        let views = self.apps.iter().map(|app| {
            let client = app.client.clone();
            let request_id = request_id.map(str::to_owned);
            async move {
                let sections = app
                    .cache
                    .get("home", self.timeout, move |etag| async move {
                        client.home(etag.as_deref(), request_id.as_deref()).await
                    })
                    .await;
                AppSections {
                    app: app.name.clone(),
                    title: app.title.clone(),
                    url: app.url.clone(),
                    sections,
                }
            }
        });
        futures::future::join_all(views).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    type Calls = Arc<AtomicUsize>;

    fn answer(
        calls: &Calls,
        v: u32,
    ) -> impl FnOnce(
        Option<String>,
    ) -> futures::future::BoxFuture<'static, Result<Fetched<u32>, String>>
    + use<> {
        let calls = calls.clone();
        move |_| {
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(Some((v, Some(format!("\"{v}\"")))))
            })
        }
    }

    fn down(
        calls: &Calls,
    ) -> impl FnOnce(
        Option<String>,
    ) -> futures::future::BoxFuture<'static, Result<Fetched<u32>, String>>
    + use<> {
        let calls = calls.clone();
        move |_| {
            Box::pin(async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("connection refused".to_owned())
            })
        }
    }

    const T: Duration = Duration::from_millis(200);

    #[tokio::test(start_paused = true)]
    async fn a_copy_is_served_without_a_call_while_fresh_then_refreshed() {
        let cache = Cached::<u32>::default();
        let calls = Calls::default();
        assert_eq!(
            cache.get("x", T, answer(&calls, 1)).await,
            Section::Fresh(1)
        );
        // Many views within FRESH_FOR: no call.
        for _ in 0..100 {
            assert_eq!(
                cache.get("x", T, answer(&calls, 2)).await,
                Section::Fresh(1)
            );
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::advance(FRESH_FOR).await;
        assert_eq!(
            cache.get("x", T, answer(&calls, 2)).await,
            Section::Fresh(2)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn an_unchanged_answer_keeps_the_copy_and_its_etag_is_sent() {
        let cache = Cached::<u32>::default();
        let calls = Calls::default();
        cache.get("x", T, answer(&calls, 7)).await;
        tokio::time::advance(FRESH_FOR).await;
        let sent = Arc::new(Mutex::new(None));
        let seen = sent.clone();
        let got = cache
            .get("x", T, move |tag: Option<String>| async move {
                *seen.lock().expect("lock") = tag;
                Ok::<Fetched<u32>, String>(None)
            })
            .await;
        assert_eq!(got, Section::Fresh(7));
        assert_eq!(sent.lock().expect("lock").as_deref(), Some("\"7\""));
        // And it counts as fresh again.
        assert_eq!(
            cache.get("x", T, answer(&calls, 8)).await,
            Section::Fresh(7)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failing_app_shows_its_last_copy_and_is_left_to_rest() {
        let cache = Cached::<u32>::default();
        let calls = Calls::default();
        assert_eq!(cache.get("x", T, down(&calls)).await, Section::Unavailable);
        assert_eq!(
            cache.get("x", T, answer(&calls, 1)).await,
            Section::Fresh(1)
        );
        tokio::time::advance(FRESH_FOR).await;
        assert!(matches!(
            cache.get("x", T, down(&calls)).await,
            Section::Stale { data: 1, .. }
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // Within RETRY_AFTER of the failure the app is not called again.
        assert!(matches!(
            cache.get("x", T, down(&calls)).await,
            Section::Stale { .. }
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        tokio::time::advance(RETRY_AFTER).await;
        assert_eq!(
            cache.get("x", T, answer(&calls, 2)).await,
            Section::Fresh(2)
        );
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_app_costs_a_view_at_most_the_timeout_then_the_short_wait() {
        let cache = Cached::<u32>::default();
        let hang = |v: u32| {
            move |_: Option<String>| async move {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok::<Fetched<u32>, String>(Some((v, None)))
            }
        };
        let started = Instant::now();
        assert_eq!(cache.get("x", T, hang(1)).await, Section::Unavailable);
        assert_eq!(started.elapsed(), T);
        // (The call gave up at the same instant; let it record that.)
        tokio::time::sleep(Duration::from_millis(1)).await;
        // With a copy to show, a view waits REFRESH_WAIT for the refresh at most.
        let calls = Calls::default();
        assert_eq!(
            cache.get("x", T, answer(&calls, 1)).await,
            Section::Fresh(1)
        );
        tokio::time::advance(FRESH_FOR).await;
        let started = Instant::now();
        assert_eq!(
            cache.get("x", Duration::from_secs(60), hang(2)).await,
            Section::Fresh(1)
        );
        assert_eq!(started.elapsed(), REFRESH_WAIT);
        // The refresh goes on without a view waiting for it.
        tokio::time::advance(Duration::from_secs(30)).await;
        tokio::task::yield_now().await;
        assert_eq!(
            cache.get("x", T, answer(&calls, 3)).await,
            Section::Fresh(2)
        );
    }
}

//! The home page's data: every app's sections, fetched concurrently, each call with a short
//! deadline, each section falling back to its last good copy. One app down never takes the
//! page down.

use std::{
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use api::{
    client::AppClient,
    restaurants::{RestaurantQuery, RestaurantSummary},
};

use super::{HomeFeed, Section};

/// After a failed call, sections are served from their last good copy without calling the app
/// again for this long, so that an app that hangs does not slow every page down.
const RETRY_AFTER: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Slot<T> {
    /// The last good answer and when it came.
    good: Option<(Instant, T)>,
    /// When the last call failed (cleared by a good one).
    failed_at: Option<Instant>,
}

/// A section's last good copy.
#[derive(Clone)]
struct Cached<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T: Clone> Cached<T> {
    fn new() -> Self {
        Self {
            slot: Arc::new(Mutex::new(Slot {
                good: None,
                failed_at: None,
            })),
        }
    }

    fn fallback(&self) -> Section<T> {
        match self.slot.lock().ok().and_then(|s| s.good.clone()) {
            Some((at, data)) => Section::Stale {
                data,
                age_secs: at.elapsed().as_secs(),
            },
            None => Section::Unavailable,
        }
    }

    /// Runs `fetch` within `timeout`; keeps a good answer, and falls back to the last one.
    async fn get<E: std::fmt::Display>(
        &self,
        what: &str,
        timeout: Duration,
        fetch: impl Future<Output = Result<T, E>>,
    ) -> Section<T> {
        let recently_failed = self
            .slot
            .lock()
            .ok()
            .and_then(|s| s.failed_at.filter(|_| s.good.is_some()))
            .is_some_and(|at| at.elapsed() < RETRY_AFTER);
        if recently_failed {
            return self.fallback();
        }
        match tokio::time::timeout(timeout, fetch).await {
            Ok(Ok(data)) => {
                if let Ok(mut slot) = self.slot.lock() {
                    slot.good = Some((Instant::now(), data.clone()));
                    slot.failed_at = None;
                }
                Section::Fresh(data)
            }
            outcome => {
                match outcome {
                    Ok(Err(e)) => tracing::warn!(section = what, error = %e, "app call failed"),
                    _ => tracing::warn!(section = what, "app call timed out"),
                }
                if let Ok(mut slot) = self.slot.lock() {
                    slot.failed_at = Some(Instant::now());
                }
                self.fallback()
            }
        }
    }
}

/// Builds the home page from every app's public API: concurrently, each call with a short
/// deadline, each section falling back to its last good copy. One app down never takes the
/// page down.
#[derive(Clone)]
pub struct Aggregator {
    timeout: Duration,
    restaurants: AppClient,
    restaurants_url: String,
    featured_cache: Cached<Vec<RestaurantSummary>>,
    newest_cache: Cached<Vec<RestaurantSummary>>,
}

impl Aggregator {
    pub fn new(config: &appkit::Config, timeout: Duration) -> anyhow::Result<Self> {
        let http = AppClient::http(timeout);
        let internal = config
            .internal_url("restaurants")
            .ok_or_else(|| anyhow::anyhow!("no internal URL for restaurants"))?;
        Ok(Self {
            timeout,
            restaurants: AppClient::new(http, internal)?,
            restaurants_url: format!("{}/", config.suite.origin_of("restaurants")),
            featured_cache: Cached::new(),
            newest_cache: Cached::new(),
        })
    }

    /// The restaurants app's client (for calls made on a user's behalf).
    pub fn restaurants(&self) -> &AppClient {
        &self.restaurants
    }

    pub async fn feed(&self, request_id: Option<&str>) -> HomeFeed {
        let featured = RestaurantQuery {
            featured: true,
            limit: Some(6),
        };
        let newest = RestaurantQuery {
            featured: false,
            limit: Some(6),
        };
        // Each further app adds its sections to this join.
        let (featured_restaurants, new_restaurants) = tokio::join!(
            self.featured_cache
                .get("restaurants.featured", self.timeout, async {
                    self.restaurants
                        .restaurants(&featured, request_id)
                        .await
                        .map(|l| l.restaurants)
                }),
            self.newest_cache
                .get("restaurants.newest", self.timeout, async {
                    self.restaurants
                        .restaurants(&newest, request_id)
                        .await
                        .map(|l| l.restaurants)
                }),
        );
        HomeFeed {
            restaurants_url: self.restaurants_url.clone(),
            featured_restaurants,
            new_restaurants,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn a_section_falls_back_to_its_last_good_copy_and_lets_a_failing_app_rest() {
        let cached = Cached::<Vec<u32>>::new();
        let calls = Arc::new(AtomicUsize::new(0));
        let ok = |v: Vec<u32>| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok::<_, String>(v)
            }
        };
        let down = || {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<Vec<u32>, _>("connection refused".to_owned())
            }
        };
        let t = Duration::from_millis(200);

        assert_eq!(cached.get("x", t, down()).await, Section::Unavailable);
        assert_eq!(
            cached.get("x", t, ok(vec![1, 2])).await,
            Section::Fresh(vec![1, 2])
        );
        assert!(
            matches!(cached.get("x", t, down()).await, Section::Stale { data, .. } if data == vec![1, 2])
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        // Within RETRY_AFTER of a failure the app is not called again.
        assert!(matches!(
            cached.get("x", t, down()).await,
            Section::Stale { .. }
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        // A hanging app costs at most the timeout.
        let slow = Cached::<u32>::new();
        let started = Instant::now();
        let res = slow.get("y", t, async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, String>(1)
        });
        assert_eq!(res.await, Section::Unavailable);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

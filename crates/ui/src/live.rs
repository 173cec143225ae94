use leptos::{prelude::*, task::spawn_local};
use platform::AppError;

/// `false` on the server and until this island is hydrated in the browser, then `true`: for
/// controls that do nothing without the island's code (disable them meanwhile), and as the
/// island's `data-hydrated` attribute (what browser tests wait for).
pub fn use_hydrated() -> ReadSignal<bool> {
    let (hydrated, set) = signal(false);
    Effect::new(move |_| set.set(true));
    hydrated
}

/// A signal that counts up every `period_ms` in the browser (never on the server; never at all
/// for 0).
pub fn use_tick(period_ms: u64) -> ReadSignal<u32> {
    let (tick, set_tick) = signal(0u32);
    Effect::new(move |_| {
        if period_ms == 0 {
            return;
        }
        if let Ok(handle) = set_interval_with_handle(
            move || set_tick.update(|t| *t = t.wrapping_add(1)),
            std::time::Duration::from_millis(period_ms),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}

/// Data from the server that keeps itself fresh, for a live island (an order's status, a
/// kitchen's queue): it starts as `initial` (rendered on the server with the page), then is
/// fetched again every `period_ms` (0: never by itself) and whenever `also` changes (after an
/// action). A failed fetch keeps the last good value.
pub fn use_live<T, F, Fut>(initial: T, period_ms: u64, also: Signal<usize>, fetch: F) -> RwSignal<T>
where
    T: Send + Sync + 'static,
    F: Fn() -> Fut + Clone + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let data = RwSignal::new(initial);
    let tick = use_tick(period_ms);
    Effect::new(move |started: Option<()>| {
        tick.track();
        also.track();
        if started.is_some() {
            let fetch = fetch.clone();
            spawn_local(async move {
                if let Ok(fresh) = fetch().await {
                    data.set(fresh);
                }
            });
        }
    });
    data
}

use leptos::prelude::*;

/// "← Newer · Page 2 of 9 · Older →" under a paged list: plain links that keep the list's
/// filters (`query`, without `page`) and change the page, so it works without JavaScript.
#[component]
pub fn Pager(
    /// The page shown (1-based).
    page: u32,
    /// How many pages there are.
    pages: u32,
    /// The list's other query parameters, e.g. `[("q", "soul"), ("open", "1")]`.
    query: Vec<(String, String)>,
) -> impl IntoView {
    if pages <= 1 && page <= 1 {
        return ().into_any();
    }
    let href = move |p: u32| {
        let mut parts: Vec<String> = query
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    ::platform::query_value(k),
                    ::platform::query_value(v)
                )
            })
            .collect();
        if p > 1 {
            parts.push(format!("page={p}"));
        }
        if parts.is_empty() {
            "?".to_owned()
        } else {
            format!("?{}", parts.join("&"))
        }
    };
    let link = "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-100";
    view! {
        <nav class="mt-6 flex items-center justify-between gap-3" aria-label="Pages" data-testid="pager">
            {(page > 1).then(|| view! { <a class=link rel="prev" href=href(page.min(pages + 1) - 1)>"← Previous"</a> })}
            <span class="text-sm text-slate-600" aria-current="page">{format!("Page {page} of {pages}")}</span>
            {(page < pages).then(|| view! { <a class=link rel="next" href=href(page + 1)>"Next →"</a> })}
        </nav>
    }
    .into_any()
}

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::components::Router;

use crate::SuiteHeader;

/// The suite's icon: an amber tile with an "S".
pub const FAVICON_SVG: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'><rect width='32' height='32' rx='7' fill='#d97706'/><text x='16' y='23' font-family='Arial,sans-serif' font-size='20' font-weight='700' text-anchor='middle' fill='white'>S</text></svg>";

/// The icon inline in every page (no extra request).
fn favicon_data_url() -> String {
    format!(
        "data:image/svg+xml,{}",
        FAVICON_SVG
            .replace('<', "%3C")
            .replace('>', "%3E")
            .replace('#', "%23")
    )
}

/// The HTML document around an app: meta tags, the suite stylesheet, hydration scripts.
/// `children` is the app's root component.
#[component]
pub fn Document(options: LeptosOptions, children: Children) -> impl IntoView {
    let css = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href=favicon_data_url()/>
                <link rel="stylesheet" href=css/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">{children()}</body>
        </html>
    }
}

/// The root of an app: page titles ("Menu · Restaurants · SteppersLife"), the router, and
/// the suite's page frame around `children` (the app's `<Routes>`). `app` is the app's name
/// as it appears in titles; the portal has none.
#[component]
pub fn AppFrame(#[prop(optional)] app: Option<&'static str>, children: Children) -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=move |page: String| page_title(app, &page)/>
        <Router>
            <Page>{children()}</Page>
        </Router>
    }
}

/// "Page · App · SteppersLife", leaving out the parts that are empty.
pub fn page_title(app: Option<&str>, page: &str) -> String {
    [page, app.unwrap_or_default(), "SteppersLife"]
        .into_iter()
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

#[cfg(test)]
mod tests {
    use super::page_title;

    #[test]
    fn titles_leave_out_empty_parts() {
        assert_eq!(page_title(None, ""), "SteppersLife");
        assert_eq!(page_title(None, "Sign in"), "Sign in · SteppersLife");
        assert_eq!(
            page_title(Some("Restaurants"), ""),
            "Restaurants · SteppersLife"
        );
        assert_eq!(
            page_title(Some("Restaurants"), "Menu"),
            "Menu · Restaurants · SteppersLife"
        );
    }
}

/// A page of the suite: the suite header, a main column, a footer.
#[component]
pub fn Page(children: Children) -> impl IntoView {
    view! {
        <SuiteHeader/>
        <main class="mx-auto w-full max-w-6xl px-4 py-6">{children()}</main>
        <footer class="mx-auto max-w-6xl px-4 py-8 text-xs text-slate-500">
            "SteppersLife — the community's restaurants, events, store, classes, magazine and services."
        </footer>
    }
}

use leptos::prelude::*;
use leptos_meta::MetaTags;

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

use leptos::prelude::*;
use leptos_meta::MetaTags;

use crate::SuiteHeader;

/// The HTML document around an app: meta tags, the suite stylesheet, hydration scripts.
/// `children` is the app's root component.
#[component]
pub fn Document(options: LeptosOptions, children: Children) -> impl IntoView {
    let css = format!("/{}/{}.css", options.site_pkg_dir, crate::OUTPUT_NAME);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="stylesheet" href=css/>
                <HydrationScripts options/>
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

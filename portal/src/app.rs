use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
};
use ui::{Document, NotFound, Page};

use crate::{
    account::AccountPage,
    auth::{SignInPage, SignUpPage},
    home::HomePage,
};

/// The HTML document of every portal page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! { <Document options><App/></Document> }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|t: String| if t.is_empty() { "SteppersLife".to_owned() } else { format!("{t} · SteppersLife") }/>
        <Router>
            <Page>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("signin") view=SignInPage/>
                    <Route path=StaticSegment("signup") view=SignUpPage/>
                    <Route path=StaticSegment("account") view=AccountPage/>
                </Routes>
            </Page>
        </Router>
    }
}

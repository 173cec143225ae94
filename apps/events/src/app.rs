use leptos::prelude::*;
use leptos_meta::{Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
};
use ui::{NotFound, Page};

use crate::upcoming::UpcomingPage;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|t: String| if t.is_empty() { "Events · SteppersLife".to_owned() } else { format!("{t} · Events · SteppersLife") }/>
        <Router>
            <Page>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=StaticSegment("") view=UpcomingPage/>
                </Routes>
            </Page>
        </Router>
    }
}

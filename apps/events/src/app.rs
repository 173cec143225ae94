use leptos::prelude::*;
use leptos_router::{
    StaticSegment,
    components::{Route, Routes},
};
use ui::{AppFrame, NotFound};

use crate::upcoming::UpcomingPage;

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame app="Events">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=StaticSegment("") view=UpcomingPage/>
            </Routes>
        </AppFrame>
    }
}

use leptos::prelude::*;
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Routes},
};
use ui::{AppFrame, Document, NotFound};

use crate::dashboard::DashboardPage;
use crate::menu::pages::MenuEditorPage;
use crate::orders::pages::{MyOrdersPage, OrderPage, QueuePage};
use crate::restaurants::{
    EditRestaurantPage, NewRestaurantPage, RestaurantListPage, RestaurantPage,
};
use crate::staff::{JoinStaffPage, StaffPage};

/// The HTML document of every restaurants page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! { <Document options><App/></Document> }
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame app="Restaurants">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=StaticSegment("") view=RestaurantListPage/>
                <Route path=StaticSegment("new") view=NewRestaurantPage/>
                <Route path=(StaticSegment("r"), ParamSegment("slug")) view=RestaurantPage/>
                <Route path=(StaticSegment("r"), ParamSegment("slug"), StaticSegment("edit")) view=EditRestaurantPage/>
                <Route path=StaticSegment("orders") view=MyOrdersPage/>
                <Route path=(StaticSegment("orders"), ParamSegment("id")) view=OrderPage/>
                <Route path=StaticSegment("dashboard") view=DashboardPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("r"), ParamSegment("slug"), StaticSegment("menu")) view=MenuEditorPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("r"), ParamSegment("slug"), StaticSegment("orders")) view=QueuePage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("r"), ParamSegment("slug"), StaticSegment("staff")) view=StaffPage/>
                <Route path=(StaticSegment("staff"), StaticSegment("join"), ParamSegment("token")) view=JoinStaffPage/>
            </Routes>
        </AppFrame>
    }
}

use leptos::prelude::*;
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Routes},
};
use ui::{AppFrame, NotFound};

use crate::{
    attendees::pages::AttendeesPage,
    checkout::pages::OrderPage,
    door::pages::DoorPage,
    events::pages::{DashboardPage, EventPage, ManageEventPage, NewEventPage},
    tickets::pages::MyTicketsPage,
    upcoming::UpcomingPage,
};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame app="Events">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=StaticSegment("") view=UpcomingPage/>
                <Route path=(StaticSegment("e"), ParamSegment("slug")) view=EventPage/>
                <Route path=StaticSegment("tickets") view=MyTicketsPage/>
                <Route path=(StaticSegment("orders"), ParamSegment("id")) view=OrderPage/>
                <Route path=StaticSegment("dashboard") view=DashboardPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("new")) view=NewEventPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("e"), ParamSegment("slug")) view=ManageEventPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("e"), ParamSegment("slug"), StaticSegment("door")) view=DoorPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("e"), ParamSegment("slug"), StaticSegment("staff")) view=crate::staff::StaffPage/>
                <Route path=(StaticSegment("staff"), StaticSegment("join"), ParamSegment("token")) view=crate::staff::JoinStaffPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("e"), ParamSegment("slug"), StaticSegment("edit")) view=crate::events::edit::EditEventPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("e"), ParamSegment("slug"), StaticSegment("attendees")) view=AttendeesPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("e"), ParamSegment("slug"), StaticSegment("types"), ParamSegment("id")) view=crate::events::types::TicketTypePage/>
            </Routes>
        </AppFrame>
    }
}

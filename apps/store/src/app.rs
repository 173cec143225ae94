use leptos::prelude::*;
use leptos_router::{
    ParamSegment, StaticSegment,
    components::{Route, Routes},
};
use ui::{AppFrame, NotFound};

use crate::{
    cart::pages::CartPage,
    catalog::CatalogPage,
    checkout::pages::CheckoutPage,
    orders::pages::{MyOrdersPage, ShopOrdersPage},
    products::pages::{ManageProductPage, NewProductPage, ProductPage},
    shops::pages::{AdminShopsPage, DashboardPage, ShopPage},
};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame app="Store">
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=StaticSegment("") view=CatalogPage/>
                <Route path=(StaticSegment("p"), ParamSegment("slug")) view=ProductPage/>
                <Route path=(StaticSegment("s"), ParamSegment("slug")) view=ShopPage/>
                <Route path=StaticSegment("cart") view=CartPage/>
                <Route path=StaticSegment("orders") view=MyOrdersPage/>
                <Route path=(StaticSegment("orders"), ParamSegment("id")) view=CheckoutPage/>
                <Route path=StaticSegment("dashboard") view=DashboardPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("orders")) view=ShopOrdersPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("products"), StaticSegment("new")) view=NewProductPage/>
                <Route path=(StaticSegment("dashboard"), StaticSegment("p"), ParamSegment("slug")) view=ManageProductPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("shops")) view=AdminShopsPage/>
            </Routes>
        </AppFrame>
    }
}

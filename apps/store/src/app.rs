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
    staff::{JoinStaffPage, StaffPage},
};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame app="Store">
            // The store's own places, on every page: the cart and orders are otherwise reached
            // only by adding something or paying.
            <nav aria-label="Store" class="-mt-2 mb-4 flex flex-wrap gap-x-4 text-sm" data-testid="store-nav">
                <a class="inline-block py-1 font-medium text-amber-800 hover:underline" href="/cart">"Cart"</a>
                <a class="inline-block py-1 font-medium text-amber-800 hover:underline" href="/orders">"Your orders"</a>
                <a class="inline-block py-1 font-medium text-amber-800 hover:underline" href="/dashboard">"Sell: your shop"</a>
            </nav>
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
                <Route path=(StaticSegment("dashboard"), StaticSegment("staff")) view=StaffPage/>
                <Route path=(StaticSegment("staff"), StaticSegment("join"), ParamSegment("token")) view=JoinStaffPage/>
                <Route path=(StaticSegment("admin"), StaticSegment("shops")) view=AdminShopsPage/>
            </Routes>
        </AppFrame>
    }
}

use leptos::prelude::*;
use leptos_router::{
    StaticSegment,
    components::{Route, Routes},
};
use ui::{AppFrame, Document, NotFound};

use crate::{
    account::{AccountPage, email::ConfirmEmailPage},
    admin::AdminPage,
    auth::{
        SignInPage, SignUpPage, SignUpSentPage, VerifyPage,
        reset::{ForgotPasswordPage, ForgotSentPage, ResetPasswordPage},
    },
    home::HomePage,
};

/// The HTML document of every portal page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! { <Document options><App/></Document> }
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <AppFrame>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=StaticSegment("") view=HomePage/>
                <Route path=StaticSegment("signin") view=SignInPage/>
                <Route path=StaticSegment("signup") view=SignUpPage/>
                <Route path=(StaticSegment("signup"), StaticSegment("sent")) view=SignUpSentPage/>
                <Route path=StaticSegment("verify") view=VerifyPage/>
                <Route path=StaticSegment("forgot") view=ForgotPasswordPage/>
                <Route path=(StaticSegment("forgot"), StaticSegment("sent")) view=ForgotSentPage/>
                <Route path=StaticSegment("reset") view=ResetPasswordPage/>
                <Route path=StaticSegment("account") view=AccountPage/>
                <Route path=StaticSegment("admin") view=AdminPage/>
                <Route path=(StaticSegment("email"), StaticSegment("confirm")) view=ConfirmEmailPage/>
            </Routes>
        </AppFrame>
    }
}

//! Events on the portal: "My tickets" on the account page and the home page's RSVP button,
//! both through the events app's public API with the person's session (the events app checks
//! everything as for its own pages).

use api::events::MyTickets;
use leptos::prelude::*;
use platform::AppError;
use uuid::Uuid;

/// The signed-in person's event tickets; `None` when the suite has no events app.
#[server(prefix = "/api/account", endpoint = "event-tickets")]
pub async fn my_event_tickets() -> Result<Option<MyTickets>, AppError> {
    ssr::tickets().await.map_err(AppError::respond_as_section)
}

/// Takes one free place of `ticket_type_id` at `app` (the home page's RSVP button), once per
/// `key`, then opens the tickets there.
#[server(prefix = "/api/home", endpoint = "rsvp")]
pub async fn home_rsvp(app: String, ticket_type_id: Uuid, key: String) -> Result<(), AppError> {
    ssr::rsvp(app, ticket_type_id, key)
        .await
        .map_err(AppError::respond)
}

/// The signed-in person's event tickets, loading (see [`crate::orders::RecentOrders`] for why
/// the page creates it).
pub fn my_tickets_resource() -> Resource<Result<Option<MyTickets>, AppError>> {
    Resource::new_blocking(|| (), |()| my_event_tickets())
}

/// The account page's "My tickets" (nothing when the suite has no events app).
#[component]
pub fn MyEventTickets(tickets: Resource<Result<Option<MyTickets>, AppError>>) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match tickets.await {
                    Ok(None) => ().into_any(),
                    Err(e) => view! {
                        <section class="rounded-lg border border-slate-200 bg-white p-5 md:col-span-2" data-testid="my-tickets">
                            <h2 class="text-lg font-semibold">"My tickets"</h2>
                            <p class="mt-2 text-sm text-slate-600">{e.to_string()}</p>
                        </section>
                    }.into_any(),
                    Ok(Some(t)) => view! {
                        <section class="rounded-lg border border-slate-200 bg-white p-5 md:col-span-2" data-testid="my-tickets">
                            <div class="flex flex-wrap items-baseline justify-between gap-2">
                                <h2 class="text-lg font-semibold">"My tickets"</h2>
                                <a href=t.tickets_url.clone() class="text-sm font-medium text-amber-700 hover:underline">"Show them with their QR codes →"</a>
                            </div>
                            {if t.tickets.is_empty() {
                                view! { <p class="mt-2 text-sm text-slate-600">"No tickets yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="mt-2 divide-y divide-slate-100 text-sm">
                                        {t.tickets.into_iter().map(|k| view! {
                                            <li class="py-2" data-testid="my-ticket">
                                                <a href=k.event_url class="font-medium hover:underline">{k.event_title}</a>
                                                <p class="text-slate-600">
                                                    <time datetime=k.starts_at.to_rfc3339()>{k.when}</time>
                                                    {format!(" · {}{}", k.type_name, if k.valid { "" } else { " · cancelled" })}
                                                </p>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use api::events::{MyTickets, RsvpRequest};
    use appkit::require_user;
    use platform::AppError;
    use uuid::Uuid;

    use crate::{
        on_behalf::{from_client, session_cookie},
        server::portal,
    };

    pub async fn tickets() -> Result<Option<MyTickets>, AppError> {
        let (state, _) = require_user().await?;
        let Ok(events) = portal(&state)?.app("events") else {
            return Ok(None);
        };
        let cookie = session_cookie(&state).await?;
        events
            .my_tickets(&cookie, None)
            .await
            .map(Some)
            .map_err(|e| from_client(e, "Your tickets"))
    }

    #[tracing::instrument(skip_all, fields(%app, %ticket_type_id))]
    pub async fn rsvp(app: String, ticket_type_id: Uuid, key: String) -> Result<(), AppError> {
        let (state, user) = require_user().await?;
        let client = portal(&state)?.app(&app)?;
        let cookie = session_cookie(&state).await?;
        let done = client
            .rsvp(
                &cookie,
                &state.suite.portal(),
                &key,
                &RsvpRequest {
                    ticket_type_id,
                    quantity: 1,
                },
                None,
            )
            .await
            .map_err(|e| from_client(e, "RSVP"))?;
        tracing::info!(user_id = %user.id, order = %done.order_id, "RSVP from the home page");
        leptos_axum::redirect(&done.tickets_url);
        Ok(())
    }
}

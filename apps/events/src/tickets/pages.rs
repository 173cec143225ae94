//! The attendee's tickets.

use leptos::prelude::*;
use leptos_meta::Title;
use ui::{ErrorBox, FormError};

use super::{TicketView, my_tickets};
use crate::cancel::CancelTicket;

/// `/tickets`: the signed-in person's tickets, soonest event first, each with its QR code and
/// its code, and "Cancel ticket" while it may be cancelled.
#[component]
pub fn MyTicketsPage() -> impl IntoView {
    let tickets = Resource::new_blocking(|| (), |()| my_tickets());
    let cancel = ServerAction::<CancelTicket>::new();
    let error = Signal::derive(move || cancel.value().get().and_then(Result::err));
    view! {
        <Title text="My tickets"/>
        <h1 class="text-2xl font-bold">"My tickets"</h1>
        <div class="mt-2"><FormError error/></div>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tickets.await {
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-4 text-slate-600" data-testid="no-tickets">"No tickets yet. " <a class="underline" href="/">"Find an event"</a></p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 grid gap-3 md:grid-cols-2" data-testid="tickets">
                            {list.into_iter().map(|t| view! { <Ticket t cancel/> }).collect_view()}
                        </ul>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Ticket(t: TicketView, cancel: ServerAction<CancelTicket>) -> impl IntoView {
    view! {
        <li class="rounded-lg border border-slate-200 bg-white p-4" data-testid="ticket">
            <a class="font-semibold underline" href=format!("/e/{}", t.event_slug)>{t.event_title.clone()}</a>
            <p class="text-sm text-slate-600">
                <time datetime=t.starts_at.to_rfc3339()>{t.starts_label.clone()}</time>
                {format!(" · {} · {}", t.place, t.type_name)}
            </p>
            {t.event_note.clone().map(|n| view! { <p class="mt-1 text-sm font-semibold text-red-800" data-testid="ticket-event-note">{n}</p> })}
            {t.valid.then(|| view! {
                <div class="mt-3 w-60 max-w-full" role="img" aria-label="The ticket's QR code, for the door" data-testid="ticket-qr" inner_html=t.qr_svg.clone()></div>
            })}
            <p class="mt-2 break-all font-mono text-xs text-slate-700" data-testid="ticket-code">{t.code.clone()}</p>
            {(!t.valid).then(|| view! { <p class="text-sm font-medium text-red-700">"Cancelled"</p> })}
            {t.cancel_note.clone().map(|n| view! { <p class="mt-2 text-sm text-slate-600">{n}</p> })}
            {t.cancellable.then(|| view! {
                <ActionForm action=cancel attr:class="mt-2">
                    <input type="hidden" name="id" value=t.id.to_string()/>
                    <button type="submit" class="rounded-md border border-red-300 bg-white px-3 py-2 text-sm font-medium text-red-800 hover:bg-red-50" data-testid="cancel-ticket">"Cancel this ticket"</button>
                </ActionForm>
            })}
        </li>
    }
}

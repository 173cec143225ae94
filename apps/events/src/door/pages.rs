//! `/dashboard/e/{slug}/door`: the door page, made for a phone in one hand. Plain forms: it
//! works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use platform::AppError;
use ui::{ErrorBox, FormError, NotFound, TextField};
use uuid::Uuid;

use super::{CheckIn, DoorState, DoorTicket, PaidAtDoor, get_door};

/// The door page of the event in the path.
#[component]
pub fn DoorPage() -> impl IntoView {
    let args = move || {
        let query = use_query_map().read_untracked();
        (
            use_params_map()
                .read_untracked()
                .get("slug")
                .unwrap_or_default(),
            query.get("code").unwrap_or_default(),
            query.get("q").unwrap_or_default(),
            query.get("done").and_then(|d| d.parse::<Uuid>().ok()),
        )
    };
    let view = Resource::new_blocking(args, |(slug, code, q, done)| get_door(slug, code, q, done));
    view! {
        <Title text="Door"/>
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match view.await {
                    Err(AppError::NotFound(_)) => view! { <NotFound what="event"/> }.into_any(),
                    Err(e) => view! { <ErrorBox message=e.to_string()/> }.into_any(),
                    Ok(v) => view! { <Door v/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn state_label(state: &str) -> &'static str {
    match state {
        "ready" => "Not in yet",
        "in" => "In",
        "unpaid" => "Not paid",
        "due" => "Pays at the door",
        _ => "Cancelled",
    }
}

#[component]
fn Door(v: DoorState) -> impl IntoView {
    let check_in = ServerAction::<CheckIn>::new();
    let paid = ServerAction::<PaidAtDoor>::new();
    let error = Signal::derive(move || {
        check_in
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| paid.value().get().and_then(Result::err))
    });
    let slug = v.slug.clone();
    let query = use_query_map()
        .read_untracked()
        .get("q")
        .unwrap_or_default();
    view! {
        <div class="mx-auto max-w-xl" data-testid="door">
            <p class="text-sm"><a class="underline" href=format!("/dashboard/e/{}", v.slug)>{v.title.clone()}</a></p>
            <h1 class="text-2xl font-bold">"Door"</h1>
            <p class="text-slate-700" data-testid="door-count">{format!("{} of {} in", v.checked_in, v.tickets)}</p>
            // The last one let in, unless the door has since refused one (a green "Checked
            // in" beside the refusal would read as a yes).
            {let done = v.done.clone(); move || done.clone().filter(|_| error.get().is_none()).map(|t| view! {
                <p class="mt-4 rounded-lg bg-emerald-50 p-4 text-lg font-semibold text-emerald-900" role="status" data-testid="door-done">
                    {format!("Checked in: {} ({})", t.holder, t.type_name)}
                </p>
            })}
            <div class="mt-4"><FormError error/></div>
            {v.unknown_code.then(|| view! {
                <p class="mt-4 rounded-lg bg-red-50 p-4 font-semibold text-red-900" role="alert" data-testid="door-unknown">
                    "No ticket of this event has this code."
                </p>
            })}
            {v.scanned.clone().map(|t| view! { <Scanned t slug=slug.clone() action=check_in paid/> })}
            <ActionForm action=check_in attr:class="mt-6 rounded-lg border border-slate-200 bg-white p-4" attr:data-testid="door-code-form">
                <input type="hidden" name="slug" value=v.slug.clone()/>
                <TextField name="code" label="Ticket code (scan the QR with the phone's camera, or type it)" autocomplete="off" required=true error/>
                <button type="submit" class="mt-3 w-full rounded-md bg-amber-700 px-4 py-3 text-base font-semibold text-white hover:bg-amber-800">"Check in"</button>
            </ActionForm>
            <form method="get" class="mt-6" role="search">
                <label for="door-q" class="block text-sm font-medium">"Find by name or email"</label>
                <div class="mt-1 flex gap-2">
                    <input id="door-q" name="q" type="search" value=query class="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-base" autocomplete="off"/>
                    <button type="submit" class="rounded-md border border-slate-300 bg-white px-4 py-2 text-base">"Find"</button>
                </div>
            </form>
            <ul class="mt-3 divide-y divide-slate-100" data-testid="door-found">
                {v.found.into_iter().map(|t| view! { <Found t slug=slug.clone() action=check_in paid/> }).collect_view()}
            </ul>
        </div>
    }
}

/// The ticket a code names, with "Check in" when it can come in.
#[component]
fn Scanned(
    t: DoorTicket,
    slug: String,
    action: ServerAction<CheckIn>,
    paid: ServerAction<PaidAtDoor>,
) -> impl IntoView {
    let tone = if matches!(t.state.as_str(), "ready" | "due") {
        "border-emerald-300 bg-emerald-50"
    } else {
        "border-red-300 bg-red-50"
    };
    view! {
        <section class=format!("mt-4 rounded-lg border-2 p-4 {tone}") data-testid="door-scanned" data-state=t.state.clone()>
            <p class="text-xl font-bold">{t.holder.clone()}</p>
            <p>{format!("{} · {}", t.type_name, state_label(&t.state))}</p>
            {t.note.clone().map(|n| view! { <p class="text-sm">{n}</p> })}
            {t.due.clone().map(|due| view! { <PaidButton ticket=t.id slug=slug.clone() due paid big=true/> })}
            {(t.state == "ready").then(|| view! {
                <ActionForm action attr:class="mt-3">
                    <input type="hidden" name="slug" value=slug/>
                    <input type="hidden" name="ticket" value=t.id.to_string()/>
                    <button type="submit" class="w-full rounded-md bg-emerald-700 px-4 py-4 text-lg font-semibold text-white hover:bg-emerald-800" data-testid="door-let-in">"Let in"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn Found(
    t: DoorTicket,
    slug: String,
    action: ServerAction<CheckIn>,
    paid: ServerAction<PaidAtDoor>,
) -> impl IntoView {
    view! {
        <li class="flex items-center justify-between gap-3 py-3" data-testid="door-found-ticket">
            <div>
                <p class="font-medium">{t.holder.clone()}</p>
                <p class="text-sm text-slate-600">{format!("{} · {}", t.type_name, state_label(&t.state))}</p>
                {t.note.clone().map(|n| view! { <p class="text-xs text-slate-500">{n}</p> })}
            </div>
            {t.due.clone().map(|due| view! { <PaidButton ticket=t.id slug=slug.clone() due paid big=false/> })}
            {(t.state == "ready").then(|| view! {
                <ActionForm action>
                    <input type="hidden" name="slug" value=slug/>
                    <input type="hidden" name="ticket" value=t.id.to_string()/>
                    <button type="submit" class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white">"Let in"</button>
                </ActionForm>
            })}
        </li>
    }
}

/// "Paid $X: let in" for a ticket to pay at the door.
#[component]
fn PaidButton(
    ticket: Uuid,
    slug: String,
    due: String,
    paid: ServerAction<PaidAtDoor>,
    big: bool,
) -> impl IntoView {
    let class = if big {
        "mt-3 w-full rounded-md bg-emerald-700 px-4 py-4 text-lg font-semibold text-white hover:bg-emerald-800"
    } else {
        "rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white"
    };
    view! {
        <ActionForm action=paid>
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="ticket" value=ticket.to_string()/>
            <button type="submit" class=class data-testid="door-paid">{format!("Took {due}: let in")}</button>
        </ActionForm>
    }
}

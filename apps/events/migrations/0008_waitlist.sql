-- The waiting list of a sold-out ticket type. When a place frees up, the first person waiting
-- gets an offer: a one-place hold (an order) of their own, for a few hours, which they claim by
-- paying for it (or confirming it, when free); an offer that lapses passes to the next.
create table waitlist (
    id uuid primary key default gen_random_uuid(),
    event_id uuid not null references events (id),
    ticket_type_id uuid not null references ticket_types (id),
    user_id uuid not null,
    name text not null,
    email text not null,
    status text not null default 'waiting'
        check (status in ('waiting', 'offered', 'claimed', 'lapsed', 'left')),
    -- The hold made for the offer.
    order_id uuid references orders (id),
    created_at timestamptz not null default now(),
    offered_at timestamptz,
    check (status not in ('offered', 'claimed', 'lapsed') or order_id is not null)
);

-- Once on the list per ticket type while waiting or offered.
create unique index waitlist_once on waitlist (ticket_type_id, user_id)
    where status in ('waiting', 'offered');
create index waitlist_queue on waitlist (ticket_type_id, created_at) where status = 'waiting';
create index waitlist_of_order on waitlist (order_id);

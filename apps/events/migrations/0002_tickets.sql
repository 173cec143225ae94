-- What an event is to its attendees and its organizer, its ticket types, and the orders and
-- tickets that take its places. Money is in integer cents.
alter table events
    add column description text not null default '' check (length(description) <= 5000),
    add column address text not null default '',
    add column online boolean not null default false,
    add column organizer_name text not null default '',
    -- Places for the whole event, across its ticket types (null: only each type's own).
    add column capacity integer check (capacity is null or capacity >= 0),
    add column updated_at timestamptz not null default now();

create index events_by_organizer on events (organizer_id, starts_at desc);

create table ticket_types (
    id uuid primary key default gen_random_uuid(),
    event_id uuid not null references events (id) on delete cascade,
    name text not null check (length(name) between 1 and 80),
    price_cents integer not null check (price_cents between 0 and 1000000),
    capacity integer not null check (capacity between 0 and 100000),
    max_per_order integer not null default 10 check (max_per_order between 1 and 50),
    -- Sales open and close (null: from publication, until the event starts).
    sales_start timestamptz,
    sales_end timestamptz,
    created_at timestamptz not null default now(),
    check (sales_end is null or sales_start is null or sales_end > sales_start)
);

create index ticket_types_of_event on ticket_types (event_id, created_at);

-- An order takes places: `confirmed` (free, at once) or `paid` ones for good, a `reserved` one
-- until `expires_at`; `expired` and `cancelled` ones take none.
create table orders (
    id uuid primary key default gen_random_uuid(),
    event_id uuid not null references events (id),
    buyer_id uuid not null,
    buyer_name text not null,
    buyer_email text not null,
    status text not null check (status in ('reserved', 'confirmed', 'paid', 'expired', 'cancelled')),
    total_cents integer not null check (total_cents >= 0),
    expires_at timestamptz,
    idempotency_key text not null,
    request_hash text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (buyer_id, idempotency_key),
    check (status <> 'reserved' or expires_at is not null)
);

create index orders_of_event on orders (event_id, status);
create index orders_of_buyer on orders (buyer_id, created_at desc);

-- One ticket per attendee place, with the secret its QR code carries (random, 256 bits; valid
-- for its own event only).
create table tickets (
    id uuid primary key default gen_random_uuid(),
    order_id uuid not null references orders (id),
    event_id uuid not null references events (id),
    ticket_type_id uuid not null references ticket_types (id),
    secret text not null unique,
    status text not null default 'valid' check (status in ('valid', 'void')),
    price_cents integer not null check (price_cents >= 0),
    created_at timestamptz not null default now()
);

create index tickets_of_order on tickets (order_id);
create index tickets_of_type on tickets (ticket_type_id) where status = 'valid';

-- Pickup orders. Each line keeps the name and price it was ordered at, so later menu edits do
-- not rewrite history. `(customer_id, idempotency_key)` is unique: a retried submission finds
-- the order the first one made instead of making another.

create table orders (
    id              uuid primary key default gen_random_uuid(),
    number          bigint generated always as identity,
    restaurant_id   uuid not null references restaurants (id),
    customer_id     uuid not null,
    customer_name   text not null,
    idempotency_key text not null check (char_length(idempotency_key) between 8 and 100),
    -- What was asked for (lines, pickup, note), to tell a retry from a different order that
    -- reuses a key.
    request_hash    text not null,
    status          text not null default 'placed' check (status in
                        ('placed', 'accepted', 'preparing', 'ready', 'picked_up', 'rejected', 'cancelled')),
    pickup_at       timestamptz,
    note            text not null default '' check (char_length(note) <= 300),
    total_cents     bigint not null check (total_cents >= 0),
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint orders_idempotency_key unique (customer_id, idempotency_key)
);
create index orders_restaurant_idx on orders (restaurant_id, created_at desc);
create index orders_customer_idx on orders (customer_id, created_at desc);

create table order_lines (
    order_id   uuid not null references orders (id) on delete cascade,
    position   smallint not null,
    item_id    uuid references menu_items (id) on delete set null,
    name       text not null,
    option_ids uuid[] not null default '{}',
    options    text[] not null default '{}',
    quantity   integer not null check (quantity between 1 and 99),
    unit_cents bigint not null,
    line_cents bigint not null,
    primary key (order_id, position)
);

-- Every change of status: who made it and when.
create table order_events (
    id          bigint generated always as identity primary key,
    order_id    uuid not null references orders (id) on delete cascade,
    from_status text,
    to_status   text not null,
    actor_id    uuid not null,
    actor_role  text not null check (actor_role in ('customer', 'owner', 'staff')),
    at          timestamptz not null default now()
);
create index order_events_order_idx on order_events (order_id, id);

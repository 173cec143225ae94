-- Staff: signed-in users an owner let in to run the order queue and mark items sold out.
-- They join through a single-use invitation link (this database never sees the users table).

create table restaurant_staff (
    restaurant_id uuid not null references restaurants (id) on delete cascade,
    user_id       uuid not null,
    user_name     text not null,
    added_by      uuid not null,
    added_at      timestamptz not null default now(),
    primary key (restaurant_id, user_id)
);
create index restaurant_staff_user_idx on restaurant_staff (user_id);

create table staff_invites (
    -- SHA-256 of the token in the link; the token itself is never stored.
    token_hash    text primary key,
    restaurant_id uuid not null references restaurants (id) on delete cascade,
    created_by    uuid not null,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null,
    used_by       uuid,
    used_at       timestamptz
);
create index staff_invites_restaurant_idx on staff_invites (restaurant_id);

-- Visitors' carts (kept in their browsers) already moved into a member's cart at sign-in:
-- a cookie that comes back (a request racing the one that moved it) is not added twice.
create table merged_visitor_carts (
    id uuid primary key,
    owner_id uuid not null,
    merged_at timestamptz not null default now()
);
create index merged_visitor_carts_age on merged_visitor_carts (merged_at);

-- A shop's staff: they work its orders (accept, ship, pickup, deliver); only the owner
-- changes the shop, its products, its staff, and cancels with a refund.
create table shop_staff (
    shop_id    uuid not null references shops (id) on delete cascade,
    user_id    uuid not null,
    user_name  text not null,
    added_by   uuid not null,
    added_at   timestamptz not null default now(),
    primary key (shop_id, user_id)
);
create index shop_staff_user on shop_staff (user_id);

create table shop_staff_invites (
    -- SHA-256 of the token in the link; the token itself is never stored.
    token_hash text primary key,
    shop_id    uuid not null references shops (id) on delete cascade,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_by    uuid,
    used_at    timestamptz
);
create index shop_staff_invites_shop on shop_staff_invites (shop_id);

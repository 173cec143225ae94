-- Restaurants. `owner_id` is the portal's user id (this database never sees the users table).

create table restaurants (
    id          uuid primary key default gen_random_uuid(),
    owner_id    uuid not null,
    slug        text not null,
    name        text not null check (char_length(name) between 1 and 100),
    cuisine     text not null check (char_length(cuisine) between 1 and 60),
    city        text not null check (char_length(city) between 1 and 80),
    address     text not null default '' check (char_length(address) <= 200),
    description text not null default '' check (char_length(description) <= 2000),
    price_level smallint not null check (price_level between 1 and 4),
    featured    boolean not null default false,
    cover_key   text,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint restaurants_slug_key unique (slug)
);
create index restaurants_owner_id_idx on restaurants (owner_id);
create index restaurants_created_at_idx on restaurants (created_at desc);
create index restaurants_featured_idx on restaurants (created_at desc) where featured;

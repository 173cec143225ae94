-- Menus: categories of items; an item may have option groups ("Side: choose 1") whose options
-- change its price. Prices are integer cents.

create table menu_categories (
    id            uuid primary key default gen_random_uuid(),
    restaurant_id uuid not null references restaurants (id) on delete cascade,
    name          text not null check (char_length(name) between 1 and 60),
    position      integer not null default 0,
    created_at    timestamptz not null default now()
);
create index menu_categories_restaurant_idx on menu_categories (restaurant_id, position);

create table menu_items (
    id            uuid primary key default gen_random_uuid(),
    restaurant_id uuid not null references restaurants (id) on delete cascade,
    category_id   uuid not null references menu_categories (id) on delete cascade,
    name          text not null check (char_length(name) between 1 and 100),
    description   text not null default '' check (char_length(description) <= 500),
    price_cents   integer not null check (price_cents between 0 and 1000000),
    tags          text[] not null default '{}',
    photo_key     text,
    sold_out      boolean not null default false,
    position      integer not null default 0,
    created_at    timestamptz not null default now()
);
create index menu_items_restaurant_idx on menu_items (restaurant_id, position);
create index menu_items_category_idx on menu_items (category_id);

create table option_groups (
    id          uuid primary key default gen_random_uuid(),
    item_id     uuid not null references menu_items (id) on delete cascade,
    name        text not null check (char_length(name) between 1 and 60),
    min_choices smallint not null check (min_choices between 0 and 20),
    max_choices smallint not null check (max_choices between 1 and 20 and max_choices >= min_choices),
    position    integer not null default 0
);
create index option_groups_item_idx on option_groups (item_id, position);

create table options (
    id                uuid primary key default gen_random_uuid(),
    group_id          uuid not null references option_groups (id) on delete cascade,
    name              text not null check (char_length(name) between 1 and 60),
    price_delta_cents integer not null check (price_delta_cents between -100000 and 100000),
    position          integer not null default 0
);
create index options_group_idx on options (group_id, position);

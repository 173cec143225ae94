-- Opening hours in the restaurant's own time zone. A period whose closing time is not after its
-- opening time runs past midnight (Friday 20:00–02:00 closes on Saturday).

alter table restaurants add column time_zone text not null default 'America/Chicago';

create table opening_hours (
    id            uuid primary key default gen_random_uuid(),
    restaurant_id uuid not null references restaurants (id) on delete cascade,
    -- 0 = Monday ... 6 = Sunday: the day the period starts.
    weekday       smallint not null check (weekday between 0 and 6),
    opens         time not null,
    closes        time not null
);
create index opening_hours_restaurant_id_idx on opening_hours (restaurant_id);

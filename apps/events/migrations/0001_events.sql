-- Events: the skeleton's one table (ticket types, orders and check-in come with the app).
create table events (
    id uuid primary key default gen_random_uuid(),
    organizer_id uuid not null,
    slug text not null unique,
    title text not null check (length(title) between 1 and 150),
    venue text not null default '',
    -- IANA zone the event's times are shown in.
    time_zone text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null check (ends_at > starts_at),
    status text not null default 'draft' check (status in ('draft', 'published', 'cancelled', 'postponed')),
    created_at timestamptz not null default now()
);

create index events_upcoming on events (starts_at) where status = 'published';

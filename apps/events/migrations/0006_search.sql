-- Text search over an event's title, venue and description (the list's search box), and the
-- list's order.
alter table events
    add column search tsvector generated always as (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', venue), 'B')
        || setweight(to_tsvector('english', description), 'C')
    ) stored;

create index events_search on events using gin (search);

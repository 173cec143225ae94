-- Door check-in: when a ticket was let in, and by whom (a second scan says so).
alter table tickets
    add column checked_in_at timestamptz,
    add column checked_in_by uuid,
    add column checked_in_by_name text;

create index tickets_of_event_checked_in on tickets (event_id) where checked_in_at is not null;

-- Cancellation: until how many hours before its start an event's attendees may cancel (and be
-- refunded), and when a ticket was cancelled.
alter table events
    add column cancel_hours integer not null default 24 check (cancel_hours between 0 and 720);

alter table tickets add column cancelled_at timestamptz;

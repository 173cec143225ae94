-- An event's staff: signed-in people its organizer let in to work the door and see the
-- attendee list, through a single-use invitation link (appkit::staff).
create table event_staff (
    event_id   uuid not null references events (id) on delete cascade,
    user_id    uuid not null,
    user_name  text not null,
    added_by   uuid not null,
    added_at   timestamptz not null default now(),
    primary key (event_id, user_id)
);
create index event_staff_user on event_staff (user_id);

create table event_staff_invites (
    -- SHA-256 of the token in the link; the token itself is never stored.
    token_hash text primary key,
    event_id   uuid not null references events (id) on delete cascade,
    created_by uuid not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_by    uuid,
    used_at    timestamptz
);
create index event_staff_invites_event on event_staff_invites (event_id);

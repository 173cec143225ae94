-- Browsers that have signed in to an account: a long-lived cookie holds a random secret, this
-- table its SHA-256. When strangers keep failing to sign in to an account, its owner still gets
-- in from a device of theirs (security review, finding 2: throttle, never lock out).
-- One browser may be known to several accounts (a family computer).
create table known_devices (
    token_hash   text not null,
    user_id      uuid not null references users (id) on delete cascade,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    primary key (token_hash, user_id)
);
create index known_devices_user_idx on known_devices (user_id);

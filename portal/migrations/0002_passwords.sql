-- Password lifecycle: reset by email, and the address proven by it.

-- When the account's address was proven (a reset or verification link followed, or a provider
-- that vouches for it). Null: never proven.
alter table users add column email_verified_at timestamptz;

-- Single-use links sent by email, stored only as the SHA-256 of the secret in the link.
create table email_tokens (
    token_hash text primary key,
    user_id    uuid not null references users (id) on delete cascade,
    purpose    text not null check (purpose in ('reset_password')),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz
);
create index email_tokens_user_idx on email_tokens (user_id, purpose, created_at);

-- Requests that cost the suite something (a password hash, an email), per client address (an
-- IPv6 address counts per /64), for throttling across instances.
create table auth_events (
    id         bigint generated always as identity primary key,
    kind       text not null check (kind in ('signup', 'reset')),
    ip         text not null,
    created_at timestamptz not null default now()
);
create index auth_events_ip_idx on auth_events (kind, ip, created_at);

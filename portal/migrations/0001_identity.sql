-- Identity: people, how they sign in, and their sessions.

create table users (
    id            uuid primary key default gen_random_uuid(),
    email         text not null,
    name          text not null,
    -- argon2id PHC string; null for accounts that only sign in with a provider.
    password_hash text,
    role          text not null default 'member' check (role in ('member', 'admin')),
    disabled_at   timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

-- Accounts at OAuth2/OIDC providers, keyed by (issuer, subject), never by email.
create table identities (
    id         uuid primary key default gen_random_uuid(),
    user_id    uuid not null references users (id) on delete cascade,
    provider   text not null,
    issuer     text not null,
    subject    text not null,
    email      text,
    created_at timestamptz not null default now(),
    constraint identities_issuer_subject_key unique (issuer, subject)
);
create index identities_user_id_idx on identities (user_id);

-- The shared session store, in the layout tower-sessions' Postgres store expects. The provisioning
-- step grants the session-reader role SELECT on it, and nothing else.
create schema if not exists tower_sessions;
create table if not exists tower_sessions.session (
    id          text primary key not null,
    data        bytea not null,
    expiry_date timestamptz not null
);
create index if not exists session_expiry_date_idx on tower_sessions.session (expiry_date);

-- Which sessions belong to whom (for "sign out everywhere" and the account page). A row goes
-- when its session goes.
create table user_sessions (
    session_id   text primary key references tower_sessions.session (id) on delete cascade,
    user_id      uuid not null references users (id) on delete cascade,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    user_agent   text not null default '',
    ip           text not null default ''
);
create index user_sessions_user_id_idx on user_sessions (user_id);

-- Sign-in attempts, for rate limiting per account and per address (shared by every instance).
create table login_attempts (
    id         bigint generated always as identity primary key,
    email      text not null,
    ip         text not null,
    succeeded  boolean not null,
    created_at timestamptz not null default now()
);
create index login_attempts_email_idx on login_attempts (lower(email), created_at);
create index login_attempts_ip_idx on login_attempts (ip, created_at);

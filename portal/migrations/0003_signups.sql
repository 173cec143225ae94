-- Sign-ups waiting for their address to be confirmed. No account exists until the link in the
-- mail is followed, so nobody can hold an address they do not read.
create table signups (
    id            uuid primary key default gen_random_uuid(),
    email         text not null,
    name          text not null,
    -- argon2id PHC string of the chosen password.
    password_hash text not null,
    -- SHA-256 of the secret in the link.
    token_hash    text not null unique,
    return_to     text,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null
);
create index signups_email_idx on signups (lower(email));

-- Accounts made from a provider carry the address the provider vouched for.
update users set email_verified_at = created_at
where email_verified_at is null and password_hash is null
  and exists (select 1 from identities i where i.user_id = users.id);

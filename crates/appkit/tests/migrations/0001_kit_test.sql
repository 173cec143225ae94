-- A throwaway app's schema for the kit's own tests.
create table notes (id bigserial primary key, body text not null, owner_id uuid);
create table job_runs (id bigserial primary key, at timestamptz not null default now());

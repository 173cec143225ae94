-- The mail outbox (crates/mail), in every app's database. A message is written here in the same
-- transaction as the change that causes it, and the app's mail worker delivers it over SMTP.
create table mail_outbox (
    id              uuid primary key default gen_random_uuid(),
    -- What the message is about ("verify-email", "order-ready"): for logs, never shown.
    kind            text not null,
    to_address      text not null,
    to_name         text not null default '',
    subject         text not null,
    -- Emptied once sent: bodies may carry single-use links.
    text_body       text not null,
    html_body       text,
    status          text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error      text,
    created_at      timestamptz not null default now(),
    sent_at         timestamptz
);
create index mail_outbox_due_idx on mail_outbox (next_attempt_at) where status = 'pending';

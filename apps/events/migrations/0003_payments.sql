-- Card payments: an order held for payment gets its PaymentIntent; money owed back is written
-- down in the transaction that decides it and sent by the refund job.
alter table orders
    add column payment_intent_id text unique,
    add column paid_at timestamptz,
    add column refunded_cents integer not null default 0 check (refunded_cents >= 0),
    add constraint orders_refund_within_total check (refunded_cents <= total_cents);

create index orders_holds on orders (expires_at) where status = 'reserved';

create table refunds (
    id uuid primary key default gen_random_uuid(),
    order_id uuid not null references orders (id),
    amount_cents integer not null check (amount_cents > 0),
    -- Why: `late_payment` (paid after the hold lapsed, with no place left), … One refund per
    -- order and reason, so deciding twice refunds once.
    reason text not null,
    status text not null default 'pending' check (status in ('pending', 'done', 'failed')),
    provider_id text,
    attempts integer not null default 0,
    last_error text,
    created_at timestamptz not null default now(),
    done_at timestamptz,
    unique (order_id, reason)
);

create index refunds_pending on refunds (created_at) where status = 'pending';

-- Every payment-provider webhook the app has acted on, by the provider's event id: a delivery
-- seen before changes nothing (providers deliver at least once, and sometimes twice).
create table payment_webhook_events (
    id text primary key,
    type text not null,
    received_at timestamptz not null default now()
);

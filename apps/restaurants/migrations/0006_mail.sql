-- Mail about orders: the customer's address (for the confirmation and "ready for pickup"), and
-- where a restaurant gets word of new orders (its creator's address at first; the owner may
-- turn it off).
alter table orders add column customer_email text not null default '';
alter table restaurants add column order_email text not null default '';
alter table restaurants add column notify_new_orders boolean not null default true;

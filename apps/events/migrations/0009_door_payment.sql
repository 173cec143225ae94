-- "Pay at the door", an option of each event: an order can be `door` (its places taken, to be
-- paid at the door, where the organizer marks it paid); and how a paid order was paid.
alter table events add column door_payment boolean not null default false;

alter table orders drop constraint orders_status_check;
alter table orders add constraint orders_status_check
    check (status in ('reserved', 'confirmed', 'paid', 'door', 'expired', 'cancelled'));
alter table orders add column paid_by text check (paid_by in ('card', 'door'));
update orders set paid_by = 'card' where status = 'paid';

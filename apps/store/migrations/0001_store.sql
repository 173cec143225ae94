-- The store: shops (one per member, approved by a suite admin before their products are
-- listed), products with variants that carry their own price and stock, the shopper's cart,
-- checkouts that reserve stock while the shopper pays, and one order per shop of a paid
-- checkout. Money is in integer cents.

create table shops (
    id uuid primary key default gen_random_uuid(),
    slug text not null unique,
    owner_id uuid not null unique,
    -- Where the shop's new orders are announced (the owner's address when they opened it).
    owner_email text not null,
    name text not null check (length(name) between 1 and 80),
    description text not null default '' check (length(description) <= 5000),
    -- Where shoppers collect what they bought for pickup; empty: this shop does not offer it.
    pickup_address text not null default '' check (length(pickup_address) <= 300),
    -- What delivery of one order costs (a flat rate per order).
    shipping_cents integer not null default 0 check (shipping_cents between 0 and 100000),
    logo_key text,
    status text not null default 'pending' check (status in ('pending', 'approved', 'suspended')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table categories (
    slug text primary key,
    name text not null,
    position integer not null
);

insert into categories (slug, name, position) values
    ('apparel', 'Apparel', 1),
    ('shoes', 'Dance shoes', 2),
    ('accessories', 'Accessories', 3),
    ('music', 'Music', 4),
    ('art', 'Art and prints', 5),
    ('home', 'Home', 6),
    ('other', 'Other', 7);

create table products (
    id uuid primary key default gen_random_uuid(),
    shop_id uuid not null references shops (id) on delete cascade,
    slug text not null unique,
    title text not null check (length(title) between 1 and 120),
    description text not null default '' check (length(description) <= 5000),
    category text not null references categories (slug),
    published boolean not null default false,
    published_at timestamptz,
    -- "Low stock" on the vendor's list at or under this many units left.
    low_stock_at integer not null default 3 check (low_stock_at between 0 and 10000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    search tsvector generated always as (
        setweight(to_tsvector('english', title), 'A')
        || setweight(to_tsvector('english', description), 'C')
    ) stored
);

create index products_of_shop on products (shop_id, created_at desc);
create index products_listed on products (published_at desc) where published;
create index products_search on products using gin (search);

-- `on_hand`: units the shop holds and has not sold; `reserved`: those of them in checkouts
-- being paid. What can be sold is `on_hand - reserved`, and the check keeps it from going
-- below zero whatever runs at once: a reservation is one conditional update of this row.
create table variants (
    id uuid primary key default gen_random_uuid(),
    product_id uuid not null references products (id) on delete cascade,
    name text not null check (length(name) between 1 and 80),
    price_cents integer not null check (price_cents between 1 and 10000000),
    on_hand integer not null check (on_hand >= 0),
    reserved integer not null default 0 check (reserved >= 0),
    position integer not null default 0,
    created_at timestamptz not null default now(),
    check (reserved <= on_hand)
);

create index variants_of_product on variants (product_id, position);

create table product_images (
    id uuid primary key default gen_random_uuid(),
    product_id uuid not null references products (id) on delete cascade,
    key text not null,
    alt text not null default '',
    position integer not null default 0,
    created_at timestamptz not null default now()
);

create index images_of_product on product_images (product_id, position);

-- A signed-in shopper's cart: the same on every device.
create table cart_lines (
    owner_id uuid not null,
    variant_id uuid not null references variants (id) on delete cascade,
    quantity integer not null check (quantity between 1 and 99),
    added_at timestamptz not null default now(),
    primary key (owner_id, variant_id)
);

-- How the shopper wants each shop's part of the cart: delivered, or picked up at the shop.
create table cart_deliveries (
    owner_id uuid not null,
    shop_id uuid not null references shops (id) on delete cascade,
    delivery text not null check (delivery in ('ship', 'pickup')),
    primary key (owner_id, shop_id)
);

-- A checkout: the cart at the moment its shopper chose to pay, its stock reserved until
-- `expires_at` while `pending`. Then `paid` (split into one order per shop), `expired` or
-- `failed` (its units returned), or `refunded` (paid after its units had gone).
create table checkouts (
    id uuid primary key default gen_random_uuid(),
    buyer_id uuid not null,
    buyer_name text not null,
    buyer_email text not null,
    status text not null check (status in ('pending', 'paid', 'expired', 'failed', 'refunded')),
    subtotal_cents integer not null check (subtotal_cents >= 0),
    shipping_cents integer not null check (shipping_cents >= 0),
    total_cents integer not null check (total_cents > 0),
    expires_at timestamptz not null,
    ship_name text not null default '',
    ship_address text not null default '',
    payment_intent_id text unique,
    idempotency_key text not null,
    request_hash text not null,
    paid_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (buyer_id, idempotency_key),
    check (total_cents = subtotal_cents + shipping_cents)
);

create index checkouts_pending on checkouts (expires_at) where status = 'pending';

-- How each shop's part of a checkout reaches its shopper.
create table checkout_shops (
    checkout_id uuid not null references checkouts (id),
    shop_id uuid not null references shops (id),
    delivery text not null check (delivery in ('ship', 'pickup')),
    shipping_cents integer not null check (shipping_cents >= 0),
    primary key (checkout_id, shop_id)
);

-- What a checkout holds, priced when it started.
create table checkout_lines (
    checkout_id uuid not null references checkouts (id),
    variant_id uuid not null references variants (id),
    shop_id uuid not null references shops (id),
    product_title text not null,
    variant_name text not null,
    unit_cents integer not null check (unit_cents > 0),
    quantity integer not null check (quantity between 1 and 99),
    primary key (checkout_id, variant_id)
);

-- One order per shop of a paid checkout.
create table orders (
    id uuid primary key default gen_random_uuid(),
    -- "S" and 8 digits: what shoppers and vendors quote.
    number text not null unique,
    checkout_id uuid not null references checkouts (id),
    shop_id uuid not null references shops (id),
    buyer_id uuid not null,
    buyer_name text not null,
    buyer_email text not null,
    status text not null default 'paid' check (status in
        ('paid', 'accepted', 'shipped', 'ready_for_pickup', 'delivered', 'cancelled')),
    delivery text not null check (delivery in ('ship', 'pickup')),
    ship_name text not null default '',
    ship_address text not null default '',
    subtotal_cents integer not null check (subtotal_cents > 0),
    shipping_cents integer not null check (shipping_cents >= 0),
    total_cents integer not null,
    refunded_cents integer not null default 0 check (refunded_cents >= 0),
    tracking_note text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (checkout_id, shop_id),
    check (total_cents = subtotal_cents + shipping_cents),
    check (refunded_cents <= total_cents)
);

create index orders_of_shop on orders (shop_id, created_at desc);
create index orders_of_buyer on orders (buyer_id, created_at desc);

create table order_lines (
    order_id uuid not null references orders (id),
    variant_id uuid not null references variants (id),
    product_title text not null,
    variant_name text not null,
    unit_cents integer not null,
    quantity integer not null,
    primary key (order_id, variant_id)
);

-- Money owed back, written down in the transaction that decides it and sent by the refund
-- job: a whole checkout paid too late (`checkout_id`), or one shop's order cancelled
-- (`order_id` too).
create table refunds (
    id uuid primary key default gen_random_uuid(),
    checkout_id uuid not null references checkouts (id),
    order_id uuid references orders (id),
    amount_cents integer not null check (amount_cents > 0),
    reason text not null,
    status text not null default 'pending' check (status in ('pending', 'done', 'failed')),
    provider_id text,
    attempts integer not null default 0,
    last_error text,
    created_at timestamptz not null default now(),
    done_at timestamptz
);

create unique index refunds_once on refunds (checkout_id, coalesce(order_id, checkout_id), reason);
create index refunds_pending on refunds (created_at) where status = 'pending';

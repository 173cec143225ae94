//! The listed products in the database: published, of an approved shop, with a variant.

use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub q: String,
    pub category: String,
    pub shop: String,
    pub shop_id: Option<Uuid>,
    /// One product only (the API's detail).
    pub slug: Option<String>,
    pub min_cents: Option<i32>,
    pub max_cents: Option<i32>,
    pub in_stock: bool,
    pub sort: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub shop_slug: String,
    pub shop_name: String,
    pub image_key: Option<String>,
    pub price_from: i32,
    pub price_to: i32,
    pub left: i64,
    pub published_at: chrono::DateTime<chrono::Utc>,
    pub total: i64,
}

/// What a listed product's card shows, grouped per product (its variants' lowest and highest
/// price and units left), and how many match in all.
pub const LISTED: &str = "select p.id, p.slug, p.title, s.slug as shop_slug, s.name as shop_name,
        (select i.key from product_images i where i.product_id = p.id
          order by i.position, i.created_at limit 1) as image_key,
        min(v.price_cents) as price_from, max(v.price_cents) as price_to,
        sum(v.on_hand - v.reserved)::int8 as left,
        coalesce(p.published_at, p.created_at) as published_at, count(*) over () as total
    from products p join shops s on s.id = p.shop_id join variants v on v.product_id = p.id
    where p.published and s.status = 'approved'";

pub async fn page(
    pool: &PgPool,
    f: &Filters,
    limit: i64,
    offset: i64,
) -> Result<(Vec<CardRow>, i64), AppError> {
    let rows: Vec<CardRow> = sqlx::query_as(&format!(
        "{LISTED}
           and ($1 = '' or p.search @@ websearch_to_tsquery('english', $1))
           and ($2 = '' or p.category = $2)
           and ($3 = '' or s.slug = $3)
           and ($4::uuid is null or s.id = $4)
           and ($11::text is null or p.slug = $11)
         group by p.id, s.id
         having ($5::int4 is null or min(v.price_cents) >= $5)
            and ($6::int4 is null or min(v.price_cents) <= $6)
            and (not $7 or sum(v.on_hand - v.reserved) > 0)
         order by
            case when $8 = 'price' then min(v.price_cents) end asc,
            case when $8 = 'price_desc' then min(v.price_cents) end desc,
            case when $1 <> '' and $8 = '' then ts_rank(p.search, websearch_to_tsquery('english', $1)) end desc,
            p.published_at desc, p.id
         limit $9 offset $10"
    ))
    .bind(&f.q)
    .bind(&f.category)
    .bind(&f.shop)
    .bind(f.shop_id)
    .bind(f.min_cents)
    .bind(f.max_cents)
    .bind(f.in_stock)
    .bind(&f.sort)
    .bind(limit)
    .bind(offset)
    .bind(f.slug.as_deref())
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((rows, total))
}

/// The shops with a listed product (slug, name), by name: the list's shop filter.
pub async fn shops(pool: &PgPool) -> Result<Vec<(String, String)>, AppError> {
    Ok(sqlx::query_as(
        "select s.slug, s.name from shops s
         where s.status = 'approved'
           and exists (select 1 from products p join variants v on v.product_id = p.id
                       where p.shop_id = s.id and p.published)
         order by lower(s.name), s.slug",
    )
    .fetch_all(pool)
    .await?)
}

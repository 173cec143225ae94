//! The store's home page: listed products (published, of approved shops), by category, text
//! search (PostgreSQL full-text), filters (shop, price range, in stock), sort (newest, price)
//! and pages. Everything lives in the URL: a filtered page can be shared and works without
//! JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use platform::{AppError, paging::Paged};
use serde::{Deserialize, Serialize};
use ui::{ErrorBox, Pager};

#[cfg(feature = "ssr")]
pub mod db;

/// Products a page of the list shows.
pub const PER_PAGE: u32 = 24;

/// The categories a product can be in (the `categories` table holds the same).
pub const CATEGORIES: [(&str, &str); 7] = [
    ("apparel", "Apparel"),
    ("shoes", "Dance shoes"),
    ("accessories", "Accessories"),
    ("music", "Music"),
    ("art", "Art and prints"),
    ("home", "Home"),
    ("other", "Other"),
];

/// A product in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductCard {
    pub slug: String,
    pub title: String,
    pub shop_slug: String,
    pub shop_name: String,
    /// Its first picture's thumbnail (a path on this app).
    pub thumbnail_url: Option<String>,
    pub price_from_cents: i32,
    /// "$25.00", or "from $20.00" when its variants differ.
    pub price_label: String,
    pub in_stock: bool,
    /// "Sold out", "Only 3 left", or nothing when plenty are.
    pub availability: Option<String>,
}

/// What the list is asked for, as the URL has it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    pub q: String,
    pub category: String,
    pub shop: String,
    /// Dollars, as typed ("10", "25.50"); empty: no bound.
    pub min: String,
    pub max: String,
    pub in_stock: bool,
    /// `newest` (the default), `price`, `price_desc`.
    pub sort: String,
    pub page: u32,
}

/// A shop the list can be narrowed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShopChoice {
    pub slug: String,
    pub name: String,
}

/// The shops with something listed, by name.
#[server(prefix = "/api/catalog", endpoint = "shops")]
pub async fn listed_shops() -> Result<Vec<ShopChoice>, AppError> {
    ssr::shops().await.map_err(AppError::respond)
}

/// Listed products matching `query`, a page at a time.
#[server(prefix = "/api/catalog", endpoint = "list")]
pub async fn list_products(query: Query) -> Result<Paged<ProductCard>, AppError> {
    ssr::list(query).await.map_err(AppError::respond)
}

fn read_query() -> Query {
    let query = use_query_map().read_untracked();
    let get = |k: &str| query.get(k).unwrap_or_default();
    Query {
        q: get("q"),
        category: get("category"),
        shop: get("shop"),
        min: get("min"),
        max: get("max"),
        in_stock: !get("in_stock").is_empty(),
        sort: get("sort"),
        page: platform::paging::page_param(query.get("page").as_deref()),
    }
}

/// "Sold out", "Only 3 left" (at most 5), or nothing.
pub fn availability(left: i64) -> Option<String> {
    match left {
        ..=0 => Some("Sold out".to_owned()),
        1..=5 => Some(format!("Only {left} left")),
        _ => None,
    }
}

#[component]
pub fn CatalogPage() -> impl IntoView {
    let query = read_query();
    let list = Resource::new_blocking(read_query, list_products);
    let shops = Resource::new_blocking(|| (), |()| listed_shops());
    let filtered = query
        != Query {
            page: query.page,
            sort: query.sort.clone(),
            ..Query::default()
        };
    let pager_query = vec![
        ("q".to_owned(), query.q.clone()),
        ("category".to_owned(), query.category.clone()),
        ("shop".to_owned(), query.shop.clone()),
        ("min".to_owned(), query.min.clone()),
        ("max".to_owned(), query.max.clone()),
        (
            "in_stock".to_owned(),
            if query.in_stock {
                "1".into()
            } else {
                String::new()
            },
        ),
        ("sort".to_owned(), query.sort.clone()),
    ];
    let field = "rounded-md border border-slate-300 px-3 py-2 text-base";
    view! {
        <Title text=""/>
        <h1 class="text-2xl font-bold">"Shop the community"</h1>
        <form method="get" class="mt-4 space-y-3" role="search" data-testid="product-filters">
            <div class="flex gap-2">
                <label for="store-q" class="sr-only">"Search products"</label>
                <input id="store-q" name="q" type="search" value=query.q.clone() placeholder="Search: shoes, T-shirt, vinyl…"
                    class=format!("min-w-0 flex-1 {field}")/>
                <button type="submit" class="rounded-md bg-amber-700 px-4 py-2 text-base font-semibold text-white hover:bg-amber-800">"Search"</button>
            </div>
            <div class="flex flex-wrap items-end gap-3">
                <label class="text-sm">"Category"
                    <select name="category" class=format!("mt-1 block {field}")>
                        <option value="" selected=query.category.is_empty()>"All"</option>
                        {CATEGORIES.iter().map(|(slug, name)| view! {
                            <option value=*slug selected=query.category == *slug>{*name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Suspense fallback=|| ()>
                    {
                        let current = query.shop.clone();
                        move || {
                            let current = current.clone();
                            Suspend::new(async move {
                                // Without the list (a database hiccup) the chosen shop is kept.
                                let choices = shops.await.unwrap_or_default();
                                view! {
                                    <label class="text-sm">"Shop"
                                        <select name="shop" class=format!("mt-1 block max-w-[12rem] {field}") data-testid="shop-filter">
                                            <option value="" selected=current.is_empty()>"All shops"</option>
                                            {(!current.is_empty() && !choices.iter().any(|c| c.slug == current)).then(|| view! {
                                                <option value=current.clone() selected=true>{current.clone()}</option>
                                            })}
                                            {choices.into_iter().map(|c| {
                                                let selected = c.slug == current;
                                                view! { <option value=c.slug selected=selected>{c.name}</option> }
                                            }).collect_view()}
                                        </select>
                                    </label>
                                }
                            })
                        }
                    }
                </Suspense>
                <label class="text-sm">"From $"
                    <input name="min" inputmode="decimal" value=query.min.clone() class=format!("mt-1 block w-24 {field}")/>
                </label>
                <label class="text-sm">"To $"
                    <input name="max" inputmode="decimal" value=query.max.clone() class=format!("mt-1 block w-24 {field}")/>
                </label>
                <label class="text-sm">"Sort"
                    <select name="sort" class=format!("mt-1 block {field}")>
                        <option value="" selected=query.sort.is_empty()>"Newest"</option>
                        <option value="price" selected=query.sort == "price">"Price, low to high"</option>
                        <option value="price_desc" selected=query.sort == "price_desc">"Price, high to low"</option>
                    </select>
                </label>
                <label class="flex items-center gap-1.5 pb-2 text-sm">
                    <input type="checkbox" name="in_stock" value="1" checked=query.in_stock class="h-5 w-5"/>"In stock"
                </label>
            </div>
        </form>
        <Suspense fallback=|| view! { <p class="mt-4 text-slate-500">"Loading…"</p> }>
            {move || {
                let pager_query = pager_query.clone();
                Suspend::new(async move {
                    match list.await {
                        Err(e) => view! { <div class="mt-4"><ErrorBox message=e.to_string()/></div> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! {
                            <p class="mt-4 text-slate-600" data-testid="no-products">
                                {if filtered { "No products match. Try fewer filters." } else { "No products yet." }}
                            </p>
                        }.into_any(),
                        Ok(p) => {
                            let pages = p.pages();
                            view! {
                                <p class="mt-4 text-sm text-slate-600" data-testid="product-count">
                                    {match p.total { 1 => "1 product".to_owned(), n => format!("{n} products") }}
                                </p>
                                <ProductGrid products=p.items/>
                                <Pager page=p.page pages query=pager_query/>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

/// Products as cards: two a row on phones, four on wide screens.
#[component]
pub fn ProductGrid(products: Vec<ProductCard>) -> impl IntoView {
    view! {
        <ul class="mt-2 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4" data-testid="product-list">
            {products.into_iter().map(|p| view! {
                <li class="rounded-lg border border-slate-200 bg-white p-3" data-testid="product-card">
                    {p.thumbnail_url.map(|src| view! {
                        <img src=src alt="" width="480" height="270" loading="lazy" class="aspect-square h-auto w-full rounded-md object-cover"/>
                    })}
                    // Two links stacked: each at least 24 px tall, as fingers need (WCAG 2.5.8).
                    <a class="mt-1 block py-1 font-semibold hover:underline" href=format!("/p/{}", p.slug)>{p.title}</a>
                    <a class="inline-block py-1 text-sm text-slate-600 hover:underline" href=format!("/s/{}", p.shop_slug)>{p.shop_name}</a>
                    <p class="text-sm">
                        <span class="text-slate-800">{p.price_label}</span>
                        {p.availability.map(|a| view! { <span class="ml-2 font-medium text-amber-800">{a}</span> })}
                    </p>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use platform::{
        AppError,
        money::{format_cents, parse_cents},
        paging,
    };
    use uuid::Uuid;

    use super::{CATEGORIES, PER_PAGE, ProductCard, Query, ShopChoice, availability, db};

    pub fn card(r: db::CardRow) -> ProductCard {
        let from = format_cents(i64::from(r.price_from));
        ProductCard {
            price_label: if r.price_from == r.price_to {
                from
            } else {
                format!("from {from}")
            },
            price_from_cents: r.price_from,
            in_stock: r.left > 0,
            availability: availability(r.left),
            thumbnail_url: r.image_key.as_deref().map(storage::Storage::thumbnail_path),
            slug: r.slug,
            title: r.title,
            shop_slug: r.shop_slug,
            shop_name: r.shop_name,
        }
    }

    fn bound(field: &str, raw: &str) -> Result<Option<i32>, AppError> {
        if raw.trim().is_empty() {
            return Ok(None);
        }
        parse_cents(raw, false, 10_000_000)
            .map(|c| Some(i32::try_from(c).unwrap_or(i32::MAX)))
            .map_err(|m| AppError::validation(field, m))
    }

    pub async fn list(query: Query) -> Result<paging::Paged<ProductCard>, AppError> {
        let state = appkit::state()?;
        let q = query.q.trim();
        if q.chars().count() > 100 {
            return Err(AppError::validation(
                "q",
                "Search with at most 100 characters.",
            ));
        }
        let filters = db::Filters {
            q: q.to_owned(),
            category: if CATEGORIES.iter().any(|(c, _)| *c == query.category) {
                query.category
            } else {
                String::new()
            },
            shop: query.shop.chars().take(80).collect(),
            min_cents: bound("min", &query.min)?,
            max_cents: bound("max", &query.max)?,
            in_stock: query.in_stock,
            sort: match query.sort.as_str() {
                "price" | "price_desc" => query.sort,
                _ => String::new(),
            },
            shop_id: None,
            slug: None,
        };
        let page = query.page.clamp(1, paging::MAX_PAGE);
        let (rows, total) = db::page(
            &state.pool,
            &filters,
            i64::from(PER_PAGE),
            paging::offset(page, PER_PAGE),
        )
        .await?;
        Ok(paging::Paged {
            items: rows.into_iter().map(card).collect(),
            page,
            per_page: PER_PAGE,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    pub async fn shops() -> Result<Vec<ShopChoice>, AppError> {
        let state = appkit::state()?;
        Ok(db::shops(&state.pool)
            .await?
            .into_iter()
            .map(|(slug, name)| ShopChoice { slug, name })
            .collect())
    }

    /// A shop's listed products (its page), newest first.
    pub async fn of_shop(
        state: &appkit::AppState,
        shop: Uuid,
    ) -> Result<Vec<ProductCard>, AppError> {
        let filters = db::Filters {
            shop_id: Some(shop),
            ..db::Filters::default()
        };
        let (rows, _) = db::page(&state.pool, &filters, 200, 0).await?;
        Ok(rows.into_iter().map(card).collect())
    }
}

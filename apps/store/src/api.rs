//! Public JSON endpoints under `/api/v1` (types in the `api` crate): the portal's home section
//! (new products), the newest products, a product, and the signed-in user's orders.

#[cfg(feature = "ssr")]
pub mod ssr {
    use api::{
        home::{Badge, Card, HOME_PATH, HomeSection, HomeSections, MAX_CARDS},
        store::{
            MAX_LIMIT, MY_ORDERS_PATH, MyOrder, MyOrders, PRODUCTS_PATH, ProductDetail,
            ProductList, ProductQuery, ProductSummary, VariantSummary, Vendor,
        },
    };
    use appkit::AppState;
    use axum::{
        Json, Router,
        extract::{Path, Query, State, rejection::QueryRejection},
        routing::get,
    };
    use platform::{AppError, money::format_cents};
    use sso::CurrentUser;

    use crate::{
        catalog::{availability, db as catalog},
        orders::status_label,
        products::db as products,
    };

    /// Most orders `GET /api/v1/orders` answers (the newest; the rest are on the store's page).
    const MY_ORDERS_LIMIT: usize = 20;

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(HOME_PATH, get(home))
            .route(PRODUCTS_PATH, get(list))
            .route(&format!("{PRODUCTS_PATH}/{{slug}}"), get(detail))
            .route(MY_ORDERS_PATH, get(my_orders))
    }

    fn summary(state: &AppState, r: &catalog::CardRow) -> ProductSummary {
        ProductSummary {
            id: r.id,
            slug: r.slug.clone(),
            title: r.title.clone(),
            vendor: Vendor {
                slug: r.shop_slug.clone(),
                name: r.shop_name.clone(),
                url: state.url(&format!("/s/{}", r.shop_slug)),
            },
            thumbnail_url: r
                .image_key
                .as_deref()
                .map(|k| state.url(&storage::Storage::thumbnail_path(k))),
            price_from_cents: i64::from(r.price_from),
            currency: state
                .payments()
                .map_or_else(|_| "usd".to_owned(), |p| p.config().currency.clone()),
            in_stock: r.left > 0,
            published_at: r.published_at,
            url: state.url(&format!("/p/{}", r.slug)),
        }
    }

    async fn newest(state: &AppState, limit: i64) -> Result<Vec<catalog::CardRow>, AppError> {
        Ok(
            catalog::page(&state.pool, &catalog::Filters::default(), limit, 0)
                .await?
                .0,
        )
    }

    /// `GET /api/v1/home`: the newest products, for the portal's home page.
    async fn home(State(state): State<AppState>) -> Result<Json<HomeSections>, AppError> {
        let rows = newest(&state, i64::try_from(MAX_CARDS).unwrap_or(6)).await?;
        let cards = rows
            .iter()
            .map(|r| {
                let s = summary(&state, r);
                let price = if r.price_from == r.price_to {
                    format_cents(s.price_from_cents)
                } else {
                    format!("from {}", format_cents(s.price_from_cents))
                };
                Card {
                    subtitle: format!("{} · {price}", s.vendor.name),
                    title: s.title,
                    url: s.url,
                    image_url: s.thumbnail_url,
                    badge: availability(r.left).map(|text| Badge { text, good: false }),
                    action: None,
                }
            })
            .collect();
        Ok(Json(HomeSections {
            sections: vec![HomeSection {
                key: "new".to_owned(),
                title: "New in the store".to_owned(),
                more_url: state.url("/"),
                more_label: "All products".to_owned(),
                empty: "No products in the store yet.".to_owned(),
                cards,
            }],
        }))
    }

    /// `GET /api/v1/products?limit=N`: listed products, newest first.
    async fn list(
        State(state): State<AppState>,
        query: Result<Query<ProductQuery>, QueryRejection>,
    ) -> Result<Json<ProductList>, AppError> {
        let Query(q) = query.map_err(|_| {
            AppError::BadRequest(format!("Use limit=1..{MAX_LIMIT} in the query string."))
        })?;
        let limit = q.limit.unwrap_or(12);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::validation(
                "limit",
                format!("limit must be between 1 and {MAX_LIMIT}."),
            ));
        }
        let rows = newest(&state, i64::from(limit)).await?;
        Ok(Json(ProductList {
            products: rows.iter().map(|r| summary(&state, r)).collect(),
        }))
    }

    /// `GET /api/v1/products/{slug}`: a listed product with its variants.
    async fn detail(
        State(state): State<AppState>,
        Path(slug): Path<String>,
    ) -> Result<Json<ProductDetail>, AppError> {
        let filters = catalog::Filters {
            slug: Some(slug.chars().take(100).collect()),
            ..catalog::Filters::default()
        };
        let row = catalog::page(&state.pool, &filters, 1, 0)
            .await?
            .0
            .into_iter()
            .next()
            .ok_or_else(|| AppError::not_found("There is no such product."))?;
        let p = products::by_id(&state.pool, row.id).await?;
        let variants = products::variants(&state.pool, row.id).await?;
        let images = products::image_keys(&state.pool, row.id).await?;
        Ok(Json(ProductDetail {
            product: summary(&state, &row),
            description_html: platform::formatted::to_html(&p.description),
            images: images
                .iter()
                .map(|k| state.url(&storage::Storage::public_path(k)))
                .collect(),
            variants: variants
                .into_iter()
                .map(|v| VariantSummary {
                    id: v.id,
                    name: v.name,
                    price_cents: i64::from(v.price_cents),
                    left: i64::from(v.on_hand - v.reserved),
                })
                .collect(),
        }))
    }

    /// `GET /api/v1/orders`: the signed-in user's orders, newest first.
    async fn my_orders(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
    ) -> Result<Json<MyOrders>, AppError> {
        let orders = crate::orders::db::of_buyer(&state.pool, user.id)
            .await?
            .into_iter()
            .take(MY_ORDERS_LIMIT)
            .map(|o| MyOrder {
                status_label: status_label(&o.status, &o.delivery),
                url: state.url(&format!("/orders/{}", o.checkout_id)),
                number: o.number,
                vendor: o.shop_name,
                status: o.status,
                total_cents: i64::from(o.total_cents),
                created_at: o.created_at,
            })
            .collect();
        Ok(Json(MyOrders {
            orders,
            orders_url: state.url("/orders"),
        }))
    }
}

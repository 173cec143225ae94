//! Public JSON endpoints under `/api/v1` (types in the `api` crate): the portal's home section
//! (with an RSVP button for free events), upcoming events, an event, the signed-in user's
//! tickets, and RSVP.

#[cfg(feature = "ssr")]
pub mod ssr {
    use api::{
        events::{
            Availability, EVENTS_PATH, EventDetail, EventList, EventQuery, EventSummary, MAX_LIMIT,
            MY_TICKETS_PATH, MyTicket, MyTickets, RSVP_PATH, Rsvp, RsvpOffer, RsvpRequest,
            TicketTypeSummary,
        },
        home::{Badge, Card, CardAction, HOME_PATH, HomeSection, HomeSections, MAX_CARDS},
        restaurants::IDEMPOTENCY_KEY,
    };
    use appkit::AppState;
    use axum::{
        Json, Router,
        extract::{
            Path, Query, State,
            rejection::{JsonRejection, QueryRejection},
        },
        http::{HeaderMap, StatusCode},
        response::{IntoResponse, Response},
        routing::{get, post},
    };
    use chrono::Utc;
    use platform::{AppError, money::format_cents};
    use sso::CurrentUser;

    use crate::events::{TicketTypeView, db, ssr::type_views};

    pub fn routes() -> Router<AppState> {
        Router::new()
            .route(HOME_PATH, get(home))
            .route(EVENTS_PATH, get(list))
            .route(&format!("{EVENTS_PATH}/{{slug}}"), get(detail))
            .route(MY_TICKETS_PATH, get(my_tickets))
            .route(RSVP_PATH, post(rsvp))
    }

    fn availability(left: i64) -> Availability {
        match left {
            0 => Availability::SoldOut,
            1..=10 => Availability::FewLeft,
            _ => Availability::Available,
        }
    }

    /// An event as other apps see it, with its ticket types as its page shows them.
    async fn summary(
        state: &AppState,
        e: &db::EventRow,
    ) -> Result<(EventSummary, Vec<TicketTypeView>), AppError> {
        let types = type_views(e, db::ticket_types(&state.pool, e.id).await?, Utc::now());
        let tz: chrono_tz::Tz = platform::time::stored_zone(&e.time_zone);
        // Each type's places left already stop at the whole event's.
        let on_sale_left: i64 = types.iter().filter(|t| t.on_sale).map(|t| t.left).sum();
        let event_left = e.capacity.map_or(on_sale_left, |_| {
            types.iter().map(|t| t.left).max().unwrap_or(0)
        });
        let rsvp = types
            .iter()
            .find(|t| t.on_sale && t.price_cents == 0)
            .map(|t| RsvpOffer {
                ticket_type_id: t.id,
                name: t.name.clone(),
            });
        let summary = EventSummary {
            id: e.id,
            slug: e.slug.clone(),
            title: e.title.clone(),
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            time_zone: e.time_zone.clone(),
            when: platform::time::label(e.starts_at, tz),
            venue: if e.online {
                "Online".to_owned()
            } else {
                e.venue.clone()
            },
            online: e.online,
            cover_url: e
                .cover_key
                .as_deref()
                .map(|k| state.url(&storage::Storage::thumbnail_path(k))),
            lowest_price_cents: types.iter().map(|t| i64::from(t.price_cents)).min(),
            availability: availability(on_sale_left.min(event_left)),
            url: state.url(&format!("/e/{}", e.slug)),
            rsvp,
        };
        Ok((summary, types))
    }

    /// `GET /api/v1/home`: the next events, for the portal's home page; a free one to come
    /// carries an RSVP button.
    async fn home(State(state): State<AppState>) -> Result<Json<HomeSections>, AppError> {
        let events = db::upcoming(&state.pool, i64::try_from(MAX_CARDS).unwrap_or(6)).await?;
        let mut cards = Vec::with_capacity(events.len());
        for e in &events {
            let (s, _) = summary(&state, e).await?;
            let price = match s.lowest_price_cents {
                Some(0) => "Free".to_owned(),
                Some(c) => format!("from {}", format_cents(c)),
                None => String::new(),
            };
            cards.push(Card {
                title: s.title,
                subtitle: [s.when, s.venue, price]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · "),
                url: s.url,
                image_url: s.cover_url,
                badge: match s.availability {
                    Availability::SoldOut => Some(Badge {
                        text: "Sold out".into(),
                        good: false,
                    }),
                    Availability::FewLeft => Some(Badge {
                        text: "Few places left".into(),
                        good: false,
                    }),
                    Availability::Available => None,
                },
                action: s.rsvp.map(|r| CardAction::Rsvp {
                    ticket_type_id: r.ticket_type_id,
                }),
            });
        }
        Ok(Json(HomeSections {
            sections: vec![HomeSection {
                key: "upcoming".to_owned(),
                title: "Upcoming events".to_owned(),
                more_url: state.url("/"),
                more_label: "All events".to_owned(),
                empty: "No events coming up yet.".to_owned(),
                cards,
            }],
        }))
    }

    /// `GET /api/v1/events?limit=N`: published events to come, soonest first.
    async fn list(
        State(state): State<AppState>,
        query: Result<Query<EventQuery>, QueryRejection>,
    ) -> Result<Json<EventList>, AppError> {
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
        let mut events = Vec::new();
        for e in db::upcoming(&state.pool, i64::from(limit)).await? {
            events.push(summary(&state, &e).await?.0);
        }
        Ok(Json(EventList { events }))
    }

    /// `GET /api/v1/events/{slug}`: a published (or postponed, or cancelled) event.
    async fn detail(
        State(state): State<AppState>,
        Path(slug): Path<String>,
    ) -> Result<Json<EventDetail>, AppError> {
        let e = db::by_slug(&state.pool, &slug)
            .await?
            .filter(|e| e.status != "draft")
            .ok_or_else(|| AppError::not_found("There is no such event."))?;
        let (summary, types) = summary(&state, &e).await?;
        Ok(Json(EventDetail {
            summary,
            description: e.description.clone(),
            address: e.address.clone(),
            organizer_name: e.organizer_name.clone(),
            ticket_types: types
                .into_iter()
                .map(|t| TicketTypeSummary {
                    id: t.id,
                    name: t.name,
                    price_cents: i64::from(t.price_cents),
                    availability: availability(t.left),
                    on_sale: t.on_sale,
                    max_per_order: t.max_per_order,
                })
                .collect(),
        }))
    }

    /// `GET /api/v1/tickets`: the signed-in user's tickets, soonest event first.
    async fn my_tickets(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
    ) -> Result<Json<MyTickets>, AppError> {
        let tickets = crate::tickets::db::of_buyer(&state.pool, user.id)
            .await?
            .into_iter()
            .map(|t| {
                let tz: chrono_tz::Tz = platform::time::stored_zone(&t.time_zone);
                MyTicket {
                    id: t.id,
                    event_url: state.url(&format!("/e/{}", t.slug)),
                    event_title: t.title,
                    starts_at: t.starts_at,
                    when: platform::time::label(t.starts_at, tz),
                    time_zone: t.time_zone,
                    type_name: t.type_name,
                    valid: t.status == "valid",
                }
            })
            .collect();
        Ok(Json(MyTickets {
            tickets,
            tickets_url: state.url("/tickets"),
        }))
    }

    /// `POST /api/v1/rsvp` with an `Idempotency-Key` header: 201 with the new places, or 200
    /// with those an earlier request with the same key took.
    async fn rsvp(
        State(state): State<AppState>,
        CurrentUser(user): CurrentUser,
        headers: HeaderMap,
        body: Result<Json<RsvpRequest>, JsonRejection>,
    ) -> Result<Response, AppError> {
        let key =
            platform::idempotency::key(headers.get(IDEMPOTENCY_KEY).and_then(|v| v.to_str().ok()))?;
        let Json(req) = body.map_err(|e| {
            AppError::BadRequest(format!("The RSVP could not be read: {}", e.body_text()))
        })?;
        let taken =
            crate::tickets::ssr::rsvp_as(&state, &user, req.ticket_type_id, req.quantity, key)
                .await?;
        let title = crate::checkout::db::event_title(&state.pool, taken.order).await?;
        let status = if taken.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((
            status,
            Json(Rsvp {
                order_id: taken.order,
                event_title: title,
                tickets_url: state.url("/tickets"),
            }),
        )
            .into_response())
    }
}

//! The rules of an order, free of I/O so that both the browser (to show the cart) and the
//! server (to decide) use the same ones: pricing a cart against the menu, and the order's life.
//!
//! The server always prices from the menu it reads from the database; what the browser computes
//! is only shown.

use api::restaurants::{Menu, OrderLineRequest, OrderStatus};
use platform::AppError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Most lines in one order.
pub const MAX_LINES: usize = 30;
/// Most of one line.
pub const MAX_QUANTITY: u32 = 20;
/// Largest order total: $2,000.
pub const MAX_TOTAL_CENTS: i64 = 200_000;

/// One line once priced from the menu.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    pub item_id: Uuid,
    pub name: String,
    /// In the menu's order.
    pub option_ids: Vec<Uuid>,
    pub options: Vec<String>,
    pub quantity: u32,
    pub unit_cents: i64,
    pub line_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priced {
    pub lines: Vec<PricedLine>,
    pub total_cents: i64,
}

fn changed(message: String) -> AppError {
    AppError::Conflict {
        field: Some("lines".into()),
        message,
    }
}

/// Prices one line: the item must be on the menu and not sold out, its options must be the
/// item's, each group chosen between its min and max times.
pub fn price_line(menu: &Menu, req: &OrderLineRequest) -> Result<PricedLine, AppError> {
    let item = menu.item(req.item_id).ok_or_else(|| {
        changed("An item in your order is no longer on the menu. Remove it and try again.".into())
    })?;
    if item.sold_out {
        return Err(changed(format!(
            "“{}” is sold out. Remove it to place your order.",
            item.name
        )));
    }
    if req.quantity == 0 || req.quantity > MAX_QUANTITY {
        return Err(AppError::validation(
            "lines",
            format!("Order between 1 and {MAX_QUANTITY} of “{}”.", item.name),
        ));
    }
    let mut seen = Vec::new();
    for id in &req.option_ids {
        if seen.contains(id) {
            return Err(AppError::validation(
                "lines",
                format!("A choice for “{}” was given twice.", item.name),
            ));
        }
        if !item
            .option_groups
            .iter()
            .any(|g| g.options.iter().any(|o| o.id == *id))
        {
            return Err(changed(format!(
                "A choice for “{}” is no longer offered. Choose again.",
                item.name
            )));
        }
        seen.push(*id);
    }
    let mut unit = i64::from(item.price_cents);
    let mut option_ids = Vec::new();
    let mut options = Vec::new();
    for g in &item.option_groups {
        let chosen: Vec<_> = g
            .options
            .iter()
            .filter(|o| req.option_ids.contains(&o.id))
            .collect();
        let n = i16::try_from(chosen.len()).unwrap_or(i16::MAX);
        if n < g.min_choices {
            return Err(AppError::validation(
                "lines",
                format!(
                    "Choose at least {} for “{}” on “{}”.",
                    g.min_choices, g.name, item.name
                ),
            ));
        }
        if n > g.max_choices {
            return Err(AppError::validation(
                "lines",
                format!(
                    "Choose at most {} for “{}” on “{}”.",
                    g.max_choices, g.name, item.name
                ),
            ));
        }
        for o in chosen {
            unit += i64::from(o.price_delta_cents);
            option_ids.push(o.id);
            options.push(o.name.clone());
        }
    }
    let unit = unit.max(0);
    Ok(PricedLine {
        item_id: item.id,
        name: item.name.clone(),
        option_ids,
        options,
        quantity: req.quantity,
        unit_cents: unit,
        line_cents: unit * i64::from(req.quantity),
    })
}

/// Prices a whole order from `menu`.
pub fn price_order(menu: &Menu, lines: &[OrderLineRequest]) -> Result<Priced, AppError> {
    if lines.is_empty() {
        return Err(AppError::validation("lines", "Your order is empty."));
    }
    if lines.len() > MAX_LINES {
        return Err(AppError::validation(
            "lines",
            format!("An order can have at most {MAX_LINES} lines."),
        ));
    }
    let lines = lines
        .iter()
        .map(|l| price_line(menu, l))
        .collect::<Result<Vec<_>, _>>()?;
    let total_cents: i64 = lines.iter().map(|l| l.line_cents).sum();
    if total_cents > MAX_TOTAL_CENTS {
        return Err(AppError::validation(
            "lines",
            format!(
                "Pickup orders are limited to {}. Call the restaurant for larger orders.",
                platform::money::format_cents(MAX_TOTAL_CENTS)
            ),
        ));
    }
    Ok(Priced { lines, total_cents })
}

/// Who moves an order on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    Customer,
    /// The restaurant's owner or staff.
    Restaurant,
}

/// A step in an order's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    Accept,
    Reject,
    StartPreparing,
    MarkReady,
    MarkPickedUp,
    /// The customer cancels before the restaurant accepted.
    Cancel,
    /// The restaurant calls off an order it accepted (cannot be made, never collected).
    Withdraw,
}

impl Step {
    pub const ALL: [Self; 7] = [
        Self::Accept,
        Self::Reject,
        Self::StartPreparing,
        Self::MarkReady,
        Self::MarkPickedUp,
        Self::Cancel,
        Self::Withdraw,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accept => "accept",
            Self::Reject => "reject",
            Self::StartPreparing => "start",
            Self::MarkReady => "ready",
            Self::MarkPickedUp => "picked_up",
            Self::Cancel => "cancel",
            Self::Withdraw => "withdraw",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The button's text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Accept => "Accept",
            Self::Reject => "Decline",
            Self::StartPreparing => "Start preparing",
            Self::MarkReady => "Mark ready",
            Self::MarkPickedUp => "Picked up",
            Self::Cancel => "Cancel order",
            Self::Withdraw => "Call off",
        }
    }

    /// From which statuses, by whom, to which status.
    fn rule(self) -> (&'static [OrderStatus], Actor, OrderStatus) {
        use OrderStatus as S;
        match self {
            Self::Accept => (&[S::Placed], Actor::Restaurant, S::Accepted),
            Self::Reject => (&[S::Placed], Actor::Restaurant, S::Rejected),
            Self::StartPreparing => (&[S::Accepted], Actor::Restaurant, S::Preparing),
            Self::MarkReady => (&[S::Preparing], Actor::Restaurant, S::Ready),
            Self::MarkPickedUp => (&[S::Ready], Actor::Restaurant, S::PickedUp),
            Self::Cancel => (&[S::Placed], Actor::Customer, S::Cancelled),
            Self::Withdraw => (
                &[S::Accepted, S::Preparing, S::Ready],
                Actor::Restaurant,
                S::Cancelled,
            ),
        }
    }
}

/// The status `step` leads to from `from`, when `actor` may take it.
pub fn next(from: OrderStatus, step: Step, actor: Actor) -> Result<OrderStatus, AppError> {
    let (needs, by, to) = step.rule();
    if by != actor {
        return Err(AppError::Forbidden(match actor {
            Actor::Customer => "Only the restaurant can do this to an order.".into(),
            Actor::Restaurant => "Only the customer can cancel an order.".into(),
        }));
    }
    if !needs.contains(&from) {
        let message = match (step, from.is_final()) {
            (Step::Cancel, false) => {
                "The restaurant has already accepted this order, so it can no longer be cancelled here. Call the restaurant.".to_owned()
            }
            (Step::Cancel, true) => format!("This order is already “{}”.", from.label()),
            _ => format!(
                "This order is “{}” now, so it cannot be changed that way. The page has been refreshed.",
                from.label()
            ),
        };
        return Err(AppError::Conflict {
            field: None,
            message,
        });
    }
    Ok(to)
}

/// The steps `actor` may take from `status` (the buttons to show).
pub fn steps(status: OrderStatus, actor: Actor) -> Vec<Step> {
    Step::ALL
        .into_iter()
        .filter(|s| next(status, *s, actor).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use api::restaurants::{MenuCategory, MenuItem, MenuOption, OptionGroup};

    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn menu() -> Menu {
        Menu {
            categories: vec![MenuCategory {
                id: id(1),
                name: "Mains".into(),
                items: vec![
                    MenuItem {
                        id: id(10),
                        name: "Wings".into(),
                        description: String::new(),
                        price_cents: 1000,
                        photo_url: None,
                        tags: vec![],
                        sold_out: false,
                        option_groups: vec![
                            OptionGroup {
                                id: id(100),
                                name: "Sauce".into(),
                                min_choices: 1,
                                max_choices: 1,
                                options: vec![
                                    MenuOption {
                                        id: id(1000),
                                        name: "Mild".into(),
                                        price_delta_cents: 0,
                                    },
                                    MenuOption {
                                        id: id(1001),
                                        name: "Lemon pepper".into(),
                                        price_delta_cents: 150,
                                    },
                                ],
                            },
                            OptionGroup {
                                id: id(101),
                                name: "Extras".into(),
                                min_choices: 0,
                                max_choices: 2,
                                options: vec![
                                    MenuOption {
                                        id: id(1010),
                                        name: "Fries".into(),
                                        price_delta_cents: 300,
                                    },
                                    MenuOption {
                                        id: id(1011),
                                        name: "Slaw".into(),
                                        price_delta_cents: 200,
                                    },
                                    MenuOption {
                                        id: id(1012),
                                        name: "Bread".into(),
                                        price_delta_cents: 100,
                                    },
                                ],
                            },
                        ],
                    },
                    MenuItem {
                        id: id(11),
                        name: "Oxtail".into(),
                        description: String::new(),
                        price_cents: 2200,
                        photo_url: None,
                        tags: vec![],
                        sold_out: true,
                        option_groups: vec![],
                    },
                ],
            }],
        }
    }

    fn line(item: u128, quantity: u32, options: &[u128]) -> OrderLineRequest {
        OrderLineRequest {
            item_id: id(item),
            quantity,
            option_ids: options.iter().map(|o| id(*o)).collect(),
        }
    }

    #[test]
    fn prices_come_from_the_menu_with_option_deltas() {
        let p = price_order(&menu(), &[line(10, 2, &[1010, 1001])]).expect("valid");
        assert_eq!(p.lines[0].unit_cents, 1000 + 150 + 300);
        assert_eq!(p.total_cents, 2 * 1450);
        // Options come back in the menu's order, whatever order they were sent in.
        assert_eq!(p.lines[0].options, vec!["Lemon pepper", "Fries"]);
    }

    #[test]
    fn option_rules_are_enforced() {
        let m = menu();
        let cases = [
            (line(10, 1, &[]), "at least 1 for “Sauce”"),
            (line(10, 1, &[1000, 1001]), "at most 1 for “Sauce”"),
            (
                line(10, 1, &[1000, 1010, 1011, 1012]),
                "at most 2 for “Extras”",
            ),
            (line(10, 1, &[1000, 1000]), "twice"),
            (line(10, 1, &[1000, 9999]), "no longer offered"),
            (line(10, 0, &[1000]), "between 1 and 20"),
            (line(10, 21, &[1000]), "between 1 and 20"),
            (line(11, 1, &[]), "sold out"),
            (line(12, 1, &[]), "no longer on the menu"),
        ];
        for (l, expected) in cases {
            let err = price_order(&m, &[l]).expect_err(expected);
            assert!(err.to_string().contains(expected), "{err} / {expected}");
            assert!(matches!(err.status(), 409 | 422));
        }
        assert!(price_order(&m, &[]).is_err());
        let too_many = vec![line(10, 1, &[1000]); MAX_LINES + 1];
        assert!(price_order(&m, &too_many).is_err());
    }

    #[test]
    fn a_huge_order_is_refused() {
        let lines = vec![line(10, 20, &[1001, 1010, 1011]); 15];
        let err = price_order(&menu(), &lines).expect_err("too big");
        assert_eq!(err.field(), Some("lines"));
    }

    #[test]
    fn the_life_of_an_order() {
        use OrderStatus as S;
        let mut s = S::Placed;
        for step in [
            Step::Accept,
            Step::StartPreparing,
            Step::MarkReady,
            Step::MarkPickedUp,
        ] {
            s = next(s, step, Actor::Restaurant).expect("legal");
        }
        assert_eq!(s, S::PickedUp);
        assert_eq!(
            next(S::Placed, Step::Cancel, Actor::Customer),
            Ok(S::Cancelled)
        );
        assert_eq!(
            next(S::Placed, Step::Reject, Actor::Restaurant),
            Ok(S::Rejected)
        );
    }

    #[test]
    fn illegal_steps_are_refused() {
        use OrderStatus as S;
        // Every (status, step, actor) that is not one of the six rules is refused.
        let legal = [
            (S::Placed, Step::Accept, Actor::Restaurant),
            (S::Placed, Step::Reject, Actor::Restaurant),
            (S::Accepted, Step::StartPreparing, Actor::Restaurant),
            (S::Preparing, Step::MarkReady, Actor::Restaurant),
            (S::Ready, Step::MarkPickedUp, Actor::Restaurant),
            (S::Placed, Step::Cancel, Actor::Customer),
            (S::Accepted, Step::Withdraw, Actor::Restaurant),
            (S::Preparing, Step::Withdraw, Actor::Restaurant),
            (S::Ready, Step::Withdraw, Actor::Restaurant),
        ];
        let mut refused = 0;
        for from in S::ALL {
            for step in Step::ALL {
                for actor in [Actor::Customer, Actor::Restaurant] {
                    let ok = next(from, step, actor).is_ok();
                    assert_eq!(
                        ok,
                        legal.contains(&(from, step, actor)),
                        "{from:?} {step:?} {actor:?}"
                    );
                    refused += usize::from(!ok);
                }
            }
        }
        assert_eq!(refused, 7 * 7 * 2 - legal.len());
        assert!(
            next(S::Rejected, Step::Cancel, Actor::Customer)
                .expect_err("rejected")
                .to_string()
                .contains("already “Declined")
        );
        assert_eq!(
            steps(S::Ready, Actor::Restaurant),
            vec![Step::MarkPickedUp, Step::Withdraw]
        );
        assert!(
            next(S::Accepted, Step::Cancel, Actor::Customer)
                .expect_err("accepted")
                .to_string()
                .contains("already accepted")
        );
        assert_eq!(
            steps(S::Placed, Actor::Restaurant),
            vec![Step::Accept, Step::Reject]
        );
        assert!(steps(S::PickedUp, Actor::Restaurant).is_empty());
    }
}

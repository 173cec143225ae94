//! The money of a checkout, in integer cents: its totals, and its split into one part per shop
//! whose totals add up to what is charged, to the cent.

use uuid::Uuid;

/// One line of a checkout: a shop's variant, its price and how many; and the shop's shipping
/// (the same on each of its lines: charged once per shop).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub shop: Uuid,
    pub unit_cents: i32,
    pub quantity: i32,
    pub shipping_cents: i32,
}

/// What a checkout, or a shop's part of it, costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub subtotal: i64,
    pub shipping: i64,
}

impl Totals {
    pub fn total(self) -> i64 {
        self.subtotal + self.shipping
    }
}

/// Each shop's part, in the order the shops first appear.
pub fn split(parts: &[Part]) -> Vec<(Uuid, Totals)> {
    let mut shops: Vec<(Uuid, Totals)> = Vec::new();
    for p in parts {
        let amount = i64::from(p.unit_cents) * i64::from(p.quantity);
        match shops.iter_mut().find(|(s, _)| *s == p.shop) {
            Some((_, t)) => t.subtotal += amount,
            None => shops.push((
                p.shop,
                Totals {
                    subtotal: amount,
                    shipping: i64::from(p.shipping_cents),
                },
            )),
        }
    }
    shops
}

/// The whole checkout: the sum of its shops' parts.
pub fn totals(parts: &[Part]) -> Totals {
    split(parts)
        .into_iter()
        .fold(Totals::default(), |acc, (_, t)| Totals {
            subtotal: acc.subtotal + t.subtotal,
            shipping: acc.shipping + t.shipping,
        })
}

#[cfg(test)]
mod tests {
    use super::{Part, split, totals};
    use uuid::Uuid;

    #[test]
    fn the_shops_parts_add_up_to_the_charge_with_awkward_amounts() {
        let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let parts = [
            Part {
                shop: a,
                unit_cents: 333,
                quantity: 3,
                shipping_cents: 499,
            },
            Part {
                shop: b,
                unit_cents: 1,
                quantity: 7,
                shipping_cents: 0,
            },
            Part {
                shop: a,
                unit_cents: 1999,
                quantity: 1,
                shipping_cents: 499,
            },
            Part {
                shop: c,
                unit_cents: 10_000_000,
                quantity: 99,
                shipping_cents: 100_000,
            },
            Part {
                shop: b,
                unit_cents: 2,
                quantity: 99,
                shipping_cents: 0,
            },
        ];
        let whole = totals(&parts);
        let shops = split(&parts);
        assert_eq!(shops.len(), 3);
        assert_eq!(shops[0].1.subtotal, 999 + 1999);
        assert_eq!(
            shops[0].1.shipping, 499,
            "shipping once per shop, not per line"
        );
        assert_eq!(shops[1].1.total(), 7 + 198);
        assert_eq!(shops[2].1.total(), 990_000_000 + 100_000);
        assert_eq!(
            shops.iter().map(|(_, t)| t.total()).sum::<i64>(),
            whole.total()
        );
        assert_eq!(whole.total(), 2998 + 499 + 205 + 990_100_000);
    }
}

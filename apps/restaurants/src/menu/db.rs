//! The menu in the database: reading a whole menu, and the owner's edits. Every edit resolves
//! the restaurant its row belongs to and checks the caller's role there first.

use std::collections::HashMap;

use api::restaurants::{DIETARY_TAGS, Menu, MenuCategory, MenuItem, MenuOption, OptionGroup};
use platform::AppError;
use sqlx::PgPool;
use uuid::Uuid;

use crate::access::{Role, ssr::require};
use platform::money::parse_cents;

/// Most a menu item may cost: $10,000.
pub const MAX_PRICE_CENTS: i64 = 1_000_000;
/// Largest price change an option may make: ±$1,000.
pub const MAX_DELTA_CENTS: i64 = 100_000;

/// A whole menu, categories and items in the owner's order. The editor sees everything;
/// `public` (what customers see and what orders are priced against) drops empty sections and
/// choices without options or with fewer options than the least number to choose (one being
/// set up, or whose options were removed), so a half-edited choice never blocks the dish.
pub async fn load(pool: &PgPool, restaurant: Uuid, public: bool) -> Result<Menu, AppError> {
    let cats: Vec<(Uuid, String)> = sqlx::query_as(
        "select id, name from menu_categories where restaurant_id = $1 order by position, created_at",
    )
    .bind(restaurant)
    .fetch_all(pool)
    .await?;
    #[allow(clippy::type_complexity)]
    let items: Vec<(
        Uuid,
        Uuid,
        String,
        String,
        i32,
        Vec<String>,
        Option<String>,
        bool,
    )> = sqlx::query_as(
        "select id, category_id, name, description, price_cents, tags, photo_key, sold_out
             from menu_items where restaurant_id = $1 order by position, created_at",
    )
    .bind(restaurant)
    .fetch_all(pool)
    .await?;
    let groups: Vec<(Uuid, Uuid, String, i16, i16)> = sqlx::query_as(
        "select g.id, g.item_id, g.name, g.min_choices, g.max_choices
         from option_groups g join menu_items i on i.id = g.item_id
         where i.restaurant_id = $1 order by g.position, g.id",
    )
    .bind(restaurant)
    .fetch_all(pool)
    .await?;
    let options: Vec<(Uuid, Uuid, String, i32)> = sqlx::query_as(
        "select o.id, o.group_id, o.name, o.price_delta_cents
         from options o join option_groups g on g.id = o.group_id join menu_items i on i.id = g.item_id
         where i.restaurant_id = $1 order by o.position, o.id",
    )
    .bind(restaurant)
    .fetch_all(pool)
    .await?;

    let mut options_of: HashMap<Uuid, Vec<MenuOption>> = HashMap::new();
    for (id, group, name, delta) in options {
        options_of.entry(group).or_default().push(MenuOption {
            id,
            name,
            price_delta_cents: delta,
        });
    }
    let mut groups_of: HashMap<Uuid, Vec<OptionGroup>> = HashMap::new();
    for (id, item, name, min, max) in groups {
        let options = options_of.remove(&id).unwrap_or_default();
        let satisfiable =
            !options.is_empty() && usize::try_from(min).is_ok_and(|m| m <= options.len());
        if public && !satisfiable {
            continue;
        }
        groups_of.entry(item).or_default().push(OptionGroup {
            id,
            name,
            min_choices: min,
            max_choices: max,
            options,
        });
    }
    let mut items_of: HashMap<Uuid, Vec<MenuItem>> = HashMap::new();
    for (id, cat, name, description, price, tags, photo, sold_out) in items {
        items_of.entry(cat).or_default().push(MenuItem {
            id,
            name,
            description,
            price_cents: price,
            // Shown at most 80 px wide: the thumbnail.
            photo_url: photo.as_deref().map(storage::Storage::thumbnail_path),
            tags,
            sold_out,
            option_groups: groups_of.remove(&id).unwrap_or_default(),
        });
    }
    Ok(Menu {
        categories: cats
            .into_iter()
            .map(|(id, name)| MenuCategory {
                id,
                name,
                items: items_of.remove(&id).unwrap_or_default(),
            })
            .filter(|c| !public || !c.items.is_empty())
            .collect(),
    })
}

/// A menu row whose restaurant is looked up before an edit.
#[derive(Debug, Clone, Copy)]
pub enum Row {
    Category(Uuid),
    Item(Uuid),
    Group(Uuid),
    Option(Uuid),
}

impl Row {
    fn query(self) -> (&'static str, Uuid, &'static str) {
        match self {
            Self::Category(id) => (
                "select restaurant_id from menu_categories where id = $1",
                id,
                "That menu section no longer exists.",
            ),
            Self::Item(id) => (
                "select restaurant_id from menu_items where id = $1",
                id,
                "That menu item no longer exists.",
            ),
            Self::Group(id) => (
                "select i.restaurant_id from option_groups g join menu_items i on i.id = g.item_id
                 where g.id = $1",
                id,
                "That choice no longer exists.",
            ),
            Self::Option(id) => (
                "select i.restaurant_id from options o join option_groups g on g.id = o.group_id
                 join menu_items i on i.id = g.item_id where o.id = $1",
                id,
                "That option no longer exists.",
            ),
        }
    }

    /// The restaurant of this row, once the user's role there is at least `needed`.
    pub async fn authorize(
        self,
        pool: &PgPool,
        user: Uuid,
        needed: Role,
    ) -> Result<Uuid, AppError> {
        let (sql, id, gone) = self.query();
        let restaurant: Uuid = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| AppError::not_found(gone))?;
        require(pool, restaurant, user, needed).await?;
        Ok(restaurant)
    }
}

/// A row's parent (section, dish, choice) deleted by someone else between the check and the
/// insert: the foreign key refuses it, and the editor is told so (a form-wide message) instead
/// of a 500.
fn parent_gone(e: sqlx::Error) -> AppError {
    let gone = match &e {
        sqlx::Error::Database(db) => match db.constraint() {
            Some("menu_items_category_id_fkey") => Some("That section"),
            Some("option_groups_item_id_fkey") => Some("That dish"),
            Some("options_group_id_fkey") => Some("That choice"),
            _ => None,
        },
        _ => None,
    };
    match gone {
        Some(what) => AppError::Conflict {
            field: None,
            message: format!("{what} was just deleted. Reload the menu."),
        },
        None => AppError::from(e),
    }
}

/// A trimmed name of 1..=`max` characters without control characters.
pub fn name(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    platform::text::field(field, "name", raw, 1, max, platform::text::Lines::One)
}

/// An item's fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFields {
    pub category_id: Uuid,
    pub name: String,
    pub description: String,
    pub price_cents: i32,
    pub tags: Vec<String>,
}

impl ItemFields {
    pub fn parse(
        category_id: Uuid,
        name_raw: &str,
        description: &str,
        price: &str,
        tags: &[String],
    ) -> Result<Self, AppError> {
        let name = name("name", name_raw, 100)?;
        let description = platform::text::field(
            "description",
            "description",
            description,
            0,
            500,
            platform::text::Lines::Many,
        )?;
        let price_cents = parse_cents(price, false, MAX_PRICE_CENTS)
            .map_err(|m| AppError::validation("price", m))?;
        let mut clean = Vec::new();
        for t in tags {
            if !DIETARY_TAGS.iter().any(|(known, _)| known == t) {
                return Err(AppError::validation("tags", "Choose tags from the list."));
            }
            if !clean.contains(t) {
                clean.push(t.clone());
            }
        }
        Ok(Self {
            category_id,
            name,
            description,
            price_cents: i32::try_from(price_cents).unwrap_or(i32::MAX),
            tags: clean,
        })
    }
}

/// Checks that `category` belongs to `restaurant` (an item cannot be moved into another
/// restaurant's menu).
async fn category_in(pool: &PgPool, category: Uuid, restaurant: Uuid) -> Result<(), AppError> {
    let ok: bool = sqlx::query_scalar(
        "select exists(select 1 from menu_categories where id = $1 and restaurant_id = $2)",
    )
    .bind(category)
    .bind(restaurant)
    .fetch_one(pool)
    .await?;
    if ok {
        Ok(())
    } else {
        Err(AppError::validation(
            "category_id",
            "Choose one of this restaurant's menu sections.",
        ))
    }
}

pub async fn add_category(
    pool: &PgPool,
    user: Uuid,
    restaurant: Uuid,
    raw: &str,
) -> Result<Uuid, AppError> {
    let name = name("name", raw, 60)?;
    require(pool, restaurant, user, Role::Owner).await?;
    Ok(sqlx::query_scalar(
        "insert into menu_categories (restaurant_id, name, position)
         values ($1, $2, (select coalesce(max(position), 0) + 1 from menu_categories where restaurant_id = $1))
         returning id",
    )
    .bind(restaurant)
    .bind(name)
    .fetch_one(pool)
    .await?)
}

pub async fn rename_category(
    pool: &PgPool,
    user: Uuid,
    id: Uuid,
    raw: &str,
) -> Result<(), AppError> {
    let name = name("name", raw, 60)?;
    Row::Category(id).authorize(pool, user, Role::Owner).await?;
    sqlx::query("update menu_categories set name = $2 where id = $1")
        .bind(id)
        .bind(name)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes an empty section; one with items is refused (deleting those is a separate choice).
pub async fn delete_category(pool: &PgPool, user: Uuid, id: Uuid) -> Result<(), AppError> {
    Row::Category(id).authorize(pool, user, Role::Owner).await?;
    let deleted = sqlx::query(
        "delete from menu_categories c where c.id = $1
         and not exists (select 1 from menu_items i where i.category_id = c.id)",
    )
    .bind(id)
    .execute(pool)
    .await?;
    if deleted.rows_affected() == 0 {
        return Err(AppError::conflict(
            "category",
            "This section still has items: move or delete them first.",
        ));
    }
    Ok(())
}

pub async fn add_item(
    pool: &PgPool,
    user: Uuid,
    restaurant: Uuid,
    f: &ItemFields,
) -> Result<Uuid, AppError> {
    require(pool, restaurant, user, Role::Owner).await?;
    category_in(pool, f.category_id, restaurant).await?;
    sqlx::query_scalar(
        "insert into menu_items (restaurant_id, category_id, name, description, price_cents, tags, position)
         values ($1, $2, $3, $4, $5, $6, (select coalesce(max(position), 0) + 1 from menu_items where restaurant_id = $1))
         returning id",
    )
    .bind(restaurant)
    .bind(f.category_id)
    .bind(&f.name)
    .bind(&f.description)
    .bind(f.price_cents)
    .bind(&f.tags)
    .fetch_one(pool)
    .await
    .map_err(parent_gone)
}

pub async fn update_item(
    pool: &PgPool,
    user: Uuid,
    id: Uuid,
    f: &ItemFields,
) -> Result<(), AppError> {
    let restaurant = Row::Item(id).authorize(pool, user, Role::Owner).await?;
    category_in(pool, f.category_id, restaurant).await?;
    sqlx::query(
        "update menu_items set category_id = $2, name = $3, description = $4, price_cents = $5, tags = $6
         where id = $1",
    )
    .bind(id)
    .bind(f.category_id)
    .bind(&f.name)
    .bind(&f.description)
    .bind(f.price_cents)
    .bind(&f.tags)
    .execute(pool)
    .await
    .map_err(parent_gone)?;
    Ok(())
}

/// Deletes an item; returns its photo's key, for the caller to remove from the bucket once the
/// row is gone.
pub async fn delete_item(pool: &PgPool, user: Uuid, id: Uuid) -> Result<Option<String>, AppError> {
    Row::Item(id).authorize(pool, user, Role::Owner).await?;
    let key: Option<Option<String>> =
        sqlx::query_scalar("delete from menu_items where id = $1 returning photo_key")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    Ok(key.flatten())
}

/// Staff may switch items sold out and back.
pub async fn set_sold_out(
    pool: &PgPool,
    user: Uuid,
    id: Uuid,
    sold_out: bool,
) -> Result<(), AppError> {
    Row::Item(id).authorize(pool, user, Role::Staff).await?;
    sqlx::query("update menu_items set sold_out = $2 where id = $1")
        .bind(id)
        .bind(sold_out)
        .execute(pool)
        .await?;
    Ok(())
}

/// Points the item's photo at `key`; the key it replaced (`Some(None)`: it had none), or `None`
/// when the item is gone.
pub async fn set_photo(
    pool: &PgPool,
    id: Uuid,
    key: &str,
) -> Result<Option<Option<String>>, AppError> {
    Ok(sqlx::query_scalar(
        "update menu_items m set photo_key = $2
         from (select id, photo_key as old from menu_items where id = $1 for update) o
         where m.id = o.id returning o.old",
    )
    .bind(id)
    .bind(key)
    .fetch_optional(pool)
    .await?)
}

/// Reads "min" and "max" choices of a group: 0 ≤ min ≤ max, 1 ≤ max ≤ 20.
pub fn choices(min: &str, max: &str) -> Result<(i16, i16), AppError> {
    let min: i16 = min
        .trim()
        .parse()
        .ok()
        .filter(|m| (0..=20).contains(m))
        .ok_or_else(|| AppError::validation("min_choices", "Enter a number from 0 to 20."))?;
    let max: i16 = max
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=20).contains(m))
        .ok_or_else(|| AppError::validation("max_choices", "Enter a number from 1 to 20."))?;
    if max < min {
        return Err(AppError::validation(
            "max_choices",
            "The most choices cannot be fewer than the fewest.",
        ));
    }
    Ok((min, max))
}

pub async fn add_group(
    pool: &PgPool,
    user: Uuid,
    item: Uuid,
    name_raw: &str,
    (min, max): (i16, i16),
) -> Result<Uuid, AppError> {
    let name = name("name", name_raw, 60)?;
    Row::Item(item).authorize(pool, user, Role::Owner).await?;
    sqlx::query_scalar(
        "insert into option_groups (item_id, name, min_choices, max_choices, position)
         values ($1, $2, $3, $4, (select coalesce(max(position), 0) + 1 from option_groups where item_id = $1))
         returning id",
    )
    .bind(item)
    .bind(name)
    .bind(min)
    .bind(max)
    .fetch_one(pool)
    .await
    .map_err(parent_gone)
}

pub async fn delete_group(pool: &PgPool, user: Uuid, id: Uuid) -> Result<(), AppError> {
    Row::Group(id).authorize(pool, user, Role::Owner).await?;
    sqlx::query("delete from option_groups where id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn add_option(
    pool: &PgPool,
    user: Uuid,
    group: Uuid,
    name_raw: &str,
    delta_raw: &str,
) -> Result<Uuid, AppError> {
    let name = name("name", name_raw, 60)?;
    let delta = if delta_raw.trim().is_empty() {
        0
    } else {
        parse_cents(delta_raw, true, MAX_DELTA_CENTS)
            .map_err(|m| AppError::validation("price_delta", m))?
    };
    Row::Group(group).authorize(pool, user, Role::Owner).await?;
    sqlx::query_scalar(
        "insert into options (group_id, name, price_delta_cents, position)
         values ($1, $2, $3, (select coalesce(max(position), 0) + 1 from options where group_id = $1))
         returning id",
    )
    .bind(group)
    .bind(name)
    .bind(i32::try_from(delta).unwrap_or(0))
    .fetch_one(pool)
    .await
    .map_err(parent_gone)
}

pub async fn delete_option(pool: &PgPool, user: Uuid, id: Uuid) -> Result<(), AppError> {
    Row::Option(id).authorize(pool, user, Role::Owner).await?;
    sqlx::query("delete from options where id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_fields_name_the_bad_field() {
        let cat = Uuid::nil();
        let ok = ItemFields::parse(
            cat,
            " Wings ",
            "",
            "9.50",
            &["spicy".into(), "spicy".into()],
        )
        .expect("valid");
        assert_eq!((ok.name.as_str(), ok.price_cents), ("Wings", 950));
        assert_eq!(ok.tags, vec!["spicy".to_owned()]);
        let cases = [
            (ItemFields::parse(cat, "", "", "1", &[]), "name"),
            (ItemFields::parse(cat, "A", "", "free", &[]), "price"),
            (ItemFields::parse(cat, "A", "", "10000.01", &[]), "price"),
            (
                ItemFields::parse(cat, "A", &"x".repeat(501), "1", &[]),
                "description",
            ),
            (
                ItemFields::parse(cat, "A", "", "1", &["<b>".into()]),
                "tags",
            ),
        ];
        for (res, field) in cases {
            assert_eq!(res.expect_err(field).field(), Some(field));
        }
    }

    #[test]
    fn choices_need_min_at_most_max() {
        assert_eq!(choices("1", "1"), Ok((1, 1)));
        assert_eq!(choices("0", "3"), Ok((0, 3)));
        assert_eq!(
            choices("2", "1").expect_err("max<min").field(),
            Some("max_choices")
        );
        assert_eq!(
            choices("-1", "1").expect_err("negative").field(),
            Some("min_choices")
        );
        assert_eq!(
            choices("0", "0").expect_err("zero max").field(),
            Some("max_choices")
        );
    }
}

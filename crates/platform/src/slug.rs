//! URL slugs from names, in any script: `Café Olé!` → `cafe-ole`, `徐記` → `xu-ji`.

/// A slug of at most `max` characters: lower-case ASCII letters and digits joined by single
/// dashes (other scripts transliterated); `fallback` when nothing is left.
pub fn slugify(name: &str, max: usize, fallback: &str) -> String {
    let full = slug::slugify(name);
    let cut: String = full.chars().take(max).collect();
    let cut = cut.trim_end_matches('-');
    if cut.is_empty() {
        fallback.to_owned()
    } else {
        cut.to_owned()
    }
}

/// The slugs to try, in turn, for a new row whose name gives `base`, when a taken one is to be
/// skipped: `base`, `base-2` … `base-5`, then five with a random suffix (a name nobody can
/// exhaust).
pub fn candidates(base: &str) -> impl Iterator<Item = String> + '_ {
    (1..=10).map(move |attempt| match attempt {
        1 => base.to_owned(),
        2..=5 => format!("{base}-{attempt}"),
        _ => format!("{base}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]),
    })
}

#[cfg(test)]
mod tests {
    use super::{candidates, slugify};

    #[test]
    fn taken_slugs_give_way_to_numbered_then_random_ones() {
        let all: Vec<String> = candidates("soul").collect();
        assert_eq!(all[..5], ["soul", "soul-2", "soul-3", "soul-4", "soul-5"]);
        assert_eq!(all.len(), 10);
        assert!(
            all[5..]
                .iter()
                .all(|s| s.starts_with("soul-") && s.len() == 11)
        );
        assert_ne!(all[5], all[6]);
    }

    #[test]
    fn slugs_are_plain_ascii_in_any_script() {
        assert_eq!(slugify("Soul Food Kitchen", 60, "x"), "soul-food-kitchen");
        assert_eq!(slugify("  Café  Olé!! ", 60, "x"), "cafe-ole");
        assert_eq!(slugify("徐記", 60, "x"), "xu-ji");
        assert_eq!(slugify("!!!", 60, "restaurant"), "restaurant");
        let long = slugify(&"ab ".repeat(100), 60, "x");
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }
}

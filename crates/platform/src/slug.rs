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

#[cfg(test)]
mod tests {
    use super::slugify;

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

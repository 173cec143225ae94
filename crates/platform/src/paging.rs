//! Lists that grow come in pages: the page number (and the filters) live in the URL, so a page
//! of results can be linked, reloaded and shared, and works without JavaScript.

use serde::{Deserialize, Serialize};

/// The highest page number accepted (a bigger one is a mistake or a probe).
pub const MAX_PAGE: u32 = 10_000;

/// One page of a list and where it stands in the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// How many there are in all, on every page.
    pub total: u64,
}

impl<T> Paged<T> {
    /// How many pages the whole list takes (at least 1).
    pub fn pages(&self) -> u32 {
        pages(self.total, self.per_page)
    }
}

/// How many pages `total` items take at `per_page` a page (at least 1).
pub fn pages(total: u64, per_page: u32) -> u32 {
    let per = u64::from(per_page.max(1));
    u32::try_from(total.div_ceil(per).max(1)).unwrap_or(u32::MAX)
}

/// The page number from a URL's `page` parameter: 1 when absent or unreadable, at most
/// [`MAX_PAGE`].
pub fn page_param(raw: Option<&str>) -> u32 {
    raw.and_then(|p| p.trim().parse::<u32>().ok())
        .filter(|p| *p >= 1)
        .map_or(1, |p| p.min(MAX_PAGE))
}

/// The SQL offset of `page`.
pub fn offset(page: u32, per_page: u32) -> i64 {
    i64::from(page.saturating_sub(1)) * i64::from(per_page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_item() {
        assert_eq!(pages(0, 24), 1);
        assert_eq!(pages(24, 24), 1);
        assert_eq!(pages(25, 24), 2);
        assert_eq!(pages(200, 24), 9);
        assert_eq!(offset(1, 24), 0);
        assert_eq!(offset(3, 24), 48);
    }

    #[test]
    fn a_bad_page_parameter_means_the_first_page() {
        assert_eq!(page_param(None), 1);
        assert_eq!(page_param(Some("3")), 3);
        for bad in ["0", "-1", "x", "", "1.5"] {
            assert_eq!(page_param(Some(bad)), 1, "{bad:?}");
        }
        assert_eq!(page_param(Some("99999999")), MAX_PAGE);
    }
}

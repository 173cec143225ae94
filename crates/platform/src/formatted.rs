//! Formatted text that people write (an event's or a product's description): a small Markdown
//! (CommonMark: paragraphs, **bold**, *italic*, lists, quotes, links) turned into HTML that is
//! safe to put in a page. Sanitized by construction rather than by cleaning HTML afterwards:
//! raw HTML is shown as the text it is, links keep only `http`, `https` and `mailto` targets
//! (and get `rel="nofollow ugc noopener"`), pictures become their description, and headings
//! are demoted below the page's own.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// `text` (Markdown) as safe HTML.
pub fn to_html(text: &str) -> String {
    let mut link_open = Vec::new();
    let events = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).filter_map(|event| {
        Some(match event {
            // A line break typed is a line break shown (people who never heard of Markdown
            // write addresses and schedules line by line).
            Event::SoftBreak => Event::HardBreak,
            // Raw HTML, block or inline: the text as typed.
            Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let safe = safe_target(&dest_url);
                link_open.push(safe.is_some());
                let href = safe?;
                Event::Html(CowStr::from(format!(
                    r#"<a href="{}" rel="nofollow ugc noopener">"#,
                    attribute(href)
                )))
            }
            Event::End(TagEnd::Link) => {
                if link_open.pop().unwrap_or(false) {
                    Event::Html(CowStr::Borrowed("</a>"))
                } else {
                    return None;
                }
            }
            // A picture from anywhere: its description only.
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => return None,
            Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
                level: demoted(level),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demoted(level))),
            other => other,
        })
    });
    let mut out = String::with_capacity(text.len() * 5 / 4 + 16);
    html::push_html(&mut out, events);
    out
}

/// The page's title is its `h1` and its sections `h2`: a description's headings start at `h3`.
fn demoted(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H3,
        HeadingLevel::H4 => HeadingLevel::H4,
        HeadingLevel::H5 => HeadingLevel::H5,
        HeadingLevel::H6 => HeadingLevel::H6,
    }
}

/// `url` when it is a web or mail address (scheme compared without case, no leading spaces or
/// control characters that a browser would skip over).
fn safe_target(url: &str) -> Option<&str> {
    let lower = url.to_ascii_lowercase();
    (["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        && !url.chars().any(char::is_control))
    .then_some(url)
}

/// `value` for a double-quoted HTML attribute.
fn attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::to_html;

    #[test]
    fn paragraphs_emphasis_lists_and_web_links_come_through() {
        let html = to_html(
            "Doors at **8**, lesson at *8:30*.\n\n- Smart casual\n- No ~~sneakers~~\n\n\
             [Tickets help](https://example.com/help?a=1&b=2) or [mail](mailto:hi@example.com)",
        );
        assert!(html.contains("<p>Doors at <strong>8</strong>, lesson at <em>8:30</em>.</p>"));
        assert!(html.contains("<li>Smart casual</li>") && html.contains("<del>sneakers</del>"));
        assert!(html.contains(
            r#"<a href="https://example.com/help?a=1&amp;b=2" rel="nofollow ugc noopener">Tickets help</a>"#
        ));
        assert!(
            html.contains(
                r#"<a href="mailto:hi@example.com" rel="nofollow ugc noopener">mail</a>"#
            )
        );
    }

    #[test]
    fn markup_scripts_and_other_schemes_never_reach_the_page() {
        for (typed, never) in [
            ("<script>alert(1)</script>", "<script"),
            ("hi <img src=x onerror=alert(1)>", "<img"),
            ("<div onclick=\"x()\">a</div>", "<div"),
            ("[x](javascript:alert(1))", "javascript:"),
            ("[x]( JaVaScRiPt:alert(1))", "href"),
            ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
            ("[x](java\tscript:alert(1))", "href"),
            ("![pic](https://tracker.example/p.png)", "<img"),
            ("<a href=\"https://example.com\">raw</a>", "<a"),
        ] {
            let html = to_html(typed);
            assert!(!html.contains(never), "{typed:?} gave {html}");
        }
        // What was typed is still shown, as text.
        assert!(to_html("a <b>c</b>").contains("a &lt;b&gt;c&lt;/b&gt;"));
        assert!(to_html("![the flyer](https://x.example/f.png)").contains("the flyer"));
        assert_eq!(to_html("[x](javascript:alert(1))").trim(), "<p>x</p>");
    }

    #[test]
    fn a_typed_line_break_stays_one() {
        assert_eq!(
            to_html("Doors 8pm\nFloor till 1").trim(),
            "<p>Doors 8pm<br />\nFloor till 1</p>"
        );
    }

    #[test]
    fn headings_stay_below_the_page_title() {
        let html = to_html("# Big\n\n## Bigger\n\n#### Small");
        assert!(html.contains("<h3>Big</h3>") && html.contains("<h3>Bigger</h3>"));
        assert!(html.contains("<h4>Small</h4>") && !html.contains("<h1") && !html.contains("<h2"));
    }
}

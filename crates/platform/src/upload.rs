//! What can go wrong with an upload, as the form's page shows it. An upload is a plain
//! multipart form post (it works without JavaScript); the server sends the browser back to the
//! form with `?upload_error=<code>`, and the page shows the message of a known code only, so a
//! link cannot put its own words on a page.

/// Largest upload, in MiB (the object store's limit is derived from it).
pub const MAX_MIB: usize = 5;

/// Most megapixels an uploaded image may have (the object store's limit is derived from it).
pub const MAX_MEGAPIXELS: u64 = 50;

/// The query parameter that carries a [`Problem`]'s code back to the form.
pub const QUERY_PARAM: &str = "upload_error";

/// What went wrong with an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Type,
    Size,
    Pixels,
    Damaged,
    Empty,
    Missing,
    Unreadable,
    Gone,
    Failed,
    /// It holds as many pictures as it may.
    Full,
}

impl Problem {
    pub const ALL: [Self; 10] = [
        Self::Type,
        Self::Size,
        Self::Pixels,
        Self::Damaged,
        Self::Empty,
        Self::Missing,
        Self::Unreadable,
        Self::Gone,
        Self::Failed,
        Self::Full,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Type => "type",
            Self::Size => "size",
            Self::Pixels => "pixels",
            Self::Damaged => "damaged",
            Self::Empty => "empty",
            Self::Missing => "missing",
            Self::Unreadable => "unreadable",
            Self::Gone => "gone",
            Self::Failed => "failed",
            Self::Full => "full",
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::Type => "Only JPEG, PNG, WebP and GIF images are accepted.".to_owned(),
            Self::Size => format!("The image is larger than {MAX_MIB} MiB."),
            Self::Pixels => format!(
                "The image has too many pixels (at most {MAX_MEGAPIXELS} megapixels). Save a smaller copy and upload that."
            ),
            Self::Damaged => {
                "The file could not be read as an image: it may be damaged. Try another copy."
                    .to_owned()
            }
            Self::Empty => "The file is empty.".to_owned(),
            Self::Missing => "Choose an image to upload.".to_owned(),
            Self::Unreadable => "The upload could not be read. Try again.".to_owned(),
            Self::Gone => "That was deleted meanwhile.".to_owned(),
            Self::Failed => "The image could not be saved. Try again in a moment.".to_owned(),
            Self::Full => {
                "There are as many pictures as there can be: remove one first.".to_owned()
            }
        }
    }

    /// The message for a code from the page's query string; `None` for anything else.
    pub fn message_for(code: &str) -> Option<String> {
        Self::ALL
            .into_iter()
            .find(|p| p.code() == code)
            .map(Self::message)
    }
}

#[cfg(test)]
mod tests {
    use super::Problem;

    #[test]
    fn only_known_codes_have_a_message() {
        for p in Problem::ALL {
            assert_eq!(Problem::message_for(p.code()), Some(p.message()));
        }
        assert_eq!(
            Problem::message_for("Your session expired, sign in at evil.example"),
            None
        );
    }
}

//! Reading typed configuration from the environment, once, at start. Every error names the
//! variable so that a misconfigured server says exactly what to fix.

use std::str::FromStr;

#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is required but not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {message}")]
    Invalid { name: &'static str, message: String },
}

impl ConfigError {
    pub fn invalid(name: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            name,
            message: message.into(),
        }
    }
}

/// The variable's value, or `None` when unset or empty. One that is not in the environment is
/// looked for as a systemd credential too (`LoadCredential=`: the file of that name in
/// `$CREDENTIALS_DIRECTORY`), which keeps secrets out of the process's environment.
pub fn var_opt(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var_os("CREDENTIALS_DIRECTORY")
                .and_then(|dir| credential_in(std::path::Path::new(&dir), name))
        })
}

/// The credential `name` in the directory `dir` (its file, without the final line break), or
/// `None` when there is none, it is empty, or `name` is not a variable's name.
pub fn credential_in(dir: &std::path::Path, name: &str) -> Option<String> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return None;
    }
    let value = std::fs::read_to_string(dir.join(name)).ok()?;
    let value = value.trim_end_matches(['\n', '\r']);
    (!value.trim().is_empty()).then(|| value.to_owned())
}

/// The variable's value; an error naming it when unset.
pub fn var(name: &'static str) -> Result<String, ConfigError> {
    var_opt(name).ok_or(ConfigError::Missing(name))
}

/// The variable's value, or `default`.
pub fn var_or(name: &str, default: &str) -> String {
    var_opt(name).unwrap_or_else(|| default.to_owned())
}

/// The variable parsed as `T`, or `default` when unset.
pub fn parse_or<T: FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match var_opt(name) {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|e: T::Err| ConfigError::invalid(name, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::credential_in;

    #[test]
    fn a_credential_is_its_files_text_without_the_line_break() {
        let dir = std::env::temp_dir().join(format!("credentials-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("DATABASE_URL"), "postgres://a:b@h/d\n").expect("write");
        std::fs::write(dir.join("EMPTY"), "\n").expect("write");
        assert_eq!(
            credential_in(&dir, "DATABASE_URL").as_deref(),
            Some("postgres://a:b@h/d")
        );
        assert_eq!(credential_in(&dir, "EMPTY"), None);
        assert_eq!(credential_in(&dir, "MISSING"), None);
        assert_eq!(credential_in(&dir, "../DATABASE_URL"), None, "names only");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}

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

/// The variable's value, or `None` when unset or empty.
pub fn var_opt(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
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

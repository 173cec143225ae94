#![doc = include_str!("../README.md")]

pub mod backup;
pub mod bench;
pub mod build;
pub mod deploy;
pub mod launcher;
pub mod provision;
pub mod proxy;
pub mod render;
pub mod secrets;
pub mod soak;

use std::path::PathBuf;

/// The repository root: `SUITE_ROOT`, else the nearest directory at or above the current one
/// that holds `ecosystem/suite.toml`, else the checkout this binary was built from. (Found at run
/// time: a binary in a target directory shared between checkouts may have been built from
/// another one.)
pub fn repo_root() -> PathBuf {
    if let Some(root) = std::env::var_os("SUITE_ROOT") {
        return PathBuf::from(root);
    }
    if let Ok(cwd) = std::env::current_dir() {
        let found = cwd
            .ancestors()
            .find(|d| d.join("ecosystem/suite.toml").is_file())
            .map(std::path::Path::to_path_buf);
        if let Some(root) = found {
            return root;
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default()
}

/// Where cargo puts build output: `CARGO_TARGET_DIR`, else `<repo>/target`.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
}

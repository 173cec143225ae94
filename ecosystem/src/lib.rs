#![doc = include_str!("../README.md")]

pub mod build;
pub mod launcher;
pub mod render;
pub mod secrets;

use std::path::PathBuf;

/// The repository root (this crate lives in `ecosystem/`).
pub fn repo_root() -> PathBuf {
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

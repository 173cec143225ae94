#![doc = include_str!("../README.md")]

#[cfg(feature = "demo")]
pub mod demo;
mod image;
pub mod upload;

use std::sync::Arc;

use axum::{
    Router,
    body::Body,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use platform::config::{self, ConfigError};
use s3::{Bucket, BucketConfiguration, Region, creds::Credentials};
use secrecy::{ExposeSecret, SecretString};

pub use image::ImageKind;

/// Largest upload accepted by default (the limit forms state, `platform::upload::MAX_MIB`).
pub const DEFAULT_MAX_BYTES: usize = platform::upload::MAX_MIB * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file is larger than {max_mib} MiB.")]
    TooLarge { max_mib: usize },
    #[error("Only JPEG, PNG, WebP and GIF images are accepted.")]
    UnsupportedType,
    #[error("object store: {0}")]
    Backend(String),
    #[error("object store configuration: {0}")]
    Config(String),
}

impl StorageError {
    /// Whether the uploader can fix it (as opposed to our side failing).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::Empty | Self::TooLarge { .. } | Self::UnsupportedType
        )
    }
}

impl From<StorageError> for platform::AppError {
    fn from(e: StorageError) -> Self {
        if e.is_user_error() {
            platform::AppError::validation("photo", e.to_string())
        } else {
            platform::AppError::internal(e)
        }
    }
}

fn backend(e: impl std::fmt::Display) -> StorageError {
    StorageError::Backend(e.to_string())
}

/// Where one app's bucket is.
#[derive(Debug, Clone)]
pub struct BucketConfig {
    pub endpoint: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: SecretString,
    pub bucket: String,
}

impl BucketConfig {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            endpoint: config::var("S3_ENDPOINT")?,
            region: config::var_or("S3_REGION", "us-east-1"),
            access_key: config::var("S3_ACCESS_KEY")?,
            secret_key: SecretString::from(config::var("S3_SECRET_KEY")?),
            bucket: config::var("S3_BUCKET")?,
        })
    }
}

/// A stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    pub kind: ImageKind,
    pub size: usize,
}

/// One app's bucket. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    bucket: Arc<Bucket>,
    max_bytes: usize,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage")
            .field("bucket", &self.bucket.name())
            .finish()
    }
}

impl Storage {
    pub fn new(cfg: &BucketConfig) -> Result<Self, StorageError> {
        let region = Region::Custom {
            region: cfg.region.clone(),
            endpoint: cfg.endpoint.trim_end_matches('/').to_owned(),
        };
        let creds = Credentials::new(
            Some(&cfg.access_key),
            Some(cfg.secret_key.expose_secret()),
            None,
            None,
            None,
        )
        .map_err(|e| StorageError::Config(e.to_string()))?;
        let bucket = Bucket::new(&cfg.bucket, region, creds)
            .map_err(|e| StorageError::Config(e.to_string()))?
            .with_path_style();
        Ok(Self {
            bucket: Arc::from(bucket),
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    /// Overrides the upload size limit.
    pub fn with_max_bytes(mut self, max: usize) -> Self {
        self.max_bytes = max;
        self
    }

    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    pub fn bucket_name(&self) -> String {
        self.bucket.name()
    }

    /// Creates the bucket if it does not exist (provisioning; apps expect it to exist).
    pub async fn ensure_bucket(&self) -> Result<(), StorageError> {
        if self.ping().await.is_ok() {
            return Ok(());
        }
        // SAFETY of the environment variable: see TOOLING.md — S3-faithful servers refuse a
        // LocationConstraint for custom regions; rust-s3 reads this flag.
        Bucket::create_with_path_style(
            &self.bucket.name(),
            self.bucket.region(),
            self.bucket.credentials().await.map_err(backend)?,
            BucketConfiguration::private(),
        )
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// Lists at most one key: fails when the bucket is missing or the server does not answer.
    /// (`Bucket::exists` does not work against every S3-compatible server.)
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.bucket
            .list_page(String::new(), None, None, None, Some(1))
            .await
            .map(|_| ())
            .map_err(backend)
    }

    /// Validates `bytes` as an image by content and stores it under `<prefix>/<uuid>.<ext>`.
    pub async fn put_image(
        &self,
        prefix: &str,
        bytes: &[u8],
    ) -> Result<StoredObject, StorageError> {
        if bytes.is_empty() {
            return Err(StorageError::Empty);
        }
        if bytes.len() > self.max_bytes {
            return Err(StorageError::TooLarge {
                max_mib: self.max_bytes.div_ceil(1024 * 1024),
            });
        }
        let kind = ImageKind::sniff(bytes).ok_or(StorageError::UnsupportedType)?;
        let prefix = prefix.trim_matches('/');
        let key = format!(
            "{prefix}/{}.{}",
            uuid::Uuid::new_v4().simple(),
            kind.extension()
        );
        self.bucket
            .put_object_with_content_type(&key, bytes, kind.mime())
            .await
            .map_err(backend)?;
        Ok(StoredObject {
            key,
            kind,
            size: bytes.len(),
        })
    }

    /// The object's bytes and content type, or `None` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, StorageError> {
        match self.bucket.get_object(key).await {
            Ok(res) => {
                let ctype = res
                    .headers()
                    .get("content-type")
                    .cloned()
                    .unwrap_or_else(|| "application/octet-stream".into());
                Ok(Some((res.to_vec(), ctype)))
            }
            Err(s3::error::S3Error::HttpFailWithBody(404, _)) => Ok(None),
            Err(e) => Err(backend(e)),
        }
    }

    /// Keys of the objects under `prefix` (at most 1000; for checks and housekeeping).
    pub async fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let page = self
            .bucket
            .list_page(prefix.to_owned(), None, None, None, Some(1000))
            .await
            .map_err(backend)?
            .0;
        Ok(page.contents.into_iter().map(|o| o.key).collect())
    }

    /// Deletes an object; deleting a missing one is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.bucket.delete_object(key).await {
            Ok(_) | Err(s3::error::S3Error::HttpFailWithBody(404, _)) => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }

    /// The public path of an object on the app's own host.
    pub fn public_path(key: &str) -> String {
        format!("/media/{key}")
    }

    /// `GET /media/{*key}`: serves objects of this bucket.
    pub fn media_routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route("/media/{*key}", get(serve_media))
            .with_state(self.clone())
    }
}

fn key_is_plain(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 256
        && key
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
}

async fn serve_media(State(storage): State<Storage>, Path(key): Path<String>) -> Response {
    if !key_is_plain(&key) {
        return (StatusCode::NOT_FOUND, "No such file.").into_response();
    }
    match storage.get(&key).await {
        Ok(Some((bytes, ctype))) => {
            let mut res = Body::from(bytes).into_response();
            let headers = res.headers_mut();
            if let Ok(v) = HeaderValue::from_str(&ctype) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            // Keys are never reused (a replaced photo gets a new key): cache for good.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            res
        }
        Ok(None) => (StatusCode::NOT_FOUND, "No such file.").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "media read failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "The file store is unavailable.",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::key_is_plain;

    #[test]
    fn media_keys_cannot_climb_out_of_the_bucket() {
        assert!(key_is_plain("restaurants/abc.jpg"));
        for bad in [
            "",
            "../x",
            "a/../b",
            "a//b",
            "/a",
            "a/./b",
            "a b",
            "a%2e%2e/b",
        ] {
            assert!(!key_is_plain(bad), "{bad:?}");
        }
    }
}

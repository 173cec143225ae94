#![doc = include_str!("../README.md")]

#[cfg(feature = "demo")]
pub mod demo;
mod image;
mod picture;
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
pub use picture::{MAX_PIXELS, MAX_SIDE, Sizing};

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
    #[error("The image has too many pixels (at most {} megapixels).", MAX_PIXELS / 1_000_000)]
    TooManyPixels,
    #[error("The file could not be read as an image: it may be damaged.")]
    Undecodable,
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
            Self::Empty
                | Self::TooLarge { .. }
                | Self::UnsupportedType
                | Self::TooManyPixels
                | Self::Undecodable
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

/// A stored picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    pub key: String,
    pub kind: ImageKind,
    /// Bytes stored (of the picture itself, not its thumbnail).
    pub size: usize,
    pub width: u32,
    pub height: u32,
    /// The key of its thumbnail ([`thumbnail_key`]), when its sizing has one.
    pub thumbnail: Option<String>,
}

/// At most this many uploads are decoded at once: each may take a few hundred MiB while it is.
static DECODING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// The key of the thumbnail of the picture stored under `key` (`covers/1/ab.jpg` →
/// `covers/1/ab.thumb.jpg`).
pub fn thumbnail_key(key: &str) -> String {
    match key.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => format!("{stem}.thumb.{ext}"),
        _ => format!("{key}.thumb"),
    }
}

/// The picture a thumbnail key is the thumbnail of.
fn picture_of_thumbnail(key: &str) -> Option<String> {
    let (stem, ext) = key.rsplit_once('.')?;
    let stem = stem.strip_suffix(".thumb")?;
    Some(format!("{stem}.{ext}"))
}

/// The content type of a stored object, from its key's extension (never from what the store
/// says: only these are served).
fn media_type(key: &str) -> Option<&'static str> {
    let ext = key.rsplit_once('.')?.1;
    [
        ImageKind::Jpeg,
        ImageKind::Png,
        ImageKind::Webp,
        ImageKind::Gif,
    ]
    .into_iter()
    .find(|k| k.extension() == ext)
    .map(ImageKind::mime)
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

    /// Stores an uploaded picture as a photo ([`Sizing::PHOTO`]); see [`Self::put_picture`].
    pub async fn put_image(
        &self,
        prefix: &str,
        bytes: &[u8],
    ) -> Result<StoredObject, StorageError> {
        self.put_picture(prefix, bytes, Sizing::PHOTO).await
    }

    /// Checks `bytes` by size and content, decodes and re-encodes it for its use (see
    /// [`picture`]: no metadata kept, upright, scaled, thumbnail) and stores it under
    /// `<prefix>/<generated>.<ext>` and its thumbnail beside it. Either both are stored or
    /// neither is.
    pub async fn put_picture(
        &self,
        prefix: &str,
        bytes: &[u8],
        sizing: Sizing,
    ) -> Result<StoredObject, StorageError> {
        if bytes.is_empty() {
            return Err(StorageError::Empty);
        }
        if bytes.len() > self.max_bytes {
            return Err(StorageError::TooLarge {
                max_mib: self.max_bytes.div_ceil(1024 * 1024),
            });
        }
        ImageKind::sniff(bytes).ok_or(StorageError::UnsupportedType)?;
        let prepared = {
            let _turn = DECODING
                .acquire()
                .await
                .map_err(|e| StorageError::Backend(e.to_string()))?;
            let bytes = bytes.to_vec();
            tokio::task::spawn_blocking(move || picture::prepare(&bytes, sizing))
                .await
                .map_err(|e| StorageError::Backend(format!("decoding an image: {e}")))??
        };
        let main = prepared.main;
        let prefix = prefix.trim_matches('/');
        let key = format!(
            "{prefix}/{}.{}",
            uuid::Uuid::new_v4().simple(),
            main.kind.extension()
        );
        let thumbnail = match prepared.thumbnail {
            Some(thumb) => {
                let thumb_key = thumbnail_key(&key);
                self.bucket
                    .put_object_with_content_type(&thumb_key, &thumb.bytes, thumb.kind.mime())
                    .await
                    .map_err(backend)?;
                Some(thumb_key)
            }
            None => None,
        };
        if let Err(e) = self
            .bucket
            .put_object_with_content_type(&key, &main.bytes, main.kind.mime())
            .await
        {
            if let Some(thumb) = &thumbnail {
                let _ = self.delete(thumb).await;
            }
            return Err(backend(e));
        }
        Ok(StoredObject {
            key,
            kind: main.kind,
            size: main.bytes.len(),
            width: main.width,
            height: main.height,
            thumbnail,
        })
    }

    /// Deletes a picture and its thumbnail; missing ones are not an error.
    pub async fn delete_picture(&self, key: &str) -> Result<(), StorageError> {
        self.delete(&thumbnail_key(key)).await?;
        self.delete(key).await
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

    /// Every key in the bucket, page after page (backups).
    pub async fn all_keys(&self) -> Result<Vec<String>, StorageError> {
        let pages = self
            .bucket
            .list(String::new(), None)
            .await
            .map_err(backend)?;
        Ok(pages
            .into_iter()
            .flat_map(|p| p.contents.into_iter().map(|o| o.key))
            .collect())
    }

    /// Stores `bytes` under `key` as they are (a restore: no checks, no re-encoding).
    pub async fn put_raw(
        &self,
        key: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Result<(), StorageError> {
        self.bucket
            .put_object_with_content_type(key, bytes, content_type)
            .await
            .map_err(backend)?;
        Ok(())
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

    /// The public path of the thumbnail of the picture stored under `key` (for lists).
    pub fn thumbnail_path(key: &str) -> String {
        Self::public_path(&thumbnail_key(key))
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

/// `GET /media/{key}`: a stored picture, with the type its key's extension names, cached for
/// good (keys are never reused), and a policy that lets nothing in it run should a browser ever
/// render it as something else. A thumbnail not made (a picture stored before thumbnails were)
/// is answered with its picture.
async fn serve_media(State(storage): State<Storage>, Path(key): Path<String>) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "No such file.").into_response();
    let Some(ctype) = media_type(&key).filter(|_| key_is_plain(&key)) else {
        return not_found();
    };
    let mut found = storage.get(&key).await;
    if let (Ok(None), Some(picture)) = (&found, picture_of_thumbnail(&key)) {
        found = storage.get(&picture).await;
    }
    match found {
        Ok(Some((bytes, _))) => {
            let mut res = Body::from(bytes).into_response();
            let headers = res.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ctype));
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(MEDIA_POLICY),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("inline"),
            );
            res
        }
        Ok(None) => not_found(),
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

/// The Content-Security-Policy of media: rendered, if ever, in a sandbox that runs and loads
/// nothing.
pub const MEDIA_POLICY: &str = "default-src 'none'; sandbox";

#[cfg(test)]
mod tests {
    use super::{key_is_plain, media_type, picture_of_thumbnail, thumbnail_key};

    #[test]
    fn thumbnails_sit_beside_their_picture() {
        assert_eq!(thumbnail_key("covers/1/ab.jpg"), "covers/1/ab.thumb.jpg");
        assert_eq!(
            picture_of_thumbnail("covers/1/ab.thumb.jpg").as_deref(),
            Some("covers/1/ab.jpg")
        );
        assert_eq!(picture_of_thumbnail("covers/1/ab.jpg"), None);
    }

    #[test]
    fn media_is_served_only_as_the_image_types_it_was_stored_as() {
        assert_eq!(media_type("a/b.jpg"), Some("image/jpeg"));
        assert_eq!(media_type("a/b.png"), Some("image/png"));
        for bad in ["a/b.html", "a/b.svg", "a/b", "a.jpg/b"] {
            assert_eq!(media_type(bad), None, "{bad}");
        }
    }

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

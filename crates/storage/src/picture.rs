//! What an uploaded image becomes before it is stored: decoded within limits, turned upright,
//! scaled to its use, and encoded again. Nothing of the upload's bytes survives — not its
//! metadata (a phone photo's GPS position, its camera serial, its thumbnail of the uncropped
//! shot), not whatever a polyglot file hid after the picture.
//!
//! - A file whose header promises more than [`MAX_PIXELS`] (or a side over [`MAX_SIDE`]) is
//!   refused before any pixel is decoded: a few KiB cannot ask for gigabytes of memory.
//! - The camera's orientation tag is applied to the pixels, since the tag itself goes.
//! - A picture without transparency is stored as JPEG; one with transparency (a logo) as PNG.
//! - Stored at most [`Sizing::max_side`] on its longer side, with a thumbnail at most
//!   [`Sizing::thumbnail`] for lists.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageEncoder, ImageError, ImageReader, Limits,
    codecs::{jpeg::JpegEncoder, png::PngEncoder},
    imageops::FilterType,
};

use crate::{ImageKind, StorageError};

/// Most pixels an upload may have (a 48-megapixel phone photo passes).
pub const MAX_PIXELS: u64 = platform::upload::MAX_MEGAPIXELS * 1_000_000;
/// Longest side an upload may have.
pub const MAX_SIDE: u32 = 16_000;
/// JPEG quality of stored pictures.
const JPEG_QUALITY: u8 = 82;

/// The sizes a picture is stored at, for its use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizing {
    /// The longer side of the stored picture, at most.
    pub max_side: u32,
    /// The longer side of its thumbnail, if lists show it.
    pub thumbnail: Option<u32>,
}

impl Sizing {
    /// A cover or a photo: shown across a phone or a page (1600 px), and as a card in lists
    /// (480 px: sharp at twice the density of a 240 px-wide card).
    pub const PHOTO: Self = Self {
        max_side: 1600,
        thumbnail: Some(480),
    };
}

/// A picture ready to store.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub bytes: Vec<u8>,
    pub kind: ImageKind,
    pub width: u32,
    pub height: u32,
}

/// The stored picture and its thumbnail.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub main: Encoded,
    pub thumbnail: Option<Encoded>,
}

impl ImageKind {
    fn format(self) -> image::ImageFormat {
        match self {
            Self::Jpeg => image::ImageFormat::Jpeg,
            Self::Png => image::ImageFormat::Png,
            Self::Webp => image::ImageFormat::WebP,
            Self::Gif => image::ImageFormat::Gif,
        }
    }
}

fn refused(e: ImageError) -> StorageError {
    match e {
        ImageError::Limits(_) => StorageError::TooManyPixels,
        ImageError::Unsupported(_) => StorageError::UnsupportedType,
        _ => StorageError::Undecodable,
    }
}

/// Decodes `bytes` (a `kind` image) within the limits above, upright.
fn decode(bytes: &[u8], kind: ImageKind) -> Result<DynamicImage, StorageError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), kind.format());
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // RGBA, 8 bits per channel, plus room for the decoder's own buffers.
    limits.max_alloc = Some(MAX_PIXELS * 4 + 64 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(refused)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(StorageError::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(refused)?;
    picture.apply_orientation(orientation);
    Ok(picture)
}

/// `picture` scaled down to fit `side` × `side` (never up).
fn fit(picture: &DynamicImage, side: u32) -> DynamicImage {
    if picture.width() <= side && picture.height() <= side {
        picture.clone()
    } else {
        picture.resize(side, side, FilterType::CatmullRom)
    }
}

fn encode(picture: &DynamicImage) -> Result<Encoded, StorageError> {
    let encoding = |e: ImageError| StorageError::Backend(format!("encoding an image: {e}"));
    let (width, height) = (picture.width(), picture.height());
    let mut bytes = Vec::new();
    // Its pixels with their alpha, when any of them is not opaque.
    let transparent = picture
        .color()
        .has_alpha()
        .then(|| picture.to_rgba8())
        .filter(|rgba| rgba.pixels().any(|p| p.0[3] < u8::MAX));
    let kind = if let Some(rgba) = transparent {
        PngEncoder::new(&mut bytes)
            .write_image(
                rgba.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgba8,
            )
            .map_err(encoding)?;
        ImageKind::Png
    } else {
        let rgb = picture.to_rgb8();
        JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
            .write_image(rgb.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .map_err(encoding)?;
        ImageKind::Jpeg
    };
    Ok(Encoded {
        bytes,
        kind,
        width,
        height,
    })
}

/// The upload `bytes` as it is to be stored (see the module's description). CPU-bound: call it
/// off the async runtime.
pub(crate) fn prepare(bytes: &[u8], sizing: Sizing) -> Result<Prepared, StorageError> {
    let kind = ImageKind::sniff(bytes).ok_or(StorageError::UnsupportedType)?;
    let picture = fit(&decode(bytes, kind)?, sizing.max_side);
    let thumbnail = sizing
        .thumbnail
        .map(|side| encode(&fit(&picture, side)))
        .transpose()?;
    Ok(Prepared {
        main: encode(&picture)?,
        thumbnail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32, alpha: u8) -> Vec<u8> {
        let picture =
            image::RgbaImage::from_pixel(width, height, image::Rgba([200, 80, 20, alpha]));
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(
                picture.as_raw(),
                width,
                height,
                image::ExtendedColorType::Rgba8,
            )
            .expect("png");
        out
    }

    #[test]
    fn pictures_are_scaled_to_their_use_and_never_up() {
        let sizing = Sizing {
            max_side: 100,
            thumbnail: Some(20),
        };
        let p = prepare(&png(400, 200, 255), sizing).expect("prepared");
        assert_eq!((p.main.width, p.main.height), (100, 50));
        assert_eq!(p.main.kind, ImageKind::Jpeg, "opaque: JPEG");
        assert_eq!(ImageKind::sniff(&p.main.bytes), Some(ImageKind::Jpeg));
        let thumb = p.thumbnail.expect("thumbnail");
        assert_eq!((thumb.width, thumb.height), (20, 10));
        let small = prepare(&png(30, 60, 255), sizing).expect("prepared");
        assert_eq!((small.main.width, small.main.height), (30, 60));
    }

    #[test]
    fn transparency_is_kept_as_png() {
        let p = prepare(&png(10, 10, 100), Sizing::PHOTO).expect("prepared");
        assert_eq!(p.main.kind, ImageKind::Png);
        assert_eq!(ImageKind::sniff(&p.main.bytes), Some(ImageKind::Png));
    }

    /// A PNG whose header claims `width` × `height`, with no pixels after it: what a pixel
    /// flood looks like until its (tiny, highly compressed) data is decoded.
    fn claimed_png(width: u32, height: u32) -> Vec<u8> {
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(width.to_be_bytes());
        ihdr.extend(height.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        out.extend(13u32.to_be_bytes());
        out.extend(&ihdr);
        out.extend(crc32fast::hash(&ihdr).to_be_bytes());
        // The start of the pixel data (an empty zlib stream): a decoder reads up to here
        // before it says what size the picture is.
        let idat = b"IDAT\x78\x9c\x03\x00\x00\x00\x00\x01";
        out.extend(8u32.to_be_bytes());
        out.extend(idat);
        out.extend(crc32fast::hash(idat).to_be_bytes());
        out.extend(b"\0\0\0\0IEND\xaeB`\x82");
        out
    }

    #[test]
    fn a_pixel_flood_is_refused_before_it_is_decoded() {
        for (w, h) in [(10_000, 10_000), (40_000, 10), (MAX_SIDE + 1, 1)] {
            let got = prepare(&claimed_png(w, h), Sizing::PHOTO);
            assert!(
                matches!(got, Err(StorageError::TooManyPixels)),
                "{w}x{h}: {got:?}"
            );
        }
        // The same header with a size that passes is refused only for the missing pixels.
        assert!(matches!(
            prepare(&claimed_png(100, 100), Sizing::PHOTO),
            Err(StorageError::Undecodable)
        ));
    }

    #[test]
    fn damaged_files_are_refused_as_such() {
        let mut cut = png(50, 50, 255);
        cut.truncate(cut.len() / 2);
        assert!(matches!(
            prepare(&cut, Sizing::PHOTO),
            Err(StorageError::Undecodable)
        ));
        let got = prepare(
            b"GIF89a\x01\x00\x01\x00 and then anything at all",
            Sizing::PHOTO,
        );
        assert!(matches!(got, Err(StorageError::Undecodable)), "{got:?}");
    }
}

//! Stand-in images for demo data (feature `demo`, never in a production server): a banded
//! diagonal gradient between two colours, a few kilobytes as PNG, shaped like a photograph.

/// A `width`×`height` PNG: a diagonal gradient from `from` (top left) to `to` (bottom right) in
/// 48 bands with soft stripes. Empty when encoding fails (it does not, for sane sizes).
pub fn gradient_png(width: u32, height: u32, from: [u8; 3], to: [u8; 3]) -> Vec<u8> {
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            // In 48 steps: bands compress to a few kilobytes, a smooth ramp does not.
            let t = f64::from((x + y) * 48 / (width + height)) / 48.0;
            let stripe = if (x + 2 * y) / 40 % 2 == 0 { 1.0 } else { 0.93 };
            for c in 0..3 {
                let v = (f64::from(from[c]) * (1.0 - t) + f64::from(to[c]) * t) * stripe;
                pixels.push(v.clamp(0.0, 255.0) as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let written = encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&pixels));
    if written.is_err() {
        out.clear();
    }
    out
}

/// Stores a demo cover (a gradient from `from` to `to`, shaped like a photograph) under
/// `prefix` and hands its key to `attach`, which points the record at it only where there is
/// still none: when it says no (another instance was quicker) or fails, the picture is deleted
/// again. Best effort, as demo data is: a failure is logged, not returned.
pub async fn attach_cover<F, Fut, E>(
    storage: &crate::Storage,
    prefix: &str,
    (from, to): ([u8; 3], [u8; 3]),
    attach: F,
) where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Result<bool, E>>,
    E: std::fmt::Display,
{
    let png = gradient_png(640, 360, from, to);
    let stored = match storage.put_image(prefix, &png).await {
        Ok(stored) => stored,
        Err(e) => {
            tracing::warn!(error = %e, prefix, "demo cover not stored");
            return;
        }
    };
    match attach(stored.key.clone()).await {
        Ok(true) => {}
        Ok(false) => {
            let _ = storage.delete_picture(&stored.key).await;
        }
        Err(e) => {
            tracing::warn!(error = %e, prefix, "demo cover not attached");
            let _ = storage.delete_picture(&stored.key).await;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_demo_image_is_a_small_png() {
        let png = super::gradient_png(640, 360, [0xb4, 0x53, 0x09], [0x7c, 0x2d, 0x12]);
        assert_eq!(crate::ImageKind::sniff(&png), Some(crate::ImageKind::Png));
        assert!(png.len() < 40_000, "{} bytes", png.len());
    }
}

//! A small JPEG preview whose longer side is at most `size` pixels. Smaller images keep their
//! size: a thumbnail never invents pixels.
use crate::{Result, VaultError};
use image::DynamicImage;

pub const DEFAULT_SIZE: u32 = 320;
pub const MIN_SIZE: u32 = 16;
pub const MAX_SIZE: u32 = 2048;
pub const QUALITY: u8 = 80;

pub fn check_size(size: u32) -> Result<()> {
    if (MIN_SIZE..=MAX_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(VaultError::Derive(format!(
            "thumbnail size {size} px: give a size between {MIN_SIZE} and {MAX_SIZE}"
        )))
    }
}

/// The preview image, not yet encoded.
pub fn scale(img: &DynamicImage, size: u32) -> DynamicImage {
    if img.width().max(img.height()) <= size {
        img.clone()
    } else {
        // `resize` filters (Catmull-Rom) rather than sampling one pixel per output pixel, so
        // fine patterns do not alias into false ones.
        img.resize(size, size, image::imageops::FilterType::CatmullRom)
    }
}

/// JPEG bytes of `img` (alpha, if any, dropped onto black).
pub fn encode_jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let rgb = img.to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|e| VaultError::Image(format!("encoding JPEG: {e}")))?;
    Ok(out)
}

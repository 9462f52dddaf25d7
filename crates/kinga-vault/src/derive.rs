//! Working copies made by re-encoding an original image: a thumbnail, or a copy with regions
//! blurred for publication. Re-encoding writes pixels only, so EXIF, XMP, text chunks and every
//! other piece of capture metadata are left behind. The original's bytes are only read.
use crate::region::{Rect, Region};
use crate::{blur, thumbnail, Result, VaultError};
use image::{DynamicImage, ImageFormat};
use kinga_domain::evidence::CopyKind;
use serde_json::json;
use std::io::Cursor;

/// Originals larger than this are not decoded (a 64 MiB JPEG is already far beyond a camera's).
pub const MAX_ORIGINAL_BYTES: u64 = 64 << 20;
/// A decoded image may take at most this much memory.
const MAX_DECODED_BYTES: u64 = 512 << 20;
const MAX_REGIONS: usize = 64;
const BLURRED_JPEG_QUALITY: u8 = 90;

#[derive(Clone, Debug, PartialEq)]
pub enum Derivation {
    Thumbnail { size: u32 },
    Blur { regions: Vec<Region> },
}

/// A derived copy, ready to be sealed, with what its lineage records.
#[derive(Clone, Debug)]
pub struct Derived {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub kind: CopyKind,
    /// Method and parameters, as stored beside the copy.
    pub params: serde_json::Value,
    /// One line for people: what was done.
    pub description: String,
}

/// Media types a copy can be derived from.
pub fn derivable(media_type: &str) -> bool {
    matches!(media_type, "image/jpeg" | "image/png")
}

pub fn derive(original: &[u8], how: &Derivation) -> Result<Derived> {
    // Cheap checks first: nothing is decoded for a request that cannot succeed.
    match how {
        Derivation::Thumbnail { size } => thumbnail::check_size(*size)?,
        Derivation::Blur { regions } if regions.is_empty() => {
            return Err(VaultError::Derive(
                "give at least one region to blur".into(),
            ))
        }
        Derivation::Blur { regions } if regions.len() > MAX_REGIONS => {
            return Err(VaultError::Derive(format!(
                "{} regions: at most {MAX_REGIONS} can be blurred at once",
                regions.len()
            )))
        }
        Derivation::Blur { .. } => {}
    }
    let (img, format) = decode(original)?;
    match how {
        Derivation::Thumbnail { size } => make_thumbnail(&img, *size),
        Derivation::Blur { regions } => make_blurred(img, format, regions),
    }
}

fn decode(original: &[u8]) -> Result<(DynamicImage, ImageFormat)> {
    let mut reader = image::ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .map_err(|e| VaultError::Image(format!("reading the image: {e}")))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png)) => f,
        _ => {
            return Err(VaultError::Derive(
                "the content is not a JPEG or PNG image: thumbnails and blurred copies are made of JPEG and PNG images only".into(),
            ))
        }
    };
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| VaultError::Image(format!("decoding the {format:?} image: {e}")))?;
    Ok((img, format))
}

fn make_thumbnail(img: &DynamicImage, size: u32) -> Result<Derived> {
    let small = thumbnail::scale(img, size);
    let bytes = thumbnail::encode_jpeg(&small, thumbnail::QUALITY)?;
    Ok(Derived {
        description: format!(
            "thumbnail, longest side {size} px ({}×{} from {}×{})",
            small.width(),
            small.height(),
            img.width(),
            img.height()
        ),
        params: json!({
            "method": "thumbnail",
            "size": size,
            "width": small.width(),
            "height": small.height(),
            "format": "image/jpeg",
            "quality": thumbnail::QUALITY,
        }),
        bytes,
        mime: "image/jpeg",
        kind: CopyKind::Thumbnail,
    })
}

fn make_blurred(img: DynamicImage, format: ImageFormat, regions: &[Region]) -> Result<Derived> {
    let (width, height) = (img.width(), img.height());
    let rects: Vec<Rect> = regions
        .iter()
        .enumerate()
        .map(|(i, r)| r.resolve(i, width, height))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    let mime = if img.color().has_alpha() {
        let mut rgba = img.to_rgba8();
        for r in &rects {
            blur::obscure(&mut rgba, width, 4, *r);
        }
        encode(&DynamicImage::ImageRgba8(rgba), format, &mut out)?
    } else {
        let mut rgb = img.to_rgb8();
        for r in &rects {
            blur::obscure(&mut rgb, width, 3, *r);
        }
        encode(&DynamicImage::ImageRgb8(rgb), format, &mut out)?
    };
    let listed: Vec<String> = rects
        .iter()
        .map(|r| format!("{},{} {}×{}", r.x, r.y, r.w, r.h))
        .collect();
    Ok(Derived {
        description: format!(
            "blurred {} region{} (x,y w×h px: {})",
            rects.len(),
            if rects.len() == 1 { "" } else { "s" },
            listed.join("; ")
        ),
        params: json!({
            "method": "blur",
            "algorithm": blur::ALGORITHM,
            "regions": rects,
            "block_px": rects.iter().map(|r| blur::block_size(*r)).collect::<Vec<_>>(),
            "image": {"width": width, "height": height},
            "format": mime,
        }),
        bytes: out,
        mime,
        kind: CopyKind::Blurred,
    })
}

/// The same format as the original: a PNG stays lossless, a JPEG stays a JPEG.
fn encode(img: &DynamicImage, format: ImageFormat, out: &mut Vec<u8>) -> Result<&'static str> {
    match format {
        ImageFormat::Png => {
            img.write_to(&mut Cursor::new(out), ImageFormat::Png)
                .map_err(|e| VaultError::Image(format!("encoding PNG: {e}")))?;
            Ok("image/png")
        }
        _ => {
            *out = thumbnail::encode_jpeg(img, BLURRED_JPEG_QUALITY)?;
            Ok("image/jpeg")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::region::Unit;

    /// A JPEG whose EXIF block says where it was taken, as a phone writes it.
    fn photo_with_exif(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let v = if (x / 2 + y / 2) % 2 == 0 { 230 } else { 20 };
            image::Rgb([v, (x % 256) as u8, (y % 256) as u8])
        });
        let jpeg = thumbnail::encode_jpeg(&DynamicImage::ImageRgb8(img), 95).unwrap();
        // TIFF header (big-endian), one IFD with Make = "Witness phone".
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes());
        tiff.extend_from_slice(&0x010fu16.to_be_bytes()); // Make
        tiff.extend_from_slice(&2u16.to_be_bytes()); // ASCII
        tiff.extend_from_slice(&14u32.to_be_bytes());
        tiff.extend_from_slice(&26u32.to_be_bytes()); // value offset
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        tiff.extend_from_slice(b"Witness phone\0");
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn copies_carry_no_exif() {
        let original = photo_with_exif(200, 120);
        assert_eq!(
            crate::capture_metadata(&original).device_make.as_deref(),
            Some("Witness phone"),
            "the test photo carries EXIF"
        );
        let thumb = derive(&original, &Derivation::Thumbnail { size: 50 }).unwrap();
        let t = image::load_from_memory(&thumb.bytes).unwrap();
        assert_eq!((t.width(), t.height()), (50, 30));
        assert_eq!(thumb.params["method"], "thumbnail");
        let blurred = derive(
            &original,
            &Derivation::Blur {
                regions: vec!["10,10,40,40".parse().unwrap()],
            },
        )
        .unwrap();
        assert_eq!(blurred.mime, "image/jpeg");
        assert_eq!(blurred.params["regions"][0]["w"], 40);
        for copy in [&thumb, &blurred] {
            let m = crate::capture_metadata(&copy.bytes);
            assert_eq!(m.device_make, None, "EXIF left in {}", copy.description);
            assert!(exif::Reader::new()
                .read_from_container(&mut Cursor::new(&copy.bytes))
                .is_err());
        }
    }

    #[test]
    fn bad_requests_are_refused_before_decoding() {
        let original = photo_with_exif(64, 64);
        for (how, needle) in [
            (Derivation::Thumbnail { size: 4 }, "between 16"),
            (Derivation::Blur { regions: vec![] }, "at least one region"),
        ] {
            let e = derive(&original, &how).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
        let e = derive(
            &original,
            &Derivation::Blur {
                regions: vec![Region {
                    x: 0.5,
                    y: 0.5,
                    w: 0.6,
                    h: 0.1,
                    unit: Unit::Fraction,
                }],
            },
        )
        .unwrap_err();
        assert!(matches!(e, VaultError::Region { field: "w", .. }), "{e}");
        let e = derive(
            b"%PDF-1.7 not a picture",
            &Derivation::Thumbnail { size: 320 },
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a JPEG or PNG"), "{e}");
    }

    #[test]
    fn a_png_stays_a_png_with_its_transparency() {
        let img = image::RgbaImage::from_fn(40, 30, |x, _| image::Rgba([x as u8 * 6, 0, 0, 128]));
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .unwrap();
        let d = derive(
            &png,
            &Derivation::Blur {
                regions: vec!["0,0,20,30".parse().unwrap()],
            },
        )
        .unwrap();
        assert_eq!(d.mime, "image/png");
        let back = image::load_from_memory(&d.bytes).unwrap().to_rgba8();
        assert_eq!(
            back.get_pixel(39, 0),
            img.get_pixel(39, 0),
            "lossless outside"
        );
        assert_eq!(back.get_pixel(0, 0)[3], 128);
    }
}

use crate::support::org;
use image::codecs::jpeg::JpegEncoder;
use image::{ImageFormat, Rgb, RgbImage};
use kinga_vault::{capture_metadata, intake, strip_metadata, IntakeOptions, PerceptualHash};
use std::io::Cursor;

/// A scene with structure at several scales, so a resize keeps its gradients.
fn scene(w: u32, h: u32, seed: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
        let s = seed as f32;
        let r = 128.0 + 120.0 * ((fx * 6.0 + s).sin() * (fy * 3.0 + s * 0.5).cos());
        let g = 255.0 * fy;
        let b = if ((fx - 0.3 - 0.1 * s.sin()).powi(2) + (fy - 0.6).powi(2)) < 0.04 {
            250.0
        } else {
            40.0
        };
        Rgb([r as u8, g as u8, b as u8])
    })
}

fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, quality))
        .unwrap();
    out
}

fn png(img: &RgbImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Inserts an EXIF APP1 segment (written with the EXIF library's writer) after the SOI marker.
fn with_exif(jpeg: &[u8]) -> Vec<u8> {
    use exif::experimental::Writer;
    use exif::{Field, In, Rational, Tag, Value};
    let ascii = |tag, s: &str| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    };
    let dms = |tag, d: u32, m: u32, s100: u32| Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Rational(vec![
            Rational { num: d, denom: 1 },
            Rational { num: m, denom: 1 },
            Rational {
                num: s100,
                denom: 100,
            },
        ]),
    };
    let fields = [
        ascii(Tag::Make, "Tecno"),
        ascii(Tag::Model, "Spark 10"),
        ascii(Tag::DateTimeOriginal, "2024:03:14 06:21:09"),
        ascii(Tag::GPSLatitudeRef, "N"),
        dms(Tag::GPSLatitude, 4, 21, 3600),
        ascii(Tag::GPSLongitudeRef, "E"),
        dms(Tag::GPSLongitude, 18, 33, 1200),
    ];
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut tiff = Cursor::new(Vec::new());
    w.write(&mut tiff, false).unwrap();
    let tiff = tiff.into_inner();
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
fn resized_and_reencoded_copies_are_near_duplicates_and_other_pictures_are_not() {
    let original = scene(640, 480, 1);
    let a = PerceptualHash::of_image(&jpeg(&original, 92)).unwrap();
    let resized =
        image::imageops::resize(&original, 320, 240, image::imageops::FilterType::Lanczos3);
    let b = PerceptualHash::of_image(&jpeg(&resized, 60)).unwrap();
    let c = PerceptualHash::of_image(&png(&original)).unwrap();
    assert!(a.is_near_duplicate(b), "distance {}", a.distance(b));
    assert!(a.is_near_duplicate(c), "distance {}", a.distance(c));
    let other = PerceptualHash::of_image(&jpeg(&scene(640, 480, 4), 92)).unwrap();
    eprintln!(
        "dHash distances: half size at quality 60 {}, PNG {}, another scene {}",
        a.distance(b),
        a.distance(c),
        a.distance(other)
    );
    assert!(
        !a.is_near_duplicate(other),
        "distance {}",
        a.distance(other)
    );
    assert!(PerceptualHash::of_image(b"not an image").is_err());
}

#[test]
fn intake_reads_capture_metadata_and_working_copies_lose_it() {
    let photo = with_exif(&jpeg(&scene(320, 240, 2), 90));
    let meta = capture_metadata(&photo);
    assert_eq!(meta.device_make.as_deref(), Some("Tecno"));
    assert_eq!(meta.device_model.as_deref(), Some("Spark 10"));
    assert_eq!(meta.taken_at.as_deref(), Some("2024:03:14 06:21:09"));
    assert_eq!((meta.width, meta.height), (Some(320), Some(240)));
    let gps = meta.gps.clone().unwrap();
    assert!((gps.latitude - (4.0 + 21.0 / 60.0 + 36.0 / 3600.0)).abs() < 1e-9);
    assert!((gps.longitude - (18.0 + 33.0 / 60.0 + 12.0 / 3600.0)).abs() < 1e-9);

    let dir = tempfile::tempdir().unwrap();
    let got = intake(
        dir.path(),
        &photo[..],
        &org().public(),
        &IntakeOptions::default(),
    )
    .unwrap();
    assert_eq!(got.media.mime, "image/jpeg");
    assert_eq!(got.capture, meta);
    let ph = got
        .perceptual_hash
        .expect("images get a perceptual hash at intake");

    let copy = strip_metadata(&photo).unwrap();
    assert!(copy.lineage.removed.iter().any(|r| r.contains("Exif")));
    assert_eq!(copy.lineage.derived_from, got.sha256);
    let stripped = capture_metadata(&copy.bytes);
    assert_eq!(
        (stripped.device_make, stripped.gps, stripped.taken_at),
        (None, None, None)
    );
    assert!(!copy.bytes.windows(5).any(|w| w == b"Tecno"));
    // The picture itself is unchanged.
    assert_eq!(PerceptualHash::of_image(&copy.bytes).unwrap(), ph);
    assert_eq!(
        image::load_from_memory(&copy.bytes).unwrap().to_rgb8(),
        image::load_from_memory(&photo).unwrap().to_rgb8()
    );
}

#[test]
fn png_text_chunks_are_stripped() {
    let plain = png(&scene(64, 48, 3));
    // Add a tEXt chunk naming the witness right after IHDR.
    let ihdr_end = 8 + 12 + 13;
    let body = b"Author\0Witness Marie K.";
    let mut chunk = (body.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"tEXt");
    chunk.extend_from_slice(body);
    chunk.extend_from_slice(&[0, 0, 0, 0]);
    let mut tagged = plain[..ihdr_end].to_vec();
    tagged.extend_from_slice(&chunk);
    tagged.extend_from_slice(&plain[ihdr_end..]);
    let copy = strip_metadata(&tagged).unwrap();
    assert_eq!(copy.lineage.removed, vec!["PNG tEXt"]);
    assert_eq!(copy.bytes, plain);
}

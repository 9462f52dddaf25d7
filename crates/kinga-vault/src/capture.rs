//! Capture metadata from EXIF (JPEG, TIFF, PNG eXIf, WebP): when, where, with what; and the
//! duration of WAV audio, of MP4/QuickTime video whose index (`moov`) comes first, of MP3
//! ([`crate::mp3`]), Ogg Vorbis and Opus ([`crate::ogg`]) and WebM/Matroska
//! ([`crate::matroska`]), read from headers and the last bytes of the file only.
use serde::{Deserialize, Serialize};
use std::io::Cursor;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaptureMetadata {
    /// EXIF DateTimeOriginal (or DateTime) as written by the device: local time, no zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gps: Option<Gps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<f64>,
}

impl CaptureMetadata {
    pub fn is_empty(&self) -> bool {
        *self == CaptureMetadata::default()
    }
}

fn be32(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 4)
        .map(|x| u32::from_be_bytes(x.try_into().expect("4")) as u64)
}

fn be64(b: &[u8], at: usize) -> Option<u64> {
    b.get(at..at + 8)
        .map(|x| u64::from_be_bytes(x.try_into().expect("8")))
}

/// Data size over byte rate, from the RIFF `fmt ` and `data` chunks.
fn wav_duration(b: &[u8]) -> Option<f64> {
    if b.get(..4)? != b"RIFF" || b.get(8..12)? != b"WAVE" {
        return None;
    }
    let (mut at, mut byte_rate, mut data) = (12usize, None, None);
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = u32::from_le_bytes(b[at + 4..at + 8].try_into().expect("4")) as usize;
        if id == b"fmt " {
            byte_rate = b
                .get(at + 16..at + 20)
                .map(|x| u32::from_le_bytes(x.try_into().expect("4")));
        } else if id == b"data" {
            data = Some(size);
            break;
        }
        at = at.checked_add(8 + size + (size & 1))?;
    }
    let (rate, data) = (byte_rate.filter(|r| *r > 0)?, data?);
    Some(data as f64 / rate as f64)
}

/// Duration and time scale from `moov/mvhd`, when the index lies within `b`.
fn mp4_duration(b: &[u8]) -> Option<f64> {
    if b.get(4..8)? != b"ftyp" {
        return None;
    }
    let boxes = |within: &[u8], want: &[u8; 4]| -> Option<(usize, usize)> {
        let mut at = 0usize;
        while at + 8 <= within.len() {
            let mut size = be32(within, at)? as usize;
            let mut header = 8;
            if size == 1 {
                size = be64(within, at + 8)? as usize;
                header = 16;
            } else if size == 0 {
                size = within.len() - at;
            }
            if size < header {
                return None;
            }
            if &within[at + 4..at + 8] == want {
                return Some((at + header, (at + size).min(within.len())));
            }
            at = at.checked_add(size)?;
        }
        None
    };
    let (ms, me) = boxes(b, b"moov")?;
    let moov = &b[ms..me];
    let (hs, he) = boxes(moov, b"mvhd")?;
    let mvhd = &moov[hs..he];
    let (scale, duration) = if *mvhd.first()? == 1 {
        (be32(mvhd, 20)?, be64(mvhd, 24)?)
    } else {
        (be32(mvhd, 12)?, be32(mvhd, 16)?)
    };
    (scale > 0).then(|| duration as f64 / scale as f64)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gps {
    pub latitude: f64,
    pub longitude: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub altitude_m: Option<f64>,
}

/// Reads what EXIF there is; content without EXIF gives empty metadata, never an error.
pub fn capture_metadata(bytes: &[u8]) -> CaptureMetadata {
    capture_metadata_sampled(bytes, bytes, bytes.len() as u64)
}

/// The same from a sample of a file too large to hold: its first bytes (`head`, where EXIF and
/// media headers are), its last bytes (`tail`, where an Ogg stream's final page is) and its
/// size. For a file held whole, `head` and `tail` are the same bytes.
pub fn capture_metadata_sampled(head: &[u8], tail: &[u8], size: u64) -> CaptureMetadata {
    let bytes = head;
    // MP3 comes last: its frame sync is the weakest signature.
    let mut out = CaptureMetadata {
        duration_seconds: wav_duration(bytes)
            .or_else(|| mp4_duration(bytes))
            .or_else(|| crate::ogg::duration(head, tail))
            .or_else(|| crate::matroska::duration(head))
            .or_else(|| crate::mp3::duration(head, tail, size)),
        ..Default::default()
    };
    if out.duration_seconds.is_some() {
        return out;
    }
    if let Ok(size) = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| ())
        .and_then(|r| r.into_dimensions().map_err(|_| ()))
    {
        out.width = Some(size.0);
        out.height = Some(size.1);
    }
    let Ok(exif) = exif::Reader::new().read_from_container(&mut Cursor::new(bytes)) else {
        return out;
    };
    use exif::{In, Tag, Value};
    let text = |tag: Tag| {
        exif.get_field(tag, In::PRIMARY)
            .and_then(|f| match &f.value {
                Value::Ascii(v) => v
                    .first()
                    .map(|s| String::from_utf8_lossy(s).trim().to_string())
                    .filter(|s| !s.is_empty()),
                _ => None,
            })
    };
    let degrees = |tag: Tag| {
        exif.get_field(tag, In::PRIMARY)
            .and_then(|f| match &f.value {
                Value::Rational(v) if v.len() == 3 => {
                    Some(v[0].to_f64() + v[1].to_f64() / 60.0 + v[2].to_f64() / 3600.0)
                }
                _ => None,
            })
    };
    out.taken_at = text(Tag::DateTimeOriginal).or_else(|| text(Tag::DateTime));
    out.device_make = text(Tag::Make);
    out.device_model = text(Tag::Model);
    out.software = text(Tag::Software);
    if let (Some(lat), Some(lon)) = (degrees(Tag::GPSLatitude), degrees(Tag::GPSLongitude)) {
        let sign = |tag: Tag, neg: &str| {
            if text(tag).as_deref() == Some(neg) {
                -1.0
            } else {
                1.0
            }
        };
        let altitude_m = exif
            .get_field(Tag::GPSAltitude, In::PRIMARY)
            .and_then(|f| match &f.value {
                Value::Rational(v) if !v.is_empty() => Some(v[0].to_f64()),
                _ => None,
            })
            .map(|a| {
                let below = exif
                    .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                    .and_then(|f| f.value.get_uint(0))
                    == Some(1);
                if below {
                    -a
                } else {
                    a
                }
            });
        out.gps = Some(Gps {
            latitude: lat * sign(Tag::GPSLatitudeRef, "S"),
            longitude: lon * sign(Tag::GPSLongitudeRef, "W"),
            altitude_m,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wav_duration_from_its_header() {
        let (rate, secs) = (8000u32, 2u32);
        let data = rate * 2 * secs;
        let mut w = b"RIFF".to_vec();
        w.extend_from_slice(&(36 + data).to_le_bytes());
        w.extend_from_slice(b"WAVEfmt ");
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&1u16.to_le_bytes()); // PCM
        w.extend_from_slice(&1u16.to_le_bytes()); // mono
        w.extend_from_slice(&rate.to_le_bytes());
        w.extend_from_slice(&(rate * 2).to_le_bytes());
        w.extend_from_slice(&2u16.to_le_bytes());
        w.extend_from_slice(&16u16.to_le_bytes());
        w.extend_from_slice(b"data");
        w.extend_from_slice(&data.to_le_bytes());
        w.extend(std::iter::repeat_n(0u8, 100)); // the head of the samples is enough
        assert_eq!(capture_metadata(&w).duration_seconds, Some(2.0));
    }

    #[test]
    fn mp4_duration_from_mvhd() {
        let bx = |kind: &[u8], body: &[u8]| {
            let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(body);
            v
        };
        let mut mvhd = vec![0u8; 4 + 8];
        mvhd.extend_from_slice(&600u32.to_be_bytes());
        mvhd.extend_from_slice(&(600u32 * 95 / 2).to_be_bytes());
        mvhd.extend(std::iter::repeat_n(0u8, 80));
        let mut file = bx(b"ftyp", b"isom\0\0\x02\0isomiso2mp41");
        file.extend(bx(b"moov", &bx(b"mvhd", &mvhd)));
        file.extend(bx(b"mdat", &[0u8; 64]));
        assert_eq!(capture_metadata(&file).duration_seconds, Some(47.5));
        assert_eq!(capture_metadata(b"\0\0\0\x08ftyp").duration_seconds, None);
    }
}

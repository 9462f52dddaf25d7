//! Working copies without capture metadata. The original stays sealed and untouched; the copy
//! records its lineage (derived from which hash, how, what was removed).
//!
//! JPEG: every APPn segment except the JFIF header (EXIF, XMP, ICC, maker notes, Photoshop IPTC)
//! and every comment go; the image data is copied byte for byte. PNG: text chunks (tEXt, zTXt,
//! iTXt), eXIf and tIME go. The EXIF orientation goes too, so a rotated photo may display
//! unrotated.
use crate::{sha256_hex, Result, VaultError};
use serde::{Deserialize, Serialize};

pub const METHOD: &str = "strip-metadata-v1";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    pub derived_from: String,
    pub sha256: String,
    pub method: String,
    pub removed: Vec<String>,
}

/// A stripped image not yet sealed; once sealed and recorded it is a working copy
/// (`kinga_domain::evidence::WorkingCopy`).
#[derive(Clone, Debug)]
pub struct StrippedBytes {
    pub bytes: Vec<u8>,
    pub mime: &'static str,
    pub lineage: Lineage,
}

pub fn strip_metadata(original: &[u8]) -> Result<StrippedBytes> {
    let (bytes, mime, removed) = if original.starts_with(&[0xff, 0xd8]) {
        let (b, r) = strip_jpeg(original)?;
        (b, "image/jpeg", r)
    } else if original.starts_with(PNG_SIGNATURE) {
        let (b, r) = strip_png(original)?;
        (b, "image/png", r)
    } else {
        return Err(VaultError::Strip(
            "only JPEG and PNG working copies can be stripped".into(),
        ));
    };
    Ok(StrippedBytes {
        lineage: Lineage {
            derived_from: sha256_hex(original),
            sha256: sha256_hex(&bytes),
            method: METHOD.into(),
            removed,
        },
        bytes,
        mime,
    })
}

fn strip_jpeg(src: &[u8]) -> Result<(Vec<u8>, Vec<String>)> {
    let bad = |what: &str, at: usize| VaultError::Strip(format!("JPEG {what} at byte {at}"));
    let mut out = Vec::with_capacity(src.len());
    out.extend_from_slice(&src[..2]);
    let mut removed = Vec::new();
    let mut i = 2;
    loop {
        if i >= src.len() {
            return Err(bad("ends before its image data", i));
        }
        if src[i] != 0xff {
            return Err(bad("marker expected", i));
        }
        let marker = src[i + 1..]
            .first()
            .copied()
            .ok_or_else(|| bad("ends", i))?;
        if marker == 0xff {
            i += 1; // fill byte
            continue;
        }
        if marker == 0xd9 {
            out.extend_from_slice(&src[i..i + 2]);
            break;
        }
        if (0xd0..=0xd7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&src[i..i + 2]);
            i += 2;
            continue;
        }
        let len = src
            .get(i + 2..i + 4)
            .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
            .ok_or_else(|| bad("segment length missing", i))?;
        let end = i + 2 + len;
        if len < 2 || end > src.len() {
            return Err(bad("segment overruns the file", i));
        }
        let body = &src[i + 4..end];
        let drop = match marker {
            0xe0 => !(body.starts_with(b"JFIF\0") || body.starts_with(b"JFXX\0")),
            0xe1..=0xef | 0xfe => true,
            _ => false,
        };
        if drop {
            removed.push(jpeg_segment_name(marker, body));
        } else {
            out.extend_from_slice(&src[i..end]);
        }
        i = end;
        if marker == 0xda {
            // Entropy-coded data to the end: copied as it is.
            out.extend_from_slice(&src[i..]);
            break;
        }
    }
    Ok((out, removed))
}

fn jpeg_segment_name(marker: u8, body: &[u8]) -> String {
    if marker == 0xfe {
        return "JPEG comment".into();
    }
    let id: String = body
        .iter()
        .take_while(|&&b| b != 0 && b.is_ascii_graphic() || b == b' ')
        .take(24)
        .map(|&b| b as char)
        .collect();
    format!("JPEG APP{} {}", marker - 0xe0, id.trim())
        .trim()
        .to_string()
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

fn strip_png(src: &[u8]) -> Result<(Vec<u8>, Vec<String>)> {
    let mut out = Vec::with_capacity(src.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut removed = Vec::new();
    let mut i = PNG_SIGNATURE.len();
    while i < src.len() {
        let head = src
            .get(i..i + 8)
            .ok_or_else(|| VaultError::Strip(format!("PNG chunk header cut at byte {i}")))?;
        let len = u32::from_be_bytes(head[..4].try_into().expect("4")) as usize;
        let kind = String::from_utf8_lossy(&head[4..8]).into_owned();
        let end = i + 12 + len;
        if end > src.len() {
            return Err(VaultError::Strip(format!(
                "PNG chunk {kind} at byte {i} overruns the file"
            )));
        }
        if matches!(kind.as_str(), "tEXt" | "zTXt" | "iTXt" | "eXIf" | "tIME") {
            removed.push(format!("PNG {kind}"));
        } else {
            out.extend_from_slice(&src[i..end]);
        }
        i = end;
        if kind == "IEND" {
            break;
        }
    }
    Ok((out, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut v = vec![0xff, marker];
        v.extend_from_slice(&((body.len() + 2) as u16).to_be_bytes());
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn jpeg_segments_are_dropped_and_scan_kept() {
        let mut j = vec![0xff, 0xd8];
        j.extend(segment(0xe0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
        j.extend(segment(0xe1, b"Exif\0\0MM\0*secret gps"));
        j.extend(segment(0xfe, b"taken by witness 7"));
        j.extend(segment(0xdb, &[0u8; 65]));
        j.extend(segment(0xda, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]));
        j.extend_from_slice(&[0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]);
        let copy = strip_metadata(&j).unwrap();
        assert!(!copy.bytes.windows(6).any(|w| w == b"secret"));
        assert!(!copy.bytes.windows(7).any(|w| w == b"witness"));
        assert!(copy
            .bytes
            .ends_with(&[0x12, 0x34, 0xff, 0x00, 0x56, 0xff, 0xd9]));
        assert_eq!(copy.lineage.removed, vec!["JPEG APP1 Exif", "JPEG comment"]);
        assert_eq!(copy.lineage.derived_from, sha256_hex(&j));
        assert_eq!(copy.lineage.sha256, sha256_hex(&copy.bytes));
        assert!(strip_metadata(&j[..20]).is_err());
    }
}

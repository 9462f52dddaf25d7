//! What the content is, from its bytes alone, and whether a browser may ever render it inline.
use serde::{Deserialize, Serialize};

/// Rendering policy. Only formats a browser displays without running code are `Allowed`; HTML,
/// SVG (scriptable), executables, archives and anything unknown are always served as downloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inline {
    Allowed,
    Never,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaType {
    pub mime: String,
    /// photo, video, audio, document, text, web_page, executable, archive, other
    pub kind: String,
    pub inline: Inline,
}

const INLINE: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/mpeg",
    "audio/ogg",
    "audio/opus",
    "audio/x-wav",
    "audio/x-flac",
    "audio/m4a",
    "audio/aac",
    "application/pdf",
    "text/plain",
];

/// Classifies the first bytes of the content (a few KiB are enough).
pub fn sniff(head: &[u8]) -> MediaType {
    let mime = match infer::get(head) {
        Some(t) => t.mime_type().to_string(),
        // MPEG-2 and 2.5 audio without an ID3 tag, which `infer` does not know.
        None if crate::mp3::looks_like_mp3(head) => "audio/mpeg".to_string(),
        None => sniff_text(head),
    };
    let kind = if mime.starts_with("image/") && mime != "image/svg+xml" {
        "photo"
    } else if mime.starts_with("video/") {
        "video"
    } else if mime.starts_with("audio/") {
        "audio"
    } else if mime == "application/pdf"
        || mime.contains("officedocument")
        || mime.contains("opendocument")
    {
        "document"
    } else if mime == "text/plain" {
        "text"
    } else if mime == "text/html" || mime.contains("xml") {
        "web_page"
    } else if mime.contains("executable")
        || mime.contains("x-elf")
        || mime.contains("x-mach")
        || mime.contains("msdownload")
        || mime.contains("x-sh")
    {
        "executable"
    } else if mime.contains("zip")
        || mime.contains("tar")
        || mime.contains("compressed")
        || mime.contains("gzip")
    {
        "archive"
    } else {
        "other"
    };
    let inline = if INLINE.contains(&mime.as_str()) {
        Inline::Allowed
    } else {
        Inline::Never
    };
    MediaType {
        mime,
        kind: kind.to_string(),
        inline,
    }
}

fn sniff_text(head: &[u8]) -> String {
    let sample = &head[..head.len().min(8192)];
    // A multi-byte character may be cut at the end of the sample.
    let text = match std::str::from_utf8(sample) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&sample[..e.valid_up_to()]).expect("valid prefix")
        }
        Err(_) => return "application/octet-stream".into(),
    };
    if text.contains('\0') {
        return "application/octet-stream".into();
    }
    let lower = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .to_ascii_lowercase();
    if lower.starts_with("<svg") || (lower.starts_with("<?xml") && lower.contains("<svg")) {
        "image/svg+xml".into()
    } else if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.contains("<script")
    {
        "text/html".into()
    } else if lower.starts_with("<?xml") {
        "application/xml".into()
    } else if lower.starts_with("#!") {
        "application/x-sh".into()
    } else {
        "text/plain".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        let jpeg = sniff(&[0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F', 0]);
        assert_eq!(
            (jpeg.mime.as_str(), jpeg.inline),
            ("image/jpeg", Inline::Allowed)
        );
        let pdf = sniff(b"%PDF-1.7\n");
        assert_eq!(pdf.inline, Inline::Allowed);
        for never in [
            &b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"[..],
            b"<!DOCTYPE html><html></html>",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0",
            b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff",
            b"\x00\x01\x02\x03\xfe\xfd",
            b"#!/bin/sh\nrm -rf /\n",
        ] {
            let m = sniff(never);
            assert_eq!(m.inline, Inline::Never, "{}", m.mime);
        }
        let text = sniff("Témoignage recueilli à Bangui".as_bytes());
        assert_eq!(
            (text.mime.as_str(), text.inline),
            ("text/plain", Inline::Allowed)
        );
    }
}

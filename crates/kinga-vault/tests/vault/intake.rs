use crate::support::{content, org};
use kinga_vault::blob::{blob_path, copy_blob, open_blob, verify_blob, verify_sealed_file};
use kinga_vault::{intake, Inline, IntakeOptions, VaultError};
use std::io::{self, Read};

fn small_chunks() -> IntakeOptions {
    IntakeOptions {
        chunk_size: 4096,
        ..Default::default()
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn round_trip_at_every_chunk_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let keys = org();
    for len in [0usize, 1, 4095, 4096, 4097, 3 * 4096, 50_000] {
        let data = content(len, len as u64 + 1);
        let got = intake(dir.path(), &data[..], &keys.public(), &small_chunks()).unwrap();
        assert_eq!(got.sha256, kinga_vault::sha256_hex(&data));
        assert_eq!(got.size, len as u64);
        assert_eq!(got.path, blob_path(dir.path(), &got.sha256));
        let sealed = std::fs::read(&got.path).unwrap();
        if len > 64 {
            assert!(
                !sealed.windows(64).any(|w| w == &data[..64]),
                "stored in clear"
            );
        }
        let key = keys.unwrap(&got.wrapped_key).unwrap();
        let mut back = Vec::new();
        copy_blob(dir.path(), &got.sha256, &key, "ev-1", &mut back).unwrap();
        assert_eq!(back, data, "len {len}");
        verify_sealed_file(dir.path(), &got.sha256, &got.sealed_sha256, "ev-1").unwrap();
    }
    // Only blobs remain: no temporary file is left behind.
    let tmp = std::fs::read_dir(dir.path().join("tmp")).unwrap().count();
    assert_eq!(tmp, 0);
}

#[test]
fn same_content_twice_keeps_the_first_blob() {
    let dir = tempfile::tempdir().unwrap();
    let keys = org();
    let data = content(10_000, 9);
    let a = intake(dir.path(), &data[..], &keys.public(), &small_chunks()).unwrap();
    let b = intake(dir.path(), &data[..], &keys.public(), &small_chunks()).unwrap();
    assert!(!a.already_stored && b.already_stored);
    let key = keys.unwrap(&a.wrapped_key).unwrap();
    verify_blob(dir.path(), &a.sha256, &key, "ev-1").unwrap();
}

#[test]
fn every_flipped_byte_is_caught_and_names_the_item() {
    let dir = tempfile::tempdir().unwrap();
    let keys = org();
    let data = content(3 * 4096 + 100, 3);
    let got = intake(dir.path(), &data[..], &keys.public(), &small_chunks()).unwrap();
    let key = keys.unwrap(&got.wrapped_key).unwrap();
    let original = std::fs::read(&got.path).unwrap();
    // Header, first chunk, a tag, the last chunk.
    for pos in [3usize, 12, 20, 40, 32 + 4096 + 5, original.len() - 1] {
        let mut bad = original.clone();
        bad[pos] ^= 0x01;
        std::fs::write(&got.path, &bad).unwrap();
        let err = verify_blob(dir.path(), &got.sha256, &key, "ev-42").unwrap_err();
        assert!(
            matches!(err, VaultError::Tampered { .. }),
            "byte {pos}: {err}"
        );
        assert!(err.to_string().contains("ev-42"), "{err}");
        let e2 =
            verify_sealed_file(dir.path(), &got.sha256, &got.sealed_sha256, "ev-42").unwrap_err();
        assert!(e2.to_string().contains("ev-42"));
    }
    // A blob cut exactly at a chunk boundary: the chunk before was not marked last.
    std::fs::write(&got.path, &original[..32 + 2 * (4096 + 16)]).unwrap();
    let err = verify_blob(dir.path(), &got.sha256, &key, "ev-42").unwrap_err();
    assert!(err.to_string().contains("chunk 1"), "{err}");
    // Chunks swapped.
    let mut swapped = original.clone();
    let c = 4096 + 16;
    let (a, b) = (32, 32 + c);
    let first: Vec<u8> = swapped[a..a + c].to_vec();
    let second: Vec<u8> = swapped[b..b + c].to_vec();
    swapped[a..a + c].copy_from_slice(&second);
    swapped[b..b + c].copy_from_slice(&first);
    std::fs::write(&got.path, &swapped).unwrap();
    assert!(verify_blob(dir.path(), &got.sha256, &key, "ev-42").is_err());
    // The wrong item's key.
    std::fs::write(&got.path, &original).unwrap();
    let other = intake(dir.path(), &b"other"[..], &keys.public(), &small_chunks()).unwrap();
    let other_key = keys.unwrap(&other.wrapped_key).unwrap();
    assert!(verify_blob(dir.path(), &got.sha256, &other_key, "ev-42").is_err());
    // A blob renamed to another address decrypts but fails its hash.
    let moved = blob_path(dir.path(), &"ab".repeat(32));
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::copy(&got.path, &moved).unwrap();
    let err = verify_blob(dir.path(), &"ab".repeat(32), &key, "ev-43").unwrap_err();
    assert!(matches!(err, VaultError::HashMismatch { .. }), "{err}");
}

#[test]
fn a_reader_never_returns_a_damaged_tail_as_success() {
    let dir = tempfile::tempdir().unwrap();
    let keys = org();
    let data = content(20_000, 5);
    let got = intake(dir.path(), &data[..], &keys.public(), &small_chunks()).unwrap();
    let key = keys.unwrap(&got.wrapped_key).unwrap();
    let mut sealed = std::fs::read(&got.path).unwrap();
    let n = sealed.len();
    sealed[n - 3] ^= 0x80;
    std::fs::write(&got.path, &sealed).unwrap();
    let mut r = open_blob(dir.path(), &got.sha256, &key, "ev-7").unwrap();
    let mut out = Vec::new();
    let err = r.read_to_end(&mut out).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("ev-7"));
}

/// Fails after handing out `after` bytes, like a dropped connection.
struct Interrupted {
    data: Vec<u8>,
    pos: usize,
    after: usize,
}

impl Read for Interrupted {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.after {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset",
            ));
        }
        let n = buf.len().min(self.after - self.pos).min(1000);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[test]
fn an_interrupted_or_short_upload_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let keys = org();
    let data = content(30_000, 11);
    let r = Interrupted {
        data: data.clone(),
        pos: 0,
        after: 17_000,
    };
    let err = intake(dir.path(), r, &keys.public(), &small_chunks()).unwrap_err();
    assert!(err.to_string().contains("connection reset"), "{err}");
    // Announced 30 000 bytes, 12 000 arrived.
    let opts = IntakeOptions {
        expected_len: Some(30_000),
        ..small_chunks()
    };
    let err = intake(dir.path(), &data[..12_000], &keys.public(), &opts).unwrap_err();
    assert!(
        matches!(
            err,
            VaultError::Incomplete {
                expected: 30_000,
                received: 12_000
            }
        ),
        "{err}"
    );
    // More than announced: refused as soon as it shows.
    let opts = IntakeOptions {
        expected_len: Some(10_000),
        ..small_chunks()
    };
    let err = intake(dir.path(), &data[..], &keys.public(), &opts).unwrap_err();
    assert!(
        matches!(err, VaultError::Incomplete { expected: 10_000, received } if received < 30_000),
        "{err}"
    );
    // All bytes arrived, but not the ones announced.
    let opts = IntakeOptions {
        expected_sha256: Some(kinga_vault::sha256_hex(b"something else")),
        ..small_chunks()
    };
    let err = intake(dir.path(), &data[..], &keys.public(), &opts).unwrap_err();
    assert!(matches!(err, VaultError::HashMismatch { .. }), "{err}");
    assert_eq!(files_under(dir.path()), Vec::<std::path::PathBuf>::new());
}

#[test]
fn type_comes_from_the_content_not_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let keys = org();
    let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let got = intake(dir.path(), &html[..], &keys.public(), &small_chunks()).unwrap();
    assert_eq!(got.media.mime, "text/html");
    assert_eq!(got.media.inline, Inline::Never);
    let pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n";
    let got = intake(dir.path(), &pdf[..], &keys.public(), &small_chunks()).unwrap();
    assert_eq!(
        (got.media.mime.as_str(), got.media.inline),
        ("application/pdf", Inline::Allowed)
    );
    // A one-second 8 kHz mono WAV: audio, inline, with its duration.
    let mut wav = b"RIFF".to_vec();
    wav.extend_from_slice(&(36u32 + 16_000).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt \x10\0\0\0\x01\0\x01\0");
    wav.extend_from_slice(&8000u32.to_le_bytes());
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend_from_slice(b"\x02\0\x10\0data");
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend(content(16_000, 2));
    let got = intake(dir.path(), &wav[..], &keys.public(), &small_chunks()).unwrap();
    assert!(got.media.mime.starts_with("audio/"), "{}", got.media.mime);
    assert_eq!(got.media.inline, Inline::Allowed);
    assert_eq!(got.capture.duration_seconds, Some(1.0));
}

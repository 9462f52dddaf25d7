//! A dossier signed by an older release (`tests/fixtures/dossier-v0.1`) must verify with this one:
//! courts keep dossiers for years, and the custody format inside them is fixed.
use crate::support::{kinga, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dossier-v0.1")
        .join(name)
}

/// Offline by construction: no time-stamp token in the fixture, no trusted certificate asked for.
fn verify(zip: &Path) -> Output {
    kinga()
        .arg("verify-bundle")
        .arg(zip)
        .arg("--key")
        .arg(fixture("fixture-org.pub"))
        .env_remove("KINGA_TSA_CERT")
        .output()
        .unwrap()
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("present")
}

#[test]
fn a_dossier_of_release_0_1_still_verifies() {
    let out = verify(&fixture("dossier.zip"));
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("VALID"), "{text}");
    assert!(
        text.contains("manifest signature: valid, Ed25519 key a80b2de31ff3030f of fixture-org"),
        "{text}"
    );
    assert!(
        text.contains("custody chains: 1 item(s), 6 entries, unbroken"),
        "{text}"
    );
}

#[test]
fn a_flipped_byte_in_a_custody_entry_of_that_dossier_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let zip = std::fs::read(fixture("dossier.zip")).unwrap();
    // Inside the detail of entry 5, the transfer: both the signature over the manifest and the
    // entry's own hash must catch it.
    let at = find(&zip, b"Synthetic Court Registry");
    let mut bad = zip.clone();
    bad[at] ^= 0x01;
    let flipped = dir.path().join("flipped.zip");
    std::fs::write(&flipped, &bad).unwrap();
    let out = verify(&flipped);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("NOT VALID"), "{err}");
    assert!(
        err.contains("manifest.sig: the signature does not match"),
        "{err}"
    );
    assert!(
        err.contains(
            "custody chain of evidence 01a25270-3d56-744b-bd39-8892af5c6f59: entry 5: content does not match its hash (altered)"
        ),
        "{err}"
    );

    // Inside the exported statement itself: named by its path (the zip's CRC catches it first).
    let at = find(&zip, b"No real person");
    let mut bad = zip.clone();
    bad[at] ^= 0x01;
    std::fs::write(&flipped, &bad).unwrap();
    let out = verify(&flipped);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("failed: files/001-statement.txt: "), "{err}");
}

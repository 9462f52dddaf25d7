//! `kinga verify-bundle` on a dossier built by the vault library, then with bytes flipped.
use crate::support::{kinga, stderr, stdout};
use kinga_domain::evidence::{CustodyDraft, CustodyEntry, CustodyKind};
use kinga_vault::bundle::ExportHeader;
use kinga_vault::{BundleItem, BundleWriter, IncidentSummary, OrgSecretKeys};
use std::io::Cursor;
use std::path::Path;

fn custody(item: &str) -> Vec<CustodyEntry> {
    let mut v: Vec<CustodyEntry> = Vec::new();
    for kind in [
        CustodyKind::Receive,
        CustodyKind::Hash,
        CustodyKind::Seal,
        CustodyKind::Export,
    ] {
        let e = CustodyDraft {
            item: item.into(),
            kind,
            actor: "legal@khrc.or.ke".into(),
            at: chrono::Utc::now(),
            detail: kind.as_str().into(),
        }
        .chain(v.last());
        v.push(e);
    }
    v
}

fn dossier(keys: &OrgSecretKeys) -> Vec<u8> {
    let mut w = BundleWriter::new(Cursor::new(Vec::new()));
    for (i, name) in ["market-north.jpg", "statement-fr.txt"].iter().enumerate() {
        let data: Vec<u8> = (0..4000u32).map(|b| (b * 7 + i as u32) as u8).collect();
        let item = BundleItem {
            evidence_id: format!("ev-{i}"),
            file_name: name.to_string(),
            mime: "application/octet-stream".into(),
            role: "original".into(),
            custody: custody(&format!("ev-{i}")),
            ..Default::default()
        };
        w.add(item, &mut &data[..], Some(data.len() as u64))
            .unwrap();
    }
    let header = ExportHeader {
        exported_by: "legal@khrc.or.ke".into(),
        exported_at: "2026-11-26T22:00:00Z".into(),
        incident: IncidentSummary {
            id: "inc-1".into(),
            title: "Boy-Rabe market".into(),
            ..Default::default()
        },
    };
    w.seal(header, keys)
        .unwrap()
        .finish(None)
        .unwrap()
        .0
        .into_inner()
}

fn verify(zip: &Path, key: &Path) -> std::process::Output {
    kinga()
        .arg("verify-bundle")
        .arg(zip)
        .arg("--key")
        .arg(key)
        .output()
        .unwrap()
}

#[test]
fn verifies_offline_and_names_what_a_flipped_byte_broke() {
    let dir = tempfile::tempdir().unwrap();
    let keys = OrgSecretKeys::generate("kenya-hrc");
    let key = dir.path().join("kenya-hrc.pub");
    std::fs::write(&key, keys.public().to_text()).unwrap();
    let zip = dossier(&keys);
    let good = dir.path().join("dossier.zip");
    std::fs::write(&good, &zip).unwrap();

    let out = verify(&good, &key);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("VALID"), "{text}");
    assert!(text.contains("manifest signature: valid"), "{text}");
    assert!(text.contains("2 file(s)"), "{text}");

    // A byte inside the first exported file.
    let needle: Vec<u8> = (0..4000u32).map(|b| (b * 7) as u8).collect();
    let at = zip
        .windows(32)
        .position(|w| w == &needle[1000..1032])
        .unwrap();
    let mut bad = zip.clone();
    bad[at] ^= 0x01;
    let flipped = dir.path().join("flipped.zip");
    std::fs::write(&flipped, &bad).unwrap();
    let out = verify(&flipped, &key);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("NOT VALID") && err.contains("files/001-market-north.jpg"),
        "{err}"
    );

    // A byte of the manifest.
    let at = zip
        .windows(13)
        .position(|w| w == b"\"exported_by\"")
        .unwrap();
    let mut bad = zip.clone();
    bad[at + 3] ^= 0x20;
    std::fs::write(&flipped, &bad).unwrap();
    let err = stderr(&verify(&flipped, &key));
    assert!(
        err.contains("manifest.sig: the signature does not match"),
        "{err}"
    );

    // Any byte at all, sampled across the whole file.
    for pos in (0..zip.len()).step_by(97) {
        let mut bad = zip.clone();
        bad[pos] ^= 0x10;
        std::fs::write(&flipped, &bad).unwrap();
        let out = verify(&flipped, &key);
        assert_eq!(
            out.status.code(),
            Some(1),
            "byte {pos} unnoticed: {}",
            stdout(&out)
        );
        assert!(
            stderr(&out).contains("failed:"),
            "byte {pos}: {}",
            stderr(&out)
        );
    }

    // Another organisation's key.
    let other = dir.path().join("other.pub");
    std::fs::write(
        &other,
        OrgSecretKeys::generate("kenya-hrc").public().to_text(),
    )
    .unwrap();
    let err = stderr(&verify(&good, &other));
    assert!(err.contains("manifest.sig"), "{err}");

    // A key file that is not one.
    std::fs::write(&other, "not a key\n").unwrap();
    let out = verify(&good, &other);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
}

#[test]
fn help_shows_an_example() {
    let out = kinga().args(["verify-bundle", "--help"]).output().unwrap();
    assert!(stdout(&out).contains("kinga verify-bundle dossier.zip --key kenya-hrc.pub"));
}

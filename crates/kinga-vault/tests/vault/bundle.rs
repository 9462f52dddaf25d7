use crate::support::{content, custody, org};
use crate::timestamp::{local_tsa, stamp};
use base64::Engine;
use kinga_vault::bundle::{ExportHeader, Manifest};
use kinga_vault::keys::OrgSecretKeys;
use kinga_vault::timestamp::Tsa;
use kinga_vault::{verify_bundle, BundleItem, BundleWriter, IncidentSummary, VaultError};
use std::io::{Cursor, Read, Write};

pub fn build(keys: &OrgSecretKeys, tsa: Option<&Tsa>) -> Vec<u8> {
    build_sized(keys, tsa, 5_000)
}

fn build_sized(keys: &OrgSecretKeys, tsa: Option<&Tsa>, base: usize) -> Vec<u8> {
    let mut w = BundleWriter::new(Cursor::new(Vec::new()));
    for (i, (name, mime)) in [
        ("photo <Bangui> 1.jpg", "image/jpeg"),
        ("témoignage.txt", "text/plain"),
        ("video.mp4", "video/mp4"),
    ]
    .iter()
    .enumerate()
    {
        let data = content(base + i * base * 3 / 5, i as u64 + 100);
        let id = format!("ev-{}", i + 1);
        let sha = kinga_vault::sha256_hex(&data);
        let item = BundleItem {
            evidence_id: id.clone(),
            file_name: name.to_string(),
            mime: mime.to_string(),
            role: "original".into(),
            custody: custody(&id, &sha),
            ..Default::default()
        };
        // The last file comes without a size, as from a stream: written with zip64 fields.
        let hint = (i < 2).then_some(data.len() as u64);
        w.add(item, &mut &data[..], hint).unwrap();
    }
    let header = ExportHeader {
        exported_by: "legal@khrc.or.ke".into(),
        exported_at: "2026-11-26T22:00:00Z".into(),
        incident: IncidentSummary {
            id: "inc-7".into(),
            title: "Attack on <b>Boy-Rabe</b> market".into(),
            country: Some("CAF".into()),
            occurred: Some("2024-03-14".into()),
            summary: "Shelling of the market & nearby houses.".into(),
        },
    };
    let sealed = w.seal(header, keys).unwrap();
    let token = tsa.map(|t| stamp(t, &sealed.manifest_sha256()).0);
    let (out, manifest) = sealed.finish(token.as_deref()).unwrap();
    assert_eq!(manifest.items.len(), 3);
    out.into_inner()
}

/// Rewrites the zip with `name`'s content passed through `edit` (or added, when absent).
fn rewrite(zip_bytes: &[u8], name: &str, edit: impl Fn(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let mut seen = false;
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let n = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if n == name {
            data = edit(data);
            seen = true;
        }
        w.start_file(n.as_str(), opts).unwrap();
        w.write_all(&data).unwrap();
    }
    if !seen {
        w.start_file(name, opts).unwrap();
        w.write_all(&edit(Vec::new())).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn read(zip_bytes: &[u8], name: &str) -> Vec<u8> {
    let mut z = zip::ZipArchive::new(Cursor::new(zip_bytes)).unwrap();
    let mut v = Vec::new();
    z.by_name(name).unwrap().read_to_end(&mut v).unwrap();
    v
}

fn failures(zip_bytes: &[u8], keys: &OrgSecretKeys) -> Vec<String> {
    match verify_bundle(Cursor::new(zip_bytes), &keys.public()) {
        Ok(_) => Vec::new(),
        Err(VaultError::BundleInvalid { failures }) => failures,
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn an_intact_bundle_verifies_with_only_the_public_key() {
    let keys = org();
    let zip = build(&keys, None);
    let report = verify_bundle(Cursor::new(&zip), &keys.public()).unwrap();
    assert_eq!(report.manifest.items.len(), 3);
    assert_eq!(report.custody_entries, 12);
    assert!(report
        .checked
        .iter()
        .any(|c| c.contains("manifest signature: valid")));
    let index = String::from_utf8(read(&zip, "index.html")).unwrap();
    assert!(index.contains("Attack on &lt;b&gt;Boy-Rabe&lt;/b&gt; market"));
    assert!(index.contains("photo &lt;Bangui&gt; 1.jpg"));
    assert!(!index.contains("<b>"));
    // Another organisation's key does not verify it.
    let other = OrgSecretKeys::generate("kenya-hrc");
    let f = failures(&zip, &other);
    assert!(f.iter().any(|f| f.starts_with("manifest.sig")), "{f:?}");
}

#[test]
fn each_kind_of_tampering_is_named() {
    let keys = org();
    let zip = build(&keys, None);
    let manifest: Manifest = serde_json::from_slice(&read(&zip, "manifest.json")).unwrap();
    let first = manifest.items[0].path.clone();

    // A byte of an exported file, in place in the zip (stored, so the bytes are there).
    let data = read(&zip, &first);
    let at = zip.windows(64).position(|w| w == &data[100..164]).unwrap() + 10;
    let mut flipped = zip.clone();
    flipped[at] ^= 0x01;
    let f = failures(&flipped, &keys);
    assert!(f.iter().any(|f| f.starts_with(&first)), "{f:?}");

    // A file replaced wholesale (CRC recomputed): hash and size named.
    let f = failures(
        &rewrite(&zip, &first, |mut d| {
            d.push(0);
            d
        }),
        &keys,
    );
    assert!(
        f.iter()
            .any(|f| f.contains(&first) && f.contains("SHA-256")),
        "{f:?}"
    );
    assert!(
        f.iter().any(|f| f.contains(&first) && f.contains("bytes")),
        "{f:?}"
    );

    // The manifest: one character changed.
    let f = failures(
        &rewrite(&zip, "manifest.json", |d| {
            String::from_utf8(d)
                .unwrap()
                .replacen("legal@", "legaL@", 1)
                .into_bytes()
        }),
        &keys,
    );
    assert!(
        f.iter()
            .any(|f| f.starts_with("manifest.sig: the signature does not match")),
        "{f:?}"
    );

    // The signature.
    let f = failures(
        &rewrite(&zip, "manifest.sig", |d| {
            let mut s = base64::engine::general_purpose::STANDARD
                .decode(String::from_utf8(d).unwrap().trim())
                .unwrap();
            s[5] ^= 0x20;
            base64::engine::general_purpose::STANDARD
                .encode(s)
                .into_bytes()
        }),
        &keys,
    );
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(f[0].starts_with("manifest.sig"), "{f:?}");

    // A custody entry rewritten and the manifest re-signed by someone holding the key: the chain
    // still gives it away.
    let mut m = manifest.clone();
    m.items[1].custody[2].actor = "someone-else".into();
    let bytes = serde_json::to_vec_pretty(&m).unwrap();
    let sig = base64::engine::general_purpose::STANDARD.encode(keys.sign(&bytes));
    let forged = rewrite(
        &rewrite(&zip, "manifest.json", |_| bytes.clone()),
        "manifest.sig",
        |_| sig.clone().into_bytes(),
    );
    let f = failures(&forged, &keys);
    assert_eq!(
        f,
        vec!["custody chain of evidence ev-2: entry 3: content does not match its hash (altered)"]
    );

    // An extra file slipped in.
    let f = failures(
        &rewrite(&zip, "files/004-extra.jpg", |_| b"planted".to_vec()),
        &keys,
    );
    assert_eq!(
        f,
        vec!["files/004-extra.jpg: in the zip but not listed in the manifest"]
    );

    // index.html edited.
    let f = failures(
        &rewrite(&zip, "index.html", |d| [d, b"<!-- -->".to_vec()].concat()),
        &keys,
    );
    assert!(
        f.iter().any(|f| f.starts_with("index.html: SHA-256")),
        "{f:?}"
    );

    // Not a zip at all.
    let err = verify_bundle(Cursor::new(&zip[..zip.len() / 2]), &keys.public()).unwrap_err();
    assert!(err.to_string().contains("zip archive is damaged"), "{err}");
}

#[test]
fn every_single_flipped_byte_anywhere_fails_verification() {
    let keys = org();
    // Small files: the point is every header, directory and manifest byte.
    let zip = build_sized(&keys, None, 400);
    let mut passed = Vec::new();
    for pos in 0..zip.len() {
        let mut bad = zip.clone();
        bad[pos] ^= 0x04;
        if verify_bundle(Cursor::new(&bad), &keys.public()).is_ok() {
            passed.push(pos);
        }
    }
    assert!(
        passed.is_empty(),
        "{} of {} flipped bytes went unnoticed, first at {:?}",
        passed.len(),
        zip.len(),
        &passed[..passed.len().min(10)]
    );
}

#[test]
fn a_timestamped_bundle_verifies_and_its_token_is_checked() {
    let Some(tsa) = local_tsa() else { return };
    let keys = org();
    let zip = build(&keys, Some(&Tsa::new(&tsa.url)));
    let report = verify_bundle(Cursor::new(&zip), &keys.public()).unwrap();
    let ts = report.timestamp.expect("token checked");
    assert!(report.checked.iter().any(|c| c.contains(&ts.gen_time)));
    let f = failures(
        &rewrite(&zip, "manifest.tsr", |mut d| {
            let n = d.len();
            d[n - 40] ^= 1;
            d
        }),
        &keys,
    );
    assert!(f.iter().any(|f| f.starts_with("manifest.tsr")), "{f:?}");
    // A token for another manifest.
    let other = build(&keys, Some(&Tsa::new(&tsa.url)));
    let f = failures(
        &rewrite(&zip, "manifest.tsr", |_| read(&other, "manifest.tsr")),
        &keys,
    );
    assert!(
        f.iter().any(|f| f.contains("imprint does not match")),
        "{f:?}"
    );
}

/// zip64 offsets and sizes near 2^64 that would wrap when added: refused as a damaged layout,
/// never a panic (debug builds check overflow).
#[test]
fn zip64_offsets_that_wrap_around_are_refused() {
    let keys = org();
    let end = || {
        let mut e = 0x0605_4b50u32.to_le_bytes().to_vec();
        e.extend([0; 4]);
        e.extend(0xffffu16.to_le_bytes()); // entries on this disk: see the zip64 record
        e.extend(0xffffu16.to_le_bytes()); // entries in all
        e.extend(0xffff_ffffu32.to_le_bytes()); // directory size
        e.extend(0xffff_ffffu32.to_le_bytes()); // directory offset
        e.extend([0; 2]);
        e
    };
    let locator = |e64_at: u64| {
        let mut l = 0x0706_4b50u32.to_le_bytes().to_vec();
        l.extend(0u32.to_le_bytes());
        l.extend(e64_at.to_le_bytes());
        l.extend(1u32.to_le_bytes());
        l
    };
    // A locator pointing at the last bytes of the 64-bit range.
    let mut near_the_end = locator(u64::MAX - 10);
    near_the_end.extend(end());
    // A zip64 end record whose directory offset plus size passes 2^64.
    let mut wrapping = 0x0606_4b50u32.to_le_bytes().to_vec();
    wrapping.extend(44u64.to_le_bytes());
    wrapping.extend(45u16.to_le_bytes());
    wrapping.extend(45u16.to_le_bytes());
    wrapping.extend([0; 8]);
    wrapping.extend(0u64.to_le_bytes());
    wrapping.extend(0u64.to_le_bytes());
    wrapping.extend(u64::MAX.to_le_bytes()); // directory size
    wrapping.extend(2u64.to_le_bytes()); // directory offset
    wrapping.extend(locator(0));
    wrapping.extend(end());
    for bytes in [near_the_end, wrapping] {
        let f = failures(&bytes, &keys);
        assert!(f.iter().any(|f| f.contains("zip")), "{f:?}");
    }
}

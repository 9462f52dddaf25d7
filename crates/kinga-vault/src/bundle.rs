//! The legal dossier: a zip holding the exported files under `files/`, `manifest.json` (hashes,
//! sizes, capture metadata, custody chains, incident summary, who exported and when, which key
//! signed), a readable `index.html`, `manifest.sig` (Ed25519 over the exact manifest bytes,
//! base64) and optionally `manifest.tsr` (an RFC 3161 token over the manifest's SHA-256).
//! [`verify_bundle`] needs only the zip and the organisation's public key file.
use crate::capture::CaptureMetadata;
use crate::keys::{OrgPublicKeys, OrgSecretKeys};
use crate::timestamp::{verify_token, TimestampInfo};
use crate::{Result, VaultError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use kinga_domain::evidence::{verify_custody, CustodyEntry};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::{self, Read, Seek, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

pub const FORMAT: &str = "kinga-dossier-v1";
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.sig";
pub const TIMESTAMP: &str = "manifest.tsr";
pub const INDEX: &str = "index.html";

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred: Option<String>,
    #[serde(default)]
    pub summary: String,
}

/// One file to put in the dossier, described by the caller.
#[derive(Clone, Debug, Default)]
pub struct BundleItem {
    pub evidence_id: String,
    /// Shown to readers; sanitised for the path inside the zip.
    pub file_name: String,
    pub mime: String,
    /// `original` or `working_copy`.
    pub role: String,
    /// For a working copy: the SHA-256 of the original it was derived from.
    pub derived_from: Option<String>,
    /// Left out unless the export asks for capture metadata.
    pub capture: Option<CaptureMetadata>,
    pub custody: Vec<CustodyEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManifestItem {
    pub evidence_id: String,
    pub path: String,
    pub file_name: String,
    pub sha256: String,
    pub size: u64,
    pub mime: String,
    pub role: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture: Option<CaptureMetadata>,
    pub custody: Vec<CustodyEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub organisation: String,
    pub signing_key_id: String,
    pub exported_by: String,
    /// RFC 3339 UTC.
    pub exported_at: String,
    pub incident: IncidentSummary,
    pub items: Vec<ManifestItem>,
    pub index_html_sha256: String,
}

/// Who exported what, and when.
#[derive(Clone, Debug)]
pub struct ExportHeader {
    pub exported_by: String,
    pub exported_at: String,
    pub incident: IncidentSummary,
}

/// Streams files into the zip as they are added; nothing is held in memory but the manifest.
pub struct BundleWriter<W: Write + Seek> {
    zip: ZipWriter<W>,
    items: Vec<ManifestItem>,
}

struct HashingWriter<'a, W: Write> {
    inner: &'a mut W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for HashingWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn zerr(e: impl std::fmt::Display) -> VaultError {
    VaultError::Bundle(e.to_string())
}

fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "file".into()
    } else {
        s.chars().take(80).collect()
    }
}

impl<W: Write + Seek> BundleWriter<W> {
    pub fn new(out: W) -> Self {
        BundleWriter {
            zip: ZipWriter::new(out),
            items: Vec::new(),
        }
    }

    /// Adds one file, hashing it as it is written. A broken custody chain is refused: a dossier
    /// must not launder it.
    pub fn add(
        &mut self,
        item: BundleItem,
        content: &mut impl Read,
        size_hint: Option<u64>,
    ) -> Result<&ManifestItem> {
        verify_custody(&item.evidence_id, &item.custody)?;
        let path = format!(
            "files/{:03}-{}",
            self.items.len() + 1,
            safe_name(&item.file_name)
        );
        let opts = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .large_file(size_hint.is_none_or(|s| s >= u32::MAX as u64));
        self.zip.start_file(path.as_str(), opts).map_err(zerr)?;
        let mut w = HashingWriter {
            inner: &mut self.zip,
            hasher: Sha256::new(),
            size: 0,
        };
        io::copy(content, &mut w).map_err(crate::blob::unwrap_io)?;
        let (sha256, size) = (hex::encode(w.hasher.finalize()), w.size);
        self.items.push(ManifestItem {
            evidence_id: item.evidence_id,
            path,
            file_name: item.file_name,
            sha256,
            size,
            mime: item.mime,
            role: item.role,
            derived_from: item.derived_from,
            capture: item.capture,
            custody: item.custody,
        });
        Ok(self.items.last().expect("just pushed"))
    }

    /// Writes index, manifest and signature. The time-stamp over the manifest, when there is
    /// one, is asked for after this (a network call, kept out of the zip writing) and handed to
    /// [`SealedBundle::finish`].
    pub fn seal(mut self, header: ExportHeader, keys: &OrgSecretKeys) -> Result<SealedBundle<W>> {
        let public = keys.public();
        let mut manifest = Manifest {
            format: FORMAT.into(),
            organisation: public.org.clone(),
            signing_key_id: public.signing_key_id(),
            exported_by: header.exported_by,
            exported_at: header.exported_at,
            incident: header.incident,
            items: std::mem::take(&mut self.items),
            index_html_sha256: String::new(),
        };
        let index = crate::bundle_index::render(&manifest);
        manifest.index_html_sha256 = hex::encode(Sha256::digest(index.as_bytes()));
        let manifest_bytes = serde_json::to_vec_pretty(&manifest).map_err(zerr)?;
        for (name, bytes) in [(INDEX, index.as_bytes()), (MANIFEST, &manifest_bytes[..])] {
            self.zip.start_file(name, stored()).map_err(zerr)?;
            self.zip.write_all(bytes).map_err(zerr)?;
        }
        let sig = B64.encode(keys.sign(&manifest_bytes)) + "\n";
        self.zip.start_file(SIGNATURE, stored()).map_err(zerr)?;
        self.zip.write_all(sig.as_bytes()).map_err(zerr)?;
        Ok(SealedBundle {
            zip: self.zip,
            manifest_sha256: Sha256::digest(&manifest_bytes).into(),
            manifest,
        })
    }
}

/// Stored, not deflated: the padding bits of a deflate stream are ignored by readers, so a
/// flipped padding bit would go unnoticed; stored bytes leave no such slack.
fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

/// A dossier whose manifest is written and signed, waiting for its time-stamp, if any.
pub struct SealedBundle<W: Write + Seek> {
    zip: ZipWriter<W>,
    manifest: Manifest,
    manifest_sha256: [u8; 32],
}

impl<W: Write + Seek> SealedBundle<W> {
    /// What an RFC 3161 token for this dossier must cover.
    pub fn manifest_sha256(&self) -> [u8; 32] {
        self.manifest_sha256
    }

    /// Adds the time-stamp token (DER, from [`crate::Tsa::stamp`] over
    /// [`Self::manifest_sha256`]) if there is one, and closes the zip.
    pub fn finish(mut self, token: Option<&[u8]>) -> Result<(W, Manifest)> {
        if let Some(token) = token {
            self.zip.start_file(TIMESTAMP, stored()).map_err(zerr)?;
            self.zip.write_all(token).map_err(zerr)?;
        }
        let out = self.zip.finish().map_err(zerr)?;
        Ok((out, self.manifest))
    }
}

/// What a successful verification checked.
#[derive(Clone, Debug)]
pub struct BundleReport {
    pub manifest: Manifest,
    pub bytes: u64,
    pub custody_entries: usize,
    pub timestamp: Option<TimestampInfo>,
    pub checked: Vec<String>,
}

/// Verifies a dossier offline. Every failure is collected and named; any one fails the bundle.
pub fn verify_bundle<R: Read + Seek>(mut bundle: R, key: &OrgPublicKeys) -> Result<BundleReport> {
    let mut failures: Vec<String> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    let invalid = |failures: Vec<String>| VaultError::BundleInvalid { failures };
    match crate::zipcheck::check(&mut bundle) {
        Ok(()) => checked.push("zip layout: every header and directory entry consistent".into()),
        Err(f) => failures.push(f),
    }
    bundle
        .seek(io::SeekFrom::Start(0))
        .map_err(|e| invalid(vec![format!("cannot read the bundle: {e}")]))?;
    let mut zip = ZipArchive::new(bundle)
        .map_err(|e| invalid(vec![format!("zip archive is damaged: {e}")]))?;
    let Some(manifest_bytes) = read_small(&mut zip, MANIFEST, &mut failures) else {
        return Err(invalid(failures));
    };
    match read_small(&mut zip, SIGNATURE, &mut failures) {
        None => {}
        Some(sig) => {
            let sig = B64
                .decode(String::from_utf8_lossy(&sig).trim())
                .unwrap_or_default();
            match key.verify_signature(&manifest_bytes, &sig) {
                Ok(()) => checked.push(format!(
                    "manifest signature: valid, Ed25519 key {} of {}",
                    key.signing_key_id(),
                    key.org
                )),
                Err(_) => failures.push(format!(
                    "manifest.sig: the signature does not match manifest.json under signing key {} of {} (manifest or signature altered, or another key)",
                    key.signing_key_id(),
                    key.org
                )),
            }
        }
    }
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(m) => m,
        Err(e) => {
            failures.push(format!("manifest.json is not a valid manifest: {e}"));
            return Err(invalid(failures));
        }
    };
    if manifest.format != FORMAT {
        failures.push(format!(
            "manifest.json: format `{}`, expected `{FORMAT}`",
            manifest.format
        ));
    }
    if manifest.organisation != key.org {
        failures.push(format!(
            "manifest.json: exported by organisation `{}`, but the key file is for `{}`",
            manifest.organisation, key.org
        ));
    }
    if manifest.signing_key_id != key.signing_key_id() {
        failures.push(format!(
            "manifest.json: names signing key {}, the key file holds {}",
            manifest.signing_key_id,
            key.signing_key_id()
        ));
    }

    let mut expected: BTreeSet<String> = [MANIFEST, SIGNATURE, INDEX]
        .iter()
        .map(ToString::to_string)
        .collect();
    if zip.index_for_name(TIMESTAMP).is_some() {
        expected.insert(TIMESTAMP.into());
    }
    let (mut bytes, mut custody_entries) = (0u64, 0usize);
    for item in &manifest.items {
        if !expected.insert(item.path.clone()) {
            failures.push(format!("{}: listed twice in the manifest", item.path));
            continue;
        }
        match hash_entry(&mut zip, &item.path) {
            Err(f) => failures.push(f),
            Ok((sha, size)) => {
                if size != item.size {
                    failures.push(format!(
                        "{}: {size} bytes, manifest says {} (evidence {})",
                        item.path, item.size, item.evidence_id
                    ));
                }
                if sha != item.sha256 {
                    failures.push(format!(
                        "{}: SHA-256 is {sha}, manifest says {} (evidence {})",
                        item.path, item.sha256, item.evidence_id
                    ));
                }
                bytes += size;
            }
        }
        match verify_custody(&item.evidence_id, &item.custody) {
            Ok(()) => custody_entries += item.custody.len(),
            Err(e) => failures.push(e.to_string()),
        }
    }
    checked.push(format!(
        "{} file(s), {bytes} bytes: SHA-256 and size match the manifest",
        manifest.items.len()
    ));
    checked.push(format!(
        "custody chains: {} item(s), {custody_entries} entries, unbroken",
        manifest.items.len()
    ));

    match read_small(&mut zip, INDEX, &mut failures) {
        None => {}
        Some(index) => {
            let sha = hex::encode(Sha256::digest(&index));
            if sha != manifest.index_html_sha256 {
                failures.push(format!(
                    "index.html: SHA-256 is {sha}, manifest says {}",
                    manifest.index_html_sha256
                ));
            } else {
                checked.push("index.html matches the manifest".into());
            }
        }
    }

    let unlisted: Vec<String> = zip
        .file_names()
        .filter(|n| !expected.contains(*n))
        .map(String::from)
        .collect();
    for name in &unlisted {
        failures.push(format!("{name}: in the zip but not listed in the manifest"));
    }
    if zip.len() != zip.file_names().count() {
        failures.push("the zip holds two entries with the same name".into());
    }
    if unlisted.is_empty() {
        checked.push("no unlisted file in the zip".into());
    }

    let mut timestamp = None;
    if expected.contains(TIMESTAMP) {
        let digest: [u8; 32] = Sha256::digest(&manifest_bytes).into();
        let token = read_small(&mut zip, TIMESTAMP, &mut failures).unwrap_or_default();
        match verify_token(&token, &digest) {
            Ok(info) => {
                checked.push(format!(
                    "RFC 3161 time-stamp: manifest existed at {} (TSA \"{}\", certificate SHA-256 {}, serial {}; imprint and TSA signature checked; certificate trust: see the next line)",
                    info.gen_time, info.tsa_name, info.tsa_certificate_sha256, info.serial
                ));
                timestamp = Some(info);
            }
            Err(e) => failures.push(format!("manifest.tsr: {e}")),
        }
    }

    if failures.is_empty() {
        Ok(BundleReport {
            manifest,
            bytes,
            custody_entries,
            timestamp,
            checked,
        })
    } else {
        Err(invalid(failures))
    }
}

/// Reads a small member. A CRC-32 mismatch is reported and the stored bytes are still returned,
/// so the checks that follow (signature, hashes) name what the alteration broke.
fn read_small<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    failures: &mut Vec<String>,
) -> Option<Vec<u8>> {
    let Some(index) = zip.index_for_name(name) else {
        failures.push(format!("{name} is missing"));
        return None;
    };
    let mut v = Vec::new();
    let read = match zip.by_index(index) {
        Ok(f) => f
            .take(64 << 20)
            .read_to_end(&mut v)
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = read {
        failures.push(format!("{name} cannot be read intact ({e})"));
        v.clear();
        let raw = zip.by_index_raw(index).ok()?;
        raw.take(64 << 20).read_to_end(&mut v).ok()?;
    }
    Some(v)
}

fn hash_entry<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
) -> std::result::Result<(String, u64), String> {
    let mut f = zip
        .by_name(name)
        .map_err(|_| format!("{name}: listed in the manifest but missing from the zip"))?;
    let mut h = Sha256::new();
    let n = io::copy(&mut f, &mut h).map_err(|e| format!("{name}: cannot be read ({e})"))?;
    Ok((hex::encode(h.finalize()), n))
}

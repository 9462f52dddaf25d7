//! Evidence items, their working copies and their custody log. The bytes live in the vault; these
//! records say what the bytes are (hash, size, type), who owns and may see them, which key opens
//! them, and every hand they passed through. Each item's custody log is its own hash chain, so a
//! dossier can carry one item's history and a court can check it without the rest of the database.
use crate::ids::{IncidentId, OrgId, ReportId};
use crate::org::Slug;
use crate::Visibility;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

mod custody;
pub use custody::{
    check_custody_chain, verify_custody, CustodyBreak, CustodyDraft, CustodyEntry, CustodyEvent,
    CustodyFault, CustodyKind, UnknownCustodyKind, GENESIS,
};

macro_rules! evidence_id {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    )*};
}

evidence_id!(
    EvidenceId,
    WorkingCopyId,
    CustodyEventId,
    KeySetId,
    SealedFieldId
);

/// One version of an organisation's keys: the public halves in clear, the secret halves sealed
/// under the organisation's passphrase. Retired versions stay so that old signatures still verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgKeySet {
    pub id: KeySetId,
    pub organisation_id: OrgId,
    pub version: i64,
    /// X25519 public key that data keys are wrapped to (hex).
    pub encryption_public: String,
    /// Ed25519 public key that verifies the organisation's dossiers (hex).
    pub signing_public: String,
    /// Both secret keys, encrypted under a key derived from the passphrase (vault format).
    pub sealed_secret: String,
    pub created_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrgKeySet {
    pub organisation_id: OrgId,
    pub encryption_public: String,
    pub signing_public: String,
    pub sealed_secret: String,
}

/// A sealed original: never altered; served only with a custody event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceItem {
    pub id: EvidenceId,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub incident_id: Option<IncidentId>,
    pub report_id: Option<ReportId>,
    /// SHA-256 of the bytes as received (hex).
    pub sha256: String,
    pub size: i64,
    /// Detected from the content, not the file name.
    pub media_type: String,
    /// Whether a browser may render it in a page; anything else is served as an attachment.
    pub inline_safe: bool,
    /// The file name as the sender gave it; shown, never used as a path.
    pub original_name: Option<String>,
    pub blob_address: String,
    /// SHA-256 of the encrypted blob: lets `kinga verify` check the vault without any key.
    pub blob_sha256: String,
    pub wrapped_key: String,
    pub key_version: i64,
    pub capture_metadata: Option<serde_json::Value>,
    pub perceptual_hash: Option<String>,
    pub received_by: String,
    pub received_at: DateTime<Utc>,
}

/// What intake hands to the store once the bytes are sealed in the vault.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvidence {
    pub visibility: Visibility,
    pub incident_id: Option<IncidentId>,
    pub report_id: Option<ReportId>,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub inline_safe: bool,
    pub original_name: Option<String>,
    pub blob_address: String,
    pub blob_sha256: String,
    pub wrapped_key: String,
    pub key_version: i64,
    pub capture_metadata: Option<serde_json::Value>,
    pub perceptual_hash: Option<String>,
}

/// A copy derived from a sealed original (metadata stripped, thumbnail, blurred), with its lineage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingCopy {
    pub id: WorkingCopyId,
    pub evidence_id: EvidenceId,
    pub derived_from_sha256: String,
    /// How it was made, e.g. `metadata stripped`.
    pub derivation: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub blob_address: String,
    pub blob_sha256: String,
    pub wrapped_key: String,
    pub key_version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Left out of the serialised record when `stripped`, so copies recorded before kinds
    /// existed keep the audit digest they were written with.
    #[serde(default, skip_serializing_if = "CopyKind::is_stripped")]
    pub kind: CopyKind,
    /// How it was made, as JSON (`{"method":"blur","regions":[…]}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWorkingCopy {
    pub evidence_id: EvidenceId,
    pub derivation: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub blob_address: String,
    pub blob_sha256: String,
    pub wrapped_key: String,
    pub key_version: i64,
    pub kind: CopyKind,
    pub params: Option<serde_json::Value>,
}

/// What a working copy is for. The metadata-stripped copy is the one served by default; the
/// others are made on request and kept beside it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyKind {
    /// Capture metadata removed, image data untouched.
    #[default]
    Stripped,
    /// A small re-encoded preview.
    Thumbnail,
    /// Regions blurred beyond recognition, for publication.
    Blurred,
}

impl CopyKind {
    pub const ALL: [CopyKind; 3] = [CopyKind::Stripped, CopyKind::Thumbnail, CopyKind::Blurred];

    pub fn as_str(&self) -> &'static str {
        match self {
            CopyKind::Stripped => "stripped",
            CopyKind::Thumbnail => "thumbnail",
            CopyKind::Blurred => "blurred",
        }
    }

    pub fn is_stripped(&self) -> bool {
        *self == CopyKind::Stripped
    }
}

impl fmt::Display for CopyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CopyKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CopyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("'{s}' is not a kind of working copy"))
    }
}

/// A data key rewrapped under a new key version (rotation re-encrypts no blob).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrap {
    pub target: RewrapTarget,
    pub wrapped_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewrapTarget {
    Original(EvidenceId),
    Copy(WorkingCopyId),
    /// For a sealed field, `wrapped_key` carries the value sealed again to the new key.
    Field(SealedFieldId),
}

/// A field of a record (a report's witness name or contact) encrypted to the owning
/// organisation's key before it reaches the store: the store never sees the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedField {
    pub id: SealedFieldId,
    pub organisation_id: OrgId,
    /// `report`.
    pub record_kind: String,
    pub record_id: String,
    /// `witness_name`, `witness_contact`, `exact_location`.
    pub field: String,
    pub key_version: i64,
    pub ciphertext: String,
    pub sealed_by: String,
    pub sealed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSealedField {
    pub report: ReportId,
    pub field: String,
    pub key_version: i64,
    pub ciphertext: String,
}

/// The fields that may be sealed on a report.
pub const SEALED_REPORT_FIELDS: [&str; 3] = ["witness_name", "witness_contact", "exact_location"];

/// Hamming distance between two perceptual hashes of the same length (hex); `None` when they
/// cannot be compared.
pub fn perceptual_distance(a: &str, b: &str) -> Option<u32> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (a, b) = (hex::decode(a).ok()?, hex::decode(b).ok()?);
    Some(a.iter().zip(&b).map(|(x, y)| (x ^ y).count_ones()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_event_breaks_the_chain() {
        let id = EvidenceId::new();
        let now = crate::time::now();
        let a = CustodyEvent::next(None, id, CustodyKind::Receive, "a@x.org", now, None);
        let b = CustodyEvent::next(Some(&a), id, CustodyKind::Seal, "a@x.org", now, None);
        assert!(check_custody_chain(&[a.clone(), b.clone()]).is_ok());
        let mut forged = b.clone();
        forged.actor = "someone@else.org".into();
        let err = check_custody_chain(&[a.clone(), forged]).unwrap_err();
        assert!(err.contains("custody event 2"), "{err}");
        assert!(check_custody_chain(&[b]).is_err());
    }

    #[test]
    fn distance_counts_differing_bits() {
        assert_eq!(perceptual_distance("ff00", "fe00"), Some(1));
        assert_eq!(perceptual_distance("ff00", "ff00"), Some(0));
        assert_eq!(perceptual_distance("ff", "ff00"), None);
    }
}

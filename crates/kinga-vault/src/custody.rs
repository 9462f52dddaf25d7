//! The custody log of one evidence item: every receive, hash, seal, view, download, derive,
//! export, transfer, verify and deletion request, each entry's hash covering the previous one's,
//! so an edited, dropped or reordered entry breaks the chain at a named place. Pure functions;
//! storing entries (and tying them to the audit chain) is the store's job.
use crate::{Result, VaultError};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of an item's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustodyKind {
    Receive,
    Hash,
    Seal,
    View,
    Download,
    Derive,
    Export,
    Transfer,
    Verify,
    DeletionRequest,
}

impl CustodyKind {
    pub const ALL: [CustodyKind; 10] = [
        CustodyKind::Receive,
        CustodyKind::Hash,
        CustodyKind::Seal,
        CustodyKind::View,
        CustodyKind::Download,
        CustodyKind::Derive,
        CustodyKind::Export,
        CustodyKind::Transfer,
        CustodyKind::Verify,
        CustodyKind::DeletionRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CustodyKind::Receive => "receive",
            CustodyKind::Hash => "hash",
            CustodyKind::Seal => "seal",
            CustodyKind::View => "view",
            CustodyKind::Download => "download",
            CustodyKind::Derive => "derive",
            CustodyKind::Export => "export",
            CustodyKind::Transfer => "transfer",
            CustodyKind::Verify => "verify",
            CustodyKind::DeletionRequest => "deletion_request",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// The evidence item's id.
    pub item: String,
    /// 1, 2, 3… within the item.
    pub seq: i64,
    pub kind: CustodyKind,
    pub actor: String,
    /// RFC 3339, UTC, microseconds.
    pub at: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// An entry before it takes its place in the item's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodyDraft {
    pub item: String,
    pub kind: CustodyKind,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub detail: String,
}

impl CustodyDraft {
    /// Appends after `prev` (None for the item's first entry).
    pub fn chain(self, prev: Option<&CustodyEntry>) -> CustodyEntry {
        let mut e = CustodyEntry {
            item: self.item,
            seq: prev.map_or(1, |p| p.seq + 1),
            kind: self.kind,
            actor: self.actor,
            at: self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            detail: self.detail,
            prev_hash: prev.map_or(GENESIS.to_string(), |p| p.hash.clone()),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }
}

impl CustodyEntry {
    /// SHA-256 of a JSON array of every field but `hash`: unambiguous, and easy to recompute in
    /// any language from the manifest.
    pub fn compute_hash(&self) -> String {
        let canonical = serde_json::to_vec(&(
            "kinga-custody-v1",
            &self.item,
            self.seq,
            self.kind.as_str(),
            &self.actor,
            &self.at,
            &self.detail,
            &self.prev_hash,
        ))
        .expect("serialisable");
        hex::encode(Sha256::digest(canonical))
    }
}

/// Checks an item's whole chain, naming the first entry that does not fit.
pub fn verify_custody(item: &str, entries: &[CustodyEntry]) -> Result<()> {
    let fail = |seq: i64, message: String| VaultError::Custody {
        item: item.to_string(),
        seq,
        message,
    };
    let mut prev: Option<&CustodyEntry> = None;
    for (i, e) in entries.iter().enumerate() {
        let want_seq = i as i64 + 1;
        if e.item != item {
            return Err(fail(e.seq, format!("belongs to item {}", e.item)));
        }
        if e.seq != want_seq {
            return Err(fail(
                e.seq,
                format!(
                    "out of place: expected entry {want_seq} (an entry is missing or reordered)"
                ),
            ));
        }
        let want_prev = prev.map_or(GENESIS, |p| p.hash.as_str());
        if e.prev_hash != want_prev {
            return Err(fail(
                e.seq,
                "does not follow the previous entry's hash".into(),
            ));
        }
        if e.compute_hash() != e.hash {
            return Err(fail(
                e.seq,
                "content does not match its hash (altered)".into(),
            ));
        }
        prev = Some(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize) -> Vec<CustodyEntry> {
        let mut v: Vec<CustodyEntry> = Vec::new();
        for (i, kind) in CustodyKind::ALL.into_iter().cycle().take(n).enumerate() {
            let e = CustodyDraft {
                item: "ev-1".into(),
                kind,
                actor: format!("user-{i}"),
                at: Utc::now(),
                detail: format!("step {i}"),
            }
            .chain(v.last());
            v.push(e);
        }
        v
    }

    #[test]
    fn intact_chain_verifies() {
        verify_custody("ev-1", &chain(10)).unwrap();
        verify_custody("ev-1", &[]).unwrap();
        for k in CustodyKind::ALL {
            assert_eq!(CustodyKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn edits_drops_and_swaps_are_named() {
        let mut c = chain(5);
        c[2].detail = "step two, rewritten".into();
        let err = verify_custody("ev-1", &c).unwrap_err().to_string();
        assert!(err.contains("entry 3") && err.contains("altered"), "{err}");

        let mut c = chain(5);
        c.remove(1);
        let err = verify_custody("ev-1", &c).unwrap_err().to_string();
        assert!(err.contains("expected entry 2"), "{err}");

        let mut c = chain(5);
        c[3].seq = 5;
        c[4].seq = 4;
        c.swap(3, 4);
        let err = verify_custody("ev-1", &c).unwrap_err().to_string();
        assert!(err.contains("entry 4"), "{err}");

        let c = chain(2);
        let err = verify_custody("ev-2", &c).unwrap_err().to_string();
        assert!(err.contains("belongs to item ev-1"), "{err}");
    }
}

//! An evidence item's custody chain: every receive, hash, seal, view, download, derive, export,
//! transfer, verify and deletion request, each entry's hash covering the previous one's, so an
//! edited, dropped or reordered entry breaks the chain at a named place. The store keeps
//! [`CustodyEvent`]s; a dossier carries their [`CustodyEntry`] form and is checked with the same
//! rules here, so a chain means the same in the database and in front of a court.
use super::{CustodyEventId, EvidenceId};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;

/// The `prev_hash` of an item's first entry: the same zero hash the audit chain starts from.
pub use crate::audit::GENESIS;

/// What happened to an item: the words of the Berkeley Protocol's custody log, spelt as the
/// `kinga-custody-v1` format spells them, so entries travel into dossiers as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// The word that is hashed, stored and written into dossiers; never change one.
    pub fn as_str(&self) -> &'static str {
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

    /// For reading stored rows back; `None` is a word this release does not know.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for CustodyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a custody event kind")]
pub struct UnknownCustodyKind(pub String);

impl FromStr for CustodyKind {
    type Err = UnknownCustodyKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CustodyKind::parse(s).ok_or_else(|| UnknownCustodyKind(s.to_string()))
    }
}

/// One entry as a dossier's manifest carries it: every hashed field as the text that is hashed,
/// so a verifier recomputes the hash from the manifest alone, in any language. Its JSON is part
/// of the signed dossier format: the fields, their order and their spelling must not change.
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
    /// Empty when the event has none.
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl CustodyEntry {
    /// SHA-256 of the JSON array `["kinga-custody-v1", item, seq, kind, actor, at, detail,
    /// prev_hash]`: unambiguous, and easy to recompute in any language from the manifest.
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
        .expect("custody entries serialise");
        hex::encode(Sha256::digest(canonical))
    }

    /// Whether this is the entry of `item`'s chain that follows `prev` (`None`: the first).
    pub fn check_link(&self, item: &str, prev: Option<&CustodyEntry>) -> Result<(), CustodyFault> {
        if self.item != item {
            return Err(CustodyFault::OtherItem(self.item.clone()));
        }
        let expected = prev.map_or(1, |p| p.seq + 1);
        if self.seq != expected {
            return Err(CustodyFault::OutOfPlace { expected });
        }
        if self.prev_hash != prev.map_or(GENESIS, |p| p.hash.as_str()) {
            return Err(CustodyFault::Unlinked);
        }
        if self.compute_hash() != self.hash {
            return Err(CustodyFault::Altered);
        }
        Ok(())
    }
}

/// An entry before it takes its place in an item's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustodyDraft {
    pub item: String,
    pub kind: CustodyKind,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub detail: String,
}

impl CustodyDraft {
    /// Appends after `prev` (`None` for the item's first entry).
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

/// Why an entry does not fit where it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustodyFault {
    #[error("belongs to item {0}")]
    OtherItem(String),
    #[error("out of place: expected entry {expected} (an entry is missing or reordered)")]
    OutOfPlace { expected: i64 },
    #[error("does not follow the previous entry's hash")]
    Unlinked,
    #[error("content does not match its hash (altered)")]
    Altered,
}

/// The first entry of a chain that does not fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("custody chain of evidence {item}: entry {seq}: {fault}")]
pub struct CustodyBreak {
    pub item: String,
    pub seq: i64,
    pub fault: CustodyFault,
}

/// Checks an item's whole chain, oldest first, naming the first entry that does not fit.
pub fn verify_custody(item: &str, entries: &[CustodyEntry]) -> Result<(), CustodyBreak> {
    let mut prev = None;
    for e in entries {
        e.check_link(item, prev).map_err(|fault| CustodyBreak {
            item: item.to_string(),
            seq: e.seq,
            fault,
        })?;
        prev = Some(e);
    }
    Ok(())
}

/// One stored link of an item's custody chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustodyEvent {
    pub id: CustodyEventId,
    pub evidence_id: EvidenceId,
    pub seq: i64,
    pub kind: CustodyKind,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub detail: Option<String>,
    pub prev_hash: String,
    pub entry_hash: String,
}

impl CustodyEvent {
    /// The event as dossiers carry it; its `hash` is the stored one, not recomputed.
    pub fn entry(&self) -> CustodyEntry {
        CustodyEntry {
            item: self.evidence_id.to_string(),
            seq: self.seq,
            kind: self.kind,
            actor: self.actor.clone(),
            at: self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
            detail: self.detail.clone().unwrap_or_default(),
            prev_hash: self.prev_hash.clone(),
            hash: self.entry_hash.clone(),
        }
    }

    /// The `kinga-custody-v1` hash of the event's [`entry`](Self::entry).
    pub fn compute_hash(&self) -> String {
        self.entry().compute_hash()
    }

    /// The event that follows `prev` (or opens the chain), its hash computed.
    pub fn next(
        prev: Option<&CustodyEvent>,
        evidence_id: EvidenceId,
        kind: CustodyKind,
        actor: &str,
        at: DateTime<Utc>,
        detail: Option<String>,
    ) -> CustodyEvent {
        let linked = CustodyDraft {
            item: evidence_id.to_string(),
            kind,
            actor: actor.to_string(),
            at,
            detail: detail.clone().unwrap_or_default(),
        }
        .chain(prev.map(CustodyEvent::entry).as_ref());
        CustodyEvent {
            id: CustodyEventId::new(),
            evidence_id,
            seq: linked.seq,
            kind,
            actor: linked.actor,
            at,
            detail,
            prev_hash: linked.prev_hash,
            entry_hash: linked.hash,
        }
    }

    /// Whether this event follows `prev` (`None`: the first of its item), worded as `kinga
    /// verify` reports a stored chain.
    pub fn check_link(&self, prev: Option<&CustodyEvent>) -> Result<(), String> {
        let item = self.evidence_id.to_string();
        let at = format!("evidence {item} custody event {}", self.seq);
        let prev = prev.map(CustodyEvent::entry);
        self.entry()
            .check_link(&item, prev.as_ref())
            .map_err(|fault| match fault {
                CustodyFault::OutOfPlace { expected } => {
                    format!("{at}: expected sequence number {expected}")
                }
                CustodyFault::Unlinked => {
                    format!("{at}: its prev_hash does not match the event before it")
                }
                CustodyFault::Altered => format!("{at}: its hash does not match its content"),
                other => format!("{at}: {other}"),
            })
    }
}

/// Checks one item's stored events, oldest first; names the first broken link.
pub fn check_custody_chain(events: &[CustodyEvent]) -> Result<(), String> {
    let mut prev = None;
    for e in events {
        e.check_link(prev)?;
        prev = Some(e);
    }
    Ok(())
}

#[cfg(test)]
mod tests;

//! The audit chain. Every write appends an entry whose hash covers the previous entry's hash and
//! digests of the record before and after the change, so that deleting, reordering or editing
//! an entry, or changing a record without an entry, shows up when the chain is recomputed.
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub organisation: Option<String>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub explanation: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// An entry before it takes its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditDraft {
    pub actor: String,
    pub organisation: Option<String>,
    pub entity: &'static str,
    pub entity_id: String,
    pub action: &'static str,
    pub before_digest: Option<String>,
    pub after_digest: Option<String>,
    pub explanation: Option<String>,
}

impl AuditDraft {
    pub fn seal(self, seq: i64, at: DateTime<Utc>, prev_hash: &str) -> AuditEntry {
        let mut e = AuditEntry {
            seq,
            at,
            actor: self.actor,
            organisation: self.organisation,
            entity: self.entity.to_string(),
            entity_id: self.entity_id,
            action: self.action.to_string(),
            before_digest: self.before_digest,
            after_digest: self.after_digest,
            explanation: self.explanation,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }
}

impl AuditEntry {
    /// Each field is length-prefixed so that no two different entries hash the same input.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |s: &str| {
            h.update((s.len() as u64).to_be_bytes());
            h.update(s.as_bytes());
        };
        put(&self.seq.to_string());
        put(&self.at.to_rfc3339_opts(SecondsFormat::Micros, true));
        put(&self.actor);
        put(self.organisation.as_deref().unwrap_or("\u{0}"));
        put(&self.entity);
        put(&self.entity_id);
        put(&self.action);
        put(self.before_digest.as_deref().unwrap_or("\u{0}"));
        put(self.after_digest.as_deref().unwrap_or("\u{0}"));
        put(self.explanation.as_deref().unwrap_or("\u{0}"));
        put(&self.prev_hash);
        hex::encode(h.finalize())
    }
}

/// SHA-256 of a record's canonical JSON: what the audit chain says the record looked like.
pub fn digest<T: Serialize>(record: &T) -> String {
    // Streamed into the hash: an import digests every row, and the JSON itself is not kept.
    // The serialiser writes a few bytes at a time; hashing them in blocks halves the cost.
    let mut hashing = std::io::BufWriter::with_capacity(1024, Hashing(Sha256::new()));
    serde_json::to_writer(&mut hashing, record).expect("domain records serialise");
    let hash = match hashing.into_inner() {
        Ok(h) => h.0.finalize(),
        Err(_) => unreachable!("hashing never fails"),
    };
    let mut hex = [0u8; 64];
    hex::encode_to_slice(hash, &mut hex).expect("64 digits for 32 bytes");
    String::from_utf8(hex.to_vec()).expect("hex digits are ASCII")
}

struct Hashing(Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("audit entry {seq}: expected sequence number {expected}")]
    Gap { seq: i64, expected: i64 },
    #[error("audit entry {seq}: its prev_hash does not match entry {}'s hash", seq - 1)]
    Link { seq: i64 },
    #[error("audit entry {seq}: its hash does not match its content")]
    Content { seq: i64 },
    #[error(
        "{entity} {entity_id}: the stored record does not match its last audit entry (seq {seq})"
    )]
    Record {
        entity: String,
        entity_id: String,
        seq: i64,
    },
    #[error("{entity} {entity_id}: the stored record has no audit entry")]
    Unaudited { entity: String, entity_id: String },
    #[error("{entity} {entity_id}: the audit chain records it (seq {seq}) but it is missing from the database")]
    Missing {
        entity: String,
        entity_id: String,
        seq: i64,
    },
}

/// Recomputes the chain one entry at a time (so the whole log never sits in memory), then
/// checks the stored records against the digests the chain ends with.
#[derive(Default)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: Option<String>,
    latest: HashMap<(String, String), (i64, Option<String>, bool)>,
    pub entries: u64,
    pub records: u64,
}

impl ChainVerifier {
    pub fn new() -> Self {
        ChainVerifier {
            expected_seq: 1,
            ..Default::default()
        }
    }

    pub fn push(&mut self, e: &AuditEntry) -> Result<(), ChainBreak> {
        if e.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                seq: e.seq,
                expected: self.expected_seq,
            });
        }
        let prev = self.prev_hash.as_deref().unwrap_or(GENESIS);
        if e.prev_hash != prev {
            return Err(ChainBreak::Link { seq: e.seq });
        }
        if e.compute_hash() != e.hash {
            return Err(ChainBreak::Content { seq: e.seq });
        }
        self.prev_hash = Some(e.hash.clone());
        self.expected_seq += 1;
        self.entries += 1;
        self.latest.insert(
            (e.entity.clone(), e.entity_id.clone()),
            (e.seq, e.after_digest.clone(), false),
        );
        Ok(())
    }

    pub fn head(&self) -> (i64, String) {
        (
            self.expected_seq - 1,
            self.prev_hash
                .clone()
                .unwrap_or_else(|| GENESIS.to_string()),
        )
    }

    /// Checks one stored record; call it for every record of every audited table.
    pub fn check_record(
        &mut self,
        entity: &str,
        entity_id: &str,
        digest: &str,
    ) -> Result<(), ChainBreak> {
        self.records += 1;
        match self
            .latest
            .get_mut(&(entity.to_string(), entity_id.to_string()))
        {
            None => Err(ChainBreak::Unaudited {
                entity: entity.to_string(),
                entity_id: entity_id.to_string(),
            }),
            Some((seq, d, _)) if d.as_deref() != Some(digest) => Err(ChainBreak::Record {
                entity: entity.to_string(),
                entity_id: entity_id.to_string(),
                seq: *seq,
            }),
            Some((_, _, seen)) => {
                *seen = true;
                Ok(())
            }
        }
    }

    /// After every record was checked: a record the chain says exists but was not found has
    /// been deleted behind the log's back. Reports the earliest such entry.
    pub fn finish(&self) -> Result<(), ChainBreak> {
        let missing = self
            .latest
            .iter()
            .filter(|(_, (_, digest, seen))| digest.is_some() && !seen)
            .min_by_key(|(_, (seq, _, _))| *seq);
        match missing {
            Some(((entity, entity_id), (seq, _, _))) => Err(ChainBreak::Missing {
                entity: entity.clone(),
                entity_id: entity_id.clone(),
                seq: *seq,
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str) -> AuditDraft {
        AuditDraft {
            actor: "a@b.org".into(),
            organisation: Some("org".into()),
            entity: "report",
            entity_id: id.into(),
            action: "create",
            before_digest: None,
            after_digest: Some(digest(&id)),
            explanation: None,
        }
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let e = draft(&i.to_string()).seal(i, crate::time::now(), &prev);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn a_digest_is_the_hash_of_the_records_json() {
        let record = serde_json::json!({
            "title": "Bossangoa, Ouham — attaque",
            "deaths": [57, null, 1.5],
            "nested": {"quote": "\"S/2013/787\"", "empty": ""},
        });
        let whole = serde_json::to_vec(&record).unwrap();
        assert_eq!(digest(&record), hex::encode(Sha256::digest(&whole)));
        assert_ne!(digest(&record), digest(&serde_json::json!({"title": ""})));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let mut v = ChainVerifier::new();
        for e in chain(5) {
            v.push(&e).unwrap();
        }
        for i in 1..=5 {
            let id = i.to_string();
            v.check_record("report", &id, &digest(&id)).unwrap();
        }
        v.finish().unwrap();
        assert_eq!(v.head().0, 5);
    }

    #[test]
    fn tampering_is_named() {
        let mut c = chain(5);
        c[2].explanation = Some("edited".into());
        let mut v = ChainVerifier::new();
        let err = c.iter().try_for_each(|e| v.push(e)).unwrap_err();
        assert_eq!(err, ChainBreak::Content { seq: 3 });

        let mut c = chain(5);
        c.remove(1);
        let mut v = ChainVerifier::new();
        let err = c.iter().try_for_each(|e| v.push(e)).unwrap_err();
        assert_eq!(
            err,
            ChainBreak::Gap {
                seq: 3,
                expected: 2
            }
        );

        let mut v = ChainVerifier::new();
        chain(2).iter().try_for_each(|e| v.push(e)).unwrap();
        assert!(matches!(
            v.check_record("report", "1", "feed"),
            Err(ChainBreak::Record { .. })
        ));
        assert!(matches!(
            v.check_record("report", "9", "feed"),
            Err(ChainBreak::Unaudited { .. })
        ));
        assert!(matches!(
            v.finish(),
            Err(ChainBreak::Missing { seq: 1, .. })
        ));
    }
}

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

/// Recomputes the chain one entry at a time: it holds the next sequence number and the last
/// hash, nothing per entry, so neither the log nor what it names ever sits in memory.
#[derive(Default)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: Option<String>,
    pub entries: u64,
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
}

/// One stored record as the verifier sees it: what it is and the digest of what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub entity: &'static str,
    pub entity_id: String,
    pub digest: String,
}

/// The last audit entry of one record: its sequence number and what it says the record became
/// (`None` once deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastEntry {
    pub seq: i64,
    pub after_digest: Option<String>,
}

/// Checks stored records against their last audit entries a page at a time. The caller adds
/// records until the page is full, looks up the last entries of that page's ids only, and
/// hands them to [`RecordChecker::check_page`], which empties the page: memory holds one page
/// of records and their entries, whatever the number of records or entries. Records the chain
/// names but the database lacks are found by the caller's own query, not here, since that
/// would mean remembering every id seen.
pub struct RecordChecker {
    page: Vec<StoredRecord>,
    capacity: usize,
    first: Option<ChainBreak>,
    pub records: u64,
}

impl RecordChecker {
    pub fn new(capacity: usize) -> Self {
        RecordChecker {
            page: Vec::with_capacity(capacity),
            capacity: capacity.max(1),
            first: None,
            records: 0,
        }
    }

    /// Adds one stored record to the page; true when the page is full and must be checked
    /// before the next record is added. After a break, records are counted no more.
    pub fn add(&mut self, entity: &'static str, entity_id: String, digest: String) -> bool {
        if self.first.is_none() {
            self.page.push(StoredRecord {
                entity,
                entity_id,
                digest,
            });
        }
        self.page.len() >= self.capacity
    }

    /// The records waiting to be checked: the ids whose last entries the caller looks up.
    pub fn page(&self) -> &[StoredRecord] {
        &self.page
    }

    /// Checks the page against the last entries of its ids (keyed by entity and id; an id
    /// absent from `last` has none) and empties it. Keeps the first break, in the order the
    /// records were added.
    pub fn check_page(&mut self, last: &HashMap<(&'static str, String), LastEntry>) {
        for r in self.page.drain(..) {
            if self.first.is_some() {
                break;
            }
            self.records += 1;
            self.first = match last.get(&(r.entity, r.entity_id.clone())) {
                None => Some(ChainBreak::Unaudited {
                    entity: r.entity.to_string(),
                    entity_id: r.entity_id,
                }),
                Some(e) if e.after_digest.as_deref() != Some(r.digest.as_str()) => {
                    Some(ChainBreak::Record {
                        entity: r.entity.to_string(),
                        entity_id: r.entity_id,
                        seq: e.seq,
                    })
                }
                Some(_) => None,
            };
        }
        self.page.clear();
    }

    /// The first record that did not match, if any.
    pub fn first_break(&self) -> Option<&ChainBreak> {
        self.first.as_ref()
    }

    /// How many records the checker holds now: never more than one page.
    pub fn held(&self) -> usize {
        self.page.len()
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
        assert_eq!(v.head().0, 5);
        assert_eq!(v.entries, 5);
    }

    /// What `check_page` would be given for `ids`: the last entries the chain of `chain(n)`
    /// ends with.
    fn last_of(ids: &[StoredRecord]) -> HashMap<(&'static str, String), LastEntry> {
        ids.iter()
            .filter_map(|r| {
                let n: i64 = r.entity_id.parse().ok()?;
                Some((
                    (r.entity, r.entity_id.clone()),
                    LastEntry {
                        seq: n,
                        after_digest: Some(digest(&r.entity_id)),
                    },
                ))
            })
            .collect()
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

        let mut r = RecordChecker::new(10);
        r.add("report", "1".into(), "feed".into());
        r.add("report", "9".into(), "feed".into());
        let last = last_of(r.page());
        r.check_page(&last);
        assert_eq!(
            r.first_break(),
            Some(&ChainBreak::Record {
                entity: "report".into(),
                entity_id: "1".into(),
                seq: 1
            })
        );

        let mut r = RecordChecker::new(10);
        r.add("report", "x".into(), "feed".into());
        let last = last_of(r.page());
        r.check_page(&last);
        assert!(matches!(
            r.first_break(),
            Some(ChainBreak::Unaudited { .. })
        ));
    }

    /// The verifier's state does not grow with the data: after 100,000 records, the chain
    /// verifier holds two values and the record checker at most one page.
    #[test]
    fn verifying_many_records_holds_one_page_at_most() {
        let mut v = ChainVerifier::new();
        let mut prev = GENESIS.to_string();
        let mut r = RecordChecker::new(500);
        let mut most = 0;
        for i in 1..=100_000i64 {
            let e = draft(&i.to_string()).seal(i, crate::time::now(), &prev);
            prev = e.hash.clone();
            v.push(&e).unwrap();
            if r.add("report", i.to_string(), digest(&i.to_string())) {
                most = most.max(r.held());
                let last = last_of(r.page());
                r.check_page(&last);
            }
            most = most.max(r.held());
        }
        let last = last_of(r.page());
        r.check_page(&last);
        assert_eq!(r.first_break(), None);
        assert_eq!((v.entries, r.records), (100_000, 100_000));
        assert!(most <= 500, "held {most} records at once");
        assert_eq!(r.held(), 0);
    }
}

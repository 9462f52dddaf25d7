//! Time-stamped checkpoints of the audit chain head: an RFC 3161 token over the head hash proves
//! the chain up to that entry existed at the token's time, so a chain rewritten before it (even
//! one re-hashed consistently) no longer matches.
use crate::{Actor, Result};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The last entry of the audit chain: its sequence number and hash (hex SHA-256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewCheckpoint {
    pub seq: i64,
    pub head_hash: String,
    /// The DER time-stamp token as received from the authority.
    pub token: Vec<u8>,
    /// The token's genTime, as the authority wrote it.
    pub gen_time: String,
    /// The authority's URL.
    pub tsa: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checkpoint {
    pub id: String,
    pub seq: i64,
    pub head_hash: String,
    pub token: Vec<u8>,
    pub gen_time: String,
    pub tsa: String,
    pub created_at: DateTime<Utc>,
}

#[async_trait]
pub trait CheckpointStore {
    /// The audit chain head as last committed.
    async fn audit_head(&self) -> Result<AuditHead>;
    /// The hash the chain holds at `seq`, if there is such an entry.
    async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>>;
    async fn add_checkpoint(&self, actor: &Actor, new: NewCheckpoint) -> Result<Checkpoint>;
    /// Every checkpoint, oldest first.
    async fn checkpoints(&self) -> Result<Vec<Checkpoint>>;
}

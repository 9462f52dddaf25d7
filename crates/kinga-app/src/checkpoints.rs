//! Checkpoints of the audit chain: its head time-stamped by an authority outside Kinga and kept,
//! so that `kinga verify` can show the chain was not rewritten before the stamp. The
//! authority is asked by the caller; this layer reads the chain and keeps the tokens.
use crate::records::{AuditHead, Checkpoint, NewCheckpoint};
use crate::{Result, System};

impl System {
    /// The newest entry of the audit chain: what a checkpoint stamps.
    #[tracing::instrument(skip_all)]
    pub async fn audit_head(&self) -> Result<AuditHead> {
        Ok(self.store.audit_head().await?)
    }

    /// The hash the chain holds at `seq` today, to compare with the one stamped then.
    #[tracing::instrument(skip_all, fields(seq))]
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        Ok(self.store.audit_hash_at(seq).await?)
    }

    /// Keeps a time-stamp token of the chain head; the keeping is itself an audited write.
    #[tracing::instrument(skip_all, fields(seq = new.seq, tsa = %new.tsa))]
    pub async fn record_checkpoint(&self, new: NewCheckpoint) -> Result<Checkpoint> {
        Ok(self.store.add_checkpoint(&self.actor, new).await?)
    }

    /// Every checkpoint kept, oldest first.
    #[tracing::instrument(skip_all)]
    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        Ok(self.store.checkpoints().await?)
    }
}

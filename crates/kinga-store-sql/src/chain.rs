use crate::change::Change;
use crate::Tx;
use kinga_domain::audit::{AuditDraft, AuditEntry};
use kinga_store::{Actor, Result};

/// The head of the audit chain as seen inside the current write transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    pub seq: i64,
    pub hash: String,
}

pub const INSERT_ENTRY: &str = "INSERT INTO audit_log (seq, at, actor, organisation, entity, entity_id, action, before_digest, after_digest, explanation, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

pub const ENTRY_COLUMNS: &str = "seq, at, actor, organisation, entity, entity_id, action, before_digest, after_digest, explanation, prev_hash, hash";

impl Chain {
    /// Appends the entry `actor` makes by `change`.
    pub(crate) async fn record(
        &mut self,
        tx: &mut dyn Tx,
        actor: &Actor,
        change: Change,
    ) -> Result<AuditEntry> {
        self.append(tx, change.by(actor)).await
    }

    pub async fn append(&mut self, tx: &mut dyn Tx, draft: AuditDraft) -> Result<AuditEntry> {
        let e = draft.seal(self.seq + 1, kinga_domain::time::now(), &self.hash);
        tx.execute(
            INSERT_ENTRY,
            vec![
                e.seq.into(),
                crate::records::timestamp(&e.at).into(),
                e.actor.clone().into(),
                e.organisation.clone().into(),
                e.entity.clone().into(),
                e.entity_id.clone().into(),
                e.action.clone().into(),
                e.before_digest.clone().into(),
                e.after_digest.clone().into(),
                e.explanation.clone().into(),
                e.prev_hash.clone().into(),
                e.hash.clone().into(),
            ],
        )
        .await?;
        self.seq = e.seq;
        self.hash = e.hash.clone();
        Ok(e)
    }

    /// Reads the head inside a transaction; PostgreSQL passes `FOR UPDATE` so concurrent
    /// servers take turns appending.
    pub async fn load(tx: &mut dyn Tx, lock_clause: &str) -> Result<Chain> {
        let rows = tx
            .fetch(
                &format!("SELECT seq, hash FROM audit_head WHERE id = 1 {lock_clause}"),
                vec![],
            )
            .await?;
        let row = rows
            .first()
            .ok_or_else(|| kinga_store::StoreError::Backend("audit_head row is missing".into()))?;
        Ok(Chain {
            seq: row.int("seq")?,
            hash: row.text("hash")?,
        })
    }

    pub async fn save(&self, tx: &mut dyn Tx) -> Result<()> {
        tx.execute(
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            vec![self.seq.into(), self.hash.clone().into()],
        )
        .await?;
        Ok(())
    }
}

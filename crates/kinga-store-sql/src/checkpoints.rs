//! Audit checkpoints in SQL. The token is kept as hex text so both drivers store it the same
//! way; each checkpoint is one audited row whose digest covers every column.
use crate::change::Change;
use crate::records::timestamp;
use crate::{Engine, SqlRow, SqlStore};
use chrono::{DateTime, Utc};
use kinga_store::{Actor, Result, StoreError};
use kinga_store::{AuditHead, Checkpoint, CheckpointStore, NewCheckpoint};

const COLUMNS: &str = "id, seq, head_hash, token, gen_time, tsa, created_at";

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table: "audit_checkpoints",
        detail: detail.into(),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Result<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return Err(corrupt("token is not hex"));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| corrupt("token is not hex")))
        .collect()
}

fn checkpoint(r: &SqlRow) -> Result<Checkpoint> {
    let created = r.text("created_at")?;
    Ok(Checkpoint {
        id: r.text("id")?,
        seq: r.int("seq")?,
        head_hash: r.text("head_hash")?,
        token: from_hex(&r.text("token")?)?,
        gen_time: r.text("gen_time")?,
        tsa: r.text("tsa")?,
        created_at: DateTime::parse_from_rfc3339(&created)
            .map_err(|e| corrupt(format!("created_at: {e}")))?
            .with_timezone(&Utc),
    })
}

pub(super) async fn all<E: Engine>(store: &SqlStore<E>) -> Result<Vec<Checkpoint>> {
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {COLUMNS} FROM audit_checkpoints ORDER BY seq, id"),
            vec![],
        )
        .await?;
    rows.iter().map(checkpoint).collect()
}

/// Feeds verification the digest of every stored checkpoint.
#[async_trait::async_trait]
impl<E: Engine> CheckpointStore for SqlStore<E> {
    async fn audit_head(&self) -> Result<AuditHead> {
        let rows = self
            .engine
            .fetch("SELECT seq, hash FROM audit_head WHERE id = 1", vec![])
            .await?;
        let row = rows
            .first()
            .ok_or_else(|| StoreError::Backend("audit_head row is missing".into()))?;
        Ok(AuditHead {
            seq: row.int("seq")?,
            hash: row.text("hash")?,
        })
    }

    async fn audit_hash_at(&self, seq: i64) -> Result<Option<String>> {
        let rows = self
            .engine
            .fetch(
                "SELECT hash FROM audit_log WHERE seq = $1",
                vec![seq.into()],
            )
            .await?;
        rows.first().map(|r| r.text("hash")).transpose()
    }

    async fn add_checkpoint(&self, actor: &Actor, new: NewCheckpoint) -> Result<Checkpoint> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                let c = Checkpoint {
                    id: kinga_domain::event::new_batch_id(),
                    seq: new.seq,
                    head_hash: new.head_hash,
                    token: new.token,
                    gen_time: new.gen_time,
                    tsa: new.tsa,
                    created_at: kinga_domain::time::now(),
                };
                tx.execute(
                    &format!(
                        "INSERT INTO audit_checkpoints ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    ),
                    vec![
                        c.id.clone().into(),
                        c.seq.into(),
                        c.head_hash.clone().into(),
                        to_hex(&c.token).into(),
                        c.gen_time.clone().into(),
                        c.tsa.clone().into(),
                        timestamp(&c.created_at).into(),
                    ],
                )
                .await?;
                chain.record(tx, &actor, Change::created(&c).explained(format!(
                                "audit chain head {} time-stamped at {} by {}",
                                c.seq, c.gen_time, c.tsa
                            )))
                    .await?;
                Ok(c)
            })
        })
        .await
    }

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
        all(self).await
    }
}

//! `kinga evidence checkpoint`: the audit chain head time-stamped by an RFC 3161 authority, and
//! the check `kinga verify` makes of every checkpoint kept.
use crate::cli::Db;
use crate::Failure;
use kinga_store::{Actor, Checkpoint, NewCheckpoint};

/// The audit chain's hashes are hex SHA-256; anything else was not written by Kinga.
fn head_digest(hash: &str) -> Option<[u8; 32]> {
    if hash.len() != 64 || !hash.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hash[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub async fn run(db: &Db, tsa: &str) -> Result<(), Failure> {
    let url = tsa.trim().to_string();
    if !url.starts_with("http://") {
        return Err(Failure::Input(format!(
            "evidence checkpoint: --tsa {url}: only http:// time-stamp authorities are supported (the token is signed by the authority, so transport security adds nothing to it)"
        )));
    }
    let store = crate::database::open(db).await?;
    let head = store.audit_head().await?;
    let digest = head_digest(&head.hash).ok_or_else(|| {
        Failure::Broken(format!(
            "audit chain head {} has a malformed hash '{}'",
            head.seq, head.hash
        ))
    })?;
    let authority = kinga_vault::Tsa::new(url.clone());
    let (token, info) = tokio::task::spawn_blocking(move || authority.stamp(&digest))
        .await
        .map_err(|e| Failure::Other(format!("evidence checkpoint: {e}")))?
        .map_err(|e| {
            Failure::Other(format!(
                "evidence checkpoint: time-stamp authority {url}: {e}; nothing recorded"
            ))
        })?;
    let c = store
        .add_checkpoint(
            &Actor::system("evidence checkpoint"),
            NewCheckpoint {
                seq: head.seq,
                head_hash: head.hash,
                token,
                gen_time: info.gen_time.clone(),
                tsa: url,
            },
        )
        .await?;
    println!(
        "checkpoint {}: audit entry {} ({}) time-stamped at {} by {} (serial {}, policy {})",
        c.id, c.seq, c.head_hash, info.gen_time, info.tsa_name, info.serial, info.policy
    );
    Ok(())
}

/// Why one checkpoint no longer holds, or `None` when it does.
async fn problem(store: &dyn kinga_store::Store, c: &Checkpoint) -> Option<String> {
    let Some(digest) = head_digest(&c.head_hash) else {
        return Some(format!("its head hash '{}' is malformed", c.head_hash));
    };
    if let Err(e) = kinga_vault::timestamp::verify_token(&c.token, &digest) {
        return Some(format!("its time-stamp token does not hold ({e})"));
    }
    match store.audit_hash_at(c.seq).await {
        Ok(Some(h)) if h == c.head_hash => None,
        Ok(Some(h)) => Some(format!(
            "audit entry {} now has hash {h}, not the time-stamped {}: the chain was rewritten",
            c.seq, c.head_hash
        )),
        Ok(None) => Some(format!("audit entry {} is gone", c.seq)),
        Err(e) => Some(format!("audit entry {} cannot be read ({e})", c.seq)),
    }
}

/// Every checkpoint: its token covers its head hash, verifies, and the chain still holds that
/// hash at that entry — so a chain rewritten before a checkpoint is caught even when re-hashed
/// consistently.
pub async fn verify_all(db: &Db) -> Result<(), Failure> {
    let store = crate::database::open(db).await?;
    let all = store.checkpoints().await?;
    for c in &all {
        if let Some(why) = problem(store.as_ref(), c).await {
            return Err(Failure::Broken(format!(
                "checkpoint {} (audit entry {}, time-stamped at {} by {}): {why}",
                c.id, c.seq, c.gen_time, c.tsa
            )));
        }
    }
    match all.last() {
        Some(c) => println!(
            "intact: {} time-stamped checkpoint(s) of the audit chain; the latest covers entry {} at {}",
            all.len(),
            c.seq,
            c.gen_time
        ),
        None => println!("no time-stamped checkpoint of the audit chain yet (kinga evidence checkpoint)"),
    }
    Ok(())
}

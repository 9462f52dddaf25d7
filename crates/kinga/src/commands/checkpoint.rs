//! `kinga evidence checkpoint`: the audit chain head time-stamped by an RFC 3161 authority, and
//! the check `kinga verify` makes of every checkpoint kept.
use crate::cli::Db;
use crate::Failure;
use kinga_app::records::{Checkpoint, NewCheckpoint};
use kinga_app::System;
use kinga_vault::timestamp::TrustAnchors;
use std::path::Path;

/// The trusted TSA certificates named by `--tsa-cert` / KINGA_TSA_CERT, if any.
pub fn tsa_anchors(path: Option<&Path>) -> Result<Option<TrustAnchors>, Failure> {
    match path {
        None => Ok(None),
        Some(p) if p.as_os_str().is_empty() => Ok(None),
        Some(p) => TrustAnchors::from_file(p)
            .map(Some)
            .map_err(|e| Failure::Input(format!("--tsa-cert: {e}"))),
    }
}

/// What to say when no trusted TSA certificate was given.
pub fn untrusted_note(fingerprints: &[String]) -> String {
    let (what, was) = if fingerprints.len() == 1 {
        ("certificate", "was")
    } else {
        ("certificates", "were")
    };
    format!(
        "the TSA {what} (SHA-256 {}) {was} NOT checked against a trusted certificate: give the TSA's or its CA's certificate with --tsa-cert FILE.pem (or KINGA_TSA_CERT)",
        fingerprints.join(", ")
    )
}

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
    let url = tsa_url(tsa, "--tsa")?;
    let system = super::system(db, CHECKPOINT_TASK).await?;
    println!("{}", take(&system, &url).await?);
    Ok(())
}

/// The authority's address, checked before anything is asked of it.
pub fn tsa_url(tsa: &str, flag: &str) -> Result<String, Failure> {
    let url = tsa.trim().to_string();
    if !url.starts_with("http://") {
        return Err(Failure::Input(format!(
            "{flag} {url}: only http:// time-stamp authorities are supported (the token is signed by the authority, so transport security adds nothing to it)"
        )));
    }
    Ok(url)
}

/// The task checkpoints are recorded under, from the command and from the server's schedule.
pub const CHECKPOINT_TASK: &str = "evidence checkpoint";

/// Time-stamps the chain head and keeps the token; what was done, in one line.
pub async fn take(system: &System, url: &str) -> Result<String, Failure> {
    let url = url.to_string();
    let head = system.audit_head().await?;
    let digest = head_digest(&head.hash).ok_or_else(|| {
        Failure::Broken(format!(
            "audit chain head {} has a malformed hash '{}'",
            head.seq, head.hash
        ))
    })?;
    let authority = kinga_vault::Tsa::new(url.clone());
    let (token, info) = authority.stamp(&digest).await.map_err(|e| {
        Failure::Other(format!(
            "evidence checkpoint: time-stamp authority {url}: {e}; nothing recorded"
        ))
    })?;
    let c = system
        .record_checkpoint(NewCheckpoint {
            seq: head.seq,
            head_hash: head.hash,
            token,
            gen_time: info.gen_time.clone(),
            tsa: url,
        })
        .await?;
    Ok(format!(
        "checkpoint {}: audit entry {} ({}) time-stamped at {} by {} (serial {}, policy {})",
        c.id, c.seq, c.head_hash, info.gen_time, info.tsa_name, info.serial, info.policy
    ))
}

/// Time-stamps the chain head this often while the server runs, so that a rollback of the
/// chain's tail is caught without anyone remembering to run the command; a head already
/// checkpointed is not stamped again.
pub fn schedule(system: System, every: std::time::Duration, url: String) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // The checkpoint is itself an audited write: the head it leaves behind needs no stamp.
        let mut stamped_to: Option<i64> = None;
        loop {
            ticks.tick().await;
            let head = system.audit_head().await.ok().map(|h| h.seq);
            if head.is_some() && head == stamped_to {
                continue;
            }
            match take(&system, &url).await {
                Ok(done) => {
                    tracing::info!("{done}");
                    stamped_to = system.audit_head().await.ok().map(|h| h.seq);
                }
                Err(e) => tracing::error!("scheduled checkpoint failed: {e}"),
            }
        }
    });
}

/// Why one checkpoint no longer holds, or `None` when it does; the TSA certificate's
/// fingerprint on the way.
async fn problem(
    system: &System,
    c: &Checkpoint,
    trust: Option<&TrustAnchors>,
    fingerprints: &mut Vec<String>,
) -> Option<String> {
    let Some(digest) = head_digest(&c.head_hash) else {
        return Some(format!("its head hash '{}' is malformed", c.head_hash));
    };
    let info = match kinga_vault::timestamp::verify_token(&c.token, &digest) {
        Ok(info) => info,
        Err(e) => return Some(format!("its time-stamp token does not hold ({e})")),
    };
    if let Some(anchors) = trust {
        if let Err(e) = anchors.check(&info) {
            return Some(format!("its time-stamp token does not hold ({e})"));
        }
    }
    if !fingerprints.contains(&info.tsa_certificate_sha256) {
        fingerprints.push(info.tsa_certificate_sha256);
    }
    match system.audit_hash_at(c.seq).await {
        Ok(Some(h)) if h == c.head_hash => None,
        Ok(Some(h)) => Some(format!(
            "audit entry {} now has hash {h}, not the time-stamped {}: the chain was rewritten",
            c.seq, c.head_hash
        )),
        Ok(None) => Some(format!("audit entry {} is gone", c.seq)),
        Err(e) => Some(format!("audit entry {} cannot be read ({e})", c.seq)),
    }
}

/// Every checkpoint: its token covers its head hash, verifies (and its TSA certificate is
/// trusted, when anchors are given), and the chain still holds that hash at that entry — so a
/// chain rewritten before a checkpoint is caught even when re-hashed consistently.
pub async fn verify_all(db: &Db, trust: Option<&TrustAnchors>) -> Result<(), Failure> {
    let system = super::system(db, "verify").await?;
    let all = system.checkpoints().await?;
    let mut fingerprints = Vec::new();
    for c in &all {
        if let Some(why) = problem(&system, c, trust, &mut fingerprints).await {
            return Err(Failure::Broken(format!(
                "checkpoint {} (audit entry {}, time-stamped at {} by {}): {why}",
                c.id, c.seq, c.gen_time, c.tsa
            )));
        }
    }
    match all.last() {
        Some(c) => {
            println!(
                "intact: {} time-stamped checkpoint(s) of the audit chain; the latest covers entry {} at {}",
                all.len(),
                c.seq,
                c.gen_time
            );
            match trust {
                Some(anchors) => println!(
                    "trusted: every checkpoint's TSA certificate (SHA-256 {}) is one of, or issued by, the certificates in {}, valid at its time, for time-stamping (revocation not checked)",
                    fingerprints.join(", "),
                    anchors.source
                ),
                None => println!("not checked: {}", untrusted_note(&fingerprints)),
            }
        }
        None => println!(
            "no time-stamped checkpoint of the audit chain yet (kinga evidence checkpoint)"
        ),
    }
    Ok(())
}

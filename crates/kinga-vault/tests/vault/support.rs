use kinga_domain::evidence::{CustodyDraft, CustodyEntry, CustodyKind};
use kinga_vault::keys::{KdfParams, OrgSecretKeys};

/// Cheap Argon2id cost: the tests exercise the format, not the cost.
pub fn fast_kdf() -> KdfParams {
    KdfParams {
        memory_kib: 1024,
        iterations: 1,
        parallelism: 1,
    }
}

pub fn org() -> OrgSecretKeys {
    OrgSecretKeys::generate("kenya-hrc")
}

/// Deterministic, incompressible-looking content.
pub fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn custody(item: &str, sha: &str) -> Vec<CustodyEntry> {
    let mut v: Vec<CustodyEntry> = Vec::new();
    for (kind, detail) in [
        (CustodyKind::Receive, "uploaded from the field".to_string()),
        (CustodyKind::Hash, format!("sha256 {sha}")),
        (
            CustodyKind::Seal,
            "sealed under the organisation key".to_string(),
        ),
        (
            CustodyKind::Export,
            "dossier for the prosecutor".to_string(),
        ),
    ] {
        let e = CustodyDraft {
            item: item.into(),
            kind,
            actor: "legal@khrc.or.ke".into(),
            at: chrono::Utc::now(),
            detail,
        }
        .chain(v.last());
        v.push(e);
    }
    v
}

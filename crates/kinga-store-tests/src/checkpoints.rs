//! Audit checkpoints: the head read through the store, a token kept byte for byte, and a
//! checkpoint edited behind Kinga's back named by verification.
use crate::{org, RawSql};
use kinga_store::*;

pub async fn checkpoints_story(store: &dyn Store, raw: RawSql<'_>) {
    let actor = Actor::system("conformance");
    store
        .add_organisation(&actor, org("irri", "IRRI", &[]))
        .await
        .unwrap();
    let head = store.audit_head().await.unwrap();
    assert!(head.seq >= 1, "{head:?}");
    assert_eq!(
        store.audit_hash_at(head.seq).await.unwrap(),
        Some(head.hash.clone())
    );
    assert_eq!(store.audit_hash_at(head.seq + 1).await.unwrap(), None);

    // Every byte value survives the round trip.
    let token: Vec<u8> = (0..=255u8).rev().collect();
    let made = store
        .add_checkpoint(
            &actor,
            NewCheckpoint {
                seq: head.seq,
                head_hash: head.hash.clone(),
                token: token.clone(),
                gen_time: "20261127001500Z".into(),
                tsa: "http://tsa.example.org/".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.checkpoints().await.unwrap(), vec![made.clone()]);
    assert_eq!(made.token, token);
    // The checkpoint itself is the next audit entry.
    let after = store.audit_head().await.unwrap();
    assert_eq!(after.seq, head.seq + 1);
    let trail = store.audit_trail(&made.id).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].entity, "audit_checkpoint");
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw(format!(
        "UPDATE audit_checkpoints SET head_hash = '{}' WHERE id = '{}'",
        after.hash, made.id
    ))
    .await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("edit found");
    assert!(broken.contains(&made.id), "{broken}");
}

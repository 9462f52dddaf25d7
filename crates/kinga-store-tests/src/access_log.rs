//! The access log: unlocking and locking an organisation's keys and reading a report's sealed
//! fields leave entries in the audit chain with no record behind them. They must link into the
//! chain like any write, pass `verify` beside the records they name, and an entry edited or
//! removed behind Kinga's back must be named.
use crate::{actor, org, report, user, RawSql};
use kinga_domain::Role;
use kinga_store::*;

pub async fn access_log_story(store: &dyn Store, raw: RawSql<'_>) {
    let sys = Actor::system("conformance");
    let o = store
        .add_organisation(&sys, org("irri", "IRRI", &[]))
        .await
        .unwrap();
    let admin = user(store, &o, Role::Admin, "admin@irri.org").await;
    let legal = user(store, &o, Role::Legal, "legal@irri.org").await;
    let r = store
        .submit_report(
            &actor(&legal),
            report("Shots fired near the well", "organisation"),
        )
        .await
        .unwrap();
    let before = store.audit_head().await.unwrap();

    let events = [
        (actor(&admin), AccessEvent::KeysUnlocked { org: o.id }),
        (
            actor(&legal),
            AccessEvent::SealedFieldsRead {
                report: r.id,
                fields: vec!["witness_name".into(), "exact_location".into()],
            },
        ),
        (actor(&admin), AccessEvent::KeysLocked { org: o.id }),
    ];
    let mut written = Vec::new();
    for (who, event) in events {
        let e = store.record_access(&who, event.clone()).await.unwrap();
        assert_eq!(e.entity, event.entity());
        assert_eq!(e.action, event.action());
        assert_eq!(e.entity_id, event.entity_id());
        assert_eq!(e.explanation.as_deref(), Some(event.explanation().as_str()));
        assert_eq!(e.actor, who.label);
        assert_eq!(e.organisation.as_deref(), Some("irri"));
        // Nothing stands behind an access entry, so it never claims a record's digest.
        assert_eq!(
            (e.before_digest.as_deref(), e.after_digest.as_deref()),
            (None, None)
        );
        written.push(e);
    }

    // Each entry is the next link of the one chain, and the head moves with it.
    assert_eq!(written[0].seq, before.seq + 1);
    assert_eq!(written[0].prev_hash, before.hash);
    for w in written.windows(2) {
        assert_eq!(w[1].seq, w[0].seq + 1);
        assert_eq!(w[1].prev_hash, w[0].hash);
    }
    for e in &written {
        assert_eq!(e.compute_hash(), e.hash);
        assert_eq!(
            store.audit_hash_at(e.seq).await.unwrap().as_deref(),
            Some(e.hash.as_str())
        );
    }
    let head = store.audit_head().await.unwrap();
    assert_eq!((head.seq, &head.hash), (written[2].seq, &written[2].hash));

    // They are found under what they concern, stored exactly as returned.
    let keys = store.audit_trail(&o.id.to_string()).await.unwrap();
    let key_actions: Vec<(&str, &str)> = keys
        .iter()
        .filter(|e| e.entity == "org_keys_access")
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        key_actions,
        [("unlock", "admin@irri.org"), ("lock", "admin@irri.org")]
    );
    let on_report = store.audit_trail(&r.id.to_string()).await.unwrap();
    assert_eq!(
        on_report.last().map(|e| (&e.entity, &e.hash)),
        Some((&written[1].entity, &written[1].hash))
    );
    assert_eq!(on_report[0].entity, "report");

    // `kinga verify` accepts them, and the report they name still matches its own last change.
    let ok = store.verify().await.unwrap();
    assert_eq!(ok.first_break, None);
    assert!(ok.entries >= head.seq as u64, "{ok:?}");

    // Rewriting who read the sealed fields is caught; the exact original restores the proof.
    let read = &written[1];
    raw(format!(
        "UPDATE audit_log SET actor = 'admin@irri.org' WHERE seq = {}",
        read.seq
    ))
    .await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("a rewritten reader is caught");
    assert_eq!(
        broken,
        format!(
            "audit entry {}: its hash does not match its content",
            read.seq
        )
    );
    raw(format!(
        "UPDATE audit_log SET actor = 'legal@irri.org' WHERE seq = {}",
        read.seq
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    // So is a changed list of fields read, even with a recomputed hash: the next link no
    // longer matches.
    let mut forged = read.clone();
    forged.explanation = Some("sealed fields shown in clear: witness_name".into());
    forged.hash = forged.compute_hash();
    raw(format!(
        "UPDATE audit_log SET explanation = '{}', hash = '{}' WHERE seq = {}",
        forged.explanation.as_deref().unwrap(),
        forged.hash,
        read.seq
    ))
    .await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("a forged entry is caught");
    assert_eq!(
        broken,
        format!(
            "audit entry {}: its prev_hash does not match entry {}'s hash",
            read.seq + 1,
            read.seq
        )
    );

    // And a reading removed from the log leaves a gap.
    raw(format!("DELETE FROM audit_log WHERE seq = {}", read.seq)).await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("a removed entry is caught");
    assert_eq!(
        broken,
        format!(
            "audit entry {}: expected sequence number {}",
            read.seq + 1,
            read.seq
        )
    );
}

//! Workflow belongs to the record's owner: a case worker of another organisation who can read a
//! report or an incident (shared with the network, or public) may not triage it, link it, move
//! its status, assign it or take its edit lock. Nothing they try changes the record or the chain.
use crate::{actor, incident, org, report, scope, user};
use kinga_domain::incident::IncidentStatus;
use kinga_domain::report::{TriageDecision, TriageStatus};
use kinga_domain::Role;
use kinga_store::*;

fn refused<T: std::fmt::Debug>(what: &str, r: Result<T>) {
    match r {
        Err(StoreError::Rule(m)) => {
            assert!(m.contains("only the organisation that owns"), "{what}: {m}");
        }
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

pub async fn owner_only_workflow_story(store: &dyn Store) {
    let sys = Actor::system("conformance");
    let a = store
        .add_organisation(&sys, org("alpha", "Alpha", &["net"]))
        .await
        .unwrap();
    let b = store
        .add_organisation(&sys, org("bravo", "Bravo", &["net"]))
        .await
        .unwrap();
    let c = store
        .add_organisation(&sys, org("charlie", "Charlie", &[]))
        .await
        .unwrap();
    let owner = user(store, &a, Role::Analyst, "analyst@alpha.org").await;
    let peer = user(store, &b, Role::Coordinator, "coordinator@bravo.org").await;
    let outsider = user(store, &c, Role::Admin, "admin@charlie.org").await;
    let s_owner = scope(&owner, &[a.id, b.id]);
    let s_peer = scope(&peer, &[a.id, b.id]);
    let s_out = scope(&outsider, &[]);

    let mut cases = Vec::new();
    for visibility in ["network", "public"] {
        let r = store
            .submit_report(&actor(&owner), report("Shots near the market", visibility))
            .await
            .unwrap();
        let mut new = incident("Market attack", "2013-12-05", &["war_crimes"]);
        new.visibility = visibility.parse().unwrap();
        let i = store.create_incident(&actor(&owner), new).await.unwrap();
        cases.push((visibility, r, i));
    }
    let head = store.audit_head().await.unwrap();

    for (visibility, r, i) in &cases {
        let mut intruders = vec![(&peer, &s_peer)];
        if *visibility == "public" {
            intruders.push((&outsider, &s_out));
        }
        for (who, sc) in intruders {
            let tag = format!("{} on a {visibility} record", who.email);
            // They can read it: that is what made the writes possible before.
            assert!(store.report(sc, r.id).await.unwrap().is_some(), "{tag}");
            assert!(store.incident(sc, i.id).await.unwrap().is_some(), "{tag}");
            refused(
                &format!("{tag}: reject"),
                store
                    .triage_report(
                        &actor(who),
                        sc,
                        r.id,
                        TriageDecision::Reject {
                            reason: "not ours".into(),
                        },
                    )
                    .await,
            );
            refused(
                &format!("{tag}: accept"),
                store
                    .triage_report(&actor(who), sc, r.id, TriageDecision::Accept)
                    .await,
            );
            refused(
                &format!("{tag}: link"),
                store.link_report(&actor(who), sc, r.id, i.id).await,
            );
            refused(
                &format!("{tag}: status"),
                store
                    .set_incident_status(
                        &actor(who),
                        sc,
                        i.id,
                        IncidentStatus::InVerification,
                        None,
                    )
                    .await,
            );
            refused(
                &format!("{tag}: assign"),
                store.assign_incident(&actor(who), sc, i.id, None).await,
            );
            refused(
                &format!("{tag}: lock"),
                store
                    .lock_incident(&actor(who), sc, i.id, chrono::Duration::minutes(30))
                    .await,
            );
        }
        // The intruder's own report cannot be linked into the owner's incident either.
        let theirs = store
            .submit_report(&actor(&peer), report("Seen from the road", "network"))
            .await
            .unwrap();
        refused(
            "link into another organisation's incident",
            store
                .link_report(&actor(&peer), &s_peer, theirs.id, i.id)
                .await,
        );
        assert_eq!(
            store
                .report(&s_owner, r.id)
                .await
                .unwrap()
                .unwrap()
                .triage_status,
            TriageStatus::New
        );
        let detail = store
            .incident_detail(&s_owner, i.id)
            .await
            .unwrap()
            .unwrap();
        assert!(detail.lock.is_none());
    }
    // Nothing reached the chain but the intruder's own report.
    let after = store.audit_head().await.unwrap();
    assert_eq!(after.seq, head.seq + 2);

    // The owner still can.
    for (_, r, i) in &cases {
        store
            .triage_report(&actor(&owner), &s_owner, r.id, TriageDecision::Accept)
            .await
            .unwrap();
        store
            .link_report(&actor(&owner), &s_owner, r.id, i.id)
            .await
            .unwrap();
        store
            .set_incident_status(
                &actor(&owner),
                &s_owner,
                i.id,
                IncidentStatus::InVerification,
                None,
            )
            .await
            .unwrap();
        store
            .assign_incident(&actor(&owner), &s_owner, i.id, Some(owner.id))
            .await
            .unwrap();
        store
            .lock_incident(
                &actor(&owner),
                &s_owner,
                i.id,
                chrono::Duration::minutes(30),
            )
            .await
            .unwrap();
    }
    assert_eq!(store.verify().await.unwrap().first_break, None);
}

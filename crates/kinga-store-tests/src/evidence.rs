//! The evidence part of the conformance story: keys, sealed originals, working copies, custody,
//! near-duplicates, rotation, and what the verifier says when a row is edited behind Kinga's back.
use crate::RawSql;
use kinga_domain::evidence::*;
use kinga_domain::incident::NewIncident;
use kinga_domain::org::{NewOrganisation, Organisation};
use kinga_domain::user::{Email, User};
use kinga_domain::{Role, Visibility};
use kinga_store::*;
use serde_json::json;

struct World {
    alpha: Organisation,
    legal_a: User,
    monitor_a: User,
    analyst_b: User,
    incident: kinga_domain::incident::Incident,
}

fn scope(u: &User, peers: &[kinga_domain::ids::OrgId]) -> Scope {
    Scope {
        user_id: Some(u.id),
        organisation_id: Some(u.organisation_id),
        role: Some(u.role),
        network_peers: peers.to_vec(),
        own_reports_only: u.role.sees_only_own_reports(),
        everything: false,
    }
}

fn actor(u: &User) -> Actor {
    Actor {
        user_id: Some(u.id),
        label: u.email.to_string(),
        organisation_id: Some(u.organisation_id),
        organisation: Some(u.organisation.clone()),
    }
}

async fn world(store: &dyn Store) -> World {
    let sys = Actor::system("conformance");
    let org = |slug: &str, nets: &[&str]| {
        let nets: Vec<String> = nets.iter().map(ToString::to_string).collect();
        NewOrganisation::parse(slug, slug, Some("CAF"), &nets).expect("valid organisation")
    };
    let alpha = store
        .add_organisation(&sys, org("ev-alpha", &["ev-net"]))
        .await
        .unwrap();
    let bravo = store
        .add_organisation(&sys, org("ev-bravo", &["ev-net"]))
        .await
        .unwrap();
    let user = |o: &Organisation, role: Role, email: &str| NewUser {
        organisation: o.slug.clone(),
        role,
        email: Email::parse(email).unwrap(),
        password_hash: "$argon2id$placeholder-for-storage-tests".into(),
        totp_secret: None,
    };
    let legal_a = store
        .add_user(&sys, user(&alpha, Role::Legal, "legal@ev-alpha.org"))
        .await
        .unwrap();
    let monitor_a = store
        .add_user(&sys, user(&alpha, Role::Monitor, "monitor@ev-alpha.org"))
        .await
        .unwrap();
    let analyst_b = store
        .add_user(&sys, user(&bravo, Role::Analyst, "analyst@ev-bravo.org"))
        .await
        .unwrap();
    let new = NewIncident::parse(&json!({
        "title": "Attack on Bossangoa market", "country": "CAF", "date_start": "2013-12-05",
        "visibility": "network"
    }))
    .unwrap();
    let incident = store.create_incident(&actor(&legal_a), new).await.unwrap();
    World {
        alpha,
        legal_a,
        monitor_a,
        analyst_b,
        incident,
    }
}

fn keys(org: &Organisation, tag: &str) -> NewOrgKeySet {
    NewOrgKeySet {
        organisation_id: org.id,
        encryption_public: format!("enc-{tag}"),
        signing_public: format!("sig-{tag}"),
        sealed_secret: format!("sealed-{tag}"),
    }
}

fn photo(w: &World, sha: &str, phash: &str, visibility: Visibility) -> NewEvidence {
    NewEvidence {
        visibility,
        incident_id: Some(w.incident.id),
        report_id: None,
        sha256: sha.into(),
        size: 1234,
        media_type: "image/jpeg".into(),
        inline_safe: true,
        original_name: Some("IMG_0001.JPG".into()),
        blob_address: format!("blob-{sha}"),
        blob_sha256: format!("cipher-{sha}"),
        wrapped_key: format!("wrapped-{sha}-v1"),
        key_version: 1,
        capture_metadata: Some(json!({"gps": {"lat": 6.4926, "lon": 17.4526}, "device": "Tecno"})),
        perceptual_hash: Some(phash.into()),
    }
}

pub async fn evidence_story(store: &dyn Store) {
    let w = world(store).await;
    let peers = store.network_peers(w.alpha.id).await.unwrap();
    let (legal, monitor, outsider) = (
        scope(&w.legal_a, &peers),
        scope(&w.monitor_a, &peers),
        scope(&w.analyst_b, &peers),
    );

    // Keys: one set per organisation; a second is a conflict.
    let k1 = store
        .add_org_keys(&Actor::system("conformance"), keys(&w.alpha, "v1"))
        .await
        .unwrap();
    assert_eq!(k1.version, 1);
    assert!(matches!(
        store
            .add_org_keys(&Actor::system("conformance"), keys(&w.alpha, "again"))
            .await,
        Err(StoreError::Conflict(_))
    ));

    // Intake: the item and its received → hashed → sealed chain.
    let item = store
        .add_evidence(
            &actor(&w.legal_a),
            &legal,
            photo(&w, "aa11", "ff00ff00ff00ff00", Visibility::Restricted),
        )
        .await
        .unwrap();
    assert_eq!(item.organisation_id, w.alpha.id);
    assert_eq!(item.received_by, "legal@ev-alpha.org");
    let log = store.custody_log(&legal, item.id).await.unwrap();
    let kinds: Vec<_> = log.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![CustodyKind::Receive, CustodyKind::Hash, CustodyKind::Seal]
    );
    assert!(check_custody_chain(&log).is_ok());
    assert_eq!(
        store.evidence(&legal, item.id).await.unwrap().as_ref(),
        Some(&item),
        "the record reads back exactly as written"
    );

    // Visibility: restricted evidence is hidden from the monitor and from the other
    // organisation, and the two are told "not found" alike.
    assert!(store.evidence(&monitor, item.id).await.unwrap().is_none());
    assert!(store.evidence(&outsider, item.id).await.unwrap().is_none());
    assert!(matches!(
        store.custody_log(&outsider, item.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .record_custody(
                &actor(&w.analyst_b),
                &outsider,
                item.id,
                CustodyKind::View,
                None
            )
            .await,
        Err(StoreError::NotFound)
    ));

    // A second, network-visible near-duplicate and a distant image.
    let near = store
        .add_evidence(
            &actor(&w.legal_a),
            &legal,
            photo(&w, "bb22", "ff00ff00ff00ff01", Visibility::Network),
        )
        .await
        .unwrap();
    let far = store
        .add_evidence(
            &actor(&w.legal_a),
            &legal,
            photo(&w, "cc33", "00ff00ff00ff00ff", Visibility::Network),
        )
        .await
        .unwrap();
    let similar = store
        .similar_evidence(&legal, "ff00ff00ff00ff00", 4)
        .await
        .unwrap();
    let ids: Vec<_> = similar.iter().map(|s| (s.item.id, s.distance)).collect();
    assert_eq!(ids, vec![(item.id, 0), (near.id, 1)]);
    let seen_by_b: Vec<_> = store
        .similar_evidence(&outsider, "ff00ff00ff00ff00", 4)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.item.id)
        .collect();
    assert_eq!(seen_by_b, vec![near.id], "only what the network may see");

    // Listing by incident, paged by id.
    let f = EvidenceFilter {
        incident: Some(w.incident.id),
        ..Default::default()
    };
    assert_eq!(store.evidence_list(&legal, &f).await.unwrap().len(), 3);
    assert_eq!(store.evidence_list(&outsider, &f).await.unwrap().len(), 2);
    let page = EvidenceFilter {
        after: Some(item.id),
        limit: 1,
        ..f.clone()
    };
    let page: Vec<_> = store
        .evidence_list(&legal, &page)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(page, vec![near.id]);

    // Evidence cannot hang on an incident the receiver cannot see, nor on nothing.
    let mut orphan = photo(&w, "dd44", "ff", Visibility::Organisation);
    orphan.incident_id = None;
    assert!(matches!(
        store.add_evidence(&actor(&w.legal_a), &legal, orphan).await,
        Err(StoreError::Rule(_))
    ));

    // A working copy keeps its lineage and adds a `derived` event.
    let copy = store
        .add_working_copy(
            &actor(&w.legal_a),
            &legal,
            NewWorkingCopy {
                evidence_id: item.id,
                derivation: "metadata stripped".into(),
                sha256: "ee55".into(),
                size: 1000,
                media_type: "image/jpeg".into(),
                blob_address: "blob-ee55".into(),
                blob_sha256: "cipher-ee55".into(),
                wrapped_key: "wrapped-ee55-v1".into(),
                key_version: 1,
                kind: CopyKind::Stripped,
                params: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(copy.derived_from_sha256, "aa11");
    assert_eq!(copy.kind, CopyKind::Stripped);
    assert_eq!(
        store.working_copies(&legal, item.id).await.unwrap(),
        vec![copy.clone()]
    );
    let viewed = store
        .record_custody(
            &actor(&w.legal_a),
            &legal,
            item.id,
            CustodyKind::Download,
            Some("sealed original".into()),
        )
        .await
        .unwrap();
    assert_eq!(viewed.seq, 5);
    let log = store.custody_log(&legal, item.id).await.unwrap();
    assert!(check_custody_chain(&log).is_ok());
    let trail = store.audit_trail(&viewed.id.to_string()).await.unwrap();
    assert_eq!(trail.len(), 1, "every custody event is also an audit entry");
    assert_eq!(trail[0].action, "download");

    // Rotation must cover every data key, or nothing changes.
    let partial = vec![Rewrap {
        target: RewrapTarget::Original(item.id),
        wrapped_key: "wrapped-aa11-v2".into(),
    }];
    assert!(matches!(
        store
            .rotate_org_keys(&Actor::system("conformance"), keys(&w.alpha, "v2"), partial)
            .await,
        Err(StoreError::Rule(_))
    ));
    assert_eq!(
        store.org_key_sets(w.alpha.id).await.unwrap(),
        vec![k1.clone()]
    );
    let all = vec![
        Rewrap {
            target: RewrapTarget::Original(item.id),
            wrapped_key: "wrapped-aa11-v2".into(),
        },
        Rewrap {
            target: RewrapTarget::Original(near.id),
            wrapped_key: "wrapped-bb22-v2".into(),
        },
        Rewrap {
            target: RewrapTarget::Original(far.id),
            wrapped_key: "wrapped-cc33-v2".into(),
        },
        Rewrap {
            target: RewrapTarget::Copy(copy.id),
            wrapped_key: "wrapped-ee55-v2".into(),
        },
    ];
    let k2 = store
        .rotate_org_keys(&Actor::system("conformance"), keys(&w.alpha, "v2"), all)
        .await
        .unwrap();
    assert_eq!(k2.version, 2);
    let sets = store.org_key_sets(w.alpha.id).await.unwrap();
    assert_eq!(sets.len(), 2);
    assert!(sets[0].retired_at.is_some() && sets[1].retired_at.is_none());
    let after = store.evidence(&legal, item.id).await.unwrap().unwrap();
    assert_eq!(
        (
            after.wrapped_key.as_str(),
            after.key_version,
            after.blob_address.as_str()
        ),
        ("wrapped-aa11-v2", 2, "blob-aa11")
    );
    assert_eq!(
        store.working_copies(&legal, item.id).await.unwrap()[0].key_version,
        2
    );

    // A new passphrase reseals the current version only.
    let resealed = store
        .reseal_org_keys(
            &Actor::system("conformance"),
            w.alpha.id,
            2,
            "sealed-new".into(),
        )
        .await
        .unwrap();
    assert_eq!(resealed.sealed_secret, "sealed-new");
    assert!(matches!(
        store
            .reseal_org_keys(&Actor::system("conformance"), w.alpha.id, 1, "x".into())
            .await,
        Err(StoreError::NotFound)
    ));

    // Derived copies say what they are and how they were made; the parameters come back as
    // they were given, and the `derive` event names the copy.
    let params = json!({"method": "blur", "regions": [{"x": 10, "y": 20, "w": 30, "h": 40}]});
    let blurred = store
        .add_working_copy(
            &actor(&w.legal_a),
            &legal,
            NewWorkingCopy {
                evidence_id: item.id,
                derivation: "blurred 1 region".into(),
                sha256: "ff66".into(),
                size: 900,
                media_type: "image/jpeg".into(),
                blob_address: "blob-ff66".into(),
                blob_sha256: "cipher-ff66".into(),
                wrapped_key: "wrapped-ff66-v2".into(),
                key_version: 2,
                kind: CopyKind::Blurred,
                params: Some(params.clone()),
            },
        )
        .await
        .unwrap();
    let copies = store.working_copies(&legal, item.id).await.unwrap();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[1], blurred);
    assert_eq!(
        (copies[1].kind, copies[1].params.as_ref()),
        (CopyKind::Blurred, Some(&params))
    );
    let last = store.custody_log(&legal, item.id).await.unwrap();
    let last = last.last().unwrap();
    assert_eq!(last.kind, CustodyKind::Derive);
    assert!(last
        .detail
        .as_deref()
        .unwrap()
        .contains(&blurred.id.to_string()));
    assert!(matches!(
        store.working_copies(&outsider, item.id).await,
        Err(StoreError::NotFound)
    ));

    // Sealed fields: stored as given (already ciphertext), visible with the report only.
    let rep = kinga_domain::report::NewReport::parse(
        &json!({"text": "Witness saw the unit", "country": "CAF", "occurred_on": "2013-12-05",
                "visibility": "organisation"}),
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
    )
    .unwrap();
    let rep = store
        .submit_report(&actor(&w.monitor_a), rep)
        .await
        .unwrap();
    let sealed = NewSealedField {
        report: rep.id,
        field: "witness_name".into(),
        key_version: 2,
        ciphertext: "ksf1.opaque".into(),
    };
    let f = store
        .seal_report_field(&actor(&w.monitor_a), &monitor, sealed.clone())
        .await
        .unwrap();
    assert_eq!(f.organisation_id, w.alpha.id);
    let again = store
        .seal_report_field(
            &actor(&w.monitor_a),
            &monitor,
            NewSealedField {
                ciphertext: "ksf1.replaced".into(),
                ..sealed.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(again.id, f.id, "a field is replaced, not duplicated");
    let read = store.sealed_report_fields(&legal, rep.id).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].ciphertext, "ksf1.replaced");
    assert!(matches!(
        store.sealed_report_fields(&outsider, rep.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .seal_report_field(
                &actor(&w.monitor_a),
                &monitor,
                NewSealedField {
                    field: "favourite_colour".into(),
                    ..sealed
                },
            )
            .await,
        Err(StoreError::Invalid(_))
    ));

    let v = store.verify().await.unwrap();
    assert_eq!(v.first_break, None, "{v:?}");
}

/// Edits made straight in the database are named by `verify`.
pub async fn evidence_tampering_story(store: &dyn Store, raw: RawSql<'_>) {
    let w = world(store).await;
    let legal = scope(&w.legal_a, &[w.alpha.id]);
    let item = store
        .add_evidence(
            &actor(&w.legal_a),
            &legal,
            photo(&w, "aa11", "ff00", Visibility::Organisation),
        )
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw(format!(
        "UPDATE evidence_items SET sha256 = 'bb22' WHERE id = '{}'",
        item.id
    ))
    .await;
    let b = store.verify().await.unwrap().first_break.unwrap();
    assert!(b.contains(&item.id.to_string()), "{b}");
    raw(format!(
        "UPDATE evidence_items SET sha256 = 'aa11' WHERE id = '{}'",
        item.id
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    // How a copy was made is part of its audited record: a blurred region struck from its
    // parameters afterwards is named.
    let copy = store
        .add_working_copy(
            &actor(&w.legal_a),
            &legal,
            NewWorkingCopy {
                evidence_id: item.id,
                derivation: "blurred 1 region".into(),
                sha256: "cc33".into(),
                size: 10,
                media_type: "image/jpeg".into(),
                blob_address: "blob-cc33".into(),
                blob_sha256: "cipher-cc33".into(),
                wrapped_key: "wrapped-cc33".into(),
                key_version: 1,
                kind: CopyKind::Blurred,
                params: Some(
                    json!({"method": "blur", "regions": [{"x": 0, "y": 0, "w": 40, "h": 40}]}),
                ),
            },
        )
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);
    raw(format!(
        "UPDATE evidence_copies SET params = '{{\"method\":\"blur\",\"regions\":[]}}' WHERE id = '{}'",
        copy.id
    ))
    .await;
    let b = store.verify().await.unwrap().first_break.unwrap();
    assert!(b.contains(&copy.id.to_string()), "{b}");
    raw(format!(
        "UPDATE evidence_copies SET params = '{}' WHERE id = '{}'",
        copy.params.as_ref().unwrap(),
        copy.id
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw(format!(
        "DELETE FROM custody_events WHERE evidence_id = '{}' AND seq = 2",
        item.id
    ))
    .await;
    let b = store.verify().await.unwrap().first_break.unwrap();
    assert!(b.contains("custody_event"), "{b}");
}

//! Alerts and responses: raising is idempotent by dedup key (also when two raises race), the
//! list narrows by status, country and level within the reader's scope, moves follow the
//! lifecycle and belong to the owning organisation, a response moves the alert it answers, and
//! the chain vouches for every alert and response.
use crate::{actor, org, scope, user, RawSql};
use kinga_domain::alert::{AlertLevel, AlertMove, AlertStatus, NewAlert, NewResponse, Tier};
use kinga_domain::{Country, Role};
use kinga_store::*;
use serde_json::json;

fn alert(country: &str, level: &str, key: Option<&str>, visibility: &str) -> NewAlert {
    let mut body = json!({
        "country": country, "level": level, "admin1": "Ouham",
        "message_en": "Armed groups are massing near Bossangoa.",
        "message_fr": "Des groupes armés se massent près de Bossangoa.",
        "incidents": ["0190f4b4-5a3c-7cc0-8b1e-2a6f0c0e0a01"], "signals": ["sig-1"],
        "visibility": visibility
    });
    if let Some(k) = key {
        body["dedup_key"] = json!(k);
    }
    NewAlert::parse(&body).expect("valid alert")
}

fn response(alert: Option<&str>, country: &str) -> NewResponse {
    let mut body = json!({
        "country": country, "actor_kind": "regional_body", "actor": "ECCAS",
        "kind": "fact_finding_mission", "date": "2026-11-25", "pillar": "2",
        "outcome": "A mission reached Bossangoa.", "sources": ["https://example.org/communique"]
    });
    if let Some(a) = alert {
        body["alert_id"] = json!(a);
    }
    NewResponse::parse(&body, crate::today()).expect("valid response")
}

fn refused_rule<T: std::fmt::Debug>(what: &str, r: Result<T>, says: &str) {
    match r {
        Err(StoreError::Rule(m)) => assert!(m.contains(says), "{what}: {m}"),
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

pub async fn alerts_story(store: &dyn Store, raw: RawSql<'_>) {
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
    let owner = user(store, &a, Role::Coordinator, "coordinator@alpha.org").await;
    let peer = user(store, &b, Role::Coordinator, "coordinator@bravo.org").await;
    let outsider = user(store, &c, Role::Admin, "admin@charlie.org").await;
    let s_owner = scope(&owner, &[a.id, b.id]);
    let s_peer = scope(&peer, &[a.id, b.id]);
    let s_out = scope(&outsider, &[]);
    let all = AlertFilter::default();

    // Raising, and the same condition raised again.
    let first = store
        .raise_alert(
            &actor(&owner),
            alert("CAF", "warning", Some("caf-ouham-w48"), "network"),
        )
        .await
        .unwrap();
    assert!(first.created);
    assert_eq!(first.alert.status, AlertStatus::Raised);
    assert_eq!(first.alert.tier, Tier::Network);
    assert_eq!(first.alert.organisation, a.slug);
    assert_eq!(
        first.alert.ack_deadline - first.alert.raised_at,
        chrono::Duration::hours(24)
    );
    let again = store
        .raise_alert(
            &actor(&owner),
            alert("CAF", "urgent", Some("caf-ouham-w48"), "network"),
        )
        .await
        .unwrap();
    assert!(!again.created, "the same key raises nothing new");
    assert_eq!(again.alert, first.alert);
    assert_eq!(store.alerts(&s_owner, &all).await.unwrap().total, 1);
    // Another organisation's key space is its own.
    let theirs = store
        .raise_alert(
            &actor(&peer),
            alert("CAF", "watch", Some("caf-ouham-w48"), "organisation"),
        )
        .await
        .unwrap();
    assert!(theirs.created);

    // Two raises of one condition at once give one alert.
    let (x, y) = futures::future::join(
        store.raise_alert(
            &actor(&owner),
            alert("CAF", "urgent", Some("race"), "organisation"),
        ),
        store.raise_alert(
            &actor(&owner),
            alert("CAF", "urgent", Some("race"), "organisation"),
        ),
    )
    .await;
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!(x.alert.id, y.alert.id);
    assert_eq!(u8::from(x.created) + u8::from(y.created), 1);
    let own_only = store
        .raise_alert(&actor(&owner), alert("COD", "urgent", None, "organisation"))
        .await
        .unwrap()
        .alert;
    assert!(matches!(
        store
            .raise_alert(&sys, alert("CAF", "watch", None, "public"))
            .await,
        Err(StoreError::Rule(_))
    ));

    // The list and its filters, within scope.
    let page = store.alerts(&s_owner, &all).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items[0].id, own_only.id, "newest first");
    let f = |status, country: Option<&str>, level| AlertFilter {
        status,
        country: country.map(|c| Country::parse(c).unwrap()),
        level,
        ..AlertFilter::default()
    };
    let total = |p: Page<_>| p.total;
    assert_eq!(
        total(
            store
                .alerts(&s_owner, &f(None, Some("CAF"), None))
                .await
                .unwrap()
        ),
        2
    );
    assert_eq!(
        total(
            store
                .alerts(&s_owner, &f(None, None, Some(AlertLevel::Urgent)))
                .await
                .unwrap()
        ),
        2
    );
    assert_eq!(
        total(
            store
                .alerts(&s_owner, &f(Some(AlertStatus::Closed), None, None))
                .await
                .unwrap()
        ),
        0
    );
    let peer_sees = store.alerts(&s_peer, &all).await.unwrap();
    assert_eq!(peer_sees.total, 2, "the network alert and the peer's own");
    assert!(store
        .alert(&s_peer, first.alert.id)
        .await
        .unwrap()
        .is_some());
    assert!(store.alert(&s_peer, own_only.id).await.unwrap().is_none());
    assert_eq!(store.alerts(&s_out, &all).await.unwrap().total, 0);
    assert!(store.alert(&s_out, first.alert.id).await.unwrap().is_none());

    // Moves belong to the owner; a peer who can read the alert changes nothing.
    let head = store.audit_head().await.unwrap();
    for m in AlertMove::ALL {
        refused_rule(
            &format!("peer {m}"),
            store
                .move_alert(&actor(&peer), &s_peer, first.alert.id, m, None)
                .await,
            "only the organisation that owns",
        );
    }
    assert!(matches!(
        store
            .move_alert(
                &actor(&outsider),
                &s_out,
                first.alert.id,
                AlertMove::Close,
                None
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.audit_head().await.unwrap(), head);

    // The lifecycle.
    let id = first.alert.id;
    let ack = store
        .move_alert(
            &actor(&owner),
            &s_owner,
            id,
            AlertMove::Acknowledge,
            Some(1),
        )
        .await
        .unwrap();
    assert_eq!(ack.status, AlertStatus::Acknowledged);
    assert_eq!(
        ack.acknowledged_by.as_deref(),
        Some("coordinator@alpha.org")
    );
    refused_rule(
        "acknowledged twice",
        store
            .move_alert(&actor(&owner), &s_owner, id, AlertMove::Acknowledge, None)
            .await,
        "cannot be acknowledged",
    );
    assert!(matches!(
        store
            .move_alert(&actor(&owner), &s_owner, id, AlertMove::Escalate, Some(1))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let up = store
        .move_alert(&actor(&owner), &s_owner, id, AlertMove::Escalate, Some(2))
        .await
        .unwrap();
    assert_eq!(
        (up.status, up.tier),
        (AlertStatus::Escalated, Tier::Regional)
    );
    assert_eq!(up.acknowledged_at, None);

    // A response answering the alert moves it; the outsider cannot even see it to answer.
    assert!(matches!(
        store
            .record_response(
                &actor(&outsider),
                &s_out,
                response(Some(&id.to_string()), "CAF")
            )
            .await,
        Err(StoreError::NotFound)
    ));
    refused_rule(
        "peer answers",
        store
            .record_response(
                &actor(&peer),
                &s_peer,
                response(Some(&id.to_string()), "CAF"),
            )
            .await,
        "only the organisation that owns",
    );
    assert!(matches!(
        store
            .record_response(
                &actor(&owner),
                &s_owner,
                response(Some(&id.to_string()), "COD")
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let answer = store
        .record_response(
            &actor(&owner),
            &s_owner,
            response(Some(&id.to_string()), "CAF"),
        )
        .await
        .unwrap();
    assert_eq!(answer.alert_id, Some(id));
    let now = store.alert(&s_owner, id).await.unwrap().unwrap();
    assert_eq!(now.status, AlertStatus::Responded);
    assert_eq!(now.version, 4);
    let unprompted = store
        .record_response(&actor(&peer), &s_peer, response(None, "CAF"))
        .await
        .unwrap();
    assert_eq!(unprompted.organisation, b.slug);
    let answers = store
        .responses(
            &s_owner,
            &ResponseFilter {
                alert: Some(id),
                ..ResponseFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(answers.total, 1);
    assert_eq!(answers.items[0], answer);
    assert_eq!(
        store
            .responses(&s_owner, &ResponseFilter::default())
            .await
            .unwrap()
            .total,
        1,
        "the peer's organisation-only response stays theirs"
    );

    // Closing, and nothing after it.
    let closed = store
        .move_alert(&actor(&owner), &s_owner, id, AlertMove::Close, None)
        .await
        .unwrap();
    assert_eq!(closed.status, AlertStatus::Closed);
    assert!(closed.closed_at.is_some());
    let head = store.audit_head().await.unwrap();
    refused_rule(
        "acknowledge a closed alert",
        store
            .move_alert(&actor(&owner), &s_owner, id, AlertMove::Acknowledge, None)
            .await,
        "closed",
    );
    assert_eq!(store.audit_head().await.unwrap(), head, "nothing written");
    assert_eq!(store.alert(&s_owner, id).await.unwrap().unwrap(), closed);

    // The chain vouches for every step, and names an alert edited by hand.
    let trail: Vec<String> = store
        .audit_trail(&id.to_string())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        trail,
        ["raise", "acknowledge", "escalate", "respond", "close"]
    );
    assert_eq!(store.verify().await.unwrap().first_break, None);
    raw(format!(
        "UPDATE alerts SET level = 'watch' WHERE id = '{id}'"
    ))
    .await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("edit found");
    assert!(
        broken.contains("alert") && broken.contains(&id.to_string()),
        "{broken}"
    );
    raw(format!(
        "UPDATE alerts SET level = 'warning' WHERE id = '{id}'"
    ))
    .await;
    assert_eq!(store.verify().await.unwrap().first_break, None);
    raw(format!(
        "UPDATE responses SET outcome = 'Nothing happened' WHERE id = '{}'",
        answer.id
    ))
    .await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("edit found");
    assert!(broken.contains("response"), "{broken}");
}

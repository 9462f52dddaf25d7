//! The risk part of the conformance story, on SQLite always and on PostgreSQL when
//! KINGA_TEST_DATABASE_URL names a server: Framework assessments with versions, evidence links
//! and sign-offs; forecasts; class history with overrides; scoping; the audit chain.
use kinga_domain::ids::OrgId;
use kinga_domain::org::{NewOrganisation, Organisation};
use kinga_domain::risk::*;
use kinga_domain::user::{Email, User};
use kinga_domain::{Country, Role, Visibility};
use kinga_store::*;
use kinga_store_sql::{Engine, SqlStore};
use serde_json::json;
use std::sync::Arc;

fn org(slug: &str, networks: &[&str]) -> NewOrganisation {
    let nets: Vec<String> = networks.iter().map(ToString::to_string).collect();
    NewOrganisation::parse(slug, slug, Some("CAF"), &nets).unwrap()
}

async fn user(store: &dyn Store, org: &Organisation, role: Role, email: &str) -> User {
    store
        .add_user(
            &Actor::system("conformance"),
            NewUser {
                organisation: org.slug.clone(),
                role,
                email: Email::parse(email).unwrap(),
                password_hash: "$argon2id$placeholder-for-storage-tests".into(),
                totp_secret: None,
            },
        )
        .await
        .unwrap()
}

fn scope(u: &User, peers: &[OrgId]) -> Scope {
    Scope {
        user_id: Some(u.id),
        organisation_id: Some(u.organisation_id),
        role: Some(u.role),
        network_peers: peers.to_vec(),
        own_reports_only: false,
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

fn caf() -> Country {
    Country::parse("CAF").unwrap()
}

fn score(no: &str, level: &str, confidence: Option<&str>, note: Option<&str>) -> ScoreInput {
    ScoreInput::parse(
        &json!({"indicator": no, "score": level, "confidence": confidence, "note": note}),
    )
    .unwrap()
}

fn level_of(d: &AssessmentDetail, no: &str) -> Option<Option<u8>> {
    d.scores
        .iter()
        .find(|s| s.indicator.to_string() == no)
        .map(|s| s.score.value())
}

/// Runs raw SQL against the database behind Kinga's back: how the story plays someone who edits
/// the file by hand.
type Raw = Box<
    dyn Fn(String) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> + Send + Sync,
>;

async fn story(store: &dyn Store, raw: Raw) {
    let sys = Actor::system("conformance");
    let a = store
        .add_organisation(&sys, org("alpha", &["central-net"]))
        .await
        .unwrap();
    let b = store
        .add_organisation(&sys, org("bravo", &["central-net"]))
        .await
        .unwrap();
    let c = store
        .add_organisation(&sys, org("charlie", &[]))
        .await
        .unwrap();
    let a1 = user(store, &a, Role::Analyst, "a1@alpha.example").await;
    let a2 = user(store, &a, Role::Analyst, "a2@alpha.example").await;
    let a3 = user(store, &a, Role::Coordinator, "a3@alpha.example").await;
    let b1 = user(store, &b, Role::Analyst, "b1@bravo.example").await;
    let c1 = user(store, &c, Role::Analyst, "c1@charlie.example").await;
    let (sa1, sa2, sa3) = (
        scope(&a1, &[a.id, b.id]),
        scope(&a2, &[a.id, b.id]),
        scope(&a3, &[a.id, b.id]),
    );
    let sb1 = scope(&b1, &[a.id, b.id]);
    let sc1 = scope(&c1, &[c.id]);

    // An analyst opens an assessment, shared with the network.
    let new = NewAssessment::parse(&json!({
        "country": "CAF", "situation": "Ouham-Pendé", "assessed_on": "2026-11-20",
        "visibility": "network", "summary": "Quarterly review"
    }))
    .unwrap();
    let created = store.create_assessment(&actor(&a1), new).await.unwrap();
    assert_eq!(created.version, 0);
    assert_eq!(created.created_by, Some(a1.id));

    // Each save is a new version; earlier versions stay readable.
    let (v1, s1) = store
        .score_indicator(
            &actor(&a1),
            &sa1,
            created.id,
            score(
                "7.3",
                "2",
                Some("medium"),
                Some("Militia recruitment seen in Bocaranga"),
            ),
        )
        .await
        .unwrap();
    assert_eq!((v1.version, s1.version), (1, 1));
    store
        .score_indicator(
            &actor(&a1),
            &sa1,
            created.id,
            score("9.4", "3", Some("high"), None),
        )
        .await
        .unwrap();
    store
        .score_indicator(
            &actor(&a1),
            &sa1,
            created.id,
            score("1.1", "3", Some("high"), None),
        )
        .await
        .unwrap();
    let (v4, _) = store
        .score_indicator(
            &actor(&a1),
            &sa1,
            created.id,
            score("7.3", "3", Some("high"), Some("Arms caches found")),
        )
        .await
        .unwrap();
    assert_eq!(v4.version, 4);
    store
        .score_indicator(
            &actor(&a1),
            &sa1,
            created.id,
            score("1.1", "not_assessed", None, None),
        )
        .await
        .unwrap();

    let latest = store
        .assessment(&sa1, created.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.version, 5);
    assert_eq!(
        latest.scores.len(),
        3,
        "one row per indicator, the latest save"
    );
    assert_eq!(level_of(&latest, "7.3"), Some(Some(3)));
    assert_eq!(
        level_of(&latest, "1.1"),
        Some(None),
        "cleared back to not assessed"
    );
    let order: Vec<String> = latest
        .scores
        .iter()
        .map(|s| s.indicator.to_string())
        .collect();
    assert_eq!(order, vec!["1.1", "7.3", "9.4"], "Framework order");
    let first = store
        .assessment(&sa1, created.id, Some(1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.version, 1);
    assert_eq!(first.scores.len(), 1);
    assert_eq!(level_of(&first, "7.3"), Some(Some(2)));
    assert_eq!(
        first.scores[0].note.as_deref(),
        Some("Militia recruitment seen in Bocaranga")
    );
    assert!(store
        .assessment(&sa1, created.id, Some(99))
        .await
        .unwrap()
        .is_none());

    // Evidence links are versions too; a withdrawn link stays in the versions it belonged to.
    let link = NewEvidenceLink::parse(&json!({"indicator": "7.3", "kind": "document",
        "target": "https://example.org/report-2026-11", "note": "Panel of experts"}))
    .unwrap();
    let (v6, l) = store
        .link_evidence(&actor(&a1), &sa1, created.id, link)
        .await
        .unwrap();
    assert_eq!((v6.version, l.version), (6, 6));
    let v7 = store
        .unlink_evidence(&actor(&a1), &sa1, created.id, l.id)
        .await
        .unwrap();
    assert_eq!(v7.version, 7);
    let at6 = store
        .assessment(&sa1, created.id, Some(6))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(at6.links.len(), 1);
    assert_eq!(at6.links[0].target, "https://example.org/report-2026-11");
    let at7 = store
        .assessment(&sa1, created.id, Some(7))
        .await
        .unwrap()
        .unwrap();
    assert!(at7.links.is_empty());
    assert!(matches!(
        store
            .unlink_evidence(&actor(&a1), &sa1, created.id, l.id)
            .await,
        Err(StoreError::NotFound)
    ));

    // Scoping: the network partner reads but may not write; an outsider sees nothing.
    assert!(store
        .assessment(&sb1, created.id, None)
        .await
        .unwrap()
        .is_some());
    assert!(matches!(
        store
            .score_indicator(
                &actor(&b1),
                &sb1,
                created.id,
                score("2.1", "1", Some("low"), None)
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    assert!(store
        .assessment(&sc1, created.id, None)
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        store
            .score_indicator(
                &actor(&c1),
                &sc1,
                created.id,
                score("2.1", "1", Some("low"), None)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.assessments(&sb1, Some(caf())).await.unwrap().len(), 1);
    assert!(store
        .assessments(&sc1, Some(caf()))
        .await
        .unwrap()
        .is_empty());
    assert!(store.assessments(&sc1, None).await.unwrap().is_empty());

    // Sign-off: never by the author; once per person and version; only existing versions.
    assert!(matches!(
        store
            .sign_off(&actor(&a1), &sa1, Role::Analyst, created.id, 7, None)
            .await,
        Err(StoreError::Rule(_))
    ));
    let so = store
        .sign_off(
            &actor(&a2),
            &sa2,
            Role::Analyst,
            created.id,
            7,
            Some("Checked against the field notes".into()),
        )
        .await
        .unwrap();
    assert_eq!(so.version, 7);
    assert!(matches!(
        store
            .sign_off(&actor(&a2), &sa2, Role::Analyst, created.id, 7, None)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .sign_off(&actor(&a3), &sa3, Role::Coordinator, created.id, 8, None)
            .await,
        Err(StoreError::Rule(_))
    ));
    assert!(matches!(
        store
            .sign_off(&actor(&b1), &sb1, Role::Analyst, created.id, 7, None)
            .await,
        Err(StoreError::Rule(_))
    ));
    let signed = store
        .assessment(&sa3, created.id, None)
        .await
        .unwrap()
        .unwrap();
    assert!(signed.signed_off());
    assert_eq!(signed.authors, vec!["a1@alpha.example".to_string()]);
    // A later save is a new, unsigned version; the signed one is still there.
    store
        .score_indicator(
            &actor(&a2),
            &sa2,
            created.id,
            score("8.8", "2", Some("medium"), None),
        )
        .await
        .unwrap();
    let after = store
        .assessment(&sa3, created.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.version, 8);
    assert!(!after.signed_off());
    assert!(store
        .assessment(&sa3, created.id, Some(7))
        .await
        .unwrap()
        .unwrap()
        .signed_off());
    // a2 now wrote version 8, so a2 may not sign it; the coordinator may.
    assert!(matches!(
        store
            .sign_off(&actor(&a2), &sa2, Role::Analyst, created.id, 8, None)
            .await,
        Err(StoreError::Rule(_))
    ));
    store
        .sign_off(&actor(&a3), &sa3, Role::Coordinator, created.id, 8, None)
        .await
        .unwrap();

    // Concurrent saves each get their own version: none is lost.
    let save = |no: &'static str, level: &'static str| {
        let (act, sc) = (actor(&a1), sa1.clone());
        async move {
            let input = score(no, level, Some("low"), None);
            store
                .score_indicator(&act, &sc, created.id, input)
                .await
                .unwrap()
                .1
                .version
        }
    };
    let (x1, x2, x3, x4, x5, x6) = tokio::join!(
        save("3.1", "0"),
        save("3.2", "1"),
        save("3.3", "2"),
        save("3.4", "3"),
        save("3.5", "0"),
        save("3.6", "1")
    );
    let mut versions = vec![x1, x2, x3, x4, x5, x6];
    versions.sort();
    assert_eq!(versions, vec![9, 10, 11, 12, 13, 14]);
    let full = store
        .assessment(&sa1, created.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(full.version, 14);
    assert_eq!(full.scores.len(), 10);

    // A private assessment of the same country is not shared with the partner.
    let private = NewAssessment::parse(
        &json!({"country": "CAF", "assessed_on": "2026-06-01", "visibility": "organisation"}),
    )
    .unwrap();
    store.create_assessment(&actor(&a2), private).await.unwrap();
    assert_eq!(store.assessments(&sa1, Some(caf())).await.unwrap().len(), 2);
    let listed = store.assessments(&sa1, Some(caf())).await.unwrap();
    assert_eq!(listed[0].id, created.id, "newest assessment date first");
    assert_eq!(store.assessments(&sb1, Some(caf())).await.unwrap().len(), 1);

    // Forecasts: a public model run saved by Kinga itself, read by everyone.
    let run = vec![NewForecast {
        country: caf(),
        year: 2024,
        probability: 0.0712,
        rank: Some(9),
        model: "elastic-net-test".into(),
        provenance: json!({"alpha": 0.5, "lambda": 0.002586, "train_until": 2022}),
        // A contribution of the published model that a fast decimal parser reads one unit in
        // the last place off: the stored record must still match its audit entry.
        top_factors: vec![FactorContribution {
            name: "mk_ongoing_count_log".into(),
            contribution: 0.205_551_878_005_816_54,
        }],
        visibility: Visibility::Public,
    }];
    assert_eq!(store.save_forecasts(&sys, run.clone()).await.unwrap(), 1);
    let mut hidden = run.clone();
    hidden[0].visibility = Visibility::Organisation;
    assert!(matches!(
        store.save_forecasts(&sys, hidden).await,
        Err(StoreError::Rule(_))
    ));
    let mut bad = run.clone();
    bad[0].probability = 1.5;
    assert!(store.save_forecasts(&sys, bad).await.is_err());
    let f = store.forecasts(&sc1, caf()).await.unwrap();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].probability, 0.0712);
    assert_eq!(f[0].rank, Some(9));
    assert_eq!(f[0].top_factors[0].name, "mk_ongoing_count_log");
    assert_eq!(f[0].provenance["lambda"], json!(0.002586));

    // Classes: the rule's result, then an override that needs a rationale.
    let rule = NewRiskClass {
        country: caf(),
        decision: ClassDecision::Rule,
        class: RiskClass::ImminentRisk,
        rationale: None,
        inputs: json!({"reasons": ["assessment.high", "forecast.rank"]}),
        visibility: Visibility::Network,
    };
    store.record_risk_class(&actor(&a1), rule).await.unwrap();
    let bare = NewRiskClass {
        country: caf(),
        decision: ClassDecision::Override,
        class: RiskClass::CurrentCrisis,
        rationale: None,
        inputs: json!({}),
        visibility: Visibility::Network,
    };
    assert!(matches!(
        store.record_risk_class(&actor(&a2), bare.clone()).await,
        Err(StoreError::Rule(_))
    ));
    let over = NewRiskClass {
        rationale: Some("Killings in Paoua confirmed by two sources".into()),
        ..bare
    };
    store.record_risk_class(&actor(&a2), over).await.unwrap();
    let history = store.risk_classes(&sb1, caf()).await.unwrap();
    let seen: Vec<(ClassDecision, RiskClass)> =
        history.iter().map(|h| (h.decision, h.class)).collect();
    assert_eq!(
        seen,
        vec![
            (ClassDecision::Rule, RiskClass::ImminentRisk),
            (ClassDecision::Override, RiskClass::CurrentCrisis)
        ]
    );
    assert!(store.risk_classes(&sc1, caf()).await.unwrap().is_empty());
    let trail = store.audit_trail(&history[1].id.to_string()).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].action, "override");
    assert_eq!(
        trail[0].explanation.as_deref(),
        Some("Killings in Paoua confirmed by two sources")
    );

    assert_eq!(store.risk_countries(&sb1).await.unwrap(), vec![caf()]);
    assert_eq!(
        store.risk_countries(&sc1).await.unwrap(),
        vec![caf()],
        "the public forecast"
    );

    // Every change is in the audit chain, and the chain checks out.
    let trail = store.audit_trail(&created.id.to_string()).await.unwrap();
    assert_eq!(trail.len(), 15, "create + 14 versions");
    let ok = store.verify().await.unwrap();
    assert_eq!(ok.first_break, None);

    // Rewriting a score behind Kinga's back is caught.
    raw(format!(
        "UPDATE risk_indicator_scores SET score = 0 WHERE id = '{}'",
        s1.id
    ))
    .await;
    let broken = store.verify().await.unwrap();
    let msg = broken.first_break.expect("the edit is detected");
    assert!(msg.contains(&s1.id.to_string()), "{msg}");
}

fn raw_for<E: Engine>(store: Arc<SqlStore<E>>) -> Raw {
    Box::new(move |sql: String| {
        let s = store.clone();
        Box::pin(async move {
            s.engine().execute(&sql, vec![]).await.unwrap();
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        kinga_store_sqlite::open(&dir.path().join("kinga.db"))
            .await
            .unwrap(),
    );
    story(store.as_ref(), raw_for(store.clone())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    const URL_VAR: &str = "KINGA_TEST_DATABASE_URL";
    let Ok(admin) = std::env::var(URL_VAR) else {
        kinga_testkit::skip(format!(
            "{URL_VAR} is not set (a PostgreSQL server to test on)"
        ));
        return;
    };
    let (name, url) = kinga_store_postgres::scratch::create(&admin).await.unwrap();
    let store = Arc::new(kinga_store_postgres::open(&url).await.unwrap());
    story(store.as_ref(), raw_for(store.clone())).await;
    store.engine().close().await;
    kinga_store_postgres::scratch::drop(&admin, &name)
        .await
        .unwrap();
}

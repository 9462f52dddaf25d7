//! The conformance story: one sequence of realistic steps (a network with three organisations,
//! their users, reports, triage, incidents and their coding, an import, the audit chain) that
//! every storage backend must pass unchanged. Each step asserts what a user would see.
#![forbid(unsafe_code)]

pub mod access_log;
pub mod alerts;
pub mod checkpoints;
pub mod credentials;
pub mod event_rollup;
pub mod events;
pub mod evidence;
pub mod incident_events;
pub mod signals;
pub mod workflow;

use chrono::NaiveDate;
use kinga_domain::ids::OrgId;
use kinga_domain::incident::{IncidentFilter, IncidentStatus, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::party::{InvolvementRole, NewAct, NewInvolvement, NewParty, PartyKind};
use kinga_domain::report::{NewReport, TriageDecision, TriageStatus};
use kinga_domain::source::{NewCitation, NewSource, SourceConnection};
use kinga_domain::user::{Email, User};
use kinga_domain::vocab::AtrocityCrime;
use kinga_domain::{Role, Visibility};
use kinga_store::*;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;

/// Runs SQL straight against the database, bypassing Kinga: how the story plays a person who
/// edits the database file by hand.
pub type RawSql<'a> = &'a (dyn Fn(String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Sync);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 26).expect("valid date")
}

fn org(slug: &str, name: &str, networks: &[&str]) -> NewOrganisation {
    let nets: Vec<String> = networks.iter().map(ToString::to_string).collect();
    NewOrganisation::parse(slug, name, Some("CAF"), &nets).expect("valid organisation")
}

async fn user(store: &dyn Store, org: &Organisation, role: Role, email: &str) -> User {
    store
        .add_user(
            &Actor::system("conformance"),
            NewUser {
                organisation: org.slug.clone(),
                role,
                email: Email::parse(email).expect("valid e-mail"),
                password_hash: "$argon2id$placeholder-for-storage-tests".into(),
                totp_secret: None,
            },
        )
        .await
        .expect("user added")
}

fn scope(u: &User, peers: &[OrgId]) -> Scope {
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

fn report(text: &str, visibility: &str) -> NewReport {
    NewReport::parse(
        &json!({"text": text, "country": "CAF", "occurred_on": "2013-12-05", "visibility": visibility,
                "latitude": 6.4926, "longitude": 17.4526, "admin1": "Ouham"}),
        today(),
    )
    .expect("valid report")
}

fn incident(title: &str, start: &str, crimes: &[&str]) -> NewIncident {
    NewIncident::parse(&json!({
        "title": title, "country": "CAF", "date_start": start, "admin1": "Ouham",
        "place_name": "Bossangoa", "latitude": 6.4926, "longitude": 17.4526,
        "crimes": crimes, "fatalities_best": 12, "fatalities_low": 10, "fatalities_high": 15,
        "event_type": "Violence against civilians", "sub_event_type": "Attack"
    }))
    .expect("valid incident")
}

fn filter() -> IncidentFilter {
    IncidentFilter {
        limit: 50,
        ..Default::default()
    }
}

pub async fn story(store: &dyn Store) {
    let sys = Actor::system("conformance");

    // Organisations and networks.
    let a = store
        .add_organisation(&sys, org("alpha", "Alpha Monitors", &["west-net"]))
        .await
        .unwrap();
    let b = store
        .add_organisation(&sys, org("bravo", "Bravo Rights", &["west-net"]))
        .await
        .unwrap();
    let c = store
        .add_organisation(&sys, org("charlie", "Charlie Watch", &[]))
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_organisation(&sys, org("alpha", "Again", &[]))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let all = store.organisations().await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].networks, vec![Slug::parse("west-net").unwrap()]);
    assert_eq!(
        store
            .organisation(&Slug::parse("bravo").unwrap())
            .await
            .unwrap()
            .unwrap()
            .id,
        b.id
    );
    assert!(store
        .organisation(&Slug::parse("delta").unwrap())
        .await
        .unwrap()
        .is_none());
    let peers_a = store.network_peers(a.id).await.unwrap();
    assert!(peers_a.contains(&a.id) && peers_a.contains(&b.id) && !peers_a.contains(&c.id));
    assert_eq!(store.network_peers(c.id).await.unwrap(), vec![c.id]);

    // Users, tokens and sessions.
    let monitor_a = user(store, &a, Role::Monitor, "monitor@alpha.org").await;
    let analyst_a = user(store, &a, Role::Analyst, "analyst@alpha.org").await;
    let legal_a = user(store, &a, Role::Legal, "legal@alpha.org").await;
    let analyst_b = user(store, &b, Role::Analyst, "analyst@bravo.org").await;
    let analyst_c = user(store, &c, Role::Analyst, "analyst@charlie.org").await;
    assert!(matches!(
        store
            .add_user(
                &sys,
                NewUser {
                    organisation: a.slug.clone(),
                    role: Role::Admin,
                    email: Email::parse("ANALYST@alpha.org").unwrap(),
                    password_hash: "h".into(),
                    totp_secret: None
                }
            )
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .add_user(
                &sys,
                NewUser {
                    organisation: Slug::parse("nowhere").unwrap(),
                    role: Role::Admin,
                    email: Email::parse("x@nowhere.org").unwrap(),
                    password_hash: "h".into(),
                    totp_secret: None
                }
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(store.user(analyst_a.id).await.unwrap().unwrap(), analyst_a);
    let (found, creds) = store
        .user_by_email(&analyst_a.email)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, analyst_a.id);
    assert!(creds.password_hash.starts_with("$argon2id$"));
    assert_eq!(store.users(Some(a.id)).await.unwrap().len(), 3);
    assert_eq!(store.users(None).await.unwrap().len(), 5);
    store
        .set_second_factor(&sys, legal_a.id, "JBSWY3DPEHPK3PXP")
        .await
        .unwrap();
    let (legal_now, legal_creds) = store.user_by_email(&legal_a.email).await.unwrap().unwrap();
    assert!(legal_now.has_second_factor);
    assert_eq!(legal_creds.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    store
        .add_api_token(
            &sys,
            &NewApiToken {
                token_hash: "tokenhash-b".into(),
                user: analyst_b.id,
                expires_at: chrono::Utc::now() + chrono::Duration::days(1),
                second_factor: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .user_by_token("tokenhash-b")
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
        analyst_b.id
    );
    assert!(store.user_by_token("tokenhash-x").await.unwrap().is_none());
    let session = Session {
        id_hash: "session-1".into(),
        user_id: analyst_a.id,
        csrf_token: "csrf".into(),
        second_factor_done: false,
        expires_at: chrono::Utc::now() + chrono::Duration::hours(1),
    };
    store
        .create_session(&actor(&analyst_a), &session)
        .await
        .unwrap();
    assert!(
        !store
            .session("session-1")
            .await
            .unwrap()
            .unwrap()
            .second_factor_done
    );
    store
        .confirm_second_factor(&actor(&analyst_a), "session-1")
        .await
        .unwrap();
    assert!(
        store
            .session("session-1")
            .await
            .unwrap()
            .unwrap()
            .second_factor_done
    );
    store
        .delete_session(&actor(&analyst_a), "session-1")
        .await
        .unwrap();
    assert!(store.session("session-1").await.unwrap().is_none());
    store
        .create_session(
            &actor(&analyst_a),
            &Session {
                id_hash: "old".into(),
                expires_at: chrono::Utc::now() - chrono::Duration::hours(1),
                ..session.clone()
            },
        )
        .await
        .unwrap();
    assert!(
        store.session("old").await.unwrap().is_none(),
        "expired sessions open nothing"
    );

    // Reports and who sees them.
    let peers_b = store.network_peers(b.id).await.unwrap();
    let (s_mon, s_an_a, s_legal, s_an_b, s_an_c) = (
        scope(&monitor_a, &peers_a),
        scope(&analyst_a, &peers_a),
        scope(&legal_a, &peers_a),
        scope(&analyst_b, &peers_b),
        scope(&analyst_c, &[c.id]),
    );
    let r_mon = store
        .submit_report(
            &actor(&monitor_a),
            report("Houses burnt in Bossangoa", "organisation"),
        )
        .await
        .unwrap();
    let r_net = store
        .submit_report(
            &actor(&analyst_a),
            report("Armed men seen near Bossangoa church", "network"),
        )
        .await
        .unwrap();
    let r_sealed = store
        .submit_report(
            &actor(&analyst_a),
            report("Witness statement about the killings", "sealed"),
        )
        .await
        .unwrap();
    let r_b = store
        .submit_report(
            &actor(&analyst_b),
            report("Displacement towards Bangui", "organisation"),
        )
        .await
        .unwrap();
    let r_pub = store
        .submit_report(
            &actor(&analyst_c),
            report("Public communiqué on Ouham", "public"),
        )
        .await
        .unwrap();
    assert_eq!(r_mon.triage_status, TriageStatus::New);
    assert_eq!(r_mon.organisation, a.slug);
    assert!(matches!(
        store.submit_report(&sys, report("x", "public")).await,
        Err(StoreError::Rule(_))
    ));
    let all_reports = ReportFilter {
        limit: 100,
        ..Default::default()
    };
    let ids = |p: Page<kinga_domain::report::Report>| {
        let mut v: Vec<_> = p.items.iter().map(|r| r.id).collect();
        v.sort();
        (p.total, v)
    };
    let expect = |v: Vec<kinga_domain::ids::ReportId>| {
        let mut v = v;
        v.sort();
        (v.len() as u64, v)
    };
    assert_eq!(
        ids(store.reports(&s_mon, &all_reports).await.unwrap()),
        expect(vec![r_mon.id]),
        "a monitor sees only own reports"
    );
    assert_eq!(
        ids(store.reports(&s_an_a, &all_reports).await.unwrap()),
        expect(vec![r_mon.id, r_net.id, r_pub.id]),
        "sealed is hidden from analysts"
    );
    assert_eq!(
        ids(store.reports(&s_legal, &all_reports).await.unwrap()),
        expect(vec![r_mon.id, r_net.id, r_sealed.id, r_pub.id])
    );
    assert_eq!(
        ids(store.reports(&s_an_b, &all_reports).await.unwrap()),
        expect(vec![r_net.id, r_b.id, r_pub.id]),
        "network records cross to network members"
    );
    assert_eq!(
        ids(store.reports(&s_an_c, &all_reports).await.unwrap()),
        expect(vec![r_pub.id])
    );
    assert!(store.report(&s_an_b, r_mon.id).await.unwrap().is_none());
    assert!(
        store
            .report(&Scope::public(), r_pub.id)
            .await
            .unwrap()
            .is_none(),
        "anonymous visitors see no intake"
    );
    assert_eq!(
        store.report(&s_an_a, r_mon.id).await.unwrap().unwrap(),
        r_mon
    );
    let paged = store
        .reports(
            &s_legal,
            &ReportFilter {
                limit: 2,
                offset: 1,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((paged.total, paged.items.len()), (4, 2));

    // Triage.
    assert!(matches!(
        store
            .triage_report(
                &actor(&analyst_b),
                &s_an_b,
                r_mon.id,
                TriageDecision::Accept
            )
            .await,
        Err(StoreError::NotFound)
    ));
    let accepted = store
        .triage_report(
            &actor(&analyst_a),
            &s_an_a,
            r_mon.id,
            TriageDecision::Accept,
        )
        .await
        .unwrap();
    assert_eq!(accepted.triage_status, TriageStatus::Triaged);
    assert!(matches!(
        store
            .triage_report(
                &actor(&analyst_a),
                &s_an_a,
                r_net.id,
                TriageDecision::Reject { reason: " ".into() }
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    let rejected = store
        .triage_report(
            &actor(&analyst_b),
            &s_an_b,
            r_b.id,
            TriageDecision::Reject {
                reason: "outside our mandate".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (rejected.triage_status, rejected.reject_reason.as_deref()),
        (TriageStatus::Rejected, Some("outside our mandate"))
    );
    assert!(matches!(
        store
            .triage_report(&actor(&analyst_b), &s_an_b, r_b.id, TriageDecision::Spam)
            .await,
        Err(StoreError::Rule(_))
    ));
    let queue = store
        .reports(
            &s_an_a,
            &ReportFilter {
                status: Some(TriageStatus::New),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(queue.total, 2);

    // Incidents.
    let i1 = store
        .create_incident(
            &actor(&analyst_a),
            incident("Attack on Bossangoa church", "2013-12-05", &["war_crimes"]),
        )
        .await
        .unwrap();
    let i2 = store
        .create_incident(
            &actor(&analyst_a),
            incident(
                "Killings in Bouca",
                "2013-12-20",
                &["crimes_against_humanity"],
            ),
        )
        .await
        .unwrap();
    assert_eq!(i1.code, "CAF-2013-000001");
    assert_eq!(i2.code, "CAF-2013-000002");
    assert_eq!(i1.status, IncidentStatus::Draft);
    let list = |f: IncidentFilter| {
        let s = s_an_a.clone();
        async move { store.incidents(&s, &f).await.unwrap() }
    };
    assert_eq!(list(filter()).await.total, 2);
    assert_eq!(
        list(IncidentFilter {
            country: Some("CAF".parse().unwrap()),
            ..filter()
        })
        .await
        .total,
        2
    );
    assert_eq!(
        list(IncidentFilter {
            country: Some("UGA".parse().unwrap()),
            ..filter()
        })
        .await
        .total,
        0
    );
    assert_eq!(
        list(IncidentFilter {
            admin1: Some("ouham".into()),
            ..filter()
        })
        .await
        .total,
        2
    );
    assert_eq!(
        list(IncidentFilter {
            from: NaiveDate::from_ymd_opt(2013, 12, 10),
            ..filter()
        })
        .await
        .items[0]
            .id,
        i2.id
    );
    assert_eq!(
        list(IncidentFilter {
            to: NaiveDate::from_ymd_opt(2013, 12, 10),
            ..filter()
        })
        .await
        .total,
        1
    );
    assert_eq!(
        list(IncidentFilter {
            crime: Some(AtrocityCrime::WarCrimes),
            ..filter()
        })
        .await
        .items[0]
            .id,
        i1.id
    );
    assert_eq!(
        list(IncidentFilter {
            crime: Some(AtrocityCrime::Genocide),
            ..filter()
        })
        .await
        .total,
        0
    );
    assert_eq!(
        list(IncidentFilter {
            text: Some("BOUCA".into()),
            ..filter()
        })
        .await
        .items[0]
            .id,
        i2.id
    );
    assert_eq!(
        list(IncidentFilter {
            text: Some("100%_".into()),
            ..filter()
        })
        .await
        .total,
        0,
        "LIKE wildcards are literal"
    );
    let short = list(IncidentFilter {
        text: Some("ou".into()),
        ..filter()
    })
    .await;
    assert_eq!(
        (short.total, short.items[0].id),
        (1, i2.id),
        "a text too short for trigrams still matches"
    );
    let by_code = list(IncidentFilter {
        text: Some("caf-2013-000001".into()),
        ..filter()
    })
    .await;
    assert_eq!(
        (by_code.total, by_code.items[0].id),
        (1, i1.id),
        "codes are searchable"
    );
    let page = list(IncidentFilter {
        limit: 1,
        offset: 1,
        ..filter()
    })
    .await;
    assert_eq!(
        (page.total, page.items.len(), page.items[0].id),
        (2, 1, i1.id),
        "newest first, paged"
    );
    assert_eq!(
        store.incidents(&s_an_b, &filter()).await.unwrap().total,
        0,
        "organisation incidents stay home"
    );
    assert_eq!(store.incident(&s_an_a, i1.id).await.unwrap().unwrap(), i1);
    assert!(store.incident(&s_an_b, i1.id).await.unwrap().is_none());
    let near = store
        .incidents_near(
            &s_an_a,
            "CAF".parse().unwrap(),
            NaiveDate::from_ymd_opt(2013, 12, 1).unwrap(),
            NaiveDate::from_ymd_opt(2013, 12, 8).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(near.iter().map(|i| i.id).collect::<Vec<_>>(), vec![i1.id]);

    // Linking reports.
    let linked = store
        .link_report(&actor(&analyst_a), &s_an_a, r_mon.id, i1.id)
        .await
        .unwrap();
    assert_eq!(
        (linked.triage_status, linked.incident_id),
        (TriageStatus::Linked, Some(i1.id))
    );
    store
        .link_report(&actor(&analyst_a), &s_an_a, r_net.id, i1.id)
        .await
        .unwrap();
    assert!(matches!(
        store
            .link_report(&actor(&analyst_b), &s_an_b, r_b.id, i1.id)
            .await,
        Err(StoreError::NotFound)
    ));

    // Workflow, assignment and the edit lock.
    assert!(matches!(
        store
            .set_incident_status(
                &actor(&analyst_a),
                &s_an_a,
                i1.id,
                IncidentStatus::Verified,
                None
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    let inv = store
        .set_incident_status(
            &actor(&analyst_a),
            &s_an_a,
            i1.id,
            IncidentStatus::InVerification,
            Some("two independent reports".into()),
        )
        .await
        .unwrap();
    assert_eq!(inv.status, IncidentStatus::InVerification);
    assert_eq!(
        store
            .assign_incident(&actor(&analyst_a), &s_an_a, i1.id, Some(legal_a.id))
            .await
            .unwrap()
            .assignee,
        Some(legal_a.id)
    );
    assert!(matches!(
        store
            .assign_incident(&actor(&analyst_a), &s_an_a, i1.id, Some(analyst_b.id))
            .await,
        Err(StoreError::Rule(_))
    ));
    let lock = store
        .lock_incident(
            &actor(&analyst_a),
            &s_an_a,
            i1.id,
            chrono::Duration::minutes(30),
        )
        .await
        .unwrap();
    assert_eq!(lock.user_id, analyst_a.id);
    match store
        .lock_incident(
            &actor(&legal_a),
            &s_legal,
            i1.id,
            chrono::Duration::minutes(30),
        )
        .await
    {
        Err(StoreError::Locked { by, .. }) => assert_eq!(by, "analyst@alpha.org"),
        other => panic!("expected the lock to be held, got {other:?}"),
    }
    assert!(
        store
            .lock_incident(&actor(&legal_a), &s_legal, i1.id, chrono::Duration::zero())
            .await
            .is_ok(),
        "a stale lock is taken over"
    );
    store
        .unlock_incident(&actor(&legal_a), i1.id)
        .await
        .unwrap();
    assert!(store
        .incident_detail(&s_an_a, i1.id)
        .await
        .unwrap()
        .unwrap()
        .lock
        .is_none());

    // Coding: acts, parties, involvements, sources, citations.
    let provision = kinga_domain::vocab::rome::acts()
        .iter()
        .find(|a| a.crime == AtrocityCrime::WarCrimes)
        .unwrap();
    let act = store
        .add_act(&actor(&analyst_a), &s_an_a, i1.id, NewAct::parse(&json!({"provision": provision.provision, "victim_count": 12, "victim_description": "worshippers"})).unwrap())
        .await
        .unwrap();
    assert_eq!(act.crime, AtrocityCrime::WarCrimes);
    let party = store
        .add_party(
            &actor(&analyst_a),
            NewParty::parse(
                &json!({"kind": "armed_unit", "name": "Anti-balaka group", "acled_inter": 4}),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(party.kind, PartyKind::ArmedUnit);
    assert!(store
        .parties(&s_an_a)
        .await
        .unwrap()
        .iter()
        .any(|p| p.id == party.id));
    assert!(store.parties(&s_an_b).await.unwrap().is_empty());
    store
        .add_involvement(
            &actor(&analyst_a),
            &s_an_a,
            i1.id,
            NewInvolvement {
                act_id: Some(act.id),
                party_id: party.id,
                role: InvolvementRole::Perpetrator,
                degree: Some("direct".into()),
            },
        )
        .await
        .unwrap();
    let source = store
        .add_source(&actor(&analyst_a), NewSource::parse(&json!({"title": "Field interview", "connection": "eyewitness", "reliability": "b", "credibility": 2})).unwrap())
        .await
        .unwrap();
    assert_eq!(source.reliability, Some('B'));
    store
        .add_citation(
            &actor(&analyst_a),
            &s_an_a,
            i1.id,
            NewCitation {
                source_id: source.id,
                reference: Some("p. 3".into()),
                note: None,
            },
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_act(
                &actor(&analyst_b),
                &s_an_b,
                i1.id,
                NewAct::parse(&json!({"provision": provision.provision})).unwrap()
            )
            .await,
        Err(StoreError::NotFound)
    ));
    let detail = store
        .incident_detail(&s_an_a, i1.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.acts.len(), 1);
    assert_eq!(detail.involvements[0].party.name, "Anti-balaka group");
    assert_eq!(detail.citations[0].source.title, "Field interview");
    assert_eq!(
        detail.citations[0].citation.reference.as_deref(),
        Some("p. 3")
    );
    let mut linked_ids: Vec<_> = detail.reports.iter().map(|r| r.id).collect();
    linked_ids.sort();
    let mut want = vec![r_mon.id, r_net.id];
    want.sort();
    assert_eq!(linked_ids, want);

    // Import: idempotent by external reference, perpetrators shared.
    let imported = |id: u32| {
        let mut inc = incident(&format!("UCDP event {id}"), "2014-01-10", &[]);
        inc.visibility = Visibility::Public;
        inc.external_ref = Some(format!("ucdp-ged:{id}"));
        ImportedIncident {
            incident: inc,
            perpetrators: vec![NewParty {
                visibility: Visibility::Public,
                kind: PartyKind::ArmedUnit,
                name: "Séléka".into(),
                description: None,
                acled_inter: None,
                external_ref: Some("ucdp-actor:1".into()),
            }],
            source: Some(NewSource {
                visibility: Visibility::Public,
                title: format!("Report {id}"),
                outlet: Some("AFP".into()),
                url: None,
                published_on: None,
                connection: SourceConnection::Dataset,
                reliability: None,
                credibility: None,
                external_ref: Some(format!("ucdp-ged:{id}")),
            }),
            citation_reference: Some(format!("UCDP GED id {id}")),
        }
    };
    let importer = Actor::system("import").acting_for(c.id, c.slug.clone());
    let first = store
        .import_incidents(&importer, vec![imported(1), imported(2)])
        .await
        .unwrap();
    assert_eq!(
        first,
        ImportOutcome {
            created: 2,
            already_present: 0
        }
    );
    let again = store
        .import_incidents(&importer, vec![imported(1), imported(2), imported(3)])
        .await
        .unwrap();
    assert_eq!(
        again,
        ImportOutcome {
            created: 1,
            already_present: 2
        }
    );
    let public = store.incidents(&Scope::public(), &filter()).await.unwrap();
    assert_eq!(
        public.total, 3,
        "published incidents are visible to everyone"
    );
    let seleka: Vec<_> = store
        .parties(&s_an_b)
        .await
        .unwrap()
        .into_iter()
        .filter(|p| p.name == "Séléka")
        .collect();
    assert_eq!(seleka.len(), 1, "one armed group, one party");

    // The audit chain.
    let trail = store.audit_trail(&i1.id.to_string()).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["create", "set_status", "assign"]);
    assert_eq!(
        trail[1].explanation.as_deref(),
        Some("two independent reports")
    );
    assert_eq!(trail[0].actor, "analyst@alpha.org");
    let v = store.verify().await.unwrap();
    assert_eq!(v.first_break, None, "an untouched database verifies");
    assert!(v.entries > 40 && v.records > 30, "{v:?}");
}

/// Changes made behind Kinga's back are named by `verify`.
pub async fn tampering_story(store: &dyn Store, raw: RawSql<'_>) {
    let sys = Actor::system("conformance");
    let o = store
        .add_organisation(&sys, org("tango", "Tango", &[]))
        .await
        .unwrap();
    let u = user(store, &o, Role::Analyst, "analyst@tango.org").await;
    let r = store
        .submit_report(&actor(&u), report("Original wording", "organisation"))
        .await
        .unwrap();
    store
        .submit_report(&actor(&u), report("Second report", "organisation"))
        .await
        .unwrap();
    assert_eq!(store.verify().await.unwrap().first_break, None);

    raw(format!(
        "UPDATE reports SET text = 'Altered wording' WHERE id = '{}'",
        r.id
    ))
    .await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("an edited report is caught");
    assert!(broken.contains(&format!("report {}", r.id)), "{broken}");

    raw(format!(
        "UPDATE reports SET text = 'Original wording' WHERE id = '{}'",
        r.id
    ))
    .await;
    assert_eq!(
        store.verify().await.unwrap().first_break,
        None,
        "restoring the exact text restores the proof"
    );

    raw(format!("DELETE FROM reports WHERE id = '{}'", r.id)).await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("a deleted report is caught");
    assert!(broken.contains("missing"), "{broken}");

    raw("DELETE FROM audit_log WHERE seq = 2".into()).await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("a deleted entry is caught");
    assert_eq!(broken, "audit entry 3: expected sequence number 2");

    raw("UPDATE audit_log SET actor = 'someone else' WHERE seq = 1".into()).await;
    let broken = store
        .verify()
        .await
        .unwrap()
        .first_break
        .expect("an edited entry is caught");
    assert_eq!(broken, "audit entry 1: its hash does not match its content");
}

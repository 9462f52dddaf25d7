//! The PostgreSQL driver against a real server. Tests that need one read
//! KINGA_TEST_DATABASE_URL (`eval "$(bash .ci/postgres.sh)"` provides it); without it they pass
//! after saying that they skipped, so `cargo test` still works on a machine without PostgreSQL.
//! Each test creates its own database and drops it afterwards, so runs never see each other's
//! rows and tests can run in parallel.

mod schema;

use futures::FutureExt;
use kinga_domain::incident::{IncidentFilter, IncidentStatus, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::party::{InvolvementRole, NewAct, NewInvolvement, NewParty};
use kinga_domain::report::{NewReport, TriageDecision, TriageStatus};
use kinga_domain::source::{NewCitation, NewSource};
use kinga_domain::user::{Email, User};
use kinga_domain::vocab::AtrocityCrime;
use kinga_domain::{Country, Role};
use kinga_store::sql::SqlStore;
use kinga_store::{
    Actor, ImportedIncident, NewUser, ReportFilter, Scope, Session, Store, StoreError,
};
use kinga_store_postgres::PgEngine;
use serde_json::json;
use sqlx::Connection;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

const URL_VAR: &str = "KINGA_TEST_DATABASE_URL";

type Pg = Arc<SqlStore<PgEngine>>;

/// `url` pointing at database `name` instead, keeping user, host and parameters.
fn with_database(url: &str, name: &str) -> String {
    let (main, query) = match url.split_once('?') {
        Some((m, q)) => (m, Some(q)),
        None => (url, None),
    };
    let after_scheme = main.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match main[after_scheme..].find('/') {
        Some(i) => &main[..after_scheme + i],
        None => main,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Runs `test` against a store on a new, empty database, which is dropped afterwards even when
/// the test fails. `test` also gets that database's URL, to open a second store on it or to
/// reach behind the store's back.
async fn with_fresh_db<F, Fut>(test: &str, body: F)
where
    F: FnOnce(Pg, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(admin_url) = std::env::var(URL_VAR) else {
        eprintln!(
            "skipped {test}: {URL_VAR} is not set, so there is no PostgreSQL server to test \
             against (as root, `eval \"$(bash .ci/postgres.sh)\"` sets one up)"
        );
        return;
    };
    let name = format!("kinga_t_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {URL_VAR}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("CREATE DATABASE (the role needs CREATEDB)");
    let url = with_database(&admin_url, &name);

    let outcome = AssertUnwindSafe(async {
        let store = Arc::new(
            kinga_store_postgres::open(&url)
                .await
                .expect("open a fresh database"),
        );
        body(store.clone(), url.clone()).await;
        store.engine().close().await;
    })
    .catch_unwind()
    .await;

    // FORCE: a failed test may leave a pool's connections behind.
    let dropped = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await;
    let _ = admin.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
    dropped.expect("drop the test database");
}

fn system() -> Actor {
    Actor::system("test")
}

fn actor_for(user: &User) -> Actor {
    Actor {
        user_id: Some(user.id),
        label: user.email.to_string(),
        organisation_id: Some(user.organisation_id),
        organisation: Some(user.organisation.clone()),
    }
}

async fn scope_for(store: &Pg, user: &User) -> Scope {
    Scope {
        user_id: Some(user.id),
        organisation_id: Some(user.organisation_id),
        role: Some(user.role),
        network_peers: store.network_peers(user.organisation_id).await.unwrap(),
        own_reports_only: user.role.sees_only_own_reports(),
        everything: false,
    }
}

async fn add_org(store: &Pg, slug: &str, networks: &[&str]) -> Organisation {
    let nets: Vec<String> = networks.iter().map(|s| s.to_string()).collect();
    let new = NewOrganisation::parse(slug, &format!("{slug} monitors"), Some("CAF"), &nets)
        .expect("valid organisation");
    store.add_organisation(&system(), new).await.unwrap()
}

async fn add_user(store: &Pg, org: &str, email: &str, role: Role) -> User {
    store
        .add_user(
            &system(),
            NewUser {
                organisation: Slug::parse(org).unwrap(),
                role,
                email: Email::parse(email).unwrap(),
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
                totp_secret: None,
            },
        )
        .await
        .unwrap()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn report(text: &str) -> NewReport {
    NewReport::parse(
        &json!({
            "text": text,
            "country": "CAF",
            "occurred_on": "2024-03-01",
            "visibility": "organisation",
            "language": "fr",
            "admin1": "Ouaka",
            "place_name": "Bambari",
            "latitude": 5.7679,
            "longitude": 20.6756,
            "reporter_role": "witness",
            "risk_to_source": "high",
        }),
        today(),
    )
    .expect("valid report")
}

fn incident(title: &str, start: &str) -> NewIncident {
    NewIncident::parse(&json!({
        "title": title,
        "country": "CAF",
        "summary": "Armed men entered the village at dawn.",
        "date_start": start,
        "date_precision": 1,
        "admin1": "Ouaka",
        "place_name": "Bambari",
        "latitude": 5.7679,
        "longitude": 20.6756,
        "place_precision": 2,
        "violence_type": "one_sided",
        "crimes": ["crimes_against_humanity", "war_crimes"],
        "fatalities_best": 12,
        "fatalities_low": 10,
        "fatalities_high": 15,
        "visibility": "organisation",
    }))
    .expect("valid incident")
}

async fn assert_intact(store: &Pg) -> u64 {
    let v = store.verify().await.unwrap();
    assert_eq!(v.first_break, None, "audit chain broken: {v:?}");
    v.entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_users_reports_and_incidents() {
    with_fresh_db(
        "organisations_users_reports_and_incidents",
        |store, _| async move {
            assert_eq!(store.backend_name(), "postgres");

            let org = add_org(&store, "bambari-watch", &["caf-network"]).await;
            let peer = add_org(&store, "ouaka-monitors", &["caf-network"]).await;
            add_org(&store, "elsewhere", &[]).await;
            assert_eq!(store.organisations().await.unwrap().len(), 3);
            let found = store
                .organisation(&Slug::parse("bambari-watch").unwrap())
                .await
                .unwrap()
                .expect("organisation by slug");
            assert_eq!(found, org);
            let mut peers = store.network_peers(org.id).await.unwrap();
            peers.sort_by_key(|p| p.to_string());
            let mut expected = vec![org.id, peer.id];
            expected.sort_by_key(|p| p.to_string());
            assert_eq!(peers, expected);

            let again = NewOrganisation::parse("bambari-watch", "Again", None, &[]).unwrap();
            assert!(matches!(
                store.add_organisation(&system(), again).await,
                Err(StoreError::Conflict(_))
            ));

            let analyst = add_user(
                &store,
                "bambari-watch",
                "analyst@example.org",
                Role::Analyst,
            )
            .await;
            let monitor = add_user(
                &store,
                "bambari-watch",
                "monitor@example.org",
                Role::Monitor,
            )
            .await;
            assert_eq!(store.user(analyst.id).await.unwrap(), Some(analyst.clone()));
            let (by_email, creds) = store
                .user_by_email(&analyst.email)
                .await
                .unwrap()
                .expect("user by e-mail");
            assert_eq!(by_email, analyst);
            assert!(creds.password_hash.starts_with("$argon2id$"));
            assert_eq!(store.users(Some(org.id)).await.unwrap().len(), 2);
            let duplicate = NewUser {
                organisation: org.slug.clone(),
                role: Role::Analyst,
                email: analyst.email.clone(),
                password_hash: "x".into(),
                totp_secret: None,
            };
            assert!(matches!(
                store.add_user(&system(), duplicate).await,
                Err(StoreError::Conflict(_))
            ));
            store
                .set_second_factor(&system(), analyst.id, "JBSWY3DPEHPK3PXP")
                .await
                .unwrap();
            store
                .add_api_token(&system(), analyst.id, "token-hash-1")
                .await
                .unwrap();
            assert_eq!(
                store
                    .user_by_token("token-hash-1")
                    .await
                    .unwrap()
                    .map(|u| u.id),
                Some(analyst.id)
            );

            let session = Session {
                id_hash: "session-hash".into(),
                user_id: analyst.id,
                csrf_token: "csrf".into(),
                second_factor_done: false,
                expires_at: kinga_domain::time::now() + chrono::Duration::hours(1),
            };
            store.create_session(&session).await.unwrap();
            assert_eq!(
                store.session("session-hash").await.unwrap(),
                Some(session.clone())
            );
            store.confirm_second_factor("session-hash").await.unwrap();
            assert!(
                store
                    .session("session-hash")
                    .await
                    .unwrap()
                    .unwrap()
                    .second_factor_done
            );
            store.delete_session("session-hash").await.unwrap();
            assert_eq!(store.session("session-hash").await.unwrap(), None);

            let analyst_actor = actor_for(&analyst);
            let monitor_actor = actor_for(&monitor);
            let analyst_scope = scope_for(&store, &analyst).await;
            let monitor_scope = scope_for(&store, &monitor).await;

            let first = store
                .submit_report(&monitor_actor, report("Shooting heard near the market"))
                .await
                .unwrap();
            let second = store
                .submit_report(&analyst_actor, report("Houses burned on the road to Ippy"))
                .await
                .unwrap();
            assert_eq!(first.triage_status, TriageStatus::New);
            assert_eq!(
                store.report(&analyst_scope, first.id).await.unwrap(),
                Some(first.clone()),
                "a report comes back exactly as submitted (reals, timestamps, nulls)"
            );

            let all = store
                .reports(
                    &analyst_scope,
                    &ReportFilter {
                        limit: 50,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(all.total, 2);
            assert_eq!(
                all.items.iter().map(|r| r.id).collect::<Vec<_>>(),
                vec![second.id, first.id],
                "newest first"
            );
            let own = store
                .reports(
                    &monitor_scope,
                    &ReportFilter {
                        limit: 50,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(own.total, 1, "a monitor sees only their own reports");
            let filtered = store
                .reports(
                    &analyst_scope,
                    &ReportFilter {
                        status: Some(TriageStatus::New),
                        country: Some(Country::parse("CAF").unwrap()),
                        limit: 1,
                        offset: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!((filtered.total, filtered.items.len()), (2, 1));
            assert!(store
                .reports(
                    &Scope::public(),
                    &ReportFilter {
                        limit: 50,
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .items
                .is_empty());

            let created = store
                .create_incident(
                    &analyst_actor,
                    incident("Massacre at Bambari market", "2024-03-01"),
                )
                .await
                .unwrap();
            assert_eq!(created.code, "CAF-2024-000001");
            assert_eq!(created.status, IncidentStatus::Draft);
            let next = store
                .create_incident(&analyst_actor, incident("Ippy road arson", "2024-03-02"))
                .await
                .unwrap();
            assert_eq!(next.code, "CAF-2024-000002", "the counter upsert counts on");
            assert_eq!(
                store.incident(&analyst_scope, created.id).await.unwrap(),
                Some(created.clone())
            );

            let page = store
                .incidents(
                    &analyst_scope,
                    &IncidentFilter {
                        text: Some("MASSACRE".into()),
                        crime: Some(AtrocityCrime::WarCrimes),
                        admin1: Some("ouaka".into()),
                        from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1),
                        to: chrono::NaiveDate::from_ymd_opt(2024, 12, 31),
                        limit: 20,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(page.total, 1, "ILIKE search is case-insensitive");
            assert_eq!(page.items[0].id, created.id);
            let near = store
                .incidents_near(
                    &analyst_scope,
                    Country::parse("CAF").unwrap(),
                    chrono::NaiveDate::from_ymd_opt(2024, 2, 28).unwrap(),
                    chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(
                near.iter().map(|i| i.id).collect::<Vec<_>>(),
                vec![created.id]
            );

            let linked = store
                .link_report(&analyst_actor, &analyst_scope, first.id, created.id)
                .await
                .unwrap();
            assert_eq!(linked.incident_id, Some(created.id));
            let rejected = store
                .triage_report(
                    &analyst_actor,
                    &analyst_scope,
                    second.id,
                    TriageDecision::Reject {
                        reason: "duplicate of a known event".into(),
                    },
                )
                .await
                .unwrap();
            assert_eq!(
                rejected.reject_reason.as_deref(),
                Some("duplicate of a known event")
            );

            let lock = store
                .lock_incident(
                    &analyst_actor,
                    &analyst_scope,
                    created.id,
                    chrono::Duration::minutes(30),
                )
                .await
                .unwrap();
            assert_eq!(lock.user_id, analyst.id);
            let other = add_user(
                &store,
                "bambari-watch",
                "coord@example.org",
                Role::Coordinator,
            )
            .await;
            let other_scope = scope_for(&store, &other).await;
            assert!(matches!(
                store
                    .lock_incident(
                        &actor_for(&other),
                        &other_scope,
                        created.id,
                        chrono::Duration::minutes(30)
                    )
                    .await,
                Err(StoreError::Locked { .. })
            ));
            // A stale lock is taken over through the upsert.
            store
                .lock_incident(
                    &actor_for(&other),
                    &other_scope,
                    created.id,
                    chrono::Duration::zero(),
                )
                .await
                .unwrap();
            store
                .unlock_incident(&actor_for(&other), created.id)
                .await
                .unwrap();

            store
                .set_incident_status(
                    &analyst_actor,
                    &analyst_scope,
                    created.id,
                    IncidentStatus::InVerification,
                    Some("two sources".into()),
                )
                .await
                .unwrap();
            assert!(matches!(
                store
                    .set_incident_status(
                        &analyst_actor,
                        &analyst_scope,
                        created.id,
                        IncidentStatus::Closed,
                        None
                    )
                    .await,
                Err(StoreError::Rule(_))
            ));
            let assigned = store
                .assign_incident(&analyst_actor, &analyst_scope, created.id, Some(analyst.id))
                .await
                .unwrap();
            assert_eq!(assigned.assignee, Some(analyst.id));

            let act = store
                .add_act(
                    &analyst_actor,
                    &analyst_scope,
                    created.id,
                    NewAct::parse(&json!({"provision": "art. 7(1)(a)", "victim_count": 12}))
                        .unwrap(),
                )
                .await
                .unwrap();
            let party = store
                .add_party(
                    &analyst_actor,
                    NewParty::parse(
                        &json!({"kind": "armed_unit", "name": "Unit 7", "acled_inter": 2}),
                    )
                    .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(
                store.parties(&analyst_scope).await.unwrap(),
                vec![party.clone()]
            );
            store
                .add_involvement(
                    &analyst_actor,
                    &analyst_scope,
                    created.id,
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
                .add_source(
                    &analyst_actor,
                    NewSource::parse(&json!({
                        "title": "Witness statement",
                        "connection": "eyewitness",
                        "published_on": "2024-03-03",
                        "reliability": "b",
                        "credibility": 2,
                        "url": "https://example.org/statement",
                    }))
                    .unwrap(),
                )
                .await
                .unwrap();
            store
                .add_citation(
                    &analyst_actor,
                    &analyst_scope,
                    created.id,
                    NewCitation {
                        source_id: source.id,
                        reference: Some("p. 3".into()),
                        note: None,
                    },
                )
                .await
                .unwrap();
            let detail = store
                .incident_detail(&analyst_scope, created.id)
                .await
                .unwrap()
                .expect("incident detail");
            assert_eq!(detail.acts, vec![act]);
            assert_eq!(detail.involvements.len(), 1);
            assert_eq!(detail.citations.len(), 1);
            assert_eq!(detail.citations[0].source, source);
            assert_eq!(
                detail.reports.iter().map(|r| r.id).collect::<Vec<_>>(),
                vec![first.id]
            );
            assert!(detail.lock.is_none());

            let mut imported = incident("Imported from a dataset", "2023-07-14");
            imported.external_ref = Some("ucdp-ged:123".into());
            let mut perpetrator =
                NewParty::parse(&json!({"kind": "group", "name": "Group A"})).unwrap();
            perpetrator.external_ref = Some("ucdp-actor:90".into());
            let batch = vec![ImportedIncident {
                incident: imported,
                perpetrators: vec![perpetrator],
                source: Some(
                    NewSource::parse(&json!({"title": "UCDP GED", "connection": "dataset"}))
                        .unwrap(),
                ),
                citation_reference: Some("id 123".into()),
            }];
            let org_actor = system().acting_for(org.id, org.slug.clone());
            let once = store
                .import_incidents(&org_actor, batch.clone())
                .await
                .unwrap();
            assert_eq!((once.created, once.already_present), (1, 0));
            let twice = store.import_incidents(&org_actor, batch).await.unwrap();
            assert_eq!((twice.created, twice.already_present), (0, 1));

            let trail = store.audit_trail(&created.id.to_string()).await.unwrap();
            assert_eq!(
                trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
                vec!["create", "set_status", "assign"]
            );
            let entries = assert_intact(&store).await;
            assert!(entries > 20, "every write left an audit entry ({entries})");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_write_leaves_no_trace() {
    with_fresh_db("a_failed_write_leaves_no_trace", |store, _| async move {
        add_org(&store, "bambari-watch", &[]).await;
        let before = assert_intact(&store).await;
        let unknown_org = NewUser {
            organisation: Slug::parse("nobody-here").unwrap(),
            role: Role::Analyst,
            email: Email::parse("a@example.org").unwrap(),
            password_hash: "x".into(),
            totp_secret: None,
        };
        assert!(matches!(
            store.add_user(&system(), unknown_org).await,
            Err(StoreError::Invalid(_))
        ));
        assert_eq!(assert_intact(&store).await, before);
        assert!(store.users(None).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_on_two_servers_take_turns() {
    with_fresh_db(
        "writers_on_two_servers_take_turns",
        |store, url| async move {
            // A second pool on the same database stands in for a second server process.
            let other: Pg = Arc::new(kinga_store_postgres::open(&url).await.unwrap());
            add_org(&store, "bambari-watch", &[]).await;
            let user = add_user(
                &store,
                "bambari-watch",
                "monitor@example.org",
                Role::Monitor,
            )
            .await;
            let actor = actor_for(&user);
            let importer =
                Actor::system("import").acting_for(user.organisation_id, user.organisation.clone());
            const PER_SERVER: usize = 25;
            let mut tasks = Vec::new();
            for (server, s) in [store.clone(), other.clone()].into_iter().enumerate() {
                for n in 0..PER_SERVER {
                    let (s1, actor) = (s.clone(), actor.clone());
                    tasks.push(tokio::spawn(async move {
                        s1.submit_report(&actor, report(&format!("server {server} report {n}")))
                            .await
                            .map(|_| ())
                    }));
                    let (s2, importer) = (s.clone(), importer.clone());
                    tasks.push(tokio::spawn(async move {
                        s2.create_incident(
                            &importer,
                            incident(&format!("server {server} incident {n}"), "2024-05-01"),
                        )
                        .await
                        .map(|_| ())
                    }));
                }
            }
            for t in tasks {
                t.await.unwrap().unwrap();
            }
            let entries = assert_intact(&store).await;
            assert_eq!(entries, 2 + 4 * PER_SERVER as u64);
            let page = store
                .incidents(
                    &Scope::maintenance(),
                    &IncidentFilter {
                        limit: 500,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            let mut codes: Vec<String> = page.items.into_iter().map(|i| i.code).collect();
            codes.sort();
            codes.dedup();
            assert_eq!(
                codes.len(),
                2 * PER_SERVER,
                "no incident code was handed out twice"
            );
            other.engine().close().await;
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verification_notices_an_edit_behind_the_stores_back() {
    with_fresh_db(
        "verification_notices_an_edit_behind_the_stores_back",
        |store, url| async move {
            add_org(&store, "bambari-watch", &[]).await;
            let user = add_user(
                &store,
                "bambari-watch",
                "analyst@example.org",
                Role::Analyst,
            )
            .await;
            let r = store
                .submit_report(&actor_for(&user), report("Original text"))
                .await
                .unwrap();
            assert_intact(&store).await;

            let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query("UPDATE reports SET text = 'Edited text' WHERE id = $1")
                .bind(r.id.to_string())
                .execute(&mut conn)
                .await
                .unwrap();
            conn.close().await.unwrap();

            let v = store.verify().await.unwrap();
            let brk = v.first_break.expect("the edit is noticed");
            assert!(brk.contains(&r.id.to_string()), "{brk}");
        },
    )
    .await;
}

#[tokio::test]
async fn a_wrong_password_is_not_echoed() {
    let Ok(good) = std::env::var(URL_VAR) else {
        eprintln!("skipped a_wrong_password_is_not_echoed: {URL_VAR} is not set");
        return;
    };
    let Some((scheme, rest)) = good.split_once("://") else {
        panic!("{URL_VAR} is not a URL");
    };
    let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
    let bad = format!("{scheme}://kinga:not-the-password-42@{host}");
    let msg = match kinga_store_postgres::open(&bad).await {
        Ok(_) => panic!("a wrong password was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(!msg.contains("not-the-password-42"), "{msg}");
    assert!(msg.contains("***"), "{msg}");
}

#[test]
fn urls_point_at_the_test_database() {
    assert_eq!(
        with_database("postgres://k:p@h:5432/kinga_test", "kinga_t_1"),
        "postgres://k:p@h:5432/kinga_t_1"
    );
    assert_eq!(
        with_database("postgres://k:p@h/kinga_test?sslmode=disable", "x"),
        "postgres://k:p@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
}

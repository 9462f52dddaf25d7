//! The PostgreSQL driver against a real server. Tests that need one read
//! KINGA_TEST_DATABASE_URL (`eval "$(bash .ci/postgres.sh)"` provides it); without it they pass
//! after saying that they skipped, so `cargo test` still works on a machine without PostgreSQL.
//! Each test creates its own database and drops it afterwards, so runs never see each other's
//! rows and tests can run in parallel.

mod citus;
mod schema;
mod tls;

use futures::FutureExt;
use kinga_domain::incident::{IncidentFilter, NewIncident};
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::report::NewReport;
use kinga_domain::user::{Email, User};
use kinga_domain::Role;
use kinga_store::{Actor, NewUser, Scope, Store, StoreError};
use kinga_store_postgres::PgEngine;
use kinga_store_sql::SqlStore;
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
        kinga_testkit::skip(format!(
            "{test}: {URL_VAR} is not set, so there is no PostgreSQL server to test \
             against (as root, `eval \"$(bash .ci/postgres.sh)\"` sets one up)"
        ));
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

    let _ = admin.close().await;
    let dropped = kinga_store_postgres::scratch::drop(&admin_url, &name).await;
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

async fn add_org(store: &Pg, slug: &str, networks: &[&str]) -> Organisation {
    let nets: Vec<String> = networks.iter().map(ToString::to_string).collect();
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

#[tokio::test]
async fn a_wrong_password_is_not_echoed() {
    let Ok(good) = std::env::var(URL_VAR) else {
        kinga_testkit::skip(format!("{URL_VAR} is not set"));
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

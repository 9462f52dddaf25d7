//! Runs the conformance story against SQLite always, and against PostgreSQL when
//! KINGA_TEST_DATABASE_URL names a server. Every story is listed once and run on both.
use kinga_store_sql::Engine;
use kinga_store_sql::SqlStore;
use kinga_store_tests::RawSql;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Edits the database behind the store's back, as someone holding the database file could: the
/// tampering stories check that `verify` names what was changed.
fn raw_sql<E: Engine + 'static>(
    store: Arc<SqlStore<E>>,
) -> impl Fn(String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Sync {
    move |sql: String| {
        let s = store.clone();
        Box::pin(async move {
            s.engine().execute(&sql, vec![]).await.unwrap();
        })
    }
}

macro_rules! on_every_backend {
    ($($name:ident: |$store:ident, $raw:ident| $story:expr;)*) => {
        mod sqlite {
            use super::*;

            async fn fresh() -> (
                tempfile::TempDir,
                Arc<SqlStore<kinga_store_sqlite::SqliteEngine>>,
            ) {
                let dir = tempfile::tempdir().unwrap();
                let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
                    .await
                    .unwrap();
                (dir, Arc::new(store))
            }

            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let (_dir, $store) = fresh().await;
                    let edit = raw_sql($store.clone());
                    let $raw: RawSql<'_> = &edit;
                    $story.await;
                }
            )*
        }

        mod postgres {
            use super::*;

            const URL_VAR: &str = "KINGA_TEST_DATABASE_URL";

            /// Runs `body` on a store over a new, empty database, dropped afterwards.
            async fn with_fresh<F, Fut>(test: &str, body: F)
            where
                F: FnOnce(Arc<SqlStore<kinga_store_postgres::PgEngine>>) -> Fut,
                Fut: Future<Output = ()>,
            {
                let Ok(admin) = std::env::var(URL_VAR) else {
                    kinga_testkit::skip(format!("postgres::{test}: {URL_VAR} is not set (as root, `eval \"$(bash .ci/postgres.sh)\"` provides a server)"));
                    return;
                };
                let (name, url) = kinga_store_postgres::scratch::create(&admin).await.unwrap();
                let store = Arc::new(kinga_store_postgres::open(&url).await.unwrap());
                body(store.clone()).await;
                store.engine().close().await;
                kinga_store_postgres::scratch::drop(&admin, &name)
                    .await
                    .unwrap();
            }

            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    with_fresh(stringify!($name), |$store| async move {
                        let edit = raw_sql($store.clone());
                        let $raw: RawSql<'_> = &edit;
                        $story.await;
                    })
                    .await;
                }
            )*
        }
    };
}

on_every_backend! {
    story: |store, _raw| kinga_store_tests::story(store.as_ref());
    tampering: |store, raw| kinga_store_tests::tampering_story(store.as_ref(), raw);
    evidence: |store, _raw| kinga_store_tests::evidence::evidence_story(store.as_ref());
    evidence_tampering: |store, raw| kinga_store_tests::evidence::evidence_tampering_story(store.as_ref(), raw);
    events: |store, _raw| kinga_store_tests::events::events_story(store.as_ref());
    events_tampering: |store, raw| kinga_store_tests::events::events_tampering_story(store.as_ref(), raw);
    verify_in_pages: |store, raw| kinga_store_tests::events::verify_in_pages_story(store.as_ref(), raw);
    bulk_import: |store, raw| kinga_store_tests::events::bulk_import_story(store.as_ref(), raw);
    event_rollup: |store, raw| kinga_store_tests::event_rollup::rollup_story(store.as_ref(), raw, kinga_store::RollUp::WithBatch);
    event_rollup_at_import_end: |store, raw| kinga_store_tests::event_rollup::rollup_story(store.as_ref(), raw, kinga_store::RollUp::AtImportEnd);
    signals: |store, _raw| kinga_store_tests::signals::signals_story(store.as_ref());
    signals_tampering: |store, raw| kinga_store_tests::signals::signals_tampering_story(store.as_ref(), raw);
    checkpoints: |store, raw| kinga_store_tests::checkpoints::checkpoints_story(store.as_ref(), raw);
    incident_events: |store, _raw| kinga_store_tests::incident_events::incident_events_story(store.as_ref());
    incident_events_tampering: |store, raw| kinga_store_tests::incident_events::incident_events_tampering_story(store.as_ref(), raw);
    access_log: |store, raw| kinga_store_tests::access_log::access_log_story(store.as_ref(), raw);
    owner_only_workflow: |store, _raw| kinga_store_tests::workflow::owner_only_workflow_story(store.as_ref());
    credentials: |store, raw| kinga_store_tests::credentials::credentials_story(store.as_ref(), raw);
    alerts: |store, raw| kinga_store_tests::alerts::alerts_story(store.as_ref(), raw);
}

#[test]
fn both_drivers_ship_the_same_migration_versions() {
    assert_eq!(
        kinga_store_sqlite::migration_versions(),
        kinga_store_postgres::migration_versions()
    );
    assert!(!kinga_store_sqlite::migration_versions().is_empty());
}

/// Two stores on one SQLite file, as two processes would hold it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_first_import_with_another_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinga.db");
    let store = kinga_store_sqlite::open(&path).await.unwrap();
    let other = kinga_store_sqlite::open(&path).await.unwrap();
    kinga_store_tests::events::first_import_with_another_writer_story(&store, &other).await;
}

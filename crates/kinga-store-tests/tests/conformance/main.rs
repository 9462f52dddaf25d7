//! Runs the conformance story against SQLite always, and against PostgreSQL when
//! KINGA_TEST_DATABASE_URL names a server.
use kinga_store::sql::Engine;
use std::sync::Arc;

mod sqlite {
    use super::*;

    async fn fresh() -> (
        tempfile::TempDir,
        Arc<kinga_store::SqlStore<kinga_store_sqlite::SqliteEngine>>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
            .await
            .unwrap();
        (dir, Arc::new(store))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn story() {
        let (_dir, store) = fresh().await;
        kinga_store_tests::story(store.as_ref()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tampering() {
        let (_dir, store) = fresh().await;
        let raw_store = store.clone();
        let raw = move |sql: String| {
            let s = raw_store.clone();
            Box::pin(async move {
                s.engine().execute(&sql, vec![]).await.unwrap();
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        kinga_store_tests::tampering_story(store.as_ref(), &raw).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn evidence() {
        let (_dir, store) = fresh().await;
        kinga_store_tests::evidence::evidence_story(store.as_ref()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn evidence_tampering() {
        let (_dir, store) = fresh().await;
        let raw_store = store.clone();
        let raw = move |sql: String| {
            let s = raw_store.clone();
            Box::pin(async move {
                s.engine().execute(&sql, vec![]).await.unwrap();
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        kinga_store_tests::evidence::evidence_tampering_story(store.as_ref(), &raw).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn events() {
        let (_dir, store) = fresh().await;
        kinga_store_tests::events::events_story(store.as_ref()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn events_tampering() {
        let (_dir, store) = fresh().await;
        let raw_store = store.clone();
        let raw = move |sql: String| {
            let s = raw_store.clone();
            Box::pin(async move {
                s.engine().execute(&sql, vec![]).await.unwrap();
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        kinga_store_tests::events::events_tampering_story(store.as_ref(), &raw).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signals() {
        let (_dir, store) = fresh().await;
        kinga_store_tests::signals::signals_story(store.as_ref()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signals_tampering() {
        let (_dir, store) = fresh().await;
        let raw_store = store.clone();
        let raw = move |sql: String| {
            let s = raw_store.clone();
            Box::pin(async move {
                s.engine().execute(&sql, vec![]).await.unwrap();
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        kinga_store_tests::signals::signals_tampering_story(store.as_ref(), &raw).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checkpoints() {
        let (_dir, store) = fresh().await;
        let raw_store = store.clone();
        let raw = move |sql: String| {
            let s = raw_store.clone();
            Box::pin(async move {
                s.engine().execute(&sql, vec![]).await.unwrap();
            }) as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
        };
        kinga_store_tests::checkpoints::checkpoints_story(store.as_ref(), &raw).await;
    }
}

mod postgres {
    use super::*;

    const URL_VAR: &str = "KINGA_TEST_DATABASE_URL";

    /// Runs `body` on a store over a new, empty database, dropped afterwards.
    async fn with_fresh<F, Fut>(test: &str, body: F)
    where
        F: FnOnce(Arc<kinga_store::SqlStore<kinga_store_postgres::PgEngine>>) -> Fut,
        Fut: std::future::Future<Output = ()>,
    {
        let Ok(admin) = std::env::var(URL_VAR) else {
            eprintln!("skipped postgres::{test}: {URL_VAR} is not set (as root, `eval \"$(bash .ci/postgres.sh)\"` provides a server)");
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn story() {
        with_fresh("story", |store| async move {
            kinga_store_tests::story(store.as_ref()).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn tampering() {
        with_fresh("tampering", |store| async move {
            let raw_store = store.clone();
            let raw = move |sql: String| {
                let s = raw_store.clone();
                Box::pin(async move {
                    s.engine().execute(&sql, vec![]).await.unwrap();
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            };
            kinga_store_tests::tampering_story(store.as_ref(), &raw).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn evidence() {
        with_fresh("evidence", |store| async move {
            kinga_store_tests::evidence::evidence_story(store.as_ref()).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn evidence_tampering() {
        with_fresh("evidence_tampering", |store| async move {
            let raw_store = store.clone();
            let raw = move |sql: String| {
                let s = raw_store.clone();
                Box::pin(async move {
                    s.engine().execute(&sql, vec![]).await.unwrap();
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            };
            kinga_store_tests::evidence::evidence_tampering_story(store.as_ref(), &raw).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn events() {
        with_fresh("events", |store| async move {
            kinga_store_tests::events::events_story(store.as_ref()).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn events_tampering() {
        with_fresh("events_tampering", |store| async move {
            let raw_store = store.clone();
            let raw = move |sql: String| {
                let s = raw_store.clone();
                Box::pin(async move {
                    s.engine().execute(&sql, vec![]).await.unwrap();
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            };
            kinga_store_tests::events::events_tampering_story(store.as_ref(), &raw).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signals() {
        with_fresh("signals", |store| async move {
            kinga_store_tests::signals::signals_story(store.as_ref()).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn signals_tampering() {
        with_fresh("signals_tampering", |store| async move {
            let raw_store = store.clone();
            let raw = move |sql: String| {
                let s = raw_store.clone();
                Box::pin(async move {
                    s.engine().execute(&sql, vec![]).await.unwrap();
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            };
            kinga_store_tests::signals::signals_tampering_story(store.as_ref(), &raw).await;
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn checkpoints() {
        with_fresh("checkpoints", |store| async move {
            let raw_store = store.clone();
            let raw = move |sql: String| {
                let s = raw_store.clone();
                Box::pin(async move {
                    s.engine().execute(&sql, vec![]).await.unwrap();
                })
                    as std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>
            };
            kinga_store_tests::checkpoints::checkpoints_story(store.as_ref(), &raw).await;
        })
        .await;
    }
}

#[test]
fn both_drivers_ship_the_same_migration_versions() {
    assert_eq!(
        kinga_store_sqlite::migration_versions(),
        kinga_store_postgres::migration_versions()
    );
    assert!(!kinga_store_sqlite::migration_versions().is_empty());
}

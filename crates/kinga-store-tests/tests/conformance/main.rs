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
}

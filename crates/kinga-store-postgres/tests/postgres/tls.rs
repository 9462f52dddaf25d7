//! PostgreSQL over TLS: `sslmode=require` encrypts, `verify-full` also checks the server's
//! certificate against the CA given in `sslrootcert` and refuses a server it does not vouch
//! for. Needs the test server's TLS set-up (`.ci/postgres.sh` makes a CA and turns TLS on).
use super::URL_VAR;
use kinga_store_sql::Engine;

fn with_params(url: &str, params: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{params}")
}

/// Whether the connection the store's pool hands out is encrypted, as the server sees it.
async fn encrypted(url: &str) -> Result<bool, String> {
    let store = kinga_store_postgres::open(url)
        .await
        .map_err(|e| e.to_string())?;
    let rows = store
        .engine()
        .fetch(
            "SELECT CASE WHEN ssl THEN 1 ELSE 0 END AS encrypted FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            vec![],
        )
        .await
        .map_err(|e| e.to_string())?;
    store.engine().close().await;
    Ok(rows.first().map(|r| r.int("encrypted").unwrap()) == Some(1))
}

#[tokio::test]
async fn require_and_verify_full_urls_connect_encrypted_and_a_foreign_ca_is_refused() {
    let (Ok(admin), Ok(ca), Ok(other)) = (
        std::env::var(URL_VAR),
        std::env::var("KINGA_TEST_PG_TLS_CA"),
        std::env::var("KINGA_TEST_PG_OTHER_CA"),
    ) else {
        kinga_testkit::skip(format!(
            "postgres::tls: {URL_VAR}, KINGA_TEST_PG_TLS_CA and KINGA_TEST_PG_OTHER_CA are \
             needed (as root, `eval \"$(bash .ci/postgres.sh)\"` sets them)"
        ));
        return;
    };
    // A database of its own: opening a store migrates it.
    let (name, url) = kinga_store_postgres::scratch::create(&admin).await.unwrap();
    assert_eq!(
        encrypted(&with_params(&url, "sslmode=disable")).await,
        Ok(false)
    );
    assert_eq!(
        encrypted(&with_params(&url, "sslmode=require")).await,
        Ok(true)
    );
    let full = with_params(&url, &format!("sslmode=verify-full&sslrootcert={ca}"));
    assert_eq!(encrypted(&full).await, Ok(true));
    let foreign = with_params(&url, &format!("sslmode=verify-full&sslrootcert={other}"));
    let refused = encrypted(&foreign)
        .await
        .expect_err("a CA that signed nothing");
    assert!(
        refused.contains("cannot connect to PostgreSQL"),
        "{refused}"
    );
    assert!(!refused.contains(":kinga@"), "no password in {refused}");
    kinga_store_postgres::scratch::drop(&admin, &name)
        .await
        .unwrap();
}

//! Throw-away databases on a PostgreSQL server, so that test suites (ours, and those of people
//! who deploy Kinga) can run the store against an empty schema without touching real data.
use kinga_store::{Result, StoreError};
use sqlx::Connection;

/// `url` pointing at database `name` instead, keeping user, host and parameters.
pub fn with_database(url: &str, name: &str) -> String {
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

/// Creates an empty database named `kinga_s_<uuid>` and returns its name and URL. The role in
/// `admin_url` needs CREATEDB.
pub async fn create(admin_url: &str) -> Result<(String, String)> {
    let name = format!("kinga_s_{}", uuid_like());
    let mut admin = sqlx::PgConnection::connect(admin_url).await.map_err(|e| {
        StoreError::Open(crate::url::scrub(
            &e.to_string(),
            &crate::url::secrets(admin_url),
        ))
    })?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    let _ = admin.close().await;
    Ok((name.clone(), with_database(admin_url, &name)))
}

/// Drops a database made by [`create`]. FORCE ends connections a failed test left behind; a
/// role without superuser rights may not end a server process of another role, such as an
/// autovacuum worker that happened to start on the database, so a refusal is retried for a
/// few seconds while that worker finishes.
pub async fn drop(admin_url: &str, name: &str) -> Result<()> {
    let mut admin = sqlx::PgConnection::connect(admin_url).await.map_err(|e| {
        StoreError::Open(crate::url::scrub(
            &e.to_string(),
            &crate::url::secrets(admin_url),
        ))
    })?;
    let mut attempt = 0;
    let outcome = loop {
        let result = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
        match result {
            Err(e) if attempt < 20 => {
                attempt += 1;
                tracing::debug!(database = name, error = %e, "drop refused, retrying");
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
            other => break other.map(|_| ()),
        }
    };
    let _ = admin.close().await;
    outcome.map_err(|e| StoreError::Backend(e.to_string()))
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("{nanos:x}_{:x}_{n}", std::process::id())
}

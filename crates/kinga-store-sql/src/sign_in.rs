//! Failed sign-ins per account, kept in the database: the limiter must outlive a restart, and
//! every server in front of one database must count the same failures. Not audited: a hand
//! edit can only lift or impose a wait, and the chain would grow with every mistyped password.
use crate::records;
use crate::{Engine, SqlStore};
use kinga_store::SignInFailures;
use kinga_store::{Result, StoreError};

fn parse_time(t: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| StoreError::Corrupt {
            table: "sign_in_failures",
            detail: "since".into(),
        })
}

pub async fn failures<E: Engine>(
    store: &SqlStore<E>,
    key: &str,
    window: chrono::Duration,
) -> Result<Option<SignInFailures>> {
    let rows = store
        .engine
        .fetch(
            "SELECT failures, since FROM sign_in_failures WHERE key = $1",
            vec![key.into()],
        )
        .await?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let since = parse_time(&r.text("since")?)?;
    if kinga_domain::time::now() - since >= window {
        return Ok(None);
    }
    Ok(Some(SignInFailures {
        count: u32::try_from(r.int("failures")?).unwrap_or(u32::MAX),
        since,
    }))
}

/// Counts one more failure; a count older than `window` starts again at one.
pub async fn record_failure<E: Engine>(
    store: &SqlStore<E>,
    key: &str,
    window: chrono::Duration,
) -> Result<()> {
    let now = kinga_domain::time::now();
    let stale = records::timestamp(&(now - window));
    let now = records::timestamp(&now);
    // One statement, so two failures at once both count.
    store
        .engine
        .execute(
            "INSERT INTO sign_in_failures (key, failures, since) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_failures.since <= $3 THEN 1 ELSE sign_in_failures.failures + 1 END, \
             since = CASE WHEN sign_in_failures.since <= $3 THEN $2 ELSE sign_in_failures.since END",
            vec![key.into(), now.into(), stale.into()],
        )
        .await?;
    Ok(())
}

pub async fn clear<E: Engine>(store: &SqlStore<E>, key: &str) -> Result<()> {
    store
        .engine
        .execute(
            "DELETE FROM sign_in_failures WHERE key = $1",
            vec![key.into()],
        )
        .await?;
    Ok(())
}

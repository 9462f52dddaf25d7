use crate::cli::Db;
use crate::Failure;
use kinga_store::{Backend, DbSettings, Store};
use std::sync::Arc;

/// Opens the database the user named: PostgreSQL for a postgres:// URL, otherwise the embedded
/// file under the data directory (created and migrated on first use).
pub async fn open(db: &Db) -> Result<Arc<dyn Store>, Failure> {
    open_as(db, false).await
}

/// [`open`] for a command that reads the whole database once (`kinga verify`): the embedded
/// database is read without mapping its file, so memory does not grow with its size.
pub async fn open_for_scan(db: &Db) -> Result<Arc<dyn Store>, Failure> {
    open_as(db, true).await
}

async fn open_as(db: &Db, scan: bool) -> Result<Arc<dyn Store>, Failure> {
    let settings =
        DbSettings::new(db.data_dir.clone(), db.database.as_deref()).map_err(Failure::Input)?;
    let store: Arc<dyn Store> = match &settings.backend {
        Backend::Sqlite { path } => Arc::new(
            if scan {
                kinga_store_sqlite::open_for_scan(path).await
            } else {
                kinga_store_sqlite::open(path).await
            }
            .map_err(|e| Failure::Other(e.to_string()))?,
        ),
        Backend::Postgres { url } => Arc::new(
            kinga_store_postgres::open(url)
                .await
                .map_err(|e| Failure::Other(e.to_string()))?,
        ),
    };
    tracing::debug!("opened {}", settings.describe());
    Ok(store)
}

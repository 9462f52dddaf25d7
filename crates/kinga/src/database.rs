//! The one place the command line meets the storage port: it opens the database the user named
//! and hands it to the application layer, through which every command then works. Nothing
//! else in this crate reaches the store, so every command passes the same checks as the web.
use crate::cli::Db;
use crate::Failure;
use kinga_app::evidence::Vault;
use kinga_app::{Access, System};
use kinga_store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the database lives (embedded file or PostgreSQL URL), for backups, which copy it
/// whole rather than through the application layer.
pub use kinga_store::{Backend, DbSettings};

/// An open database and the evidence vault beside it.
pub struct Database {
    store: Arc<dyn Store>,
    vault_dir: PathBuf,
}

impl Database {
    /// Sign-in and the handles of signed-in users, for the web server.
    pub fn access(&self) -> Access {
        Access::new(self.store.clone())
    }

    /// Kinga's own work, recorded in the audit chain as `system:<task>`.
    pub fn system(&self, task: &str) -> System {
        self.access().system(task)
    }

    /// The evidence desk over this database's records and the vault's blobs.
    pub fn vault(&self) -> Arc<Vault> {
        Arc::new(Vault::new(self.store.clone(), self.vault_dir.clone()))
    }
}

/// Opens the database the user named: PostgreSQL for a postgres:// URL, otherwise the embedded
/// file under the data directory (created and migrated on first use).
pub async fn open(db: &Db) -> Result<Database, Failure> {
    open_as(db, false).await
}

/// [`open`] for a command that reads the whole database once (`kinga verify`): the embedded
/// database is read without mapping its file, so memory does not grow with its size.
pub async fn open_for_scan(db: &Db) -> Result<Database, Failure> {
    open_as(db, true).await
}

async fn open_as(db: &Db, scan: bool) -> Result<Database, Failure> {
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
    Ok(Database {
        store,
        vault_dir: crate::commands::keys::vault_dir(db),
    })
}

/// A consistent copy of the embedded database at `from`, written to `to`, while it stays in
/// use; the message of a failure names the file.
pub fn snapshot_sqlite(from: &Path, to: &Path) -> Result<(), String> {
    kinga_store_sqlite::snapshot(from, to)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

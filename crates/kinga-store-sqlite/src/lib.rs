//! The embedded default. SQLite in WAL mode with `synchronous = FULL`: a write acknowledged to a
//! user has reached the disk. One writer thread commits queued writes in groups, each inside its
//! own savepoint, so one fsync serves many reports without weakening durability, and a write
//! that fails leaves no trace while the others in its group commit.
#![forbid(unsafe_code)]

mod convert;
mod statement;
mod writer;

use async_trait::async_trait;
use kinga_store::{Result, StoreError};
use kinga_store_sql::{Dialect, Engine, SqlRow, SqlStore, SqlValue, WriteJob, WriteOutput};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteEngine {
    reads: SqlitePool,
    writer: writer::Writer,
}

/// Bytes of the file each read connection maps: see `options`.
const MAP_BYTES: u64 = 1 << 30;

fn options(path: &Path, map_bytes: u64) -> SqliteConnectOptions {
    SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
        .unwrap_or_else(|_| SqliteConnectOptions::new().filename(path))
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10))
        // Reads map the file instead of copying pages through read(2): connections then share
        // the operating system's cache instead of each filling its own.
        .pragma("mmap_size", map_bytes.to_string())
        // Savepoints and multi-row statements keep the pages they change in a statement
        // journal; on disk (the default) every page a bulk import touches was written through
        // the kernel once more.
        .pragma("temp_store", "memory")
        .foreign_keys(false)
}

/// Opens (creating and migrating if needed) the database file at `path`.
pub async fn open(path: &Path) -> Result<SqlStore<SqliteEngine>> {
    open_mapping(path, MAP_BYTES).await
}

/// [`open`] for one pass over the whole file (`kinga verify`): reads go through SQLite's small
/// page cache instead of a map. Every page a connection reads through the map stays counted in
/// the process's resident memory until it exits, up to the map's size per connection: a pass
/// over a large database then looks, and is accounted, like gigabytes of memory.
pub async fn open_for_scan(path: &Path) -> Result<SqlStore<SqliteEngine>> {
    open_mapping(path, 0).await
}

async fn open_mapping(path: &Path, map_bytes: u64) -> Result<SqlStore<SqliteEngine>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Open(format!("cannot create directory {}: {e}", dir.display()))
        })?;
    }
    let opts = options(path, map_bytes);
    let open_err = |e: sqlx::Error| StoreError::Open(format!("{}: {e}", path.display()));
    let reads = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(1)
        .connect_with(opts.clone())
        .await
        .map_err(open_err)?;
    MIGRATOR
        .run(&reads)
        .await
        .map_err(|e| StoreError::Open(format!("{}: migration failed: {e}", path.display())))?;
    let writer = writer::Writer::start(statement::open(path)?)?;
    Ok(SqlStore::new(SqliteEngine { reads, writer }))
}

/// Copies the database at `from` into the new file `to`, consistent as of one instant, while
/// other connections (a running server) go on writing: SQLite's online backup API copies every
/// page in one step, inside one read transaction, which WAL mode lets writers work beside. A
/// backup taken in small steps would start over each time another connection commits, and
/// under steady writes might never end. The copy leaves WAL mode, so it is one self-contained
/// file. Returns its size in bytes.
pub fn snapshot(from: &Path, to: &Path) -> Result<u64> {
    let fail =
        |what: &Path, e: rusqlite::Error| StoreError::Open(format!("{}: {e}", what.display()));
    if !from.is_file() {
        return Err(StoreError::Open(format!(
            "{}: no database there",
            from.display()
        )));
    }
    let source = rusqlite::Connection::open_with_flags(
        from,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(from, e))?;
    source
        .busy_timeout(Duration::from_secs(10))
        .map_err(|e| fail(from, e))?;
    let mut copy = rusqlite::Connection::open_with_flags(
        to,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE
            | rusqlite::OpenFlags::SQLITE_OPEN_CREATE
            | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(to, e))?;
    {
        let backup = rusqlite::backup::Backup::new(&source, &mut copy).map_err(|e| fail(to, e))?;
        let mut waited = Duration::ZERO;
        loop {
            match backup.step(-1).map_err(|e| fail(from, e))? {
                rusqlite::backup::StepResult::Done => break,
                // Another connection holds a lock that the read needs for a moment (a
                // checkpoint resetting the WAL): wait as the store's own busy timeout does.
                _ if waited < Duration::from_secs(30) => {
                    std::thread::sleep(Duration::from_millis(50));
                    waited += Duration::from_millis(50);
                }
                _ => {
                    return Err(StoreError::Open(format!(
                        "{}: still locked after 30 s; no snapshot taken",
                        from.display()
                    )))
                }
            }
        }
    }
    copy.execute_batch("PRAGMA journal_mode = DELETE;")
        .map_err(|e| fail(to, e))?;
    drop(copy);
    let size = std::fs::metadata(to)
        .map_err(|e| StoreError::Open(format!("{}: {e}", to.display())))?
        .len();
    Ok(size)
}

/// Migration versions this driver ships, for the test that keeps both drivers in step.
pub fn migration_versions() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

#[async_trait]
impl Engine for SqliteEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn fetch(&self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<SqlRow>> {
        let rows = convert::bind(sqlx::query(sql), args)
            .fetch_all(&self.reads)
            .await
            .map_err(convert::error)?;
        convert::rows(&rows)
    }

    async fn execute(&self, sql: &str, args: Vec<SqlValue>) -> Result<u64> {
        let sql = sql.to_string();
        let out = self
            .writer
            .submit(Box::new(move |tx, _chain| {
                Box::pin(async move {
                    let n = tx.execute(&sql, args).await?;
                    Ok(Box::new(n) as WriteOutput)
                })
            }))
            .await?;
        Ok(*out.downcast::<u64>().expect("execute returns a count"))
    }

    async fn write(&self, job: WriteJob) -> Result<WriteOutput> {
        self.writer.submit(job).await
    }
}

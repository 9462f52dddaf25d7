//! The PostgreSQL driver, for deployments that run several Kinga servers against one database or
//! outgrow one machine (the schema distributes on Citus, see `citus/distribute.sql`). It adds no
//! store logic: the shared SQL in `kinga-store` runs unchanged over a connection pool. Each
//! write is its own transaction that first locks the audit chain's head row, so writers on every
//! server take turns appending to the one chain, and PostgreSQL's commit makes it durable.
#![forbid(unsafe_code)]

mod convert;
pub mod scratch;
mod url;

use async_trait::async_trait;
use kinga_store::{Result, StoreError};
use kinga_store_sql::{
    Chain, Dialect, Engine, SqlRow, SqlStore, SqlValue, Tx, WriteJob, WriteOutput,
};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Enough for the concurrent reads of one server; writes queue on the audit-head lock anyway,
/// so more connections would mostly wait.
const MAX_CONNECTIONS: u32 = 8;

pub struct PgEngine {
    pool: PgPool,
}

impl PgEngine {
    /// Closes the pool, waiting for connections in use to be returned. Lets a caller drop the
    /// database afterwards, as the tests do.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Opens a pool on `url` (`postgres://user:password@host:port/database`) and applies any
/// pending migrations. Several servers may do this at once: sqlx serialises migrations with an
/// advisory lock.
pub async fn open(url: &str) -> Result<SqlStore<PgEngine>> {
    let shown = url::redact(url);
    let secrets = url::secrets(url);
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(30))
        .connect(url)
        .await
        .map_err(|e| {
            StoreError::Open(format!(
                "cannot connect to PostgreSQL at {shown}: {}",
                url::scrub(&e.to_string(), &secrets)
            ))
        })?;
    if let Err(e) = MIGRATOR.run(&pool).await {
        pool.close().await;
        return Err(StoreError::Open(format!(
            "PostgreSQL at {shown}: migration failed: {}",
            url::scrub(&e.to_string(), &secrets)
        )));
    }
    Ok(SqlStore::new(PgEngine { pool }))
}

/// Migration versions this driver ships, for the test that keeps both drivers in step.
pub fn migration_versions() -> Vec<i64> {
    MIGRATOR.iter().map(|m| m.version).collect()
}

struct PgTx<'c> {
    conn: &'c mut PgConnection,
}

#[async_trait]
impl Tx for PgTx<'_> {
    async fn execute(&mut self, sql: &str, args: Vec<SqlValue>) -> Result<u64> {
        let r = convert::bind(sqlx::query(sql), args)
            .execute(&mut *self.conn)
            .await
            .map_err(convert::error)?;
        Ok(r.rows_affected())
    }

    async fn fetch(&mut self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<SqlRow>> {
        let rows = convert::bind(sqlx::query(sql), args)
            .fetch_all(&mut *self.conn)
            .await
            .map_err(convert::error)?;
        convert::rows(&rows)
    }

    async fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<SqlValue>>,
    ) -> Result<u64> {
        let mut copy = self
            .conn
            .copy_in_raw(&format!("COPY {table} ({}) FROM STDIN", columns.join(", ")))
            .await
            .map_err(convert::error)?;
        let mut buf = String::with_capacity(64 * 1024);
        for row in rows {
            convert::copy_line(&mut buf, row);
            if buf.len() > 1 << 20 {
                copy.send(buf.as_bytes()).await.map_err(convert::error)?;
                buf.clear();
            }
        }
        if !buf.is_empty() {
            copy.send(buf.as_bytes()).await.map_err(convert::error)?;
        }
        copy.finish().await.map_err(convert::error)
    }
}

/// Everything a write does between BEGIN and COMMIT.
async fn run_job(conn: &mut PgConnection, job: WriteJob) -> Result<WriteOutput> {
    let mut tx = PgTx { conn };
    // The row lock is what serialises writers across servers: until this transaction ends, any
    // other writer waits here, then reads the head this one saved.
    let mut chain = Chain::load(&mut tx, "FOR UPDATE").await?;
    let out = job(&mut tx, &mut chain).await?;
    chain.save(&mut tx).await?;
    Ok(out)
}

#[async_trait]
impl Engine for PgEngine {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn fetch(&self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<SqlRow>> {
        let rows = convert::bind(sqlx::query(sql), args)
            .fetch_all(&self.pool)
            .await
            .map_err(convert::error)?;
        convert::rows(&rows)
    }

    async fn execute(&self, sql: &str, args: Vec<SqlValue>) -> Result<u64> {
        let mut tx = self.pool.begin().await.map_err(convert::error)?;
        let n = PgTx { conn: &mut tx }.execute(sql, args).await?;
        tx.commit().await.map_err(convert::error)?;
        Ok(n)
    }

    async fn write(&self, job: WriteJob) -> Result<WriteOutput> {
        let mut tx = self.pool.begin().await.map_err(convert::error)?;
        match run_job(&mut tx, job).await {
            Ok(out) => {
                tx.commit().await.map_err(convert::error)?;
                Ok(out)
            }
            Err(e) => {
                if let Err(r) = tx.rollback().await {
                    // The connection is discarded by the pool; the job's own error is the one
                    // worth reporting.
                    tracing::warn!("rollback after a failed write also failed: {r}");
                }
                Err(e)
            }
        }
    }
}

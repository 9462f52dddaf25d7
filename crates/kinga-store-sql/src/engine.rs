use crate::{Chain, SqlRow, SqlValue};
use async_trait::async_trait;
use futures::future::BoxFuture;
use kinga_store::Result;
use std::any::Any;

/// The differences between the two SQL dialects that the shared queries need to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// Case-insensitive substring match.
    pub fn contains(&self, column: &str, placeholder: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{column} LIKE {placeholder} ESCAPE '\\'"),
            Dialect::Postgres => format!("{column} ILIKE {placeholder} ESCAPE '\\'"),
        }
    }

    /// Whether `incident_text` answers `text` from SQLite's trigram index (it needs at least
    /// one trigram).
    pub fn uses_text_index(&self, text: &str) -> bool {
        *self == Dialect::Sqlite && text.chars().count() >= 3
    }

    /// Incidents whose title, summary, place or code contain `text` (case-insensitive). SQLite
    /// answers from its trigram index when the text is long enough to have trigrams.
    pub fn incident_text(&self, text: &str, args: &mut crate::value::Args) -> String {
        if self.uses_text_index(text) {
            let phrase = format!("\"{}\"", text.replace('"', "\"\""));
            let p = args.push(phrase);
            return format!(
                "rowid IN (SELECT rowid FROM incidents_text WHERE incidents_text MATCH {p})"
            );
        }
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let p = args.push(format!("%{escaped}%"));
        format!(
            "({} OR {} OR {} OR {})",
            self.contains("title", &p),
            self.contains("summary", &p),
            self.contains("place_name", &p),
            self.contains("code", &p)
        )
    }
}

/// A connection inside an open transaction.
#[async_trait]
pub trait Tx: Send {
    async fn execute(&mut self, sql: &str, args: Vec<SqlValue>) -> Result<u64>;
    async fn fetch(&mut self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<SqlRow>>;
    /// Appends `rows` (values in `columns` order) to `table` in bulk. The default sends
    /// multi-row INSERTs; PostgreSQL overrides it with COPY.
    async fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<SqlValue>>,
    ) -> Result<u64> {
        let width = columns.len().max(1);
        let per_statement = (30_000 / width).max(1);
        let mut total = 0;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(per_statement).collect();
            let tuples: Vec<String> = (0..chunk.len())
                // Anonymous marks: SQLite binds `$n` marks by walking a list per parameter.
                .map(|_| format!("({})", vec!["?"; width].join(", ")))
                .collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES {}",
                columns.join(", "),
                tuples.join(", ")
            );
            total += self
                .execute(&sql, chunk.into_iter().flatten().collect())
                .await?;
        }
        Ok(total)
    }
}

pub type WriteOutput = Box<dyn Any + Send>;

/// A unit of work that must commit together with the audit entries it appends to `Chain`.
pub type WriteJob = Box<
    dyn for<'a> FnOnce(&'a mut dyn Tx, &'a mut Chain) -> BoxFuture<'a, Result<WriteOutput>> + Send,
>;

/// What a database driver provides.
#[async_trait]
pub trait Engine: Send + Sync + 'static {
    fn dialect(&self) -> Dialect;
    fn name(&self) -> &'static str;
    /// Runs a read outside any write transaction.
    async fn fetch(&self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<SqlRow>>;
    /// Runs a write that is not audited (sessions, edit locks) in its own transaction.
    async fn execute(&self, sql: &str, args: Vec<SqlValue>) -> Result<u64>;
    /// Runs `job` in a transaction holding the audit chain's head and returns once the
    /// transaction is durably committed. A job that fails leaves no trace.
    async fn write(&self, job: WriteJob) -> Result<WriteOutput>;
}

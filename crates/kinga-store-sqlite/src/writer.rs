use crate::statement;
use async_trait::async_trait;
use kinga_store::{Result, StoreError};
use kinga_store_sql::{Chain, SqlRow, SqlValue, Tx, WriteJob, WriteOutput};
use rusqlite::Connection;
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};

/// Enough to cover a burst from every client at once; more would only lengthen the wait of the
/// first job in the group.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<Result<WriteOutput>>;

pub struct Writer {
    queue: mpsc::Sender<(WriteJob, Reply)>,
}

struct ConnTx<'c> {
    conn: &'c mut Connection,
}

impl ConnTx<'_> {
    /// Runs a statement to its end; rows it returns (a `RETURNING` clause, a pragma's answer)
    /// are passed over, as the read driver's `execute` does.
    fn run(&mut self, sql: &str, args: &[SqlValue]) -> Result<u64> {
        let mut s = self.conn.prepare_cached(sql).map_err(statement::error)?;
        statement::bind(&mut s, args)?;
        let mut rows = s.raw_query();
        while rows.next().map_err(statement::error)?.is_some() {}
        drop(rows);
        Ok(self.conn.changes())
    }
}

/// Every call runs to completion on the writer's own thread before it returns: SQLite does the
/// work in place, so there is nothing to wait for.
#[async_trait]
impl Tx for ConnTx<'_> {
    async fn execute(&mut self, sql: &str, args: Vec<SqlValue>) -> Result<u64> {
        self.run(sql, &args)
    }

    async fn fetch(&mut self, sql: &str, args: Vec<SqlValue>) -> Result<Vec<SqlRow>> {
        let mut s = self.conn.prepare_cached(sql).map_err(statement::error)?;
        statement::bind(&mut s, &args)?;
        let columns = statement::columns(&s);
        let mut rows = s.raw_query();
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(statement::error)? {
            out.push(statement::row(r, &columns)?);
        }
        Ok(out)
    }

    /// One single-row INSERT, prepared once and stepped per row: binding a row costs less
    /// than SQLite parsing and planning one more row of a multi-row statement.
    async fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<SqlValue>>,
    ) -> Result<u64> {
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            columns.join(", "),
            vec!["?"; columns.len()].join(", ")
        );
        let mut s = self.conn.prepare_cached(&sql).map_err(statement::error)?;
        let mut total = 0;
        for row in &rows {
            statement::bind(&mut s, row)?;
            total += s.raw_execute().map_err(statement::error)? as u64;
        }
        Ok(total)
    }
}

impl Writer {
    /// Starts the writer on its own thread: SQLite calls block, and a bulk import's batch must
    /// not hold one of the runtime's few worker threads while it is written.
    pub fn start(conn: Connection) -> Result<Writer> {
        // An index built after a bulk import may sort on a second thread.
        conn.execute_batch("PRAGMA threads = 2;")
            .map_err(statement::error)?;
        let (tx, rx) = mpsc::channel(4096);
        let runtime = Handle::current();
        std::thread::Builder::new()
            .name("kinga-sqlite-writer".into())
            .spawn(move || run(conn, rx, runtime))
            .map_err(|e| StoreError::Open(format!("cannot start the database writer: {e}")))?;
        Ok(Writer { queue: tx })
    }

    pub async fn submit(&self, job: WriteJob) -> Result<WriteOutput> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((job, reply))
            .await
            .map_err(|_| StoreError::Backend("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Backend("the database writer has stopped".into()))?
    }
}

fn raw(conn: &mut Connection, sql: &str) -> Result<()> {
    conn.execute_batch(sql).map_err(statement::error)
}

fn run(mut conn: Connection, mut rx: mpsc::Receiver<(WriteJob, Reply)>, runtime: Handle) {
    while let Some(first) = rx.blocking_recv() {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => group.push(j),
                Err(_) => break,
            }
        }
        // A job is a future only because PostgreSQL's driver is asynchronous; here it runs on
        // this thread, inside the runtime in case it awaits anything beside the database.
        if let Err(e) = runtime.block_on(commit_group(&mut conn, group)) {
            tracing::error!("write group failed: {e}");
        }
    }
}

/// One transaction for the whole group; each job inside its own savepoint.
async fn commit_group(conn: &mut Connection, group: Vec<(WriteJob, Reply)>) -> Result<()> {
    if let Err(e) = raw(conn, "BEGIN IMMEDIATE") {
        let msg = e.to_string();
        for (_, reply) in group {
            let _ = reply.send(Err(StoreError::Backend(msg.clone())));
        }
        return Err(e);
    }
    let mut chain = match Chain::load(&mut ConnTx { conn: &mut *conn }, "").await {
        Ok(c) => c,
        Err(e) => {
            let _ = raw(conn, "ROLLBACK");
            let msg = e.to_string();
            for (_, reply) in group {
                let _ = reply.send(Err(StoreError::Backend(msg.clone())));
            }
            return Err(e);
        }
    };
    let mut done: Vec<(Reply, WriteOutput)> = Vec::with_capacity(group.len());
    let mut failure: Option<StoreError> = None;
    for (job, reply) in group {
        if failure.is_some() {
            let _ = reply.send(Err(StoreError::Backend(
                "the write group was aborted".into(),
            )));
            continue;
        }
        if let Err(e) = raw(conn, "SAVEPOINT job") {
            let _ = reply.send(Err(StoreError::Backend(e.to_string())));
            failure = Some(e);
            continue;
        }
        let before = chain.clone();
        let outcome = job(&mut ConnTx { conn: &mut *conn }, &mut chain).await;
        match outcome {
            Ok(out) => match raw(conn, "RELEASE job") {
                Ok(()) => done.push((reply, out)),
                Err(e) => {
                    let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                    failure = Some(e);
                }
            },
            Err(e) => {
                chain = before;
                let undo = raw(conn, "ROLLBACK TO job").and_then(|()| raw(conn, "RELEASE job"));
                let _ = reply.send(Err(e));
                if let Err(u) = undo {
                    failure = Some(u);
                }
            }
        }
    }
    let committed = match failure {
        Some(e) => Err(e),
        None => match chain.save(&mut ConnTx { conn: &mut *conn }).await {
            Ok(()) => raw(conn, "COMMIT"),
            Err(e) => Err(e),
        },
    };
    match committed {
        Ok(()) => {
            for (reply, out) in done {
                let _ = reply.send(Ok(out));
            }
            Ok(())
        }
        Err(e) => {
            let _ = raw(conn, "ROLLBACK");
            let msg = e.to_string();
            for (reply, _) in done {
                let _ = reply.send(Err(StoreError::Backend(msg.clone())));
            }
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn execute_passes_over_returned_rows_and_counts_changes() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER)")
            .unwrap();
        let mut tx = ConnTx { conn: &mut conn };
        let n = tx
            .execute(
                "INSERT INTO t (k, n) VALUES ($1, $2), ($3, $2) RETURNING k",
                vec!["a".into(), 1.into(), "b".into()],
            )
            .await
            .unwrap();
        assert_eq!(n, 2);
        tx.execute("PRAGMA journal_mode = memory", vec![])
            .await
            .expect("a pragma that answers with a row runs");
        let rows = tx
            .fetch("SELECT k, n FROM t ORDER BY k", vec![])
            .await
            .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].text("k").unwrap(), "b");
        assert_eq!(rows[1].int("n").unwrap(), 1);
    }
}

use crate::convert;
use async_trait::async_trait;
use kinga_store::sql::{Chain, SqlRow, SqlValue, Tx, WriteJob, WriteOutput};
use kinga_store::{Result, StoreError};
use sqlx::{Connection, Executor, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

/// Enough to cover a burst from every client at once; more would only lengthen the wait of the
/// first job in the group.
const MAX_GROUP: usize = 256;

type Reply = oneshot::Sender<Result<WriteOutput>>;

pub struct Writer {
    queue: mpsc::Sender<(WriteJob, Reply)>,
}

struct ConnTx<'c> {
    conn: &'c mut SqliteConnection,
}

#[async_trait]
impl Tx for ConnTx<'_> {
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
        rows.iter().map(convert::row).collect()
    }

    /// Multi-row INSERTs, each statement's values converted for the driver while SQLite steps
    /// the previous one on its own thread: converting was a fifth of a bulk import's time, and
    /// spent with the database thread idle.
    async fn copy_in(
        &mut self,
        table: &str,
        columns: &[&str],
        rows: Vec<Vec<SqlValue>>,
    ) -> Result<u64> {
        let width = columns.len().max(1);
        let per_statement = (30_000 / width).max(1);
        // Anonymous marks: SQLite binds `$n` marks by walking a list per parameter.
        let statement = |n: usize| {
            let tuple = format!("({})", vec!["?"; width].join(", "));
            format!(
                "INSERT INTO {table} ({}) VALUES {}",
                columns.join(", "),
                vec![tuple; n].join(", ")
            )
        };
        let full = statement(per_statement);
        let last = statement(rows.len() % per_statement);
        let mut chunks = Vec::with_capacity(rows.len() / per_statement + 1);
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            chunks.push(rows.by_ref().take(per_statement).collect::<Vec<_>>());
        }
        let sql_for = |chunk: &Vec<Vec<SqlValue>>| {
            if chunk.len() == per_statement {
                full.as_str()
            } else {
                last.as_str()
            }
        };
        let prepare = |chunk: Vec<Vec<SqlValue>>| {
            let sql = sql_for(&chunk);
            convert::bind(sqlx::query(sql), chunk.into_iter().flatten().collect())
        };
        let mut chunks = chunks.into_iter();
        let mut next = chunks.next().map(prepare);
        let mut total = 0;
        while let Some(query) = next.take() {
            let step = query.execute(&mut *self.conn);
            let convert = async { chunks.next().map(prepare) };
            let (done, following) = futures::future::join(step, convert).await;
            total += done.map_err(convert::error)?.rows_affected();
            next = following;
        }
        Ok(total)
    }
}

impl Writer {
    pub fn start(conn: SqliteConnection) -> Writer {
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(conn, rx));
        Writer { queue: tx }
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

async fn raw(conn: &mut SqliteConnection, sql: &str) -> Result<()> {
    conn.execute(sql).await.map_err(convert::error)?;
    Ok(())
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<(WriteJob, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(j) => group.push(j),
                Err(_) => break,
            }
        }
        if let Err(e) = commit_group(&mut conn, group).await {
            tracing::error!("write group failed: {e}");
        }
    }
    let _ = conn.close().await;
}

/// One transaction for the whole group; each job inside its own savepoint.
async fn commit_group(conn: &mut SqliteConnection, group: Vec<(WriteJob, Reply)>) -> Result<()> {
    if let Err(e) = raw(conn, "BEGIN IMMEDIATE").await {
        let msg = e.to_string();
        for (_, reply) in group {
            let _ = reply.send(Err(StoreError::Backend(msg.clone())));
        }
        return Err(e);
    }
    let mut chain = match Chain::load(&mut ConnTx { conn: &mut *conn }, "").await {
        Ok(c) => c,
        Err(e) => {
            let _ = raw(conn, "ROLLBACK").await;
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
        if let Err(e) = raw(conn, "SAVEPOINT job").await {
            let _ = reply.send(Err(StoreError::Backend(e.to_string())));
            failure = Some(e);
            continue;
        }
        let before = chain.clone();
        let outcome = job(&mut ConnTx { conn: &mut *conn }, &mut chain).await;
        match outcome {
            Ok(out) => match raw(conn, "RELEASE job").await {
                Ok(()) => done.push((reply, out)),
                Err(e) => {
                    let _ = reply.send(Err(StoreError::Backend(e.to_string())));
                    failure = Some(e);
                }
            },
            Err(e) => {
                chain = before;
                let undo = async {
                    raw(conn, "ROLLBACK TO job").await?;
                    raw(conn, "RELEASE job").await
                }
                .await;
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
            Ok(()) => raw(conn, "COMMIT").await,
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
            let _ = raw(conn, "ROLLBACK").await;
            let msg = e.to_string();
            for (reply, _) in done {
                let _ = reply.send(Err(StoreError::Backend(msg.clone())));
            }
            Err(e)
        }
    }
}

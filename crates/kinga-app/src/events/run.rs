//! Runs an import: the file is parsed, checked and each event's digest computed on its own
//! thread while batches are written, so reading and storing overlap and the database writer
//! only stores; rejected rows go to quarantine as they come.
use kinga_ingest::events::quarantine::Quarantine;
use kinga_ingest::events::{Rejected, Row, Rows};
use kinga_ingest::IngestError;
use kinga_store::{Actor, EventStore, PreparedEvent, RollUp, StoreError, UpsertOutcome};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Read and check every row, write nothing to the database (quarantine is still written).
    pub dry_run: bool,
    pub quarantine: PathBuf,
    /// Events per transaction.
    pub batch: usize,
}

/// What an import did. `read` counts data rows; `skipped` rows are ones the format carries
/// that are not violence (GDELT's other CAMEO roots).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub read: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub rejected: u64,
    pub skipped: u64,
    /// Events that would be written, in a dry run.
    pub valid: u64,
    pub dry_run: bool,
    pub quarantine: Option<String>,
}

impl Summary {
    fn add(&mut self, o: UpsertOutcome) {
        self.new += o.new;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
    }
}

/// Why an import stopped: the file (a line, a field, a format) or the database.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] IngestError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rows are handed from the reading thread in chunks this big.
const CHUNK: usize = 2_000;

/// A row as the reading thread hands it over.
enum Read {
    Event(Box<PreparedEvent>),
    /// Valid, in a dry run: nothing will be stored, so no digest.
    Checked,
    Rejected(Rejected),
    Skipped,
}

impl Read {
    fn of(row: Row, dry_run: bool) -> Read {
        match row {
            Row::Event(_) if dry_run => Read::Checked,
            Row::Event(e) => Read::Event(Box::new(PreparedEvent::new(*e))),
            Row::Rejected(r) => Read::Rejected(r),
            Row::Skipped => Read::Skipped,
        }
    }
}

/// Imports `rows`, calling `progress` with the number of rows read so far after each batch.
pub async fn import<S: EventStore + ?Sized>(
    store: &S,
    actor: &Actor,
    rows: Rows,
    options: &ImportOptions,
    progress: &(dyn Fn(u64) + Send + Sync),
) -> Result<Summary, ImportError> {
    // Room for a whole batch in flight: the reading thread keeps parsing the next batch while
    // the current one is written. With less, it stopped a few chunks ahead and the writer then
    // waited for it in turn.
    let in_flight = options.batch.div_ceil(CHUNK) + 1;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<Read>, IngestError>>(in_flight);
    let dry_run = options.dry_run;
    let reader = std::thread::spawn(move || {
        let mut chunk = Vec::with_capacity(CHUNK);
        for row in rows {
            match row {
                Ok(r) => {
                    chunk.push(Read::of(r, dry_run));
                    if chunk.len() == CHUNK {
                        let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                        if tx.blocking_send(Ok(full)).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.blocking_send(Ok(std::mem::take(&mut chunk)));
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            }
        }
        let _ = tx.blocking_send(Ok(chunk));
    });

    if !options.dry_run {
        store.begin_import().await?;
    }
    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let mut quarantine = Quarantine::new(&options.quarantine);
    let mut batch: Vec<PreparedEvent> = Vec::with_capacity(options.batch);
    let mut failure = None;
    // Every early return goes through here, so that the import's end below always runs.
    let stored: Result<(), ImportError> = async {
        while let Some(chunk) = rx.recv().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            };
            for row in chunk {
                summary.read += 1;
                match row {
                    Read::Event(e) => {
                        summary.valid += 1;
                        batch.push(*e);
                    }
                    Read::Checked => summary.valid += 1,
                    Read::Rejected(r) => {
                        summary.rejected += 1;
                        quarantine.write(&r)?;
                    }
                    Read::Skipped => summary.skipped += 1,
                }
                if batch.len() >= options.batch {
                    if !options.dry_run {
                        summary.add(
                            store
                                .upsert_prepared(
                                    actor,
                                    std::mem::take(&mut batch),
                                    RollUp::AtImportEnd,
                                )
                                .await?,
                        );
                    } else {
                        batch.clear();
                    }
                    progress(summary.read);
                }
            }
            progress(summary.read);
        }
        if !batch.is_empty() && !options.dry_run && failure.is_none() {
            summary.add(
                store
                    .upsert_prepared(actor, std::mem::take(&mut batch), RollUp::AtImportEnd)
                    .await?,
            );
        }
        Ok(())
    }
    .await;
    drop(rx);
    let _ = reader.join();
    // Also after a failed batch: the rows committed before it are kept, and their region must
    // be indexed.
    let finished = match options.dry_run {
        true => Ok(()),
        false => store.finish_import().await,
    };
    stored?;
    finished?;
    quarantine.finish()?;
    if quarantine.rows > 0 {
        summary.quarantine = Some(quarantine.path().display().to_string());
    }
    progress(summary.read);
    match failure {
        Some(e) => Err(e.into()),
        None => Ok(summary),
    }
}

//! UCDP GED rows imported as incidents owned by an organisation: documentation records rather
//! than events (the demo's network and the incident-list benchmark). Like the event importers,
//! it writes in batches, one transaction each, and sends a row that cannot become an incident
//! to a quarantine file with its line and reason instead of stopping the import.
use crate::events::ImportError;
use crate::records::ImportOutcome;
use crate::System;
use kinga_domain::org::Organisation;
use kinga_domain::Visibility;
use kinga_ingest::events::quarantine::Quarantine;
use kinga_ingest::events::Rejected;
use kinga_ingest::ucdp::GedReader;
use kinga_ingest::IngestError;
use std::io::Read;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct IncidentImportOptions {
    /// Where rejected rows go; nothing is written there unless a row is rejected.
    pub quarantine: PathBuf,
    /// Incidents per transaction.
    pub batch: usize,
}

/// What an incident import did.
#[derive(Debug, Clone, Default)]
pub struct IncidentImport {
    pub outcome: ImportOutcome,
    pub rejected: u64,
    /// The quarantine file, when a row was rejected.
    pub quarantine: Option<PathBuf>,
}

/// A row the reader could not turn into an event, as the quarantine file records it; `None`
/// for a failure of the file itself, which ends the import.
fn rejected(e: &IngestError) -> Option<Rejected> {
    match e {
        IngestError::Row { line, problem, .. } => Some(Rejected {
            line: *line,
            column: String::new(),
            value: String::new(),
            reason: problem.clone(),
        }),
        IngestError::Field {
            line,
            field,
            value,
            problem,
            ..
        } => Some(Rejected {
            line: *line,
            column: field.clone(),
            value: value.0.clone(),
            reason: problem.clone(),
        }),
        _ => None,
    }
}

impl System {
    /// Imports GED rows as incidents owned by `owner`; a re-import finds the incidents it made
    /// before and leaves them. `progress` hears how many rows were read after each batch.
    #[tracing::instrument(skip_all, fields(owner = %owner.slug, file = reader.file()))]
    pub async fn import_ged_incidents<R: Read>(
        &self,
        owner: &Organisation,
        reader: GedReader<R>,
        visibility: Visibility,
        options: &IncidentImportOptions,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<IncidentImport, ImportError> {
        let size = options.batch.max(1);
        let mut quarantine = Quarantine::new(&options.quarantine);
        let mut done = IncidentImport::default();
        let mut read = 0u64;
        let mut batch = Vec::with_capacity(size);
        for event in reader {
            read += 1;
            match event {
                Ok(e) => batch.push(e.into_imported(visibility)),
                Err(e) => match rejected(&e) {
                    Some(r) => {
                        done.rejected += 1;
                        quarantine.write(&r)?;
                    }
                    None => return Err(e.into()),
                },
            }
            if batch.len() == size {
                self.store_batch(owner, std::mem::take(&mut batch), &mut done.outcome)
                    .await?;
                progress(read);
            }
        }
        if !batch.is_empty() {
            self.store_batch(owner, batch, &mut done.outcome).await?;
        }
        progress(read);
        quarantine.finish()?;
        if quarantine.rows > 0 {
            done.quarantine = Some(quarantine.path().to_path_buf());
        }
        Ok(done)
    }

    async fn store_batch(
        &self,
        owner: &Organisation,
        batch: Vec<kinga_store::ImportedIncident>,
        total: &mut ImportOutcome,
    ) -> Result<(), ImportError> {
        let o = self
            .store
            .import_incidents(&self.acting_for(owner), batch)
            .await?;
        total.created += o.created;
        total.already_present += o.already_present;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Access;
    use kinga_domain::org::NewOrganisation;
    use std::sync::Arc;

    const DEMO: &str =
        include_str!("../../../data/demo/ucdp_ged_v23_1_central_african_republic.csv");

    /// The demo file's header and first three rows, the second cut short.
    fn with_a_short_row() -> String {
        let lines: Vec<&str> = DEMO.lines().take(4).collect();
        format!("{}\n{}\n36211,0,2009\n{}\n", lines[0], lines[1], lines[3])
    }

    #[tokio::test]
    async fn a_bad_row_goes_to_quarantine_and_the_others_are_imported_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = kinga_store_sqlite::open(&dir.path().join("kinga.db"))
            .await
            .unwrap();
        let system = Access::new(Arc::new(store)).system("import-ucdp");
        let owner = system
            .add_organisation(NewOrganisation::parse("irri", "IRRI", None, &[]).unwrap())
            .await
            .unwrap();
        let options = IncidentImportOptions {
            quarantine: dir.path().join("rejected.csv"),
            batch: 1,
        };
        let file = with_a_short_row();
        let run = || async {
            let reader = GedReader::new("ged.csv", file.as_bytes()).unwrap();
            system
                .import_ged_incidents(&owner, reader, Visibility::Public, &options, &|_| {})
                .await
                .unwrap()
        };

        let first = run().await;
        assert_eq!(first.outcome.created, 2);
        assert_eq!(first.rejected, 1);
        assert_eq!(
            first.quarantine.as_deref(),
            Some(options.quarantine.as_path())
        );
        let rejected = std::fs::read_to_string(&options.quarantine).unwrap();
        assert!(
            rejected.starts_with("line,column,value,reason\n3,"),
            "{rejected}"
        );

        let again = run().await;
        assert_eq!(again.outcome.created, 0);
        assert_eq!(again.outcome.already_present, 2);
    }
}

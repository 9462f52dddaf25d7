//! Published event data (UCDP, ACLED, GDELT, mapped CSV) imported into Kinga's events. The
//! importers read, check and batch the rows and send rejected ones to quarantine; this layer
//! decides who the import is recorded for and who may see its rows.
use crate::System;
use kinga_domain::org::Organisation;
use kinga_ingest::events::Rows;

mod run;
pub use run::{ImportError, ImportOptions, Summary};

impl System {
    /// Imports `rows` as events every organisation shares or, with `owner`, as that
    /// organisation's alone (ACLED's terms keep its rows with the organisation whose key
    /// downloaded them). `progress` hears how many rows were read after each batch.
    #[tracing::instrument(skip_all, fields(owner = owner.map(|o| o.slug.to_string()), dry_run = options.dry_run))]
    pub async fn import_events(
        &self,
        owner: Option<&Organisation>,
        rows: Rows,
        options: &ImportOptions,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Summary, ImportError> {
        let actor = match owner {
            Some(org) => self.acting_for(org),
            None => self.actor.clone(),
        };
        run::import(self.store.as_ref(), &actor, rows, options, progress).await
    }
}

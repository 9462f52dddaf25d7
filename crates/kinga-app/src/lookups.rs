//! Records found by id for Kinga's own work, whichever organisation owns them: the command
//! line names an incident or an item and then acts for its owner.
use crate::records::Page;
use crate::{Result, System};
use kinga_domain::evidence::{CustodyEvent, EvidenceId, EvidenceItem};
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::incident::{Incident, IncidentFilter};
use kinga_domain::report::Report;

impl System {
    #[tracing::instrument(skip_all, fields(incident = %id))]
    pub async fn incident(&self, id: IncidentId) -> Result<Option<Incident>> {
        Ok(self.store.incident(&self.sees_everything(), id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn incidents(&self, filter: &IncidentFilter) -> Result<Page<Incident>> {
        Ok(self
            .store
            .incidents(&self.sees_everything(), filter)
            .await?)
    }

    #[tracing::instrument(skip_all, fields(report = %id))]
    pub async fn report(&self, id: ReportId) -> Result<Option<Report>> {
        Ok(self.store.report(&self.sees_everything(), id).await?)
    }

    #[tracing::instrument(skip_all, fields(evidence = %id))]
    pub async fn evidence_item(&self, id: EvidenceId) -> Result<Option<EvidenceItem>> {
        Ok(self.store.evidence(&self.sees_everything(), id).await?)
    }

    /// An item's custody chain, oldest first.
    #[tracing::instrument(skip_all, fields(evidence = %id))]
    pub async fn custody_log(&self, id: EvidenceId) -> Result<Vec<CustodyEvent>> {
        Ok(self.store.custody_log(&self.sees_everything(), id).await?)
    }
}

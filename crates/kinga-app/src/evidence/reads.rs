//! What the evidence pages and the API read beside the bytes: items, their custody log, their
//! working copies and near-duplicates, and the history of an organisation's keys. Every read
//! goes through the caller's scope, so an item outside it reads as absent.
use super::{Result, Vault};
use kinga_domain::audit::AuditEntry;
use kinga_domain::evidence::{CustodyEvent, EvidenceId, EvidenceItem, WorkingCopy};
use kinga_domain::org::{Organisation, Slug};
use kinga_store::{EvidenceFilter, Scope, SimilarEvidence};

impl Vault {
    #[tracing::instrument(skip_all)]
    pub async fn item(&self, scope: &Scope, id: EvidenceId) -> Result<Option<EvidenceItem>> {
        Ok(self.store.evidence(scope, id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn items(&self, scope: &Scope, filter: &EvidenceFilter) -> Result<Vec<EvidenceItem>> {
        Ok(self.store.evidence_list(scope, filter).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn custody_log(&self, scope: &Scope, id: EvidenceId) -> Result<Vec<CustodyEvent>> {
        Ok(self.store.custody_log(scope, id).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn working_copies(&self, scope: &Scope, id: EvidenceId) -> Result<Vec<WorkingCopy>> {
        Ok(self.store.working_copies(scope, id).await?)
    }

    /// Items within `max_distance` bits of `hash` that the scope may see.
    #[tracing::instrument(skip_all)]
    pub async fn similar(
        &self,
        scope: &Scope,
        hash: &str,
        max_distance: u32,
    ) -> Result<Vec<SimilarEvidence>> {
        Ok(self
            .store
            .similar_evidence(scope, hash, max_distance)
            .await?)
    }

    /// The caller's own organisation, whose keys the custodian pages show.
    #[tracing::instrument(skip_all)]
    pub async fn organisation(&self, slug: &Slug) -> Result<Option<Organisation>> {
        Ok(self.store.organisation(slug).await?)
    }

    /// Unlocking and locking of an organisation's keys, newest first, at most `limit`.
    #[tracing::instrument(skip_all)]
    pub async fn key_events(&self, org: &Organisation, limit: usize) -> Result<Vec<AuditEntry>> {
        let trail = self.store.audit_trail(&org.id.to_string()).await?;
        Ok(trail
            .into_iter()
            .rev()
            .filter(|e| e.entity == "org_keys_access")
            .take(limit)
            .collect())
    }
}

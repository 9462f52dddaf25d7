use crate::{Actor, Result, Scope};
use async_trait::async_trait;
use kinga_domain::evidence::*;
use kinga_domain::ids::{IncidentId, OrgId, ReportId};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceFilter {
    pub organisation: Option<OrgId>,
    pub incident: Option<IncidentId>,
    pub report: Option<ReportId>,
    /// Keyset paging: items after this id (ids sort by creation time).
    pub after: Option<EvidenceId>,
    /// 0 means no limit.
    pub limit: u32,
}

/// An item whose perceptual hash is within the asked distance of the probe.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarEvidence {
    pub item: EvidenceItem,
    pub distance: u32,
}

/// An already sealed blob of an organisation: how to open it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedBlob {
    pub blob_address: String,
    pub blob_sha256: String,
    pub wrapped_key: String,
    pub key_version: i64,
}

/// Evidence records: keys, sealed originals, working copies and custody. The bytes themselves
/// are the vault's; the store keeps what they are, who may see them and every hand they passed.
/// Every write here also appends to the audit chain, in the same transaction.
#[async_trait]
pub trait EvidenceStore: Send + Sync {
    /// Adds the first key set of an organisation, or fails with `Conflict` if it has one.
    async fn add_org_keys(&self, actor: &Actor, new: NewOrgKeySet) -> Result<OrgKeySet>;
    /// Every key version of an organisation, oldest first; the last unretired one is current.
    async fn org_key_sets(&self, org: OrgId) -> Result<Vec<OrgKeySet>>;
    /// Replaces the sealed secret of the current version (a new passphrase; keys unchanged).
    async fn reseal_org_keys(
        &self,
        actor: &Actor,
        org: OrgId,
        version: i64,
        sealed_secret: String,
    ) -> Result<OrgKeySet>;
    /// Retires the current version, adds the next, and stores every data key rewrapped under it,
    /// all in one transaction; fails (changing nothing) unless `rewraps` covers every original
    /// and copy of the organisation.
    async fn rotate_org_keys(
        &self,
        actor: &Actor,
        new: NewOrgKeySet,
        rewraps: Vec<Rewrap>,
    ) -> Result<OrgKeySet>;

    /// Records a sealed original with its received, hashed and sealed custody events.
    async fn add_evidence(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewEvidence,
    ) -> Result<EvidenceItem>;
    async fn evidence(&self, scope: &Scope, id: EvidenceId) -> Result<Option<EvidenceItem>>;
    async fn evidence_list(
        &self,
        scope: &Scope,
        filter: &EvidenceFilter,
    ) -> Result<Vec<EvidenceItem>>;
    /// Items the scope may see whose perceptual hash is within `max_distance` bits of `hash`.
    async fn similar_evidence(
        &self,
        scope: &Scope,
        hash: &str,
        max_distance: u32,
    ) -> Result<Vec<SimilarEvidence>>;
    /// Records a working copy and its `derived` custody event.
    async fn add_working_copy(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewWorkingCopy,
    ) -> Result<WorkingCopy>;
    async fn working_copies(&self, scope: &Scope, item: EvidenceId) -> Result<Vec<WorkingCopy>>;
    /// Appends to the item's custody chain (and the audit chain). Call it before serving bytes.
    async fn record_custody(
        &self,
        actor: &Actor,
        scope: &Scope,
        item: EvidenceId,
        kind: CustodyKind,
        detail: Option<String>,
    ) -> Result<CustodyEvent>;
    /// The sealed blob of `sha256` in `org`'s vault, if an original or a copy already holds it:
    /// identical content is stored once per organisation, under the data key first used.
    async fn sealed_blob(&self, org: OrgId, sha256: &str) -> Result<Option<SealedBlob>>;
    async fn custody_log(&self, scope: &Scope, item: EvidenceId) -> Result<Vec<CustodyEvent>>;

    /// Stores (or replaces) a sealed field of a report the scope may see; owned by the report's
    /// organisation.
    async fn seal_report_field(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewSealedField,
    ) -> Result<SealedField>;
    /// Every sealed field an organisation holds (for key rotation).
    async fn sealed_fields_of(&self, org: OrgId) -> Result<Vec<SealedField>>;
    /// The sealed fields of a report the scope may see (still encrypted).
    async fn sealed_report_fields(
        &self,
        scope: &Scope,
        report: ReportId,
    ) -> Result<Vec<SealedField>>;
}

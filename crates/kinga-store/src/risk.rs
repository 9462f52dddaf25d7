//! The storage port for atrocity risk: Framework of Analysis assessments with their versions,
//! evidence links and sign-offs; statistical forecasts; and each country's risk class history.
use crate::{Actor, Result, Scope};
use async_trait::async_trait;
use kinga_domain::risk::*;
use kinga_domain::{Country, Role};
use serde::Serialize;

/// An assessment as of one of its versions.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentDetail {
    pub assessment: Assessment,
    /// The version shown: the latest unless an earlier one was asked for.
    pub version: u32,
    /// Each indicator's latest saved score at `version`, in Framework order.
    pub scores: Vec<IndicatorScore>,
    /// Evidence links in force at `version`.
    pub links: Vec<EvidenceLink>,
    /// Sign-offs of every version, oldest first.
    pub signoffs: Vec<SignOff>,
    /// Everyone who saved a score or a link up to `version`: none of them may sign it off.
    pub authors: Vec<String>,
}

impl AssessmentDetail {
    /// Whether `version` itself carries a sign-off.
    pub fn signed_off(&self) -> bool {
        self.signoffs.iter().any(|s| s.version == self.version)
    }
}

/// Assessments, forecasts and classes. Reads take the reader's `Scope` (the assessment's
/// organisation and visibility cover its scores, links and sign-offs); writes commit with their
/// audit entries.
#[async_trait]
pub trait RiskStore: Send + Sync {
    async fn create_assessment(&self, actor: &Actor, new: NewAssessment) -> Result<Assessment>;
    /// The assessment at `version` (the latest when `None`).
    async fn assessment(
        &self,
        scope: &Scope,
        id: AssessmentId,
        version: Option<u32>,
    ) -> Result<Option<AssessmentDetail>>;
    /// Newest assessment date first.
    async fn assessments(&self, scope: &Scope, country: Option<Country>)
        -> Result<Vec<Assessment>>;
    /// Saves one indicator's score as a new version.
    async fn score_indicator(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AssessmentId,
        input: ScoreInput,
    ) -> Result<(Assessment, IndicatorScore)>;
    async fn link_evidence(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AssessmentId,
        new: NewEvidenceLink,
    ) -> Result<(Assessment, EvidenceLink)>;
    async fn unlink_evidence(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AssessmentId,
        link: EvidenceLinkId,
    ) -> Result<Assessment>;
    /// A second analyst confirms `version`. Refused to anyone who wrote any of it.
    async fn sign_off(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Role,
        id: AssessmentId,
        version: u32,
        note: Option<String>,
    ) -> Result<SignOff>;

    /// Stores a forecast run (one row per country-year); returns how many were stored.
    async fn save_forecasts(&self, actor: &Actor, batch: Vec<NewForecast>) -> Result<u64>;
    /// A country's forecasts, latest year first (and, within a year, latest run first).
    async fn forecasts(&self, scope: &Scope, country: Country) -> Result<Vec<Forecast>>;

    async fn record_risk_class(&self, actor: &Actor, new: NewRiskClass) -> Result<RiskClassRecord>;
    /// A country's class history, oldest first.
    async fn risk_classes(&self, scope: &Scope, country: Country) -> Result<Vec<RiskClassRecord>>;
    /// Countries with any assessment, forecast or class the reader may see.
    async fn risk_countries(&self, scope: &Scope) -> Result<Vec<Country>>;
}

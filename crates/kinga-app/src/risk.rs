//! The risk desk. Anyone signed in reads assessments, forecasts and classes within their scope;
//! analysts write assessments (`Assessor`); analysts and coordinators sign off another
//! analyst's work and override a country's class (`Reviewer`).
use crate::{AccessError, Member, Result};
use kinga_domain::risk::*;
use kinga_domain::Country;
use kinga_store::AssessmentDetail;

impl Member {
    #[tracing::instrument(skip_all)]
    pub async fn assessment(
        &self,
        id: AssessmentId,
        version: Option<u32>,
    ) -> Result<Option<AssessmentDetail>> {
        let scope = self.principal().scope();
        Ok(self.store().assessment(&scope, id, version).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn assessments(&self, country: Option<Country>) -> Result<Vec<Assessment>> {
        let scope = self.principal().scope();
        Ok(self.store().assessments(&scope, country).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn forecasts(&self, country: Country) -> Result<Vec<Forecast>> {
        let scope = self.principal().scope();
        Ok(self.store().forecasts(&scope, country).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn risk_classes(&self, country: Country) -> Result<Vec<RiskClassRecord>> {
        let scope = self.principal().scope();
        Ok(self.store().risk_classes(&scope, country).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn risk_countries(&self) -> Result<Vec<Country>> {
        let scope = self.principal().scope();
        Ok(self.store().risk_countries(&scope).await?)
    }

    pub fn as_assessor(&self) -> Result<Assessor> {
        if may_assess(self.user().role) {
            Ok(Assessor(self.clone()))
        } else {
            Err(AccessError::Forbidden(self.user().role))
        }
    }

    pub fn as_reviewer(&self) -> Result<Reviewer> {
        if may_sign_off(self.user().role) {
            Ok(Reviewer(self.clone()))
        } else {
            Err(AccessError::Forbidden(self.user().role))
        }
    }
}

/// An analyst writing Framework assessments.
pub struct Assessor(Member);

impl Assessor {
    #[tracing::instrument(skip_all)]
    pub async fn create(&self, new: NewAssessment) -> Result<Assessment> {
        let p = self.0.principal();
        Ok(self.0.store().create_assessment(&p.actor(), new).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn score(
        &self,
        id: AssessmentId,
        input: ScoreInput,
    ) -> Result<(Assessment, IndicatorScore)> {
        let p = self.0.principal();
        Ok(self
            .0
            .store()
            .score_indicator(&p.actor(), &p.scope(), id, input)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn link(
        &self,
        id: AssessmentId,
        new: NewEvidenceLink,
    ) -> Result<(Assessment, EvidenceLink)> {
        let p = self.0.principal();
        Ok(self
            .0
            .store()
            .link_evidence(&p.actor(), &p.scope(), id, new)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn unlink(&self, id: AssessmentId, link: EvidenceLinkId) -> Result<Assessment> {
        let p = self.0.principal();
        Ok(self
            .0
            .store()
            .unlink_evidence(&p.actor(), &p.scope(), id, link)
            .await?)
    }
}

/// An analyst or coordinator confirming others' work and deciding a country's class.
pub struct Reviewer(Member);

impl Reviewer {
    pub(crate) fn member(&self) -> &Member {
        &self.0
    }

    #[tracing::instrument(skip_all)]
    pub async fn sign_off(
        &self,
        id: AssessmentId,
        version: u32,
        note: Option<String>,
    ) -> Result<SignOff> {
        let p = self.0.principal();
        Ok(self
            .0
            .store()
            .sign_off(&p.actor(), &p.scope(), p.user.role, id, version, note)
            .await?)
    }

    /// Records a class decision: the rule's result, an override, or its withdrawal.
    #[tracing::instrument(skip_all)]
    pub async fn record_class(&self, new: NewRiskClass) -> Result<RiskClassRecord> {
        let p = self.0.principal();
        Ok(self.0.store().record_risk_class(&p.actor(), new).await?)
    }
}

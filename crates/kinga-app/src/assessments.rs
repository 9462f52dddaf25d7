//! Framework assessments as Kinga's own work sees them: whoever holds the database reads every
//! organisation's (to list and export them), and the demo writes one on behalf of its
//! organisation.
use crate::records::AssessmentDetail;
use crate::{Result, System};
use kinga_domain::org::Organisation;
use kinga_domain::risk::{Assessment, AssessmentId, IndicatorScore, NewAssessment, ScoreInput};
use kinga_domain::Country;

impl System {
    /// Every organisation's assessments of `country` (of every country when `None`), newest
    /// first.
    #[tracing::instrument(skip_all)]
    pub async fn assessments(&self, country: Option<Country>) -> Result<Vec<Assessment>> {
        Ok(self
            .store
            .assessments(&self.sees_everything(), country)
            .await?)
    }

    /// One assessment at its latest version, with its scores, links and sign-offs.
    #[tracing::instrument(skip_all, fields(assessment = %id))]
    pub async fn assessment(&self, id: AssessmentId) -> Result<Option<AssessmentDetail>> {
        Ok(self
            .store
            .assessment(&self.sees_everything(), id, None)
            .await?)
    }

    /// A new assessment owned by `owner`.
    #[tracing::instrument(skip_all, fields(owner = %owner.slug))]
    pub async fn create_assessment(
        &self,
        owner: &Organisation,
        new: NewAssessment,
    ) -> Result<Assessment> {
        Ok(self
            .store
            .create_assessment(&self.acting_for(owner), new)
            .await?)
    }

    /// Scores one indicator of an assessment owned by `owner`, as a new version.
    #[tracing::instrument(skip_all, fields(owner = %owner.slug, assessment = %id))]
    pub async fn score_indicator(
        &self,
        owner: &Organisation,
        id: AssessmentId,
        input: ScoreInput,
    ) -> Result<(Assessment, IndicatorScore)> {
        Ok(self
            .store
            .score_indicator(&self.acting_for(owner), &self.sees_everything(), id, input)
            .await?)
    }
}

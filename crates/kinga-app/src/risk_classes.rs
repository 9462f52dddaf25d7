//! A country's risk class: the rule computes it from what the reader may see (the latest
//! forecast, the latest assessment and its sign-off, recent escalation signals); a reviewer
//! records it, overrides it with a rationale, or withdraws an override. The web pages, the API
//! and the command line all ask here, so a class is computed one way.
use crate::{AccessError, Member, Result, Reviewer};
use kinga_analysis::assessment::{
    compute_class, current_class, summarise, AssessmentInput, AssessmentSummary, ClassInputs,
    ClassVerdict, ForecastInput, ScoredIndicator, SignalInput,
};
use kinga_domain::risk::*;
use kinga_domain::{Country, Visibility};
use kinga_store::{AssessmentDetail, Signal, SignalFilter, StoreError};
use serde::Serialize;
use serde_json::json;

/// Escalation signals whose period began this many days ago or later count as recent.
pub const SIGNAL_WINDOW_DAYS: i64 = 90;

/// Everything the country page shows, computed from what the reader may see.
#[derive(Debug, Serialize)]
pub struct CountrySummary {
    pub country: Country,
    pub name: &'static str,
    pub forecast: Option<Forecast>,
    pub assessment: Option<Assessment>,
    pub assessment_version: Option<u32>,
    pub assessment_signed_off: bool,
    pub assessment_summary: Option<AssessmentSummary>,
    /// Escalation signals of the country whose period began in the last
    /// `SIGNAL_WINDOW_DAYS`, newest first (at most 20 shown), and how many there are.
    pub signals: Vec<Signal>,
    pub signals_recent: u64,
    pub computed: ClassVerdict,
    pub current: Option<RiskClass>,
    pub current_decision: Option<ClassDecision>,
    pub history: Vec<RiskClassRecord>,
}

/// An assessment's scores as the Framework summary reads them.
pub fn scored(d: &AssessmentDetail) -> Vec<ScoredIndicator> {
    d.scores
        .iter()
        .map(|s| ScoredIndicator {
            indicator: s.indicator,
            score: s.score,
            confidence: s.confidence,
            note: s.note.clone(),
        })
        .collect()
}

impl Member {
    #[tracing::instrument(skip_all, fields(country = %country))]
    pub async fn country_summary(&self, country: Country) -> Result<CountrySummary> {
        let forecast = self.forecasts(country).await?.into_iter().next();
        let latest = self.assessments(Some(country)).await?.into_iter().next();
        let detail = match &latest {
            Some(a) => self.assessment(a.id, None).await?,
            None => None,
        };
        let summary = detail.as_ref().map(|d| summarise(&scored(d)));
        let today = kinga_domain::time::now().date_naive();
        let recent = self
            .signals(&SignalFilter {
                country: Some(country),
                from: Some(today - chrono::Duration::days(SIGNAL_WINDOW_DAYS)),
                limit: 20,
                ..Default::default()
            })
            .await?;
        let inputs = ClassInputs {
            today,
            forecast: forecast.as_ref().map(|f| ForecastInput {
                year: f.year,
                probability: f.probability,
                rank: f.rank,
            }),
            assessment: detail.as_ref().zip(summary.as_ref()).map(|(d, s)| {
                AssessmentInput::from_summary(d.assessment.assessed_on, s, d.signed_off())
            }),
            signals: Some(SignalInput {
                recent: u32::try_from(recent.total).unwrap_or(u32::MAX),
            }),
        };
        let computed = compute_class(&inputs);
        let history = self.risk_classes(country).await?;
        let current = current_class(&decisions(&history));
        Ok(CountrySummary {
            country,
            name: country.name(),
            forecast,
            assessment_version: detail.as_ref().map(|d| d.version),
            assessment_signed_off: detail.as_ref().is_some_and(AssessmentDetail::signed_off),
            assessment: latest,
            assessment_summary: summary,
            signals_recent: recent.total,
            signals: recent.items,
            computed,
            current: current.map(|c| c.0),
            current_decision: current.map(|c| c.1),
            history,
        })
    }

    /// Records the rule's class when it differs from the last one the rule recorded for the
    /// reader's organisation; only a reviewer may record it.
    #[tracing::instrument(skip_all, fields(country = %country))]
    pub async fn refresh_class(
        &self,
        country: Country,
        visibility: Visibility,
    ) -> Result<Option<RiskClass>> {
        let s = self.country_summary(country).await?;
        let own = self.user().organisation_id;
        let last_rule = s
            .history
            .iter()
            .rev()
            .find(|h| h.decision == ClassDecision::Rule && h.organisation_id == own)
            .map(|h| h.class);
        if last_rule != Some(s.computed.class) {
            self.as_reviewer()?
                .record_class(NewRiskClass {
                    country,
                    decision: ClassDecision::Rule,
                    class: s.computed.class,
                    rationale: None,
                    inputs: json!({
                        "reasons": s.computed.reasons,
                        "forecast": s.forecast.as_ref().map(|f| json!({"year": f.year, "probability": f.probability, "rank": f.rank, "model": f.model})),
                        "assessment": s.assessment.as_ref().map(|a| json!({"id": a.id, "version": s.assessment_version, "signed_off": s.assessment_signed_off})),
                        "signals_recent": s.signals_recent,
                    }),
                    visibility,
                })
                .await?;
        }
        Ok(Some(s.computed.class))
    }
}

fn decisions(history: &[RiskClassRecord]) -> Vec<(ClassDecision, RiskClass)> {
    history.iter().map(|h| (h.decision, h.class)).collect()
}

impl Reviewer {
    /// Sets the class by hand, with the rule's verdict kept beside it.
    #[tracing::instrument(skip_all, fields(country = %country))]
    pub async fn override_class(
        &self,
        country: Country,
        o: ClassOverride,
    ) -> Result<RiskClassRecord> {
        let computed = self.member().country_summary(country).await?.computed;
        self.record_class(NewRiskClass {
            country,
            decision: ClassDecision::Override,
            class: o.class,
            rationale: Some(o.rationale),
            inputs: json!({ "computed": computed }),
            visibility: o.visibility,
        })
        .await
    }

    /// Withdraws the override in force, so the rule's class holds again.
    #[tracing::instrument(skip_all, fields(country = %country))]
    pub async fn withdraw_override(
        &self,
        country: Country,
        rationale: Option<String>,
        visibility: Visibility,
    ) -> Result<RiskClassRecord> {
        let history = self.member().risk_classes(country).await?;
        match current_class(&decisions(&history)) {
            Some((class, ClassDecision::Override)) => {
                self.record_class(NewRiskClass {
                    country,
                    decision: ClassDecision::Withdraw,
                    class,
                    rationale,
                    inputs: json!({}),
                    visibility,
                })
                .await
            }
            _ => Err(AccessError::Store(StoreError::Rule(
                "there is no override to withdraw".into(),
            ))),
        }
    }
}

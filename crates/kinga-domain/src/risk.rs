//! Atrocity risk records: Framework of Analysis assessments (indicator scores with confidence,
//! notes and evidence links; versions; sign-offs), statistical forecasts with their
//! provenance, and the R2P-Monitor-style risk class of a country with its history.
use crate::fields::Fields;
use crate::framework::IndicatorNo;
use crate::ids::{OrgId, UserId};
use crate::org::Slug;
use crate::{Country, Role, ValidationErrors, Visibility};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! risk_id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    )*};
}

risk_id!(
    AssessmentId,
    ScoreId,
    EvidenceLinkId,
    SignOffId,
    ForecastId,
    RiskClassId
);

/// Closed vocabularies written as snake_case words, parsed and printed the same way.
macro_rules! word_enum {
    ($name:ident, $what:literal, [$($variant:ident = $word:literal),* $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $word)] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $word),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s.trim()).ok_or_else(|| {
                    let words: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("'{}' is not {} ({})", s.trim(), $what, words.join(", "))
                })
            }
        }
    };
}

word_enum!(
    Confidence,
    "a confidence",
    [Low = "low", Medium = "medium", High = "high"]
);
word_enum!(
    EvidenceKind,
    "an evidence kind",
    [
        Incident = "incident",
        Event = "event",
        Signal = "signal",
        Source = "source",
        Report = "report",
        Document = "document",
    ]
);
word_enum!(
    RiskClass,
    "a risk class",
    [
        NoConcern = "none",
        SeriousConcern = "serious_concern",
        ImminentRisk = "imminent_risk",
        CurrentCrisis = "current_crisis",
    ]
);
word_enum!(
    ClassDecision,
    "a class decision",
    [Rule = "rule", Override = "override", Withdraw = "withdraw",]
);

/// How strongly an indicator is present, on the ordinal scale documented in
/// docs/risk-assessment.md: 0 absent, 1 weakly present, 2 present, 3 strongly present, or not
/// assessed (no information, or not yet looked at) which counts as unknown, never as 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Score(Option<u8>);

impl Score {
    pub const NOT_ASSESSED: Score = Score(None);
    pub const MAX: u8 = 3;

    pub fn level(level: u8) -> Option<Score> {
        (level <= Self::MAX).then_some(Score(Some(level)))
    }

    /// The level 0–3, or `None` when not assessed.
    pub fn value(&self) -> Option<u8> {
        self.0
    }

    pub fn as_word(&self) -> String {
        match self.0 {
            Some(v) => v.to_string(),
            None => "not_assessed".into(),
        }
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_word())
    }
}

impl FromStr for Score {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "not_assessed" | "na" | "" => Ok(Score::NOT_ASSESSED),
            t => t
                .parse::<u8>()
                .ok()
                .and_then(Score::level)
                .ok_or_else(|| format!("'{t}' is not a score (0, 1, 2, 3 or not_assessed)")),
        }
    }
}

impl Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(v) => s.serialize_u8(v),
            None => s.serialize_none(),
        }
    }
}

/// One Framework assessment of a country (or a situation within it) as of a date. `version`
/// counts the saves: every change to a score or an evidence link makes a new version, and any
/// earlier version can be read back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub id: AssessmentId,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub country: Country,
    /// A sub-national situation (a region, a crisis) when the assessment is narrower than the
    /// whole country.
    pub situation: Option<String>,
    pub assessed_on: NaiveDate,
    pub summary: Option<String>,
    pub created_by: Option<UserId>,
    pub created_by_label: String,
    pub created_at: DateTime<Utc>,
    pub version: u32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAssessment {
    pub country: Country,
    pub situation: Option<String>,
    pub assessed_on: NaiveDate,
    pub summary: Option<String>,
    pub visibility: Visibility,
}

impl NewAssessment {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let country = f.required::<Country>("country");
        let situation = f.text("situation", 300);
        let assessed_on = f.required_date("assessed_on");
        let summary = f.text("summary", 10_000);
        let visibility = f.parsed("visibility").unwrap_or(Visibility::Organisation);
        if visibility == Visibility::Sealed {
            f.push(
                "visibility",
                "assessments cannot be sealed; use restricted for the case desk only",
            );
        }
        f.finish()?;
        Ok(NewAssessment {
            country: country.expect("checked"),
            situation,
            assessed_on: assessed_on.expect("checked"),
            summary,
            visibility,
        })
    }
}

/// One save of one indicator's score. Rows are never changed: the score of an indicator at
/// version v is the row with the highest version ≤ v.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorScore {
    pub id: ScoreId,
    pub assessment_id: AssessmentId,
    pub indicator: IndicatorNo,
    pub version: u32,
    pub score: Score,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
    pub scored_by: Option<UserId>,
    pub scored_by_label: String,
    pub scored_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    pub indicator: IndicatorNo,
    pub score: Score,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
}

impl ScoreInput {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let indicator = f.required::<IndicatorNo>("indicator");
        let score = if f.present("score") {
            f.parsed::<Score>("score")
        } else {
            f.push("score", "is required (0, 1, 2, 3 or not_assessed)");
            None
        };
        let confidence = f.parsed::<Confidence>("confidence");
        let note = f.text("note", 5_000);
        if score.is_some_and(|s| s.value().is_some()) && confidence.is_none() {
            f.push("confidence", "is required with a score (low, medium, high)");
        }
        f.finish()?;
        Ok(ScoreInput {
            indicator: indicator.expect("checked"),
            score: score.expect("checked"),
            confidence,
            note,
        })
    }
}

/// What evidences an indicator's score: an incident, a dataset event, an escalation signal, a
/// source, a report, or an outside document (by URL).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceLink {
    pub id: EvidenceLinkId,
    pub assessment_id: AssessmentId,
    pub indicator: IndicatorNo,
    pub kind: EvidenceKind,
    /// The record's id (or code), or the document's URL.
    pub target: String,
    pub note: Option<String>,
    pub version: u32,
    /// The version in which the link was withdrawn, if it was.
    pub removed_in: Option<u32>,
    pub added_by_label: String,
    pub added_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEvidenceLink {
    pub indicator: IndicatorNo,
    pub kind: EvidenceKind,
    pub target: String,
    pub note: Option<String>,
}

impl NewEvidenceLink {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let indicator = f.required::<IndicatorNo>("indicator");
        let kind = f.required::<EvidenceKind>("kind");
        let target = f.required_text("target", 2_000);
        let note = f.text("note", 2_000);
        if let (Some(k), Some(t)) = (kind, target.as_deref()) {
            let ok = match k {
                EvidenceKind::Document => t.starts_with("http://") || t.starts_with("https://"),
                _ => !t.contains(char::is_whitespace),
            };
            if !ok {
                f.push(
                    "target",
                    "must be a record id (no spaces), or for a document a URL starting with http:// or https://",
                );
            }
        }
        f.finish()?;
        Ok(NewEvidenceLink {
            indicator: indicator.expect("checked"),
            kind: kind.expect("checked"),
            target: target.expect("checked"),
            note,
        })
    }
}

/// A second analyst's confirmation of one version of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignOff {
    pub id: SignOffId,
    pub assessment_id: AssessmentId,
    pub version: u32,
    pub signed_by: Option<UserId>,
    pub signed_by_label: String,
    pub role: Role,
    pub note: Option<String>,
    pub signed_at: DateTime<Utc>,
}

/// One country-year of a statistical forecast, with what produced it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub id: ForecastId,
    pub organisation_id: Option<OrgId>,
    pub organisation: Option<Slug>,
    pub visibility: Visibility,
    pub country: Country,
    pub year: i32,
    pub probability: f64,
    pub rank: Option<u32>,
    /// The model's name and version, e.g. `ewp-elastic-net-2025`.
    pub model: String,
    /// How the model was fitted (data file and its digest, outcome, alpha, lambda, years).
    pub provenance: serde_json::Value,
    /// The largest contributions to this country's risk, largest first.
    pub top_factors: Vec<FactorContribution>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FactorContribution {
    pub name: String,
    pub contribution: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewForecast {
    pub country: Country,
    pub year: i32,
    pub probability: f64,
    pub rank: Option<u32>,
    pub model: String,
    pub provenance: serde_json::Value,
    pub top_factors: Vec<FactorContribution>,
    pub visibility: Visibility,
}

/// One entry of a country's class history: what the rule computed, an analyst's override (with
/// its rationale), or the withdrawal of an override.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskClassRecord {
    pub id: RiskClassId,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub country: Country,
    pub decision: ClassDecision,
    pub class: RiskClass,
    pub rationale: Option<String>,
    /// The inputs the rule saw (forecast, assessment, signals) and its reasons, as JSON.
    pub inputs: serde_json::Value,
    pub decided_by_label: String,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewRiskClass {
    pub country: Country,
    pub decision: ClassDecision,
    pub class: RiskClass,
    pub rationale: Option<String>,
    pub inputs: serde_json::Value,
    pub visibility: Visibility,
}

/// An analyst's override of the computed class: the class and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassOverride {
    pub class: RiskClass,
    pub rationale: String,
    pub visibility: Visibility,
}

impl ClassOverride {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let class = f.required::<RiskClass>("class");
        let rationale = f.required_text("rationale", 5_000);
        if rationale.as_deref().is_some_and(|r| r.chars().count() < 10) {
            f.push(
                "rationale",
                "must explain the override (at least 10 characters)",
            );
        }
        let visibility = f.parsed("visibility").unwrap_or(Visibility::Organisation);
        f.finish()?;
        Ok(ClassOverride {
            class: class.expect("checked"),
            rationale: rationale.expect("checked"),
            visibility,
        })
    }
}

/// Roles that write assessments and override classes.
pub fn may_assess(role: Role) -> bool {
    matches!(role, Role::Analyst)
}

/// Roles that may sign off another analyst's assessment, or override a class.
pub fn may_sign_off(role: Role) -> bool {
    matches!(role, Role::Analyst | Role::Coordinator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn words_serialise_as_they_parse() {
        for c in RiskClass::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
        }
        assert_eq!(
            serde_json::to_value(RiskClass::NoConcern).unwrap(),
            json!("none")
        );
    }

    #[test]
    fn scores_parse_on_the_documented_scale() {
        assert_eq!("2".parse::<Score>().unwrap().value(), Some(2));
        assert_eq!(
            "not_assessed".parse::<Score>().unwrap(),
            Score::NOT_ASSESSED
        );
        assert!("4".parse::<Score>().is_err());
        assert!("-1".parse::<Score>().is_err());
    }

    #[test]
    fn a_score_needs_a_confidence_and_a_listed_indicator() {
        let e = ScoreInput::parse(&json!({"indicator": "7.15", "score": 2})).unwrap_err();
        let paths: Vec<&str> = e.errors.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"$.indicator"), "{paths:?}");
        assert!(paths.contains(&"$.confidence"), "{paths:?}");
        let ok = ScoreInput::parse(&json!({"indicator": "7.3", "score": "not_assessed"})).unwrap();
        assert_eq!(ok.score, Score::NOT_ASSESSED);
    }

    #[test]
    fn overrides_need_a_rationale() {
        assert!(
            ClassOverride::parse(&json!({"class": "imminent_risk", "rationale": "x"})).is_err()
        );
        assert!(
            ClassOverride::parse(&json!({"class": "nope", "rationale": "long enough reason"}))
                .is_err()
        );
        let o = ClassOverride::parse(
            &json!({"class": "imminent_risk", "rationale": "Militia build-up reported in Ouham"}),
        )
        .unwrap();
        assert_eq!(o.class, RiskClass::ImminentRisk);
    }
}

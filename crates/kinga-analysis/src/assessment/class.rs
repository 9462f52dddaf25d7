//! The risk class of a country in the style of the GCR2P R2P Monitor, from the latest
//! statistical forecast, recent escalation signals and the latest Framework assessment.
use super::summary::{AssessmentSummary, OverallBand};
use chrono::NaiveDate;
use kinga_domain::risk::{ClassDecision, RiskClass};
use serde::Serialize;

/// An assessment older than this (days before `today`) no longer counts.
pub const ASSESSMENT_MAX_AGE_DAYS: i64 = 365;
/// A forecast in the top this-many countries of its year is a serious concern.
pub const FORECAST_RANK: u32 = 30;
/// A forecast probability at or above this is a serious concern, whatever its rank.
pub const FORECAST_PROBABILITY: f64 = 0.04;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ForecastInput {
    pub year: i32,
    pub probability: f64,
    pub rank: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AssessmentInput {
    pub assessed_on: NaiveDate,
    pub band: OverallBand,
    pub specific_max: Option<u8>,
    /// Whether a second analyst signed off the version this summary was made from.
    pub signed_off: bool,
}

impl AssessmentInput {
    pub fn from_summary(assessed_on: NaiveDate, s: &AssessmentSummary, signed_off: bool) -> Self {
        AssessmentInput {
            assessed_on,
            band: s.band,
            specific_max: s.specific_max,
            signed_off,
        }
    }
}

/// Escalation signals raised for the country in the last 90 days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SignalInput {
    pub recent: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassInputs {
    pub today: NaiveDate,
    pub forecast: Option<ForecastInput>,
    pub assessment: Option<AssessmentInput>,
    pub signals: Option<SignalInput>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassVerdict {
    pub class: RiskClass,
    /// Why, as stable codes the interface translates (`assessment.high`, `forecast.rank`, …).
    pub reasons: Vec<&'static str>,
}

fn step_up(c: RiskClass) -> RiskClass {
    match c {
        RiskClass::NoConcern => RiskClass::SeriousConcern,
        RiskClass::SeriousConcern | RiskClass::ImminentRisk => RiskClass::ImminentRisk,
        RiskClass::CurrentCrisis => RiskClass::CurrentCrisis,
    }
}

/// The documented rule (docs/risk-assessment.md, "Risk classes").
pub fn compute_class(inputs: &ClassInputs) -> ClassVerdict {
    let mut reasons = Vec::new();
    let assessment = inputs.assessment.filter(|a| {
        let age = (inputs.today - a.assessed_on).num_days();
        let fresh = (0..=ASSESSMENT_MAX_AGE_DAYS).contains(&age);
        if !fresh {
            reasons.push("assessment.stale");
        }
        fresh
    });
    let mut from_assessment = RiskClass::NoConcern;
    if let Some(a) = assessment {
        from_assessment = match a.band {
            OverallBand::High if a.specific_max == Some(3) => {
                reasons.push("assessment.specific_strong");
                RiskClass::CurrentCrisis
            }
            OverallBand::High => {
                reasons.push("assessment.high");
                RiskClass::ImminentRisk
            }
            OverallBand::Elevated => {
                reasons.push("assessment.elevated");
                RiskClass::SeriousConcern
            }
            OverallBand::Low | OverallBand::Insufficient => RiskClass::NoConcern,
        };
        if !a.signed_off && from_assessment > RiskClass::SeriousConcern {
            reasons.push("assessment.unsigned_capped");
            from_assessment = RiskClass::SeriousConcern;
        }
    }
    let mut from_forecast = RiskClass::NoConcern;
    if let Some(f) = inputs.forecast {
        if f.rank.is_some_and(|r| r <= FORECAST_RANK) {
            reasons.push("forecast.rank");
            from_forecast = RiskClass::SeriousConcern;
        } else if f.probability >= FORECAST_PROBABILITY {
            reasons.push("forecast.probability");
            from_forecast = RiskClass::SeriousConcern;
        }
    }
    let mut class = from_assessment.max(from_forecast);
    if from_assessment == RiskClass::SeriousConcern && from_forecast == RiskClass::SeriousConcern {
        reasons.push("agreement");
        class = RiskClass::ImminentRisk;
    }
    if inputs.signals.is_some_and(|s| s.recent > 0) {
        reasons.push("signals.recent");
        class = step_up(class);
    }
    if reasons.is_empty() {
        reasons.push("no_evidence");
    }
    ClassVerdict { class, reasons }
}

/// The class in force, from a country's history oldest first: the latest override unless it
/// was withdrawn afterwards, else the latest computed class.
pub fn current_class(history: &[(ClassDecision, RiskClass)]) -> Option<(RiskClass, ClassDecision)> {
    let mut rule = None;
    let mut over = None;
    for (decision, class) in history {
        match decision {
            ClassDecision::Rule => rule = Some(*class),
            ClassDecision::Override => over = Some(*class),
            ClassDecision::Withdraw => over = None,
        }
    }
    over.map(|c| (c, ClassDecision::Override))
        .or(rule.map(|c| (c, ClassDecision::Rule)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn inputs() -> ClassInputs {
        ClassInputs {
            today: day("2026-11-26"),
            forecast: None,
            assessment: None,
            signals: None,
        }
    }

    fn assessment(band: OverallBand, specific: Option<u8>, signed: bool) -> AssessmentInput {
        AssessmentInput {
            assessed_on: day("2026-10-01"),
            band,
            specific_max: specific,
            signed_off: signed,
        }
    }

    #[test]
    fn no_inputs_no_class() {
        let v = compute_class(&inputs());
        assert_eq!(v.class, RiskClass::NoConcern);
        assert_eq!(v.reasons, vec!["no_evidence"]);
    }

    #[test]
    fn a_signed_high_assessment_with_a_strong_specific_factor_is_a_current_crisis() {
        let mut i = inputs();
        i.assessment = Some(assessment(OverallBand::High, Some(3), true));
        assert_eq!(compute_class(&i).class, RiskClass::CurrentCrisis);
        i.assessment = Some(assessment(OverallBand::High, Some(3), false));
        let v = compute_class(&i);
        assert_eq!(v.class, RiskClass::SeriousConcern);
        assert!(v.reasons.contains(&"assessment.unsigned_capped"));
        i.assessment = Some(assessment(OverallBand::High, Some(2), true));
        assert_eq!(compute_class(&i).class, RiskClass::ImminentRisk);
    }

    #[test]
    fn a_forecast_alone_is_at_most_a_serious_concern() {
        let mut i = inputs();
        i.forecast = Some(ForecastInput {
            year: 2024,
            probability: 0.10,
            rank: Some(1),
        });
        assert_eq!(compute_class(&i).class, RiskClass::SeriousConcern);
        i.forecast = Some(ForecastInput {
            year: 2024,
            probability: 0.01,
            rank: Some(80),
        });
        assert_eq!(compute_class(&i).class, RiskClass::NoConcern);
    }

    #[test]
    fn forecast_and_assessment_agreeing_make_an_imminent_risk() {
        let mut i = inputs();
        i.forecast = Some(ForecastInput {
            year: 2024,
            probability: 0.02,
            rank: Some(12),
        });
        i.assessment = Some(assessment(OverallBand::Elevated, None, false));
        let v = compute_class(&i);
        assert_eq!(v.class, RiskClass::ImminentRisk);
        assert!(v.reasons.contains(&"agreement"));
    }

    #[test]
    fn stale_assessments_do_not_count_and_signals_step_up_but_never_to_crisis() {
        let mut i = inputs();
        let mut a = assessment(OverallBand::High, Some(3), true);
        a.assessed_on = day("2024-01-01");
        i.assessment = Some(a);
        let v = compute_class(&i);
        assert_eq!(v.class, RiskClass::NoConcern);
        assert!(v.reasons.contains(&"assessment.stale"));
        i.signals = Some(SignalInput { recent: 2 });
        assert_eq!(compute_class(&i).class, RiskClass::SeriousConcern);
        i.assessment = Some(assessment(OverallBand::High, Some(2), true));
        assert_eq!(compute_class(&i).class, RiskClass::ImminentRisk);
    }

    #[test]
    fn overrides_stand_until_withdrawn() {
        use ClassDecision::*;
        use RiskClass::*;
        assert_eq!(current_class(&[]), None);
        let h = [
            (Rule, SeriousConcern),
            (Override, CurrentCrisis),
            (Rule, NoConcern),
        ];
        assert_eq!(current_class(&h), Some((CurrentCrisis, Override)));
        let h = [
            (Rule, SeriousConcern),
            (Override, CurrentCrisis),
            (Withdraw, CurrentCrisis),
            (Rule, NoConcern),
        ];
        assert_eq!(current_class(&h), Some((NoConcern, Rule)));
    }
}

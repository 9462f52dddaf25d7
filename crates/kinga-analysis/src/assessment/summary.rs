//! From indicator scores to a level per risk factor and an overall band.
use kinga_domain::framework::{framework, FactorKind, IndicatorNo};
use kinga_domain::risk::{Confidence, Score};
use serde::Serialize;

/// A score at or above this level counts the indicator as present.
pub const PRESENT_LEVEL: u8 = 2;

/// One indicator's current score, as the summaries and the diff read it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredIndicator {
    pub indicator: IndicatorNo,
    pub score: Score,
    pub confidence: Option<Confidence>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorSummary {
    pub factor: u8,
    pub kind: FactorKind,
    /// The highest score among the factor's assessed indicators; `None` when none is assessed.
    pub level: Option<u8>,
    /// Indicators with a score (0–3); not-assessed ones are unknown, not absent.
    pub assessed: u32,
    /// Indicators the project lists for this factor (fewer than the Framework's where the list
    /// is partial).
    pub listed: u32,
    /// Indicators scored at `PRESENT_LEVEL` or above.
    pub present: u32,
    /// Mean score of the assessed indicators.
    pub mean: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OverallBand {
    /// Fewer than four common factors assessed and nothing that would raise the band.
    Insufficient,
    Low,
    Elevated,
    High,
}

impl OverallBand {
    pub fn as_str(&self) -> &'static str {
        match self {
            OverallBand::Insufficient => "insufficient",
            OverallBand::Low => "low",
            OverallBand::Elevated => "elevated",
            OverallBand::High => "high",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentSummary {
    pub factors: Vec<FactorSummary>,
    pub band: OverallBand,
    /// Common factors (1–8) with any assessed indicator.
    pub common_assessed: u32,
    /// Common factors whose level is `PRESENT_LEVEL` or above.
    pub common_present: u32,
    /// The highest level among the specific factors (9–14).
    pub specific_max: Option<u8>,
    /// Up to five factors at `PRESENT_LEVEL` or above, strongest first: the "key risk factors"
    /// of an R2P Monitor entry.
    pub top_factors: Vec<u8>,
    pub assessed: u32,
    pub listed: u32,
}

/// Summarises the scores of one assessment version. Indicators absent from `scores` are not
/// assessed. If an indicator appears twice, the later entry wins.
pub fn summarise(scores: &[ScoredIndicator]) -> AssessmentSummary {
    let fw = framework();
    let latest = |no: IndicatorNo| {
        scores
            .iter()
            .rev()
            .find(|s| s.indicator == no)
            .and_then(|s| s.score.value())
    };
    let mut factors = Vec::with_capacity(fw.factors.len());
    for f in &fw.factors {
        let values: Vec<u8> = f
            .indicators
            .iter()
            .filter_map(|i| latest(i.number))
            .collect();
        let assessed = values.len() as u32;
        factors.push(FactorSummary {
            factor: f.number,
            kind: f.kind,
            level: values.iter().copied().max(),
            assessed,
            listed: f.indicators.len() as u32,
            present: values.iter().filter(|v| **v >= PRESENT_LEVEL).count() as u32,
            mean: (assessed > 0)
                .then(|| values.iter().map(|v| f64::from(*v)).sum::<f64>() / f64::from(assessed)),
        });
    }
    let common = || factors.iter().filter(|f| f.kind == FactorKind::Common);
    let common_assessed = common().filter(|f| f.level.is_some()).count() as u32;
    let common_present = common()
        .filter(|f| f.level.is_some_and(|l| l >= PRESENT_LEVEL))
        .count() as u32;
    let specific_max = factors
        .iter()
        .filter(|f| f.kind == FactorKind::Specific)
        .filter_map(|f| f.level)
        .max();
    let band = if common_present >= 5 || specific_max == Some(3) {
        OverallBand::High
    } else if common_present >= 3 || specific_max == Some(2) {
        OverallBand::Elevated
    } else if common_assessed < 4 {
        OverallBand::Insufficient
    } else {
        OverallBand::Low
    };
    let mut ranked: Vec<&FactorSummary> = factors
        .iter()
        .filter(|f| f.level.is_some_and(|l| l >= PRESENT_LEVEL))
        .collect();
    ranked.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then(b.present.cmp(&a.present))
            .then(
                b.mean
                    .partial_cmp(&a.mean)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
            .then(a.factor.cmp(&b.factor))
    });
    let top_factors = ranked.iter().take(5).map(|f| f.factor).collect();
    AssessmentSummary {
        assessed: factors.iter().map(|f| f.assessed).sum(),
        listed: factors.iter().map(|f| f.listed).sum(),
        factors,
        band,
        common_assessed,
        common_present,
        specific_max,
        top_factors,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn s(no: &str, level: Option<u8>) -> ScoredIndicator {
        ScoredIndicator {
            indicator: no.parse().unwrap(),
            score: level.map_or(Score::NOT_ASSESSED, |l| Score::level(l).unwrap()),
            confidence: level.map(|_| Confidence::Medium),
            note: None,
        }
    }

    #[test]
    fn nothing_assessed_is_insufficient_not_low() {
        let sum = summarise(&[]);
        assert_eq!(sum.band, OverallBand::Insufficient);
        assert_eq!(sum.assessed, 0);
        assert_eq!(sum.listed, 110);
        assert!(sum.factors.iter().all(|f| f.level.is_none()));
        // Not assessed counts as unknown, never as absent.
        let sum = summarise(&[s("1.1", None), s("2.1", None)]);
        assert_eq!(sum.assessed, 0);
    }

    #[test]
    fn factor_level_is_the_highest_indicator_score() {
        let sum = summarise(&[s("7.1", Some(1)), s("7.4", Some(3)), s("7.5", Some(0))]);
        let f7 = &sum.factors[6];
        assert_eq!(f7.level, Some(3));
        assert_eq!(f7.assessed, 3);
        assert_eq!(f7.present, 1);
        assert!((f7.mean.unwrap() - 4.0 / 3.0).abs() < 1e-12);
        assert_eq!(sum.top_factors, vec![7]);
    }

    #[test]
    fn bands_follow_the_documented_thresholds() {
        let all_common_low: Vec<_> = ["1.1", "2.1", "3.1", "4.1"]
            .iter()
            .map(|n| s(n, Some(1)))
            .collect();
        assert_eq!(summarise(&all_common_low).band, OverallBand::Low);
        let three: Vec<_> = ["1.1", "2.1", "3.1"]
            .iter()
            .map(|n| s(n, Some(2)))
            .collect();
        assert_eq!(summarise(&three).band, OverallBand::Elevated);
        let five: Vec<_> = ["1.1", "2.1", "3.1", "4.1", "5.1"]
            .iter()
            .map(|n| s(n, Some(2)))
            .collect();
        assert_eq!(summarise(&five).band, OverallBand::High);
        assert_eq!(summarise(&[s("11.1", Some(3))]).band, OverallBand::High);
        assert_eq!(summarise(&[s("9.4", Some(2))]).band, OverallBand::Elevated);
    }

    #[test]
    fn the_later_score_of_an_indicator_wins() {
        let sum = summarise(&[s("8.1", Some(3)), s("8.1", Some(1))]);
        assert_eq!(sum.factors[7].level, Some(1));
    }

    #[test]
    fn top_factors_are_at_most_five_strongest_first() {
        let mut v: Vec<_> = (1..=8).map(|f| s(&format!("{f}.1"), Some(2))).collect();
        v.push(s("3.2", Some(3)));
        v.push(s("13.1", Some(3)));
        v.push(s("13.2", Some(3)));
        let sum = summarise(&v);
        assert_eq!(sum.top_factors, vec![13, 3, 1, 2, 4]);
    }
}

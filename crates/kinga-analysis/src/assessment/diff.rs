//! What changed between two assessments (two versions of one, or two dates of a country).
use super::summary::{summarise, OverallBand, ScoredIndicator};
use kinga_domain::framework::{framework, IndicatorNo};
use kinga_domain::risk::{Confidence, Score};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorChange {
    pub indicator: IndicatorNo,
    pub before: Score,
    pub after: Score,
    pub confidence_before: Option<Confidence>,
    pub confidence_after: Option<Confidence>,
    pub note_changed: bool,
}

impl IndicatorChange {
    /// Positive when the indicator got stronger; `None` when either side is not assessed.
    pub fn direction(&self) -> Option<i8> {
        Some(self.after.value()? as i8 - self.before.value()? as i8)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactorChange {
    pub factor: u8,
    pub before: Option<u8>,
    pub after: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentDiff {
    /// Indicators whose score, confidence or note differ, in Framework order.
    pub indicators: Vec<IndicatorChange>,
    /// Factors whose level differs.
    pub factors: Vec<FactorChange>,
    pub band_before: OverallBand,
    pub band_after: OverallBand,
}

fn find(scores: &[ScoredIndicator], no: IndicatorNo) -> Option<&ScoredIndicator> {
    scores.iter().rev().find(|s| s.indicator == no)
}

pub fn diff(before: &[ScoredIndicator], after: &[ScoredIndicator]) -> AssessmentDiff {
    let mut indicators = Vec::new();
    for (_, ind) in framework().indicators() {
        let (b, a) = (find(before, ind.number), find(after, ind.number));
        let score = |s: Option<&ScoredIndicator>| s.map_or(Score::NOT_ASSESSED, |s| s.score);
        let conf = |s: Option<&ScoredIndicator>| s.and_then(|s| s.confidence);
        let note = |s: Option<&ScoredIndicator>| s.and_then(|s| s.note.clone());
        let change = IndicatorChange {
            indicator: ind.number,
            before: score(b),
            after: score(a),
            confidence_before: conf(b),
            confidence_after: conf(a),
            note_changed: note(b) != note(a),
        };
        if change.before != change.after
            || change.confidence_before != change.confidence_after
            || change.note_changed
        {
            indicators.push(change);
        }
    }
    let (sb, sa) = (summarise(before), summarise(after));
    let factors = sb
        .factors
        .iter()
        .zip(&sa.factors)
        .filter(|(b, a)| b.level != a.level)
        .map(|(b, a)| FactorChange {
            factor: b.factor,
            before: b.level,
            after: a.level,
        })
        .collect();
    AssessmentDiff {
        indicators,
        factors,
        band_before: sb.band,
        band_after: sa.band,
    }
}

#[cfg(test)]
mod tests {
    use super::super::summary::tests::s;
    use super::*;

    #[test]
    fn identical_assessments_have_no_changes() {
        let v = vec![s("1.1", Some(2)), s("9.4", Some(1))];
        let d = diff(&v, &v);
        assert!(d.indicators.is_empty() && d.factors.is_empty());
        assert_eq!(d.band_before, d.band_after);
    }

    #[test]
    fn changes_are_listed_in_framework_order_with_direction() {
        let before = vec![s("13.1", Some(1)), s("2.1", Some(3))];
        let mut after = vec![s("2.1", Some(1)), s("13.1", Some(3)), s("1.4", Some(2))];
        after[0].note = Some("the 2019 peace deal holds".into());
        let d = diff(&before, &after);
        let nos: Vec<String> = d
            .indicators
            .iter()
            .map(|c| c.indicator.to_string())
            .collect();
        assert_eq!(nos, vec!["1.4", "2.1", "13.1"]);
        assert_eq!(
            d.indicators[0].direction(),
            None,
            "1.4 was not assessed before"
        );
        assert_eq!(d.indicators[1].direction(), Some(-2));
        assert!(d.indicators[1].note_changed);
        assert_eq!(d.indicators[2].direction(), Some(2));
        let factors: Vec<u8> = d.factors.iter().map(|f| f.factor).collect();
        assert_eq!(factors, vec![1, 2, 13]);
        assert_eq!(d.band_after, OverallBand::High);
    }
}

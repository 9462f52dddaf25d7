//! UN Framework of Analysis assessments: scoring rules from indicator scores to factor and
//! overall summaries, the difference between two assessments, and the R2P-Monitor-style risk
//! class of a country. Every rule is written out in docs/risk-assessment.md.
mod class;
mod diff;
mod summary;

pub use class::{
    compute_class, current_class, AssessmentInput, ClassInputs, ClassVerdict, ForecastInput,
    SignalInput, ASSESSMENT_MAX_AGE_DAYS, FORECAST_PROBABILITY, FORECAST_RANK,
};
pub use diff::{diff, AssessmentDiff, FactorChange, IndicatorChange};
pub use summary::{
    summarise, AssessmentSummary, FactorSummary, OverallBand, ScoredIndicator, PRESENT_LEVEL,
};

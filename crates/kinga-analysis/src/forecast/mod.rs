//! Elastic-net logistic regression (glmnet's objective and algorithm) for structural
//! atrocity-risk forecasts: fitting a lambda path, cross-validating it, predicting, explaining
//! a prediction predictor by predictor, and scoring forecasts against what happened.

pub mod backtest;
pub mod cv;
pub mod design;
pub mod explain;
pub mod lognet;
pub mod metrics;
pub mod model;
pub mod rfolds;

pub use design::Matrix;
pub use lognet::{fit_path, Path, Settings, Solution};
pub use model::{Model, Provenance};

/// Why a model could not be fitted or used.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ForecastError {
    #[error("no positive outcomes among the training rows: nothing to learn from")]
    NoPositives,
    #[error("every training row is positive: nothing to contrast with")]
    NoNegatives,
    #[error("{0}")]
    Shape(String),
    #[error("{0}")]
    Setting(String),
    #[error("coordinate descent did not converge at lambda {0}")]
    NoConvergence(f64),
    #[error("the model needs predictor {0}, which the data lacks")]
    MissingPredictor(String),
}

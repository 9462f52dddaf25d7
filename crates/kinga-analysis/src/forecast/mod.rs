//! Elastic-net logistic regression (glmnet's objective and algorithm) for structural
//! atrocity-risk forecasts: fitting a lambda path, cross-validating it, predicting, explaining
//! a prediction predictor by predictor, and scoring forecasts against what happened. A
//! probability random forest can be averaged in (`Method::Ensemble`).

pub mod backtest;
pub mod cv;
pub mod design;
pub mod explain;
pub mod forest;
pub mod lognet;
pub mod metrics;
pub mod model;
pub mod rfolds;

pub use design::Matrix;
pub use forest::{Forest, ForestSettings};
pub use lognet::{fit_path, Path, Settings, Solution};
pub use model::{Model, Provenance};

/// How a risk is computed from a country-year's predictors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// The Early Warning Project's published method: the elastic net alone.
    #[default]
    ElasticNet,
    /// The random forest alone.
    Forest,
    /// The mean of the elastic net's and the random forest's probabilities.
    Ensemble,
}

impl Method {
    pub fn uses_forest(self) -> bool {
        self != Method::ElasticNet
    }

    /// The risk from the elastic net's and (when used) the forest's probabilities.
    pub fn combine(self, elastic_net: f64, forest: Option<f64>) -> f64 {
        match (self, forest) {
            (Method::ElasticNet, _) | (_, None) => elastic_net,
            (Method::Forest, Some(f)) => f,
            (Method::Ensemble, Some(f)) => 0.5 * (elastic_net + f),
        }
    }
}

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

//! A fitted forecast as it is saved, shared and reused: coefficients on the original scale,
//! the standardisation needed to explain a prediction, and where the model came from.

use super::explain::{contributions, Contribution};
use super::lognet::{Path, Solution};
use super::ForecastError;
use serde::{Deserialize, Serialize};

/// Where a model came from, so a forecast can be traced to the exact data and settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Provenance {
    /// sha256 of the data file, hex.
    pub data_sha256: String,
    pub data_file: String,
    pub outcome: String,
    pub train_until: i32,
    pub rows: usize,
    pub positives: usize,
    /// Rows of the training years left out for a missing value.
    pub rows_dropped: usize,
    /// "fixed" or "cv-min"/"cv-1se" with the fold count.
    pub lambda_choice: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Model {
    pub alpha: f64,
    pub lambda: f64,
    pub intercept: f64,
    pub predictors: Vec<String>,
    /// Original scale, one per predictor.
    pub coefficients: Vec<f64>,
    /// Training means and population standard deviations of the predictors.
    pub means: Vec<f64>,
    pub sds: Vec<f64>,
    pub provenance: Provenance,
}

impl Model {
    pub fn from_solution(
        predictors: Vec<String>,
        alpha: f64,
        path: &Path,
        solution: &Solution,
        provenance: Provenance,
    ) -> Model {
        Model {
            alpha,
            lambda: solution.lambda,
            intercept: solution.intercept,
            predictors,
            coefficients: solution.beta.clone(),
            means: path.mean.clone(),
            sds: path.sd.clone(),
            provenance,
        }
    }

    /// Log-odds for one row of predictor values in the model's order.
    pub fn link(&self, row: &[f64]) -> f64 {
        self.intercept
            + self
                .coefficients
                .iter()
                .zip(row)
                .map(|(b, v)| b * v)
                .sum::<f64>()
    }

    pub fn probability(&self, row: &[f64]) -> f64 {
        1.0 / (1.0 + (-self.link(row)).exp())
    }

    /// Contributions of each predictor to this row's log-odds, largest magnitude first.
    pub fn explain(&self, row: &[f64]) -> Vec<Contribution> {
        contributions(
            &self.predictors,
            &self.coefficients,
            &self.means,
            &self.sds,
            row,
        )
    }

    /// Positions of the model's predictors among a table's columns.
    pub fn column_positions(&self, columns: &[String]) -> Result<Vec<usize>, ForecastError> {
        self.predictors
            .iter()
            .map(|p| {
                columns
                    .iter()
                    .position(|c| c == p)
                    .ok_or_else(|| ForecastError::MissingPredictor(p.clone()))
            })
            .collect()
    }

    /// Non-zero coefficients, largest odds ratio effect first, for people reading the model.
    pub fn nonzero(&self) -> Vec<(&str, f64)> {
        let mut v: Vec<(&str, f64)> = self
            .predictors
            .iter()
            .zip(&self.coefficients)
            .filter(|(_, b)| **b != 0.0)
            .map(|(p, b)| (p.as_str(), *b))
            .collect();
        v.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        v
    }
}

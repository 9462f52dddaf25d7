//! A fitted forecast as it is saved, shared and reused: coefficients on the original scale,
//! the standardisation needed to explain a prediction, and where the model came from.

use super::explain::{contributions, Contribution};
use super::forest::Forest;
use super::lognet::{Path, Solution};
use super::{ForecastError, Method};
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
    /// How the risk is computed; models saved before the forest existed are elastic nets.
    #[serde(default)]
    pub method: Method,
    pub alpha: f64,
    pub lambda: f64,
    pub intercept: f64,
    pub predictors: Vec<String>,
    /// Original scale, one per predictor.
    pub coefficients: Vec<f64>,
    /// Training means and population standard deviations of the predictors.
    pub means: Vec<f64>,
    pub sds: Vec<f64>,
    /// The random forest, when the method uses one (grown on the same rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forest: Option<Forest>,
    /// Predictors whose year-on-year change was added as a predictor (`<name>.change`, last in
    /// `predictors`); a forecast derives them from the table the same way.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<String>,
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
            method: Method::ElasticNet,
            alpha,
            lambda: solution.lambda,
            intercept: solution.intercept,
            predictors,
            coefficients: solution.beta.clone(),
            means: path.mean.clone(),
            sds: path.sd.clone(),
            forest: None,
            changes: Vec::new(),
            provenance,
        }
    }

    /// Records the predictors whose change was added (see `changes`).
    pub fn with_changes(mut self, changes: Vec<String>) -> Model {
        self.changes = changes;
        self
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

    /// Adds a forest and switches to a method that uses it.
    pub fn with_forest(mut self, method: Method, forest: Forest) -> Model {
        self.method = method;
        self.forest = Some(forest);
        self
    }

    /// The elastic net's probability alone.
    pub fn elastic_net_probability(&self, row: &[f64]) -> f64 {
        1.0 / (1.0 + (-self.link(row)).exp())
    }

    /// The model's risk for one row: the elastic net's probability, the forest's, or their
    /// mean, as the method says.
    pub fn probability(&self, row: &[f64]) -> f64 {
        let forest = self.forest.as_ref().map(|f| f.predict(row));
        self.method
            .combine(self.elastic_net_probability(row), forest)
    }

    /// Whether the parts the method needs are present and fit the predictors.
    pub fn check(&self) -> Result<(), ForecastError> {
        let p = self.predictors.len();
        if self.coefficients.len() != p || self.means.len() != p || self.sds.len() != p {
            return Err(ForecastError::Shape(
                "predictors, coefficients, means and sds differ in length".into(),
            ));
        }
        match (&self.forest, self.method.uses_forest()) {
            (None, true) => Err(ForecastError::Shape(
                "the method uses a random forest but the model has none".into(),
            )),
            (Some(f), _) if f.predictors != p => Err(ForecastError::Shape(format!(
                "the forest was grown on {} predictors, the model names {p}",
                f.predictors
            ))),
            _ => Ok(()),
        }
    }

    /// A short name for people and stored forecasts.
    pub fn description(&self) -> String {
        let net = format!("elastic-net alpha {} lambda {}", self.alpha, self.lambda);
        let described = match (&self.forest, self.method) {
            (Some(f), Method::Ensemble) => format!(
                "mean of {net} and random forest ({} trees, min leaf {})",
                f.trees.len(),
                f.settings.min_leaf
            ),
            (Some(f), Method::Forest) => format!(
                "random forest ({} trees, min leaf {})",
                f.trees.len(),
                f.settings.min_leaf
            ),
            _ => net,
        };
        match self.changes.len() {
            0 => described,
            n => format!("{described}, with the yearly change of {n} predictors"),
        }
    }

    /// Contributions of each predictor to this row's log-odds, largest magnitude first. For an
    /// ensemble these are the elastic-net member's: a forest has no additive explanation.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forecast::forest::{grow, ForestSettings};
    use crate::forecast::Matrix;

    fn net() -> Model {
        Model {
            method: Method::ElasticNet,
            alpha: 0.5,
            lambda: 0.01,
            intercept: -1.0,
            predictors: vec!["a".into()],
            coefficients: vec![0.5],
            means: vec![0.0],
            sds: vec![1.0],
            forest: None,
            changes: Vec::new(),
            provenance: Provenance {
                data_sha256: String::new(),
                data_file: "t.csv".into(),
                outcome: "y".into(),
                train_until: 2000,
                rows: 4,
                positives: 2,
                rows_dropped: 0,
                lambda_choice: "fixed".into(),
            },
        }
    }

    #[test]
    fn a_model_saved_before_the_forest_reads_as_an_elastic_net() {
        let mut v = serde_json::to_value(net()).unwrap();
        assert!(v.get("forest").is_none(), "no forest, no field");
        v.as_object_mut().unwrap().remove("method");
        let m: Model = serde_json::from_value(v).unwrap();
        assert_eq!(m.method, Method::ElasticNet);
        assert!(m.check().is_ok());
    }

    #[test]
    fn an_ensemble_averages_the_two_probabilities_and_survives_json() {
        let rows: Vec<Vec<f64>> = (0..60).map(|i| vec![f64::from(i)]).collect();
        let y: Vec<f64> = (0..60).map(|i| f64::from(i >= 40)).collect();
        let settings = ForestSettings {
            trees: 10,
            ..ForestSettings::default()
        };
        let forest = grow(&Matrix::from_rows(&rows), &y, &settings, 1).unwrap();
        let m = net().with_forest(Method::Ensemble, forest.clone());
        assert!(m.check().is_ok());
        let row = [50.0];
        let expected = 0.5 * (m.elastic_net_probability(&row) + forest.predict(&row));
        assert!((m.probability(&row) - expected).abs() < 1e-15);
        let back: Model = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
        assert!(back.description().starts_with("mean of elastic-net"));
        let mut broken = m;
        broken.forest = None;
        assert!(broken.check().is_err());
    }
}

//! Why a country scores as it does. A predictor's contribution is its coefficient on the
//! standardised scale times the country's standardised value, b_j·sd_j × (x_j − mean_j)/sd_j:
//! how far that predictor moves the log-odds away from a country at the training average.
//! The contributions plus the log-odds at the average sum to the country's log-odds.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub predictor: String,
    /// In log-odds.
    pub contribution: f64,
    pub value: f64,
    pub standardised_value: f64,
    pub standardised_coefficient: f64,
}

/// Every predictor with a non-zero coefficient, largest |contribution| first.
pub fn contributions(
    names: &[String],
    beta: &[f64],
    mean: &[f64],
    sd: &[f64],
    row: &[f64],
) -> Vec<Contribution> {
    let mut out: Vec<Contribution> = (0..names.len())
        .filter(|&j| beta[j] != 0.0)
        .map(|j| {
            let z = (row[j] - mean[j]) / sd[j];
            let bs = beta[j] * sd[j];
            Contribution {
                predictor: names[j].clone(),
                contribution: bs * z,
                value: row[j],
                standardised_value: z,
                standardised_coefficient: bs,
            }
        })
        .collect();
    out.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contributions_sum_to_the_log_odds_gap_and_sort_by_size() {
        let names: Vec<String> = ["a", "b", "c"].iter().map(ToString::to_string).collect();
        let beta = [0.5, -2.0, 0.0];
        let mean = [1.0, 0.0, 3.0];
        let sd = [2.0, 0.5, 1.0];
        let row = [5.0, 0.5, 9.0];
        let c = contributions(&names, &beta, &mean, &sd, &row);
        assert_eq!(c.len(), 2, "zero coefficients explain nothing");
        assert_eq!(c[0].predictor, "a");
        assert!((c[0].contribution - 2.0).abs() < 1e-12);
        assert!((c[1].contribution + 1.0).abs() < 1e-12);
        let gap: f64 = (0..3).map(|j| beta[j] * (row[j] - mean[j])).sum();
        let total: f64 = c.iter().map(|x| x.contribution).sum();
        assert!((gap - total).abs() < 1e-12);
    }
}

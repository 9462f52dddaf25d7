//! Forecasts scored as they would have been made at the time (the Early Warning Project's
//! "fully out-of-sample" backtest). A forecast issued from data year T is trained only on rows
//! of year ≤ T − gap, because a two-year outcome (onset in T+1 or T+2) of year T−1 is not yet
//! known in year T; with gap = 2 every training outcome was observable when the forecast was
//! made. An onset in year Y is then judged by the larger of the two forecasts that covered it,
//! issued from data years Y−1 and Y−2 (only Y−1 for the first year of the range).

use super::cv::cross_validate;
use super::design::Matrix;
use super::forest::{grow, ForestSettings};
use super::lognet::{fit_path, Settings};
use super::metrics::{auc, brier, ranks};
use super::rfolds::r_folds;
use super::{ForecastError, Method};
use serde::Serialize;
use std::collections::HashMap;

/// A country-year table with the values the backtest needs; `None` is a missing value.
pub struct Panel {
    pub names: Vec<String>,
    pub years: Vec<i32>,
    /// Per row, predictor values in a fixed order.
    pub predictors: Vec<Vec<Option<f64>>>,
    /// The training outcome (e.g. onset in the next two years).
    pub outcome: Vec<Option<f64>>,
    /// Whether every outcome column of the row is known: the published method trains only on
    /// such rows.
    pub outcomes_known: Vec<bool>,
    /// What is scored: an onset in that row's year.
    pub onset: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LambdaRule {
    Fixed(f64),
    /// Cross-validated with R-compatible folds; `one_se` picks lambda.1se.
    Cv {
        folds: usize,
        one_se: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Options {
    /// One alpha, or several whose probabilities are averaged.
    pub alphas: Vec<f64>,
    /// R seeds of the cross-validation folds; several average their probabilities (with a
    /// fixed lambda only the first matters).
    pub seeds: Vec<u32>,
    pub lambda: LambdaRule,
    pub from: i32,
    pub to: i32,
    pub gap: i32,
    pub top_k: usize,
    pub threads: usize,
    pub method: Method,
    /// Used when the method involves the forest; each window grows its own.
    pub forest: ForestSettings,
}

#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub data_year: i32,
    pub trained_until: i32,
    pub training_rows: usize,
    pub training_positives: usize,
    pub lambdas: Vec<f64>,
    pub countries: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct OnsetRank {
    pub country: String,
    pub year: i32,
    pub rank: usize,
    pub risk: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub method: Method,
    pub from: i32,
    pub to: i32,
    pub scored_rows: usize,
    pub onsets: usize,
    pub auc: Option<f64>,
    pub recall: Option<f64>,
    pub top_k: usize,
    pub brier: Option<f64>,
    pub onset_ranks: Vec<OnsetRank>,
    pub issued: Vec<Issued>,
}

struct Forecast {
    risk: f64,
    rank: usize,
}

fn complete(row: &[Option<f64>]) -> Option<Vec<f64>> {
    row.iter().copied().collect()
}

pub fn run(panel: &Panel, opts: &Options) -> Result<Report, ForecastError> {
    if opts.from > opts.to {
        return Err(ForecastError::Setting(format!(
            "--from {} is after --to {}",
            opts.from, opts.to
        )));
    }
    if opts.alphas.is_empty() || opts.seeds.is_empty() {
        return Err(ForecastError::Setting(
            "the backtest needs at least one alpha and one seed".into(),
        ));
    }
    let mut issued = Vec::new();
    let mut forecasts: HashMap<(String, i32), Forecast> = HashMap::new();
    for t in (opts.from - 1)..opts.to {
        let until = t - opts.gap;
        let train: Vec<(Vec<f64>, f64)> = (0..panel.names.len())
            .filter(|&i| panel.years[i] <= until && panel.outcomes_known[i])
            .filter_map(|i| Some((complete(&panel.predictors[i])?, panel.outcome[i]?)))
            .collect();
        let test: Vec<(usize, Vec<f64>)> = (0..panel.names.len())
            .filter(|&i| panel.years[i] == t && panel.outcome[i].is_some())
            .filter_map(|i| Some((i, complete(&panel.predictors[i])?)))
            .collect();
        if test.is_empty() {
            continue;
        }
        let rows: Vec<Vec<f64>> = train.iter().map(|(r, _)| r.clone()).collect();
        let y: Vec<f64> = train.iter().map(|(_, o)| *o).collect();
        let x = Matrix::from_rows(&rows);
        let mut risk = vec![0.0; test.len()];
        let mut lambdas = Vec::new();
        if opts.method != Method::Forest {
            elastic_net(&x, &y, &test, opts, &mut risk, &mut lambdas)?;
        }
        if opts.method.uses_forest() {
            let forest = grow(&x, &y, &opts.forest, opts.threads)?;
            for (k, (_, row)) in test.iter().enumerate() {
                risk[k] = opts.method.combine(risk[k], Some(forest.predict(row)));
            }
        }
        let rk = ranks(&risk);
        for (k, (i, _)) in test.iter().enumerate() {
            forecasts.insert(
                (panel.names[*i].clone(), t),
                Forecast {
                    risk: risk[k],
                    rank: rk[k],
                },
            );
        }
        issued.push(Issued {
            data_year: t,
            trained_until: until,
            training_rows: y.len(),
            training_positives: y.iter().filter(|v| **v > 0.5).count(),
            lambdas,
            countries: test.len(),
        });
    }
    let mut scored_risk = Vec::new();
    let mut scored_onset = Vec::new();
    let mut onset_ranks = Vec::new();
    for i in 0..panel.names.len() {
        let year = panel.years[i];
        if year < opts.from || year > opts.to {
            continue;
        }
        let Some(onset) = panel.onset[i] else {
            continue;
        };
        let covering: Vec<&Forecast> = [year - 1, year - 2]
            .iter()
            .filter(|&&t| t >= opts.from - 1)
            .filter_map(|&t| forecasts.get(&(panel.names[i].clone(), t)))
            .collect();
        if covering.is_empty() {
            continue;
        }
        let risk = covering.iter().map(|f| f.risk).fold(f64::MIN, f64::max);
        let rank = covering.iter().map(|f| f.rank).min().unwrap_or(usize::MAX);
        scored_risk.push(risk);
        scored_onset.push(onset > 0.5);
        if onset > 0.5 {
            onset_ranks.push(OnsetRank {
                country: panel.names[i].clone(),
                year,
                rank,
                risk,
            });
        }
    }
    onset_ranks.sort_by(|a, b| a.year.cmp(&b.year).then(a.rank.cmp(&b.rank)));
    let caught = onset_ranks.iter().filter(|o| o.rank <= opts.top_k).count();
    Ok(Report {
        method: opts.method,
        from: opts.from,
        to: opts.to,
        scored_rows: scored_risk.len(),
        onsets: onset_ranks.len(),
        auc: auc(&scored_risk, &scored_onset),
        recall: (!onset_ranks.is_empty()).then(|| caught as f64 / onset_ranks.len() as f64),
        top_k: opts.top_k,
        brier: brier(&scored_risk, &scored_onset),
        onset_ranks,
        issued,
    })
}

/// The published method's probabilities for the test rows, averaged over alphas and fold
/// draws, added into `risk`; the lambdas used are pushed onto `lambdas`.
fn elastic_net(
    x: &Matrix,
    y: &[f64],
    test: &[(usize, Vec<f64>)],
    opts: &Options,
    risk: &mut [f64],
    lambdas: &mut Vec<f64>,
) -> Result<(), ForecastError> {
    let seeds: &[u32] = match opts.lambda {
        LambdaRule::Fixed(_) => &opts.seeds[..1.min(opts.seeds.len())],
        LambdaRule::Cv { .. } => &opts.seeds,
    };
    let members = (opts.alphas.len() * seeds.len().max(1)) as f64;
    for &alpha in &opts.alphas {
        let settings = Settings::new(alpha);
        let mut fits = Vec::new();
        match opts.lambda {
            LambdaRule::Fixed(l) => {
                let p = fit_path(x, y, &settings, Some(&[l]))?;
                fits.push(p.solutions[0].clone());
            }
            LambdaRule::Cv { folds, one_se } => {
                for &seed in seeds {
                    let f = r_folds(x.rows, folds, seed);
                    let cv = cross_validate(x, y, &settings, &f, opts.threads)?;
                    let l = if one_se { cv.lambda_1se } else { cv.lambda_min };
                    fits.push(cv.path.solutions[cv.index_of(l)].clone());
                }
            }
        }
        for solution in fits {
            lambdas.push(solution.lambda);
            for (k, (_, row)) in test.iter().enumerate() {
                let eta = solution.intercept
                    + solution
                        .beta
                        .iter()
                        .zip(row)
                        .map(|(b, v)| b * v)
                        .sum::<f64>();
                risk[k] += 1.0 / (1.0 + (-eta).exp()) / members;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 40 countries over 1980–2005; country i's predictor is i, and the high-numbered ones
    /// have onsets, so a sound method ranks them on top.
    fn panel() -> Panel {
        let mut p = Panel {
            names: vec![],
            years: vec![],
            predictors: vec![],
            outcome: vec![],
            outcomes_known: vec![],
            onset: vec![],
        };
        for year in 1980..=2005 {
            for c in 0..40 {
                let risky = c >= 36;
                let onset = risky && (year + c) % 4 == 0;
                let onset_soon = risky && (year + c) % 4 >= 2;
                p.names.push(format!("C{c}"));
                p.years.push(year);
                let noise = f64::from((c * 7 + year) % 5);
                p.predictors.push(vec![Some(f64::from(c)), Some(noise)]);
                p.outcome.push(Some(if onset_soon { 1.0 } else { 0.0 }));
                p.outcomes_known.push(true);
                p.onset.push(Some(if onset { 1.0 } else { 0.0 }));
            }
        }
        p
    }

    #[test]
    fn trains_only_on_outcomes_known_at_the_time_and_ranks_risky_countries_first() {
        let p = panel();
        let opts = Options {
            alphas: vec![0.5],
            seeds: vec![1],
            lambda: LambdaRule::Fixed(0.001),
            from: 1995,
            to: 2004,
            gap: 2,
            top_k: 4,
            threads: 1,
            method: Method::ElasticNet,
            forest: ForestSettings::default(),
        };
        let r = run(&p, &opts).unwrap();
        assert_eq!(r.issued.first().unwrap().data_year, 1994);
        assert_eq!(r.issued.last().unwrap().data_year, 2003);
        for i in &r.issued {
            assert_eq!(i.trained_until, i.data_year - 2);
            let eligible = (1980..=i.trained_until).count() * 40;
            assert_eq!(i.training_rows, eligible);
        }
        let onsets = (0..p.names.len())
            .filter(|&i| (1995..=2004).contains(&p.years[i]) && p.onset[i] == Some(1.0))
            .count();
        assert_eq!(r.onsets, onsets);
        assert_eq!(r.scored_rows, 10 * 40);
        assert_eq!(r.recall, Some(1.0));
        assert!(r.auc.unwrap() > 0.8);
        assert!(r.onset_ranks.iter().all(|o| o.rank <= 4));
    }

    #[test]
    fn the_first_year_uses_only_the_forecast_issued_inside_the_range() {
        let p = panel();
        let opts = Options {
            alphas: vec![1.0, 0.5],
            seeds: vec![1],
            lambda: LambdaRule::Fixed(0.01),
            from: 2000,
            to: 2000,
            gap: 2,
            top_k: 30,
            threads: 1,
            method: Method::ElasticNet,
            forest: ForestSettings::default(),
        };
        let r = run(&p, &opts).unwrap();
        assert_eq!(r.issued.len(), 1);
        assert_eq!(r.issued[0].data_year, 1999);
        assert_eq!(r.issued[0].lambdas.len(), 2, "one fit per alpha, averaged");
    }

    #[test]
    fn the_forest_and_the_ensemble_are_backtested_the_same_way() {
        let p = panel();
        let mut opts = Options {
            alphas: vec![0.5],
            seeds: vec![1],
            lambda: LambdaRule::Fixed(0.001),
            from: 1995,
            to: 2004,
            gap: 2,
            top_k: 4,
            threads: 2,
            method: Method::Forest,
            forest: ForestSettings {
                trees: 50,
                ..ForestSettings::default()
            },
        };
        let forest = run(&p, &opts).unwrap();
        assert!(
            forest.issued.iter().all(|i| i.lambdas.is_empty()),
            "no elastic net fitted"
        );
        assert_eq!(forest.recall, Some(1.0));
        opts.method = Method::Ensemble;
        let ensemble = run(&p, &opts).unwrap();
        assert_eq!(ensemble.scored_rows, forest.scored_rows);
        assert_eq!(ensemble.recall, Some(1.0));
        // In the first year only one forecast covers an onset, so the ensemble's risk is
        // exactly the mean of the members'.
        let first_year = |method| {
            let o = Options {
                method,
                to: opts.from,
                ..opts.clone()
            };
            let mut r = run(&p, &o).unwrap().onset_ranks;
            r.sort_by(|a, b| a.country.cmp(&b.country));
            r
        };
        let (e, n, f) = (
            first_year(Method::Ensemble),
            first_year(Method::ElasticNet),
            first_year(Method::Forest),
        );
        assert!(!e.is_empty());
        for ((e, n), f) in e.iter().zip(&n).zip(&f) {
            assert_eq!((&e.country, &n.country), (&f.country, &f.country));
            assert!((e.risk - 0.5 * (n.risk + f.risk)).abs() < 1e-12);
        }
        assert_eq!(ensemble.method, Method::Ensemble);
    }
}

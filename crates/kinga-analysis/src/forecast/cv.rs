//! k-fold cross-validation of a lambda path by binomial deviance, as `cv.glmnet` does it:
//! the path comes from a fit on all rows, each fold is refitted on the other folds over that
//! same path, held-out deviance is averaged within folds and then across folds weighted by
//! fold size, and the standard error is taken across folds.

use super::design::Matrix;
use super::lognet::{fit_path, Path, Settings};
use super::ForecastError;

/// cv.glmnet's clamp on held-out probabilities before taking logs.
const PROB_MIN: f64 = 1e-5;

#[derive(Debug, Clone)]
pub struct CrossValidation {
    pub path: Path,
    pub lambdas: Vec<f64>,
    /// Mean held-out deviance per lambda.
    pub cvm: Vec<f64>,
    /// Its standard error.
    pub cvsd: Vec<f64>,
    pub lambda_min: f64,
    pub lambda_1se: f64,
}

impl CrossValidation {
    pub fn index_of(&self, lambda: f64) -> usize {
        self.lambdas.iter().position(|l| *l == lambda).unwrap_or(0)
    }
}

/// `folds[i]` is row i's fold, numbered from 0. Folds run on `threads` threads (1 = serial).
pub fn cross_validate(
    x: &Matrix,
    y: &[f64],
    settings: &Settings,
    folds: &[usize],
    threads: usize,
) -> Result<CrossValidation, ForecastError> {
    if folds.len() != x.rows {
        return Err(ForecastError::Shape(format!(
            "{} fold numbers for {} rows",
            folds.len(),
            x.rows
        )));
    }
    let k = folds.iter().max().map_or(0, |m| m + 1);
    if k < 3 {
        return Err(ForecastError::Setting(
            "cross-validation needs at least 3 folds".into(),
        ));
    }
    let path = fit_path(x, y, settings, None)?;
    let lambdas = path.lambdas();
    let nl = lambdas.len();
    let fold_fit = |f: usize| -> Result<Vec<f64>, ForecastError> {
        let train: Vec<usize> = (0..x.rows).filter(|&i| folds[i] != f).collect();
        let test: Vec<usize> = (0..x.rows).filter(|&i| folds[i] == f).collect();
        let yt: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let fit = fit_path(&x.select_rows(&train), &yt, settings, Some(&lambdas))?;
        let rows: Vec<Vec<f64>> = test.iter().map(|&i| x.row(i)).collect();
        // Mean held-out deviance of the fold at each lambda.
        Ok(fit
            .solutions
            .iter()
            .map(|s| {
                let total: f64 = test
                    .iter()
                    .zip(&rows)
                    .map(|(&i, row)| {
                        let eta =
                            s.intercept + s.beta.iter().zip(row).map(|(b, v)| b * v).sum::<f64>();
                        let p = (1.0 / (1.0 + (-eta).exp())).clamp(PROB_MIN, 1.0 - PROB_MIN);
                        unit_deviance(y[i], p)
                    })
                    .sum();
                total / test.len() as f64
            })
            .collect())
    };
    let per_fold: Vec<Vec<f64>> = if threads <= 1 {
        (0..k).map(fold_fit).collect::<Result<_, _>>()?
    } else {
        let results = std::sync::Mutex::new(vec![None; k]);
        let next = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..threads.min(k) {
                scope.spawn(|| loop {
                    let f = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if f >= k {
                        break;
                    }
                    let r = fold_fit(f);
                    results.lock().expect("no panic while held")[f] = Some(r);
                });
            }
        });
        results
            .into_inner()
            .expect("no panic while held")
            .into_iter()
            .map(|r| r.expect("every fold ran"))
            .collect::<Result<_, _>>()?
    };
    let sizes: Vec<f64> = (0..k)
        .map(|f| folds.iter().filter(|&&g| g == f).count() as f64)
        .collect();
    let total: f64 = sizes.iter().sum();
    let mut cvm = vec![0.0; nl];
    let mut cvsd = vec![0.0; nl];
    for l in 0..nl {
        let m: f64 = (0..k).map(|f| per_fold[f][l] * sizes[f]).sum::<f64>() / total;
        let var: f64 = (0..k)
            .map(|f| (per_fold[f][l] - m).powi(2) * sizes[f])
            .sum::<f64>()
            / total
            / (k as f64 - 1.0);
        cvm[l] = m;
        cvsd[l] = var.sqrt();
    }
    let best = cvm.iter().copied().fold(f64::INFINITY, f64::min);
    let imin = (0..nl)
        .filter(|&l| cvm[l] <= best)
        .min_by(|&a, &b| lambdas[b].total_cmp(&lambdas[a]))
        .unwrap_or(0);
    let bound = cvm[imin] + cvsd[imin];
    let i1se = (0..nl)
        .filter(|&l| cvm[l] <= bound)
        .min_by(|&a, &b| lambdas[b].total_cmp(&lambdas[a]))
        .unwrap_or(imin);
    Ok(CrossValidation {
        lambda_min: lambdas[imin],
        lambda_1se: lambdas[i1se],
        path,
        lambdas,
        cvm,
        cvsd,
    })
}

/// Binomial deviance of one observation (glmnet's `2 * (ly - lp)`).
fn unit_deviance(y: f64, p: f64) -> f64 {
    let ly = if y > 0.0 && y < 1.0 {
        y * y.ln() + (1.0 - y) * (1.0 - y).ln()
    } else {
        0.0
    };
    let lp = (1.0 - y) * (1.0 - p).ln() + y * p.ln();
    2.0 * (ly - lp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> (Matrix, Vec<f64>) {
        let mut s = 7u64;
        let mut next = || {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            ((s >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let mut cols = vec![Vec::new(); 6];
        let mut y = Vec::new();
        for _ in 0..500 {
            let v: Vec<f64> = (0..6).map(|_| next() * 2.0 - 1.0).collect();
            let eta = 2.0 * v[0] - 1.5 * v[1];
            y.push(if next() < 1.0 / (1.0 + (-eta).exp()) {
                1.0
            } else {
                0.0
            });
            for (c, x) in cols.iter_mut().zip(v) {
                c.push(x);
            }
        }
        (Matrix::from_columns(&cols), y)
    }

    #[test]
    fn lambda_min_minimises_and_lambda_1se_is_the_sparsest_within_one_se() {
        let (x, y) = problem();
        let folds: Vec<usize> = (0..x.rows).map(|i| i % 5).collect();
        let cv = cross_validate(&x, &y, &Settings::new(1.0), &folds, 1).unwrap();
        let imin = cv.index_of(cv.lambda_min);
        assert!(cv.cvm.iter().all(|m| *m >= cv.cvm[imin]));
        assert!(cv.lambda_1se >= cv.lambda_min);
        let bound = cv.cvm[imin] + cv.cvsd[imin];
        let i1se = cv.index_of(cv.lambda_1se);
        assert!(cv.cvm[i1se] <= bound);
        assert!((0..i1se).all(|l| cv.cvm[l] > bound));
        // The signal is strong: the chosen model keeps the two real predictors.
        let s = &cv.path.solutions[imin];
        assert!(s.beta[0] > 0.5 && s.beta[1] < -0.5, "{:?}", s.beta);
        // Held-out deviance at lambda_max is the null deviance per row, give or take the folds.
        let ybar = y.iter().sum::<f64>() / y.len() as f64;
        let null = -2.0 * (ybar * ybar.ln() + (1.0 - ybar) * (1.0 - ybar).ln());
        assert!((cv.cvm[0] - null).abs() < 0.05, "{} vs {null}", cv.cvm[0]);
    }

    #[test]
    fn threads_do_not_change_the_answer() {
        let (x, y) = problem();
        let folds: Vec<usize> = (0..x.rows).map(|i| (i * 7) % 10).collect();
        let a = cross_validate(&x, &y, &Settings::new(0.5), &folds, 1).unwrap();
        let b = cross_validate(&x, &y, &Settings::new(0.5), &folds, 2).unwrap();
        assert_eq!(a.cvm, b.cvm);
        assert_eq!(a.lambda_min, b.lambda_min);
    }
}

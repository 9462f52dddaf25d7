//! Binomial elastic net by glmnet's algorithm (`lognet2n`): an outer loop of quadratic
//! approximations to the log-likelihood (IRLS) and an inner loop of cyclic coordinate descent
//! on the active set, a strong rule to skip predictors, a KKT check before accepting a
//! solution, and warm starts down the lambda path. Minimises over (b0, b)
//!
//!   -1/N Σ w_i [y_i η_i - log(1 + e^η_i)] + λ Σ_j [(1-α)/2 b_j² + α |b_j|]
//!
//! on standardised predictors; coefficients come back on the original scale.

use super::design::{standardise, Matrix};
use super::ForecastError;

/// Knobs with glmnet's defaults (`glmnet.control()` and `glmnet()`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub alpha: f64,
    /// Convergence: a pass changes the weighted squared coefficients by less than this times
    /// the null deviance (glmnet's `thresh`).
    pub thresh: f64,
    pub max_passes: usize,
    pub nlambda: usize,
    /// `None`: 1e-4 when rows outnumber predictors, 1e-2 otherwise.
    pub lambda_min_ratio: Option<f64>,
}

impl Settings {
    pub fn new(alpha: f64) -> Settings {
        Settings {
            alpha,
            thresh: 1e-7,
            max_passes: 100_000,
            nlambda: 100,
            lambda_min_ratio: None,
        }
    }
}

// glmnet.control(): pmin, fdev, devmax, mnlam, big.
const PMIN: f64 = 1e-9;
const FDEV: f64 = 1e-5;
const DEVMAX: f64 = 0.999;
const MNLAM: usize = 5;
const BIG: f64 = 9.9e35;

/// One fitted lambda.
#[derive(Debug, Clone)]
pub struct Solution {
    pub lambda: f64,
    pub intercept: f64,
    /// Original scale, one per predictor.
    pub beta: Vec<f64>,
    /// Fraction of the null deviance explained.
    pub dev_ratio: f64,
}

/// A lambda path with the standardisation the fit used.
#[derive(Debug, Clone)]
pub struct Path {
    pub solutions: Vec<Solution>,
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
    pub null_deviance: f64,
    pub passes: usize,
}

impl Path {
    pub fn lambdas(&self) -> Vec<f64> {
        self.solutions.iter().map(|s| s.lambda).collect()
    }
}

/// Fit the path. `lambdas`: `None` builds glmnet's path from the data (lambda_max, then
/// `nlambda` log-spaced values down to `lambda_min_ratio` × lambda_max, stopping early when
/// the deviance stops improving); `Some` fits exactly those values (sorted decreasing).
pub fn fit_path(
    x: &Matrix,
    y: &[f64],
    settings: &Settings,
    lambdas: Option<&[f64]>,
) -> Result<Path, ForecastError> {
    let n = x.rows;
    if y.len() != n {
        return Err(ForecastError::Shape(format!(
            "{} outcomes for {} rows",
            y.len(),
            n
        )));
    }
    if !(0.0..=1.0).contains(&settings.alpha) {
        return Err(ForecastError::Setting(format!(
            "alpha must be in [0, 1], not {}",
            settings.alpha
        )));
    }
    if let Some(bad) = y.iter().find(|v| !(0.0..=1.0).contains(*v)) {
        return Err(ForecastError::Setting(format!(
            "outcomes must lie in [0, 1], found {bad}"
        )));
    }
    let w = vec![1.0 / n as f64; n];
    let s = standardise(x, &w);
    let given: Option<Vec<f64>> = lambdas.map(|l| {
        let mut l = l.to_vec();
        l.sort_by(|a, b| b.total_cmp(a));
        l
    });
    if let Some(l) = &given {
        if l.iter().any(|v| v.is_nan() || *v < 0.0) {
            return Err(ForecastError::Setting("lambda must be ≥ 0".into()));
        }
    }
    let ratio = settings
        .lambda_min_ratio
        .unwrap_or(if n > x.cols { 1e-4 } else { 1e-2 });
    let raw = lognet(&s.x, y, &w, &s.varies, settings, given.as_deref(), ratio)?;
    let solutions = raw
        .fits
        .into_iter()
        .map(|f| {
            let beta: Vec<f64> = f.b.iter().zip(&s.sd).map(|(b, sd)| b / sd).collect();
            let intercept = f.b0 - beta.iter().zip(&s.mean).map(|(b, m)| b * m).sum::<f64>();
            Solution {
                lambda: f.lambda,
                intercept,
                beta,
                dev_ratio: f.dev_ratio,
            }
        })
        .collect::<Vec<_>>();
    let mut solutions = solutions;
    if given.is_none() && solutions.len() > 2 {
        // glmnet fits the first value at "infinity" and reports the entry point instead.
        let l1 = solutions[1].lambda.ln();
        let l2 = solutions[2].lambda.ln();
        solutions[0].lambda = (2.0 * l1 - l2).exp();
    }
    Ok(Path {
        solutions,
        mean: s.mean,
        sd: s.sd,
        null_deviance: raw.null_deviance * 2.0 * n as f64,
        passes: raw.passes,
    })
}

struct RawFit {
    lambda: f64,
    b0: f64,
    b: Vec<f64>,
    dev_ratio: f64,
}

struct Raw {
    fits: Vec<RawFit>,
    null_deviance: f64,
    passes: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    // Eight accumulators: four independent chains of two-wide vector additions, enough to
    // hide the additions' latency, which a single running sum (or two chains) would expose.
    // Each is summed in a fixed order, so the result does not depend on the compiler.
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (xa, xb) in ca.zip(cb) {
        for l in 0..8 {
            acc[l] += xa[l] * xb[l];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in ta.iter().zip(tb) {
        s += x * y;
    }
    s
}

fn weighted_square(v: &[f64], x: &[f64]) -> f64 {
    // As in `dot`: one running sum is a chain of dependent additions the processor cannot
    // overlap, and this runs for every strong predictor at every quadratic approximation.
    let mut acc = [0.0f64; 4];
    let (cv, cx) = (v.chunks_exact(4), x.chunks_exact(4));
    let (tv, tx) = (cv.remainder(), cx.remainder());
    for (a, b) in cv.zip(cx) {
        for l in 0..4 {
            acc[l] += a[l] * b[l] * b[l];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (a, b) in tv.iter().zip(tx) {
        s += a * b * b;
    }
    s
}

fn binomial_deviance(w: &[f64], y: &[f64], q: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..y.len() {
        let p = q[i].clamp(PMIN, 1.0 - PMIN);
        s -= w[i] * (y[i] * p.ln() + (1.0 - y[i]) * (1.0 - p).ln());
    }
    s
}

/// The state one coordinate-descent sweep needs.
struct Sweep<'a> {
    x: &'a Matrix,
    v: Vec<f64>,
    r: Vec<f64>,
    xv: Vec<f64>,
    b: Vec<f64>,
    b0: f64,
    xmz: f64,
    l1: f64,
    l2: f64,
}

impl Sweep<'_> {
    /// Update coordinate k; returns the weighted squared change.
    fn update(&mut self, k: usize) -> (f64, bool) {
        let xk = self.x.col(k);
        let bk = self.b[k];
        let u = dot(&self.r, xk) + self.xv[k] * bk;
        let au = u.abs() - self.l1;
        let nb = if au > 0.0 {
            au.copysign(u) / (self.xv[k] + self.l2)
        } else {
            0.0
        };
        self.b[k] = nb;
        let d = nb - bk;
        if d == 0.0 {
            return (0.0, false);
        }
        for ((ri, vi), xi) in self.r.iter_mut().zip(&self.v).zip(xk) {
            *ri -= d * vi * xi;
        }
        (self.xv[k] * d * d, true)
    }

    fn update_intercept(&mut self) -> f64 {
        let d = self.r.iter().sum::<f64>() / self.xmz;
        if d == 0.0 {
            return 0.0;
        }
        self.b0 += d;
        for (ri, vi) in self.r.iter_mut().zip(&self.v) {
            *ri -= d * vi;
        }
        self.xmz * d * d
    }
}

// One index runs through coefficients, curvatures, the strong set and the columns together.
#[allow(clippy::needless_range_loop)]
fn lognet(
    x: &Matrix,
    y: &[f64],
    w: &[f64],
    varies: &[bool],
    settings: &Settings,
    given: Option<&[f64]>,
    ratio: f64,
) -> Result<Raw, ForecastError> {
    let n = x.rows;
    let p = x.cols;
    let alpha = settings.alpha;
    let q0: f64 = dot(w, y);
    if q0 <= PMIN {
        return Err(ForecastError::NoPositives);
    }
    if q0 >= 1.0 - PMIN {
        return Err(ForecastError::NoNegatives);
    }
    let fmax = (1.0 / PMIN - 1.0).ln();
    let vmin = (1.0 + PMIN) * PMIN * (1.0 - PMIN);
    let bz = (q0 / (1.0 - q0)).ln();
    let vi = q0 * (1.0 - q0);
    let mut st = Sweep {
        x,
        v: w.iter().map(|wi| wi * vi).collect(),
        r: w.iter().zip(y).map(|(wi, yi)| wi * (yi - q0)).collect(),
        xv: vec![0.0; p],
        b: vec![0.0; p],
        b0: bz,
        xmz: vi,
        l1: 0.0,
        l2: 0.0,
    };
    let mut q = vec![q0; n];
    let dev1 = -(bz * q0 + (1.0 - q0).ln());
    let mut dev0 = dev1;
    for i in 0..n {
        if y[i] > 0.0 {
            dev0 += w[i] * y[i] * y[i].ln();
        }
        if y[i] < 1.0 {
            dev0 += w[i] * (1.0 - y[i]) * (1.0 - y[i]).ln();
        }
    }
    let nlam = given.map_or(settings.nlambda, <[f64]>::len);
    let alf = if given.is_some() || nlam < 2 {
        1.0
    } else {
        ratio.max(1e-6).powf(1.0 / (nlam as f64 - 1.0))
    };
    let shr = settings.thresh * dev0;
    let mut ga: Vec<f64> = (0..p)
        .map(|j| {
            if varies[j] {
                dot(&st.r, x.col(j)).abs()
            } else {
                0.0
            }
        })
        .collect();
    let mut strong = vec![false; p];
    let mut in_active = vec![false; p];
    let mut active: Vec<usize> = Vec::new();
    let mut bs = vec![0.0; p];
    let mut passes = 0usize;
    let mut al = 0.0f64;
    let mut fits: Vec<RawFit> = Vec::with_capacity(nlam);
    for ilm in 0..nlam {
        let mut al0 = al;
        if let Some(l) = given {
            al = l[ilm];
        } else if ilm >= 2 {
            al *= alf;
        } else if ilm == 0 {
            al = BIG;
        } else {
            al0 = (0..p)
                .filter(|&j| varies[j])
                .map(|j| ga[j])
                .fold(0.0, f64::max)
                / alpha.max(1e-3);
            al = alf * al0;
        }
        st.l2 = al * (1.0 - alpha);
        st.l1 = al * alpha;
        let tlam = alpha * (2.0 * al - al0);
        for k in 0..p {
            if !strong[k] && varies[k] && ga[k] > tlam {
                strong[k] = true;
            }
        }
        loop {
            let bs0 = st.b0;
            for &k in &active {
                bs[k] = st.b[k];
            }
            for k in 0..p {
                if strong[k] {
                    st.xv[k] = weighted_square(&st.v, x.col(k));
                }
            }
            // Inner loop: a sweep over the strong set, then sweeps over the active set
            // until they settle, until a full sweep changes nothing.
            loop {
                passes += 1;
                let mut dlx = 0.0f64;
                for k in 0..p {
                    if !strong[k] {
                        continue;
                    }
                    let (change, moved) = st.update(k);
                    dlx = dlx.max(change);
                    if moved && !in_active[k] {
                        in_active[k] = true;
                        active.push(k);
                    }
                }
                dlx = dlx.max(st.update_intercept());
                if dlx < shr {
                    break;
                }
                if passes > settings.max_passes {
                    return Err(ForecastError::NoConvergence(al));
                }
                loop {
                    passes += 1;
                    let mut dlx = 0.0f64;
                    for &k in &active {
                        dlx = dlx.max(st.update(k).0);
                    }
                    dlx = dlx.max(st.update_intercept());
                    if dlx < shr {
                        break;
                    }
                    if passes > settings.max_passes {
                        return Err(ForecastError::NoConvergence(al));
                    }
                }
            }
            // New quadratic approximation at the current coefficients, with glmnet's clamp:
            // a linear predictor beyond ±log(1/pmin - 1) counts as certain and drops out.
            let mut eta = vec![st.b0; n];
            for &k in &active {
                let bk = st.b[k];
                if bk != 0.0 {
                    for (e, xi) in eta.iter_mut().zip(x.col(k)) {
                        *e += bk * xi;
                    }
                }
            }
            for i in 0..n {
                q[i] = if eta[i] < -fmax {
                    0.0
                } else if eta[i] > fmax {
                    1.0
                } else {
                    1.0 / (1.0 + (-eta[i]).exp())
                };
                st.v[i] = w[i] * q[i] * (1.0 - q[i]);
                st.r[i] = w[i] * (y[i] - q[i]);
            }
            st.xmz = st.v.iter().sum();
            if st.xmz <= vmin {
                break;
            }
            let settled = st.xmz * (st.b0 - bs0).powi(2) < shr
                && active
                    .iter()
                    .all(|&k| st.xv[k] * (st.b[k] - bs[k]).powi(2) < shr);
            if !settled {
                continue;
            }
            // KKT check on the predictors the strong rule left out.
            let mut violated = false;
            for k in 0..p {
                if strong[k] || !varies[k] {
                    continue;
                }
                ga[k] = dot(&st.r, x.col(k)).abs();
                if ga[k] > st.l1 {
                    strong[k] = true;
                    violated = true;
                }
            }
            if !violated {
                break;
            }
        }
        let devi = binomial_deviance(w, y, &q);
        let dev_ratio = (dev1 - devi) / dev0;
        fits.push(RawFit {
            lambda: al,
            b0: st.b0,
            b: st.b.clone(),
            dev_ratio,
        });
        if given.is_some() || ilm + 1 < MNLAM.min(nlam) {
            continue;
        }
        let nonzero = st.b.iter().filter(|b| **b != 0.0).count();
        let previous = if ilm > 0 {
            fits[ilm - 1].dev_ratio
        } else {
            0.0
        };
        if nonzero > p + 1 || dev_ratio > DEVMAX || dev_ratio - previous < FDEV || st.xmz <= vmin {
            break;
        }
    }
    Ok(Raw {
        fits,
        null_deviance: dev0,
        passes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic problem: a few informative predictors, a noise one, a constant.
    fn synthetic(n: usize) -> (Matrix, Vec<f64>) {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64) / ((1u64 << 53) as f64)
        };
        let mut cols = vec![Vec::new(); 5];
        let mut y = Vec::new();
        for _ in 0..n {
            let a = next() * 4.0 - 2.0;
            let b = (next() * 10.0).floor();
            let c = if next() < 0.3 { 1.0 } else { 0.0 };
            let noise = next() * 100.0;
            let eta = -1.0 + 1.2 * a - 0.3 * b + 0.8 * c;
            let p = 1.0 / (1.0 + (-eta).exp());
            y.push(if next() < p { 1.0 } else { 0.0 });
            for (col, v) in cols.iter_mut().zip([a, b, c, noise, 7.0]) {
                col.push(v);
            }
        }
        (Matrix::from_columns(&cols), y)
    }

    /// Karush-Kuhn-Tucker conditions of the elastic-net objective, checked on the standardised
    /// scale with an independent computation of the gradient.
    fn assert_kkt(x: &Matrix, y: &[f64], alpha: f64, path: &Path, s: &Solution, tol: f64) {
        let n = x.rows as f64;
        let p: Vec<f64> = (0..x.rows)
            .map(|i| {
                let eta = s.intercept + (0..x.cols).map(|j| s.beta[j] * x.get(i, j)).sum::<f64>();
                1.0 / (1.0 + (-eta).exp())
            })
            .collect();
        let resid: Vec<f64> = y.iter().zip(&p).map(|(a, b)| a - b).collect();
        let total: f64 = resid.iter().sum::<f64>() / n;
        assert!(total.abs() < tol, "intercept gradient {total}");
        for j in 0..x.cols {
            if path.sd[j] == 1.0 && x.col(j).iter().all(|v| *v == x.get(0, j)) {
                assert_eq!(s.beta[j], 0.0, "a constant column stays out");
                continue;
            }
            let g: f64 = (0..x.rows)
                .map(|i| resid[i] * (x.get(i, j) - path.mean[j]) / path.sd[j])
                .sum::<f64>()
                / n;
            let bstd = s.beta[j] * path.sd[j];
            if bstd == 0.0 {
                assert!(
                    g.abs() <= s.lambda * alpha + tol,
                    "predictor {j}: |gradient| {} above lambda*alpha {}",
                    g.abs(),
                    s.lambda * alpha
                );
            } else {
                let want = s.lambda * (alpha * bstd.signum() + (1.0 - alpha) * bstd);
                assert!(
                    (g - want).abs() < tol,
                    "predictor {j}: gradient {g}, penalty term {want}"
                );
            }
        }
    }

    #[test]
    fn solutions_along_the_path_satisfy_kkt() {
        let (x, y) = synthetic(600);
        for alpha in [1.0, 0.5, 0.1] {
            let path = fit_path(&x, &y, &Settings::new(alpha), None).unwrap();
            assert!(path.solutions.len() > 10);
            for s in path.solutions.iter().step_by(7) {
                assert_kkt(&x, &y, alpha, &path, s, 2e-4);
            }
        }
    }

    #[test]
    fn a_single_lambda_from_cold_start_matches_the_warm_path() {
        let (x, y) = synthetic(400);
        let path = fit_path(&x, &y, &Settings::new(0.5), None).unwrap();
        let target = &path.solutions[30];
        let cold = fit_path(&x, &y, &Settings::new(0.5), Some(&[target.lambda])).unwrap();
        for (a, b) in cold.solutions[0].beta.iter().zip(&target.beta) {
            assert!((a - b).abs() < 1e-4, "{a} vs {b}");
        }
        assert_kkt(&x, &y, 0.5, &cold, &cold.solutions[0], 1e-4);
    }

    #[test]
    fn path_starts_where_every_coefficient_is_zero() {
        let (x, y) = synthetic(300);
        let path = fit_path(&x, &y, &Settings::new(0.5), None).unwrap();
        let first = &path.solutions[0];
        assert!(first.beta.iter().all(|b| *b == 0.0));
        let ybar = y.iter().sum::<f64>() / y.len() as f64;
        assert!((first.intercept - (ybar / (1.0 - ybar)).ln()).abs() < 1e-9);
        assert!(path.solutions[1].beta.iter().any(|b| *b != 0.0));
        // lambda_max is the smallest lambda that keeps everything out.
        let l = path.lambdas();
        let ratio = l[1] / l[0];
        assert!((ratio - 1e-4f64.powf(1.0 / 99.0)).abs() < 1e-12);
        assert_kkt(&x, &y, 0.5, &path, first, 1e-9);
    }

    #[test]
    fn without_penalty_it_recovers_the_group_log_odds() {
        // One binary predictor: the maximum-likelihood fit is the log-odds of each group.
        let xs: Vec<f64> = (0..100).map(|i| if i < 40 { 1.0 } else { 0.0 }).collect();
        // Group x=1: 30 of 40 positive; group x=0: 15 of 60.
        let y: Vec<f64> = (0..100)
            .map(|i| {
                if i < 30 || (40..55).contains(&i) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect();
        let x = Matrix::from_columns(&[xs]);
        let mut settings = Settings::new(1.0);
        settings.thresh = 1e-14;
        let path = fit_path(&x, &y, &settings, Some(&[0.0])).unwrap();
        let s = &path.solutions[0];
        let logit = |p: f64| (p / (1.0 - p)).ln();
        assert!((s.intercept - logit(0.25)).abs() < 1e-6, "{}", s.intercept);
        assert!((s.beta[0] - (logit(0.75) - logit(0.25))).abs() < 1e-6);
    }

    #[test]
    fn refuses_outcomes_without_positives() {
        let x = Matrix::from_columns(&[vec![1.0, 2.0, 3.0]]);
        let err = fit_path(&x, &[0.0, 0.0, 0.0], &Settings::new(0.5), None).unwrap_err();
        assert_eq!(err, ForecastError::NoPositives);
    }
}

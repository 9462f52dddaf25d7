//! Quasi-Poisson CUSUM of counts.
//!
//! Each period adds the log-likelihood ratio of "the mean has risen to k·μ" against "it is still
//! μ": x·ln k − (k − 1)·μ, where μ is the trailing baseline mean floored at `min_expected`. The
//! increment is divided by the baseline's dispersion φ = max(1, s²/μ), so an over-dispersed
//! region needs proportionally more evidence. The sum never goes below zero and restarts after a
//! signal.
use super::baseline::TrailingBaseline;
use super::config::CusumConfig;
use super::signal::{Method, Verdict};

#[derive(Debug, Clone)]
pub struct Cusum {
    config: CusumConfig,
    min_expected: f64,
    min_count: f64,
    baseline: TrailingBaseline,
    sum: f64,
}

impl Cusum {
    pub fn new(config: CusumConfig, min_expected: f64, min_count: u64) -> Self {
        let baseline = TrailingBaseline::new(config.baseline, config.guard);
        Self {
            config,
            min_expected,
            min_count: min_count as f64,
            baseline,
            sum: 0.0,
        }
    }

    pub fn step(&mut self, x: f64) -> Option<Verdict> {
        let b = self.baseline.stats();
        let verdict = if b.periods >= self.config.min_history.max(1) {
            let mu = b.mean.max(self.min_expected);
            let dispersion = (b.variance / mu).max(1.0);
            let k = self.config.shift;
            let llr = x * k.ln() - (k - 1.0) * mu;
            let score = (self.sum + llr / dispersion).max(0.0);
            let fired = score > self.config.decision && x >= self.min_count && x > mu;
            self.sum = if fired { 0.0 } else { score };
            fired.then_some(Verdict {
                method: Method::Cusum,
                expected: mu,
                score,
                threshold: self.config.decision,
            })
        } else {
            None
        };
        self.baseline.push(x);
        verdict
    }
}

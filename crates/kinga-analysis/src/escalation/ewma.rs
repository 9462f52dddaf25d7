//! Count EWMA with Poisson-aware control limits.
//!
//! The statistic z_t = λ·x_t + (1 − λ)·z_{t−1} is compared with the expected value μ of a trailing
//! baseline. Its standard deviation uses the larger of the baseline's sample variance and μ
//! itself, so a run of zeros (variance 0) still has the Poisson spread of the floor `min_expected`
//! instead of none, and an over-dispersed baseline widens the limit as a negative binomial would.
use super::baseline::TrailingBaseline;
use super::config::EwmaConfig;
use super::signal::{Method, Verdict};

#[derive(Debug, Clone)]
pub struct Ewma {
    config: EwmaConfig,
    min_expected: f64,
    min_count: f64,
    baseline: TrailingBaseline,
    z: Option<f64>,
}

impl Ewma {
    pub fn new(config: EwmaConfig, min_expected: f64, min_count: u64) -> Self {
        let baseline = TrailingBaseline::new(config.baseline, config.guard);
        Self {
            config,
            min_expected,
            min_count: min_count as f64,
            baseline,
            z: None,
        }
    }

    /// Judges the next period, then remembers it.
    pub fn step(&mut self, x: f64) -> Option<Verdict> {
        let b = self.baseline.stats();
        let verdict = if b.periods >= self.config.min_history.max(1) {
            let mu = b.mean.max(self.min_expected);
            let variance = b.variance.max(mu);
            let lambda = self.config.lambda;
            let z = lambda * x + (1.0 - lambda) * self.z.unwrap_or(mu);
            let sd = (variance * lambda / (2.0 - lambda)).sqrt();
            let score = (z - mu) / sd;
            let fired = score > self.config.limit && x >= self.min_count && x > mu;
            // Restarting at the expected value after a signal makes a sustained rise signal again
            // only once it keeps rising, not every period it stays high.
            self.z = Some(if fired { mu } else { z });
            fired.then_some(Verdict {
                method: Method::Ewma,
                expected: mu,
                score,
                threshold: self.config.limit,
            })
        } else {
            None
        };
        self.baseline.push(x);
        verdict
    }
}

//! EARS C1, C2 and C3 (the CDC's Early Aberration Reporting System).
//!
//! C1 compares a period with the mean and standard deviation of the `baseline` periods just
//! before it; C2 does the same with a two-period gap; C3 adds the excesses over one of the current
//! and two previous C2 statistics. Zero-heavy series: the standard deviation is never below the
//! Poisson spread √max(mean, min_expected), so a baseline of zeros does not divide by zero or turn
//! one event into an infinite score.
use super::baseline::{BaselineStats, TrailingBaseline};
use super::config::{EarsConfig, EarsVariant};
use super::signal::{Method, Verdict};

#[derive(Debug, Clone)]
pub struct Ears {
    config: EarsConfig,
    min_expected: f64,
    min_count: f64,
    c1: TrailingBaseline,
    c2: TrailingBaseline,
    /// The two previous C2 excesses, newest last; `None` while C2 could not be computed.
    c2_excess: [Option<f64>; 2],
}

const C2_GAP: usize = 2;

impl Ears {
    pub fn new(config: EarsConfig, min_expected: f64, min_count: u64) -> Self {
        let c1 = TrailingBaseline::new(config.baseline, 0);
        let c2 = TrailingBaseline::new(config.baseline, C2_GAP);
        Self {
            config,
            min_expected,
            min_count: min_count as f64,
            c1,
            c2,
            c2_excess: [None, None],
        }
    }

    fn statistic(&self, b: BaselineStats, x: f64) -> Option<(f64, f64)> {
        if b.periods < self.config.baseline {
            return None;
        }
        let mu = b.mean.max(self.min_expected);
        let sd = b.variance.sqrt().max(mu.sqrt());
        Some(((x - b.mean) / sd, mu))
    }

    /// The verdicts of the configured variants on the next period.
    pub fn step(&mut self, x: f64) -> Vec<Verdict> {
        let c1 = self.statistic(self.c1.stats(), x);
        let c2 = self.statistic(self.c2.stats(), x);
        let mut out = Vec::new();
        let counts = |mu: f64| x >= self.min_count && x > mu;
        for variant in &self.config.variants {
            let (method, stat, threshold) = match variant {
                EarsVariant::C1 => (Method::EarsC1, c1, self.config.limit),
                EarsVariant::C2 => (Method::EarsC2, c2, self.config.limit),
                EarsVariant::C3 => {
                    let c3 = match (c2, self.c2_excess) {
                        (Some((s, mu)), [Some(a), Some(b)]) => {
                            Some(((s - 1.0).max(0.0) + a + b, mu))
                        }
                        _ => None,
                    };
                    (Method::EarsC3, c3, self.config.c3_limit)
                }
            };
            if let Some((score, mu)) = stat {
                if score > threshold && counts(mu) {
                    out.push(Verdict {
                        method,
                        expected: mu,
                        score,
                        threshold,
                    });
                }
            }
        }
        self.c2_excess = [self.c2_excess[1], c2.map(|(s, _)| (s - 1.0).max(0.0))];
        self.c1.push(x);
        self.c2.push(x);
        out
    }
}

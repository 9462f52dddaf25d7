//! A trailing baseline window with a guard band, fed one period at a time. Counts are integers, so
//! the running sums are exact in `f64` and the window costs O(1) per period.
use std::collections::VecDeque;

#[derive(Debug, Clone)]
pub struct TrailingBaseline {
    length: usize,
    guard: usize,
    recent: VecDeque<f64>,
    n: usize,
    sum: f64,
    sum_sq: f64,
}

/// The baseline seen from the period about to be judged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineStats {
    pub periods: usize,
    pub mean: f64,
    /// Sample variance (n − 1); zero with fewer than two periods.
    pub variance: f64,
}

impl TrailingBaseline {
    /// The baseline of period t covers t − guard − length .. t − guard: the `guard` most recent
    /// periods stay out so that the start of a rise does not raise its own expectation.
    pub fn new(length: usize, guard: usize) -> Self {
        Self {
            length: length.max(1),
            guard,
            recent: VecDeque::with_capacity(length + guard + 1),
            n: 0,
            sum: 0.0,
            sum_sq: 0.0,
        }
    }

    pub fn stats(&self) -> BaselineStats {
        if self.n == 0 {
            return BaselineStats {
                periods: 0,
                mean: 0.0,
                variance: 0.0,
            };
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        let variance = if self.n > 1 {
            ((self.sum_sq - n * mean * mean) / (n - 1.0)).max(0.0)
        } else {
            0.0
        };
        BaselineStats {
            periods: self.n,
            mean,
            variance,
        }
    }

    /// Records the value of the period just judged.
    pub fn push(&mut self, x: f64) {
        self.recent.push_back(x);
        if self.recent.len() > self.guard {
            let entering = self.recent[self.recent.len() - 1 - self.guard];
            self.sum += entering;
            self.sum_sq += entering * entering;
            self.n += 1;
        }
        if self.n > self.length {
            if let Some(leaving) = self.recent.pop_front() {
                self.sum -= leaving;
                self.sum_sq -= leaving * leaving;
                self.n -= 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_skips_the_guard_band_and_forgets_old_periods() {
        let mut b = TrailingBaseline::new(3, 2);
        for x in [1.0, 2.0, 3.0, 4.0, 5.0, 6.0] {
            b.push(x);
        }
        // Judging period 7: the guard holds 5 and 6, the window 2, 3, 4.
        let s = b.stats();
        assert_eq!(s.periods, 3);
        assert!((s.mean - 3.0).abs() < 1e-12);
        assert!((s.variance - 1.0).abs() < 1e-12);
    }

    #[test]
    fn empty_until_the_guard_is_passed() {
        let mut b = TrailingBaseline::new(4, 2);
        b.push(7.0);
        b.push(7.0);
        assert_eq!(b.stats().periods, 0);
        b.push(7.0);
        assert_eq!(b.stats().periods, 1);
    }
}

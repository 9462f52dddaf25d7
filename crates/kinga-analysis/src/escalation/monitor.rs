//! Watching a region period by period. A monitor is told one period at a time and keeps only what
//! the detectors need from the past, so whatever it says about a period was decidable at that
//! period's end: running it over a whole series is the same as replaying history.
use super::config::DetectorConfig;
use super::cusum::Cusum;
use super::ears::Ears;
use super::ewma::Ewma;
use super::series::{Measure, Region, RegionSeries};
use super::signal::{Signal, Verdict};
use kinga_domain::period::Period;

#[derive(Debug, Clone)]
pub struct RegionMonitor {
    region: Region,
    period: Period,
    measure: Measure,
    next_bucket: i64,
    ewma: Option<Ewma>,
    cusum: Option<Cusum>,
    ears: Option<Ears>,
}

impl RegionMonitor {
    /// A monitor whose first observation will be bucket `first`.
    pub fn new(region: Region, period: Period, first: i64, config: &DetectorConfig) -> Self {
        let floor = config.min_expected;
        let min = config.min_count;
        Self {
            region,
            period,
            measure: config.measure,
            next_bucket: first,
            ewma: config.ewma.clone().map(|c| Ewma::new(c, floor, min)),
            cusum: config.cusum.clone().map(|c| Cusum::new(c, floor, min)),
            ears: config.ears.clone().map(|c| Ears::new(c, floor, min)),
        }
    }

    pub fn region(&self) -> &Region {
        &self.region
    }

    /// The bucket the next observation belongs to.
    pub fn next_bucket(&self) -> i64 {
        self.next_bucket
    }

    /// Takes the count of the next period and returns the signals it raises.
    pub fn observe(&mut self, value: u64) -> Vec<Signal> {
        let x = value as f64;
        let mut verdicts: Vec<Verdict> = Vec::new();
        if let Some(d) = self.ewma.as_mut() {
            verdicts.extend(d.step(x));
        }
        if let Some(d) = self.cusum.as_mut() {
            verdicts.extend(d.step(x));
        }
        if let Some(d) = self.ears.as_mut() {
            verdicts.extend(d.step(x));
        }
        let bucket = self.next_bucket;
        self.next_bucket += 1;
        verdicts
            .into_iter()
            .map(|v| Signal {
                region: self.region.clone(),
                period: self.period,
                bucket,
                period_start: self.period.start(bucket),
                measure: self.measure,
                observed: x,
                expected: v.expected,
                score: v.score,
                threshold: v.threshold,
                method: v.method,
            })
            .collect()
    }
}

/// Every signal over one series, oldest first.
pub fn detect(series: &RegionSeries, config: &DetectorConfig) -> Vec<Signal> {
    let mut monitor =
        RegionMonitor::new(series.region.clone(), series.period, series.first, config);
    series
        .values(config.measure)
        .iter()
        .flat_map(|&v| monitor.observe(v))
        .collect()
}

/// Every signal over many series, by region then period.
pub fn detect_all(series: &[RegionSeries], config: &DetectorConfig) -> Vec<Signal> {
    series.iter().flat_map(|s| detect(s, config)).collect()
}

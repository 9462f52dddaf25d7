//! The backtest: replay history period by period, every region at once, and ask how early the
//! detectors spoke before each known onset and how often they spoke when nothing began.
use super::config::DetectorConfig;
use super::monitor::RegionMonitor;
use super::onsets::Onset;
use super::series::{Level, Measure, Region, RegionSeries};
use super::signal::{Method, Signal};
use chrono::NaiveDate;
use kinga_domain::period::Period;
use serde::Serialize;
use std::collections::BTreeSet;

/// How far around an onset a signal counts as announcing it, in periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OnsetWindow {
    pub before: i64,
    pub after: i64,
}

impl OnsetWindow {
    /// Six months before to three months after, in the period's own steps.
    pub fn default_for(period: Period) -> Self {
        match period {
            Period::Week => Self {
                before: 26,
                after: 13,
            },
            Period::Month => Self {
                before: 6,
                after: 3,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnsetStatus {
    Detected,
    Missed,
    /// The data does not reach the onset: no events for its region, or not in its period.
    NotCovered,
}

impl OnsetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Detected => "detected",
            Self::Missed => "missed",
            Self::NotCovered => "not covered",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FirstSignal {
    pub admin1: Option<String>,
    pub period_start: NaiveDate,
    pub method: Method,
    pub observed: f64,
    pub expected: f64,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnsetResult {
    pub country: String,
    pub admin1: Option<String>,
    pub onset: NaiveDate,
    pub label: String,
    pub status: OnsetStatus,
    pub first_signal: Option<FirstSignal>,
    /// Days from the day the first signal could be known (the day after its period ended) to the
    /// onset: positive is early warning, negative is late.
    pub lead_days: Option<i64>,
    /// The same in periods, from the signal's period to the onset's.
    pub lead_periods: Option<i64>,
    pub signals_in_window: usize,
}

/// The figures for one method, or for any method (`method: "any"`, a region-period counted once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodSummary {
    pub method: String,
    pub onsets_covered: usize,
    pub detected: usize,
    pub detection_rate: Option<f64>,
    pub median_lead_days: Option<f64>,
    pub signals: usize,
    pub false_alarms: usize,
    pub false_alarms_per_region_year: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BacktestReport {
    pub level: Level,
    pub period: Period,
    pub measure: Measure,
    pub window: OnsetWindow,
    pub first_period: Option<NaiveDate>,
    pub last_period: Option<NaiveDate>,
    pub regions: usize,
    pub region_years: f64,
    pub config: DetectorConfig,
    pub onsets: Vec<OnsetResult>,
    /// "any" first, then each method that ran.
    pub summary: Vec<MethodSummary>,
}

/// Feeds every region one period at a time, from the earliest first bucket to the latest last
/// one. A monitor is only ever handed the period being closed, so a signal can depend on nothing
/// that was not known at the end of its period.
pub fn replay(series: &[RegionSeries], config: &DetectorConfig) -> Vec<Signal> {
    let (Some(start), Some(end)) = (
        series.iter().map(|s| s.first).min(),
        series.iter().map(RegionSeries::last).max(),
    ) else {
        return Vec::new();
    };
    let mut monitors: Vec<RegionMonitor> = series
        .iter()
        .map(|s| RegionMonitor::new(s.region.clone(), s.period, s.first, config))
        .collect();
    let mut signals = Vec::new();
    for bucket in start..=end {
        for (s, m) in series.iter().zip(monitors.iter_mut()) {
            if let Some(i) = s.position(bucket) {
                signals.extend(m.observe(s.value(config.measure, i)));
            }
        }
    }
    signals
}

pub fn backtest(
    series: &[RegionSeries],
    level: Level,
    period: Period,
    config: &DetectorConfig,
    onsets: &[Onset],
    window: OnsetWindow,
) -> BacktestReport {
    let signals = replay(series, config);
    let region_years: f64 = series.iter().map(RegionSeries::years).sum();
    let onsets_in: Vec<(Onset, Region, i64)> = onsets
        .iter()
        .map(|o| {
            let region = Region {
                country: o.country,
                admin1: o.admin1.clone(),
            };
            (o.clone(), region, period.index_of(o.onset))
        })
        .collect();
    let in_window = |s: &Signal, region: &Region, bucket: i64| {
        s.region.overlaps(region)
            && s.bucket >= bucket - window.before
            && s.bucket <= bucket + window.after
    };

    let results: Vec<OnsetResult> = onsets_in
        .iter()
        .map(|(o, region, bucket)| {
            let covered = series
                .iter()
                .any(|s| s.region.overlaps(region) && s.position(*bucket).is_some());
            let mut hits: Vec<&Signal> = signals
                .iter()
                .filter(|s| in_window(s, region, *bucket))
                .collect();
            hits.sort_by_key(|s| (s.bucket, s.method));
            let first = hits.first();
            let status = match (covered, first) {
                (false, _) => OnsetStatus::NotCovered,
                (true, Some(_)) => OnsetStatus::Detected,
                (true, None) => OnsetStatus::Missed,
            };
            OnsetResult {
                country: o.country.code().to_string(),
                admin1: o.admin1.clone(),
                onset: o.onset,
                label: o.label.clone(),
                status,
                first_signal: first.map(|s| FirstSignal {
                    admin1: s.region.admin1.clone(),
                    period_start: s.period_start,
                    method: s.method,
                    observed: s.observed,
                    expected: s.expected,
                    score: s.score,
                }),
                lead_days: first.map(|s| (o.onset - s.known_from()).num_days()),
                lead_periods: first.map(|s| bucket - s.bucket),
                signals_in_window: hits.len(),
            }
        })
        .collect();

    let outside = |s: &Signal| !onsets_in.iter().any(|(_, r, b)| in_window(s, r, *b));
    let mut summary = Vec::new();
    let any: BTreeSet<(Region, i64, bool)> = signals
        .iter()
        .map(|s| (s.region.clone(), s.bucket, outside(s)))
        .collect();
    let any_leads: Vec<Option<i64>> = results.iter().map(|r| r.lead_days).collect();
    summary.push(summarise(
        "any",
        &results,
        &any_leads,
        any.len(),
        any.iter().filter(|(_, _, out)| *out).count(),
        region_years,
    ));
    let ran: BTreeSet<Method> = signals.iter().map(|s| s.method).collect();
    for method in ran {
        let own: Vec<&Signal> = signals.iter().filter(|s| s.method == method).collect();
        let leads: Vec<Option<i64>> = onsets_in
            .iter()
            .map(|(o, region, bucket)| {
                own.iter()
                    .filter(|s| in_window(s, region, *bucket))
                    .min_by_key(|s| s.bucket)
                    .map(|s| (o.onset - s.known_from()).num_days())
            })
            .collect();
        summary.push(summarise(
            method.as_str(),
            &results,
            &leads,
            own.len(),
            own.iter().filter(|s| outside(s)).count(),
            region_years,
        ));
    }

    BacktestReport {
        level,
        period,
        measure: config.measure,
        window,
        first_period: series
            .iter()
            .map(|s| s.first)
            .min()
            .map(|b| period.start(b)),
        last_period: series
            .iter()
            .map(RegionSeries::last)
            .max()
            .map(|b| period.start(b)),
        regions: series.len(),
        region_years,
        config: config.clone(),
        onsets: results,
        summary,
    }
}

fn summarise(
    method: &str,
    results: &[OnsetResult],
    leads: &[Option<i64>],
    signals: usize,
    false_alarms: usize,
    region_years: f64,
) -> MethodSummary {
    let covered: Vec<Option<i64>> = results
        .iter()
        .zip(leads)
        .filter(|(r, _)| r.status != OnsetStatus::NotCovered)
        .map(|(_, lead)| *lead)
        .collect();
    let mut found: Vec<i64> = covered.iter().flatten().copied().collect();
    found.sort_unstable();
    MethodSummary {
        method: method.to_string(),
        onsets_covered: covered.len(),
        detected: found.len(),
        detection_rate: (!covered.is_empty()).then(|| found.len() as f64 / covered.len() as f64),
        median_lead_days: median(&found),
        signals,
        false_alarms,
        false_alarms_per_region_year: (region_years > 0.0)
            .then(|| false_alarms as f64 / region_years),
    }
}

fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

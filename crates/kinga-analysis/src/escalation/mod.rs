//! Escalation detectors over region time series.
//!
//! The event store hands over aggregates (`EventCount`); [`build_series`] turns them into one
//! dense series per region; a [`RegionMonitor`] judges each period as it closes with a count
//! EWMA, a quasi-Poisson CUSUM and EARS C1/C2/C3, and [`backtest`] replays history to measure lead
//! times and false alarms. The methods and their defaults are explained in docs/escalation.md.
mod backtest;
mod baseline;
mod config;
mod cusum;
mod ears;
mod ewma;
mod monitor;
mod onsets;
mod series;
mod signal;

pub use backtest::{
    backtest, replay, BacktestReport, FirstSignal, MethodSummary, OnsetResult, OnsetStatus,
    OnsetWindow,
};
pub use baseline::{BaselineStats, TrailingBaseline};
pub use config::{
    ConfigError, CusumConfig, DetectorConfig, EarsConfig, EarsVariant, EwmaConfig, LevelConfigs,
};
pub use monitor::{detect, detect_all, RegionMonitor};
pub use onsets::{read_onsets, Onset, OnsetError};
pub use series::{build_series, Level, Measure, Region, RegionSeries};
pub use signal::{Method, Signal, Verdict};

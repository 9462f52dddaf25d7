//! Escalation detectors over region time series.

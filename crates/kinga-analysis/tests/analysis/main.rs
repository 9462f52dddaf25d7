//! The integration tests of kinga-analysis, one binary.
mod assessment;
mod escalation;
mod forecast;

//! Pure analysis over slices: no database, no I/O beyond what a caller hands in, so the same
//! detector or model runs on SQLite, PostgreSQL or a file.
#![forbid(unsafe_code)]

pub mod assessment;
pub mod escalation;
pub mod forecast;

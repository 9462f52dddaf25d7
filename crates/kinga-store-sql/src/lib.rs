//! The one SQL implementation of the storage port (`kinga-store`), shared by both database
//! drivers (decision 0001). `SqlStore` speaks a subset both SQLite and PostgreSQL accept (`$n`
//! placeholders, `ON CONFLICT`, `RETURNING`, text/integer/real columns) through the small `Tx`
//! and `Engine` traits that each driver implements over its own sqlx connection; drivers supply
//! only that connection, their migrations and their way of committing.
#![forbid(unsafe_code)]

mod access_log;
mod chain;
mod checkpoints;
mod engine;
mod event_rollup;
mod events;
mod evidence;
mod evidence_records;
mod incident_events;
mod incidents;
mod orgs;
mod parties;
mod records;
mod reports;
mod risk;
mod risk_records;
mod scope;
mod sign_in;
mod signals;
mod store_impl;
mod users;
mod value;
mod verify;

pub use chain::Chain;
pub use engine::{Dialect, Engine, Tx, WriteJob, WriteOutput};
pub use store_impl::SqlStore;
pub use value::{SqlRow, SqlValue};

/// Audited tables and the entity name their rows carry in the audit chain.
pub const AUDITED: &[(&str, &str)] = &[
    ("organisation", "organisations"),
    ("user", "users"),
    ("api_token", "api_tokens"),
    ("session", "sessions"),
    ("incident_lock", "incident_locks"),
    ("report", "reports"),
    ("incident", "incidents"),
    ("act", "acts"),
    ("party", "parties"),
    ("involvement", "involvements"),
    ("source", "sources"),
    ("citation", "citations"),
    ("event_batch", "events"),
    ("org_key_set", "org_keys"),
    ("evidence", "evidence_items"),
    ("working_copy", "evidence_copies"),
    ("custody_event", "custody_events"),
    ("sealed_field", "sealed_fields"),
    ("risk_assessment", "risk_assessments"),
    ("risk_score", "risk_indicator_scores"),
    ("risk_evidence_link", "risk_evidence_links"),
    ("risk_signoff", "risk_signoffs"),
    ("risk_forecast", "risk_forecasts"),
    ("risk_class", "risk_classes"),
    ("signal_run", "signal_runs"),
    ("audit_checkpoint", "audit_checkpoints"),
    ("incident_event", "incident_events"),
];

//! The one SQL implementation of the storage port (`kinga-store`), shared by both database
//! drivers (decision 0001). `SqlStore` speaks a subset both SQLite and PostgreSQL accept (`$n`
//! placeholders, `ON CONFLICT`, `RETURNING`, text/integer/real columns) through the small `Tx`
//! and `Engine` traits that each driver implements over its own sqlx connection; drivers supply
//! only that connection, their migrations and their way of committing.
#![forbid(unsafe_code)]

mod access_log;
mod alert_records;
mod alerts;
mod audited;
mod chain;
mod change;
mod checkpoints;
mod columns;
mod engine;
mod event_rollup;
mod events;
mod evidence;
mod evidence_records;
mod incident_events;
mod incidents;
mod marks;
mod orgs;
mod parties;
mod records;
mod reports;
mod risk;
mod risk_records;
mod scope;
mod sign_in;
mod signals;
mod sql_store;
mod store_impl;
mod users;
mod value;
mod verify;

pub use chain::Chain;
pub use engine::{Dialect, Engine, Tx, WriteJob, WriteOutput};
pub use sql_store::SqlStore;
pub use value::{SqlRow, SqlValue};

//! The one SQL implementation of `Store`. It speaks a subset both SQLite and PostgreSQL accept
//! (`$n` placeholders, `ON CONFLICT`, `RETURNING`, text/integer/real columns) through the small
//! `Tx` and `Engine` traits that each driver implements over its own sqlx connection.
mod chain;
mod engine;
mod incidents;
mod orgs;
mod parties;
mod records;
mod reports;
mod scope;
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
    ("report", "reports"),
    ("incident", "incidents"),
    ("act", "acts"),
    ("party", "parties"),
    ("involvement", "involvements"),
    ("source", "sources"),
    ("citation", "citations"),
];

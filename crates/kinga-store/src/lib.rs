//! The storage port. `Store` is what the rest of Kinga calls; `SqlStore` implements it once, in
//! SQL that both the embedded SQLite driver and the PostgreSQL driver run unchanged. Drivers
//! supply only a connection (`Engine`), their migrations and their way of committing.
#![forbid(unsafe_code)]

mod error;
mod scope;
mod settings;
pub mod sql;
mod store;

pub use error::StoreError;
pub use scope::{Actor, Scope};
pub use settings::{Backend, DbSettings};
pub use sql::SqlStore;
pub use store::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

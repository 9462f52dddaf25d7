//! Kinga's importers. External datasets arrive as files too large to trust or to hold in
//! memory, so readers stream them row by row and turn every bad value into an error that names
//! the file, line and field: a monitor fixing an export needs to find the cell, not a stack trace.
#![forbid(unsafe_code)]

pub mod demo;
mod error;
pub mod events;
pub mod predictors;
pub mod ucdp;

pub use error::{Clipped, IngestError};

//! Kinga's domain: the records a monitoring network keeps (reports, incidents, acts, parties,
//! sources), who owns and may see them, the vocabularies they are coded with, and the audit
//! hash chain that proves nothing was changed behind the log's back. No I/O lives here.
#![forbid(unsafe_code)]

pub mod access;
pub mod alert;
pub mod audit;
pub mod country;
pub mod dedup;
pub mod error;
pub mod event;
pub mod evidence;
pub mod fields;
pub mod framework;
pub mod ids;
pub mod incident;
pub mod org;
pub mod party;
pub mod period;
pub mod report;
pub mod risk;
pub mod source;
pub mod time;
pub mod user;
pub mod vocab;

pub use access::{Role, Visibility};
pub use country::Country;
pub use error::{FieldError, ValidationErrors};

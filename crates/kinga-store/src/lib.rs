//! The storage port. `Store` is what the rest of Kinga calls; `SqlStore` implements it once, in
//! SQL that both the embedded SQLite driver and the PostgreSQL driver run unchanged. Drivers
//! supply only a connection (`Engine`), their migrations and their way of committing.
#![forbid(unsafe_code)]

mod access_log;
mod checkpoints;
mod error;
mod events;
mod evidence;
mod incident_events;
mod risk;
mod scope;
mod settings;
mod signals;
pub mod sql;
mod store;

pub use access_log::{AccessEvent, AccessLog};
pub use checkpoints::{AuditHead, Checkpoint, CheckpointStore, NewCheckpoint};
pub use error::StoreError;
pub use events::*;
pub use evidence::{EvidenceFilter, EvidenceStore, SealedBlob, SimilarEvidence};
pub use incident_events::{
    CitedEvent, CitingIncident, EventCitation, EventRef, EventSummary, IncidentEventStore,
    NewEventCitation, SuggestedEvent, SuggestionWindow, NOTE_MAX,
};
pub use risk::{AssessmentDetail, RiskStore};
pub use scope::{Actor, Scope};
pub use settings::{Backend, DbSettings};
pub use signals::{NewSignal, NewSignalRun, Signal, SignalFilter, SignalRun, SignalStore};
pub use sql::SqlStore;
pub use store::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

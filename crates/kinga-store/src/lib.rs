//! The storage port: `Store` and its parts are what the rest of Kinga calls, in the words of its
//! records, filters and scopes. Nothing here knows SQL; `kinga-store-sql` implements the port
//! once, for both database drivers (decisions 0001 and 0013).
#![forbid(unsafe_code)]

mod access_log;
mod alerts;
mod checkpoints;
mod error;
mod events;
mod evidence;
mod incident_events;
mod risk;
mod scope;
mod settings;
mod signals;
mod store;

pub use access_log::{AccessEvent, AccessLog};
pub use alerts::{AlertFilter, AlertStore, Raised, ResponseFilter};
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
pub use store::*;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

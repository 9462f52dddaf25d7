//! The records and errors of the storage port that callers of this layer read and pass back:
//! types only. The port's traits stay here, so that nothing outside this crate can reach the
//! database past the checks made in it.
pub use kinga_store::{
    Actor, AlertFilter, AssessmentDetail, AuditHead, Checkpoint, CitedEvent, CountQuery, EventRef,
    EventSummary, EvidenceFilter, ImportOutcome, IncidentDetail, NewCheckpoint, NewEventCitation,
    NewSignal, NewSignalRun, Page, Raised, ReportFilter, ResponseFilter, Scope, Signal,
    SignalFilter, SignalRun, StoreError, SuggestedEvent, SuggestionWindow, VerifyOutcome,
    VerifyProgress, NOTE_MAX,
};

//! Every kind of record the audit chain vouches for, with the entity name its entries carry.
//! The names are written once, here: an entry naming a kind that verification cannot find
//! (`verify::HOLDERS`) would leave its records unchecked, so a mistyped name must not compile.
use kinga_domain::alert::{Alert, ResponseAction};
use kinga_domain::evidence::{CustodyEvent, EvidenceItem, OrgKeySet, SealedField, WorkingCopy};
use kinga_domain::incident::Incident;
use kinga_domain::org::Organisation;
use kinga_domain::party::{Act, Involvement, Party};
use kinga_domain::report::Report;
use kinga_domain::risk::{
    Assessment, EvidenceLink, Forecast, IndicatorScore, RiskClassRecord, SignOff,
};
use kinga_domain::source::{Citation, Source};
use kinga_domain::user::User;
use kinga_store::{Checkpoint, EditLock, EventCitation, Session, SignalRun};

/// A kind of record whose changes are entries of the audit chain.
pub trait Audited {
    /// The entity name of its entries; existing chains hold it, so it never changes.
    const ENTITY: &'static str;
    /// The id its entries name it by, as the column verification looks it up in holds it.
    fn audit_id(&self) -> String;
}

/// Kinds named by their `id`.
macro_rules! audited_by_id {
    ($($kind:ty => $entity:literal,)*) => {$(
        impl Audited for $kind {
            const ENTITY: &'static str = $entity;
            fn audit_id(&self) -> String {
                self.id.to_string()
            }
        }
    )*};
}

audited_by_id! {
    Organisation => "organisation",
    User => "user",
    Report => "report",
    Incident => "incident",
    Act => "act",
    Party => "party",
    Involvement => "involvement",
    Source => "source",
    Citation => "citation",
    OrgKeySet => "org_key_set",
    EvidenceItem => "evidence",
    WorkingCopy => "working_copy",
    CustodyEvent => "custody_event",
    SealedField => "sealed_field",
    Assessment => "risk_assessment",
    IndicatorScore => "risk_score",
    EvidenceLink => "risk_evidence_link",
    SignOff => "risk_signoff",
    Forecast => "risk_forecast",
    RiskClassRecord => "risk_class",
    SignalRun => "signal_run",
    Checkpoint => "audit_checkpoint",
    EventCitation => "incident_event",
    Alert => "alert",
    ResponseAction => "response",
}

impl Audited for Session {
    const ENTITY: &'static str = "session";
    fn audit_id(&self) -> String {
        self.id_hash.clone()
    }
}

impl Audited for EditLock {
    const ENTITY: &'static str = "incident_lock";
    fn audit_id(&self) -> String {
        self.incident_id.to_string()
    }
}

/// An API token, named by its hash: the token itself is never stored.
pub struct ApiToken<'a>(pub &'a str);

impl Audited for ApiToken<'_> {
    const ENTITY: &'static str = "api_token";
    fn audit_id(&self) -> String {
        self.0.to_string()
    }
}

/// A batch of imported events, named by the batch id its rows carry. Events are not audited one
/// by one: an import writes millions.
pub struct EventBatch<'a>(pub &'a str);

impl Audited for EventBatch<'_> {
    const ENTITY: &'static str = "event_batch";
    fn audit_id(&self) -> String {
        self.0.to_string()
    }
}

//! The storage port for the events an incident cites. Incidents (what a network documented
//! itself) and events (rows of published datasets) stay apart; an analyst of the incident's
//! organisation links the two when a dataset records the same violence, and Kinga suggests the
//! candidates: events of the incident's region whose dates come close to the incident's.
use crate::{Actor, Result, Scope};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kinga_domain::event::Dataset;
use kinga_domain::ids::IncidentId;
use kinga_domain::incident::Fatalities;
use kinga_domain::org::Slug;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Country;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// The longest note a citation may carry.
pub const NOTE_MAX: usize = 2000;

/// How people name an event: its dataset and the dataset's own id, `ucdp-ged:36210` (the same
/// form an imported incident keeps as its external reference).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EventRef {
    pub dataset: Dataset,
    pub external_id: String,
}

impl fmt::Display for EventRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.dataset, self.external_id)
    }
}

impl FromStr for EventRef {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let s = s.trim();
        let Some((dataset, id)) = s.split_once(':') else {
            return Err(format!(
                "'{s}' does not name an event; write DATASET:EXTERNAL_ID, e.g. ucdp-ged:36210"
            ));
        };
        let id = id.trim();
        if id.is_empty() || id.len() > 200 || id.chars().any(char::is_control) {
            return Err(format!(
                "'{s}': the external id after ':' must be 1 to 200 printable characters"
            ));
        }
        Ok(EventRef {
            dataset: dataset.parse()?,
            external_id: id.to_string(),
        })
    }
}

/// A citation to add: which event, and why (optional).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEventCitation {
    pub event: EventRef,
    pub note: Option<String>,
}

/// The link itself: who cited which event on which incident, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventCitation {
    pub id: String,
    pub incident_id: IncidentId,
    pub country: Country,
    pub event: EventRef,
    pub note: Option<String>,
    pub cited_by: String,
    pub cited_at: DateTime<Utc>,
}

/// What a list shows of an event row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventSummary {
    pub dataset: Dataset,
    pub external_id: String,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub country: Country,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub place_name: Option<String>,
    pub violence_type: Option<ViolenceType>,
    pub event_type: Option<String>,
    pub civilian_targeting: bool,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub fatalities: Fatalities,
    pub source: Option<String>,
}

impl EventSummary {
    pub fn reference(&self) -> EventRef {
        EventRef {
            dataset: self.dataset.clone(),
            external_id: self.external_id.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitedEvent {
    pub citation: EventCitation,
    pub event: EventSummary,
}

/// A candidate the incident does not cite yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedEvent {
    pub event: EventSummary,
    /// Days between the event's dates and the incident's; 0 when they overlap.
    pub days_apart: i64,
}

/// An incident citing a given event, as its reader may see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitingIncident {
    pub citation: EventCitation,
    pub code: String,
    pub title: String,
    pub organisation: Slug,
}

/// Which candidates to suggest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuggestionWindow {
    /// Days added before the incident's first and after its last day.
    pub days: u32,
    pub limit: u32,
}

impl SuggestionWindow {
    pub const MAX_DAYS: u32 = 365;
}

impl Default for SuggestionWindow {
    fn default() -> Self {
        SuggestionWindow { days: 3, limit: 20 }
    }
}

#[async_trait]
pub trait IncidentEventStore: Send + Sync {
    /// Links an event the citing organisation may see to an incident it owns, in one
    /// transaction with its audit entry. An event of another country, or one the organisation
    /// may not see, is refused as invalid (`$.event`); a second citation of the same event is a
    /// conflict.
    async fn cite_event(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        new: NewEventCitation,
    ) -> Result<CitedEvent>;
    /// Removes a citation (audited); `NotFound` when the incident does not cite the event.
    async fn uncite_event(
        &self,
        actor: &Actor,
        scope: &Scope,
        incident: IncidentId,
        event: &EventRef,
    ) -> Result<EventCitation>;
    /// The events an incident the reader may see cites, oldest citation first; citations of
    /// events the reader may not see (another organisation's licensed rows) are left out, and
    /// so is a citation whose event a later dataset version moved to another country.
    async fn cited_events(&self, scope: &Scope, incident: IncidentId) -> Result<Vec<CitedEvent>>;
    /// The incidents the reader may see that cite an event the reader may see.
    async fn incidents_citing(
        &self,
        scope: &Scope,
        event: &EventRef,
    ) -> Result<Vec<CitingIncident>>;
    /// Events of the incident's country (and province, when it has one) whose dates come
    /// within `window.days` of the incident's, that it does not cite yet: nearest in time
    /// first, then the deadliest. GDELT rows count news reports, not events, and are never
    /// suggested.
    async fn event_suggestions(
        &self,
        scope: &Scope,
        incident: IncidentId,
        window: SuggestionWindow,
    ) -> Result<Vec<SuggestedEvent>>;
    /// After a dataset was imported both as incidents and as events: cites, on each incident of
    /// `actor`'s organisation imported from `dataset` (external reference `DATASET:ID`), the
    /// event of that dataset with the same id, when the organisation may see it and the
    /// incident does not cite it yet. One transaction, one audit entry per citation; returns
    /// how many were added.
    async fn cite_matching_events(&self, actor: &Actor, dataset: &Dataset) -> Result<u64>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_named_by_dataset_and_id() {
        let r: EventRef = "ucdp-ged:36210".parse().unwrap();
        assert_eq!(r.dataset, Dataset::UcdpGed);
        assert_eq!(r.external_id, "36210");
        assert_eq!(r.to_string(), "ucdp-ged:36210");
        let acled: EventRef = " acled:CEN1234 ".parse().unwrap();
        assert_eq!(acled.dataset, Dataset::Acled);
        assert!("36210"
            .parse::<EventRef>()
            .unwrap_err()
            .contains("DATASET:EXTERNAL_ID"));
        assert!("ucdp-ged:".parse::<EventRef>().is_err());
        assert!("Not A Dataset:1".parse::<EventRef>().is_err());
    }
}

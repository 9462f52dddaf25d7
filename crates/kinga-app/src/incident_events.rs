//! The events an incident cites. Anyone signed in reads the citations and suggestions of an
//! incident they may see (within the events their organisation may see); citing and removing a
//! citation is coding, for the case desk of the incident's organisation.
use crate::{Analyst, Member, Result};
use kinga_domain::ids::IncidentId;
use kinga_store::{
    CitedEvent, CitingIncident, EventCitation, EventRef, NewEventCitation, SuggestedEvent,
    SuggestionWindow,
};

impl Member {
    pub async fn cited_events(&self, incident: IncidentId) -> Result<Vec<CitedEvent>> {
        let scope = self.principal().scope();
        Ok(self.store().cited_events(&scope, incident).await?)
    }

    pub async fn event_suggestions(
        &self,
        incident: IncidentId,
        window: SuggestionWindow,
    ) -> Result<Vec<SuggestedEvent>> {
        let scope = self.principal().scope();
        Ok(self
            .store()
            .event_suggestions(&scope, incident, window)
            .await?)
    }

    pub async fn incidents_citing(&self, event: &EventRef) -> Result<Vec<CitingIncident>> {
        let scope = self.principal().scope();
        Ok(self.store().incidents_citing(&scope, event).await?)
    }
}

impl Analyst {
    pub async fn cite_event(
        &self,
        incident: IncidentId,
        new: NewEventCitation,
    ) -> Result<CitedEvent> {
        let p = self.member().principal();
        Ok(self
            .member()
            .store()
            .cite_event(&p.actor(), &p.scope(), incident, new)
            .await?)
    }

    pub async fn uncite_event(
        &self,
        incident: IncidentId,
        event: &EventRef,
    ) -> Result<EventCitation> {
        let p = self.member().principal();
        Ok(self
            .member()
            .store()
            .uncite_event(&p.actor(), &p.scope(), incident, event)
            .await?)
    }
}

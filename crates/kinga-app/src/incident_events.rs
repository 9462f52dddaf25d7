//! The events an incident cites. Anyone signed in reads the citations and suggestions of an
//! incident they may see (within the events their organisation may see); citing and removing a
//! citation is coding, for the case desk of the incident's organisation, or for Kinga's own work
//! on that organisation's behalf.
use crate::{Analyst, Member, Result, System};
use kinga_domain::event::Dataset;
use kinga_domain::ids::IncidentId;
use kinga_domain::incident::Incident;
use kinga_domain::org::Organisation;
use kinga_domain::Role;
use kinga_store::{
    Actor, CitedEvent, CitingIncident, EventCitation, EventRef, NewEventCitation, Scope, Store,
    SuggestedEvent, SuggestionWindow,
};
use std::sync::Arc;

impl Member {
    #[tracing::instrument(skip_all)]
    pub async fn cited_events(&self, incident: IncidentId) -> Result<Vec<CitedEvent>> {
        let scope = self.principal().scope();
        Ok(self.store().cited_events(&scope, incident).await?)
    }

    #[tracing::instrument(skip_all)]
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

    #[tracing::instrument(skip_all)]
    pub async fn incidents_citing(&self, event: &EventRef) -> Result<Vec<CitingIncident>> {
        let scope = self.principal().scope();
        Ok(self.store().incidents_citing(&scope, event).await?)
    }
}

impl Analyst {
    #[tracing::instrument(skip_all)]
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

    #[tracing::instrument(skip_all)]
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

/// The case desk of the organisation that owns an incident, for Kinga's own work on its behalf
/// (`kinga incident cite`): it cites as that organisation's analyst would, recorded as
/// `system:<task>` for the organisation, and sees the events the organisation may see: shared
/// datasets and its own licensed rows.
pub struct OwnersDesk {
    store: Arc<dyn Store>,
    actor: Actor,
    scope: Scope,
}

impl System {
    #[tracing::instrument(skip_all, fields(incident = %incident.code))]
    pub async fn owners_desk(&self, incident: &Incident) -> Result<OwnersDesk> {
        let peers = self.store.network_peers(incident.organisation_id).await?;
        Ok(OwnersDesk {
            store: self.store.clone(),
            actor: self.acting_for_id(incident.organisation_id, incident.organisation.clone()),
            scope: Scope {
                user_id: None,
                organisation_id: Some(incident.organisation_id),
                role: Some(Role::Analyst),
                network_peers: peers,
                own_reports_only: false,
                everything: false,
            },
        })
    }

    /// Each incident `owner` imported from `dataset` cites the event made from the same row, so
    /// that its page shows the bridge between the documentation and the dataset; how many
    /// citations were added (none once they exist).
    #[tracing::instrument(skip_all, fields(owner = %owner.slug))]
    pub async fn cite_matching_events(
        &self,
        owner: &Organisation,
        dataset: &Dataset,
    ) -> Result<u64> {
        Ok(self
            .store
            .cite_matching_events(&self.acting_for(owner), dataset)
            .await?)
    }
}

impl OwnersDesk {
    #[tracing::instrument(skip_all, fields(incident = %incident))]
    pub async fn cited_events(&self, incident: IncidentId) -> Result<Vec<CitedEvent>> {
        Ok(self.store.cited_events(&self.scope, incident).await?)
    }

    #[tracing::instrument(skip_all, fields(incident = %incident, days = window.days))]
    pub async fn event_suggestions(
        &self,
        incident: IncidentId,
        window: SuggestionWindow,
    ) -> Result<Vec<SuggestedEvent>> {
        Ok(self
            .store
            .event_suggestions(&self.scope, incident, window)
            .await?)
    }

    #[tracing::instrument(skip_all, fields(incident = %incident, event = %new.event))]
    pub async fn cite_event(
        &self,
        incident: IncidentId,
        new: NewEventCitation,
    ) -> Result<CitedEvent> {
        Ok(self
            .store
            .cite_event(&self.actor, &self.scope, incident, new)
            .await?)
    }

    #[tracing::instrument(skip_all, fields(incident = %incident, event = %event))]
    pub async fn uncite_event(
        &self,
        incident: IncidentId,
        event: &EventRef,
    ) -> Result<EventCitation> {
        Ok(self
            .store
            .uncite_event(&self.actor, &self.scope, incident, event)
            .await?)
    }
}

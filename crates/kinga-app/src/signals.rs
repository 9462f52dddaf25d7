//! Escalation signals and the regional event counts a signal is read against. Anyone signed in
//! reads them within their scope: shared datasets' signals for all, an organisation's licensed
//! data for that organisation alone.
use crate::{Member, Result};
use kinga_domain::event::{Event, EventCount};
use kinga_store::{CountQuery, EventSelection, Page, Signal, SignalFilter, SignalRun};

impl Member {
    pub async fn signals(&self, filter: &SignalFilter) -> Result<Page<Signal>> {
        let scope = self.principal().scope();
        Ok(self.store().signals(&scope, filter).await?)
    }

    pub async fn signal_runs(&self) -> Result<Vec<SignalRun>> {
        let scope = self.principal().scope();
        Ok(self.store().signal_runs(&scope).await?)
    }

    /// The counts of the events the caller may see, for a region's trend next to its signals.
    pub async fn signal_trend(&self, query: &CountQuery) -> Result<Vec<EventCount>> {
        let scope = self.principal().scope();
        Ok(self.store().event_counts(&scope, query).await?)
    }

    pub async fn signal(&self, id: &str) -> Result<Option<Signal>> {
        let scope = self.principal().scope();
        Ok(self.store().signal(&scope, id).await?)
    }

    /// The events behind a signal: those of its region that began in its period, newest first.
    pub async fn signal_events(&self, signal: &Signal, limit: u32) -> Result<Vec<Event>> {
        let scope = self.principal().scope();
        let selection = EventSelection {
            country: signal.country,
            admin1: signal.admin1.clone(),
            from: signal.period_start,
            to: signal.period.start(signal.bucket + 1) - chrono::Duration::days(1),
            dataset: None,
            limit,
        };
        Ok(self.store().events_in(&scope, &selection).await?)
    }
}

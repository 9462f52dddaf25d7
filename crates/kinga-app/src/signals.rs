//! Escalation signals and the regional event counts a signal is read against. Anyone signed in
//! reads them within their scope: shared datasets' signals for all, an organisation's licensed
//! data for that organisation alone.
use crate::{Member, Result, System};
use kinga_domain::event::{Event, EventCount};
use kinga_store::{
    CountQuery, EventSelection, NewSignalRun, Page, Scope, Signal, SignalFilter, SignalRun,
};

impl Member {
    #[tracing::instrument(skip_all)]
    pub async fn signals(&self, filter: &SignalFilter) -> Result<Page<Signal>> {
        let scope = self.principal().scope();
        Ok(self.store().signals(&scope, filter).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn signal_runs(&self) -> Result<Vec<SignalRun>> {
        let scope = self.principal().scope();
        Ok(self.store().signal_runs(&scope).await?)
    }

    /// The counts of the events the caller may see, for a region's trend next to its signals.
    #[tracing::instrument(skip_all)]
    pub async fn signal_trend(&self, query: &CountQuery) -> Result<Vec<EventCount>> {
        let scope = self.principal().scope();
        Ok(self.store().event_counts(&scope, query).await?)
    }

    #[tracing::instrument(skip_all)]
    pub async fn signal(&self, id: &str) -> Result<Option<Signal>> {
        let scope = self.principal().scope();
        Ok(self.store().signal(&scope, id).await?)
    }

    /// The events behind a signal: those of its region that began in its period, newest first.
    #[tracing::instrument(skip_all)]
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

/// Detect runs read and store the shared datasets only: signals from one organisation's
/// licensed rows would show those rows to everyone.
impl System {
    /// The counts of the events every organisation shares, for the detectors' time series.
    #[tracing::instrument(skip_all)]
    pub async fn shared_event_counts(&self, query: &CountQuery) -> Result<Vec<EventCount>> {
        Ok(self.store.event_counts(&Scope::public(), query).await?)
    }

    /// Stores a detector run in place of the last run of the same level and period.
    #[tracing::instrument(skip_all, fields(signals = run.signals.len()))]
    pub async fn replace_signals(&self, run: NewSignalRun) -> Result<SignalRun> {
        Ok(self.store.replace_signals(&self.actor, run).await?)
    }

    /// The stored signals every organisation may read.
    #[tracing::instrument(skip_all)]
    pub async fn shared_signals(&self, filter: &SignalFilter) -> Result<Page<Signal>> {
        Ok(self.store.signals(&Scope::public(), filter).await?)
    }
}

//! The storage port for published event data (UCDP, ACLED, GDELT, national datasets) and the
//! region time series built from it. Events are reference data: a public dataset's rows are
//! shared by every organisation, while a licensed dataset's rows (ACLED) stay with the
//! organisation that imported them.
use crate::{Actor, Result, Scope};
use async_trait::async_trait;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, Event, EventCount, Level};
use kinga_domain::period::Period;
use kinga_domain::Country;
use serde::Serialize;

/// What one batch did to the stored events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct UpsertOutcome {
    pub new: u64,
    pub updated: u64,
    /// Rows already stored as they are, or stored in a newer version.
    pub unchanged: u64,
}

impl UpsertOutcome {
    pub fn add(&mut self, other: UpsertOutcome) {
        self.new += other.new;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// An event ready to be written, with its digest (`audit::digest`) computed where rows are read,
/// so that the database writer, an import's bottleneck, only stores it. The digest cannot be
/// supplied from outside: a wrong one would be stored and audited as the row's.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedEvent {
    event: Event,
    digest: String,
}

impl PreparedEvent {
    /// Touches no database, so any thread may call it.
    pub fn new(event: Event) -> Self {
        let digest = kinga_domain::audit::digest(&event);
        PreparedEvent { event, digest }
    }

    pub fn dataset(&self) -> &Dataset {
        &self.event.dataset
    }

    pub fn digest(&self) -> &str {
        &self.digest
    }

    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The event and its digest, for a store to write them.
    pub fn into_parts(self) -> (Event, String) {
        (self.event, self.digest)
    }
}

/// The events of one region over a date range, newest first: the events behind a signal.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSelection {
    pub country: Country,
    /// `None` for the whole country.
    pub admin1: Option<String>,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    /// `None`: every dataset except report counts (GDELT), as in [`CountQuery`].
    pub dataset: Option<Dataset>,
    pub limit: u32,
}

/// Which cells of the region time series to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct CountQuery {
    pub level: Level,
    pub period: Period,
    /// Inclusive bounds on the event's start date.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// `None` counts every event dataset but leaves GDELT out: GDELT counts reports, and
    /// mixing them with events would swamp the series. Ask for `Some(Dataset::Gdelt)` to get
    /// the GDELT signal on its own.
    pub dataset: Option<Dataset>,
    pub country: Option<Country>,
}

impl CountQuery {
    pub fn new(level: Level, period: Period) -> Self {
        CountQuery {
            level,
            period,
            from: None,
            to: None,
            dataset: None,
            country: None,
        }
    }
}

/// When a batch's changes to the region roll-up (see [`EventAggregates`]) reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollUp {
    /// In place, in the batch's transaction.
    WithBatch,
    /// Recorded in the batch's transaction and added at [`EventStore::finish_import`], each
    /// cell once however many batches touched it. Until then a count of the region time series
    /// adds them first, and verification counts them as added, so readers never see a roll-up
    /// behind the committed rows; only the import's end (or whichever reader comes first)
    /// pays for adding them.
    AtImportEnd,
}

#[async_trait]
pub trait EventStore: Send + Sync {
    /// Inserts or updates a batch in one transaction, idempotent by dataset + external id:
    /// rows stored as they are count as unchanged, a changed row is updated unless the stored
    /// one carries a newer `version`. The whole batch is one audit entry that names it; every
    /// stored row carries that batch's id. Rows of a licensed dataset (ACLED) are kept for
    /// `actor`'s organisation alone.
    /// Region time series cells (see [`EventAggregates`]) change with the rows, in the same
    /// transaction.
    async fn upsert_events(&self, actor: &Actor, batch: Vec<Event>) -> Result<UpsertOutcome> {
        self.upsert_prepared(
            actor,
            batch.into_iter().map(PreparedEvent::new).collect(),
            RollUp::WithBatch,
        )
        .await
    }
    /// [`EventStore::upsert_events`] for rows prepared with [`PreparedEvent::new`] (digest and
    /// row values), which importers call on their reading thread, with the roll-up changed
    /// when `roll_up` says.
    async fn upsert_prepared(
        &self,
        actor: &Actor,
        batch: Vec<PreparedEvent>,
        roll_up: RollUp,
    ) -> Result<UpsertOutcome>;
    /// Called before an import's first batch. When no event is stored yet, the region index
    /// (`events_region_day`) is dropped so that a first, large import does not keep it in step
    /// row by row: with rows arriving in key order, every batch dirtied most of that index's
    /// pages and wrote them to the journal again. Returns whether the index was dropped.
    async fn begin_import(&self) -> Result<bool>;
    /// Called after an import, whether it succeeded or not: adds the roll-up changes its
    /// batches left pending ([`RollUp::AtImportEnd`]) and builds the region index if it is
    /// missing (in one sorted pass). Any import's end, or start, repairs an earlier,
    /// interrupted one.
    async fn finish_import(&self) -> Result<()>;
    /// Events of a region and date range the reader may see, newest first.
    async fn events_in(&self, scope: &Scope, selection: &EventSelection) -> Result<Vec<Event>>;
    /// How many events of `dataset` (all datasets when `None`) the reader may see.
    async fn event_total(&self, scope: &Scope, dataset: Option<&Dataset>) -> Result<u64>;
}

#[async_trait]
pub trait EventAggregates: Send + Sync {
    /// Counts and deaths by region × period × violence type, in one query over the daily
    /// roll-up kept by the importer (never over every event). Cells come sorted by country,
    /// admin1 (unknown last), period, violence type.
    async fn event_counts(&self, scope: &Scope, query: &CountQuery) -> Result<Vec<EventCount>>;
}

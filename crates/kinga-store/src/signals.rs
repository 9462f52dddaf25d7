//! The storage port for escalation signals. A detect run for one level and period replaces the
//! previous run of that level and period: the stored signals are always what the latest run said,
//! and the audit chain keeps who ran which settings when and what each run replaced.
use crate::{Actor, Page, Result, Scope};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kinga_domain::event::Level;
use kinga_domain::ids::OrgId;
use kinga_domain::period::Period;
use kinga_domain::Country;
use serde::Serialize;

/// One signal as a detector raised it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewSignal {
    pub country: Country,
    pub admin1: Option<String>,
    /// The period's bucket ([`Period::index_of`]).
    pub bucket: i64,
    pub measure: String,
    pub method: String,
    pub observed: f64,
    pub expected: f64,
    pub score: f64,
    pub threshold: f64,
}

/// The outcome of one detect run over one level and period, to be stored in place of the last.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSignalRun {
    pub level: Level,
    pub period: Period,
    pub measure: String,
    /// The dataset the run read, `None` for every event dataset.
    pub dataset: Option<String>,
    pub first_bucket: i64,
    pub last_bucket: i64,
    /// The detector settings, as JSON, so a signal can be explained later.
    pub settings: String,
    /// Set when the run read an organisation's licensed rows: its signals are that
    /// organisation's alone. `None`: shared data, signals anyone may read.
    pub owner: Option<OrgId>,
    pub signals: Vec<NewSignal>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalRun {
    pub id: String,
    pub level: Level,
    pub period: Period,
    pub measure: String,
    pub dataset: Option<String>,
    pub first_period: NaiveDate,
    pub last_period: NaiveDate,
    pub settings: String,
    pub signal_count: u64,
    pub ran_at: DateTime<Utc>,
    pub actor: String,
    /// Signals of the earlier run this one replaced (zero when it is the first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub id: String,
    pub run_id: String,
    pub level: Level,
    pub period: Period,
    pub country: Country,
    pub admin1: Option<String>,
    pub bucket: i64,
    pub period_start: NaiveDate,
    pub measure: String,
    pub method: String,
    pub observed: f64,
    pub expected: f64,
    pub score: f64,
    pub threshold: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SignalFilter {
    pub level: Option<Level>,
    pub period: Option<Period>,
    pub country: Option<Country>,
    /// Exact division name; only with `country`.
    pub admin1: Option<String>,
    /// Inclusive bounds on the period's first day.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub method: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for SignalFilter {
    fn default() -> Self {
        SignalFilter {
            level: None,
            period: None,
            country: None,
            admin1: None,
            from: None,
            to: None,
            method: None,
            limit: 100,
            offset: 0,
        }
    }
}

#[async_trait]
pub trait SignalStore: Send + Sync {
    /// Stores a run in place of the earlier run of the same owner, level and period, in one
    /// transaction with its audit entries (the new run, and the replaced run's removal).
    async fn replace_signals(&self, actor: &Actor, run: NewSignalRun) -> Result<SignalRun>;
    /// Signals the reader may see, newest period first, then strongest score.
    async fn signals(&self, scope: &Scope, filter: &SignalFilter) -> Result<Page<Signal>>;
    /// One signal by id, if the reader may see it.
    async fn signal(&self, scope: &Scope, id: &str) -> Result<Option<Signal>>;
    /// The live runs the reader may see.
    async fn signal_runs(&self, scope: &Scope) -> Result<Vec<SignalRun>>;
}

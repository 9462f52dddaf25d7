//! Events and their region time series in SQL. A batch is written with multi-row statements
//! (SQLite) or COPY into a staging table (PostgreSQL), never row by row, and is audited as one
//! entry naming the batch; see docs/decisions/0003-event-audit.md.
use crate::audited::{Audited, EventBatch};
use crate::change::Change;
use crate::event_rollup::{self, Cell, Changes, Tally};
use crate::marks::marks;
use crate::value::Args;
use crate::{Chain, Dialect, Engine, SqlRow, SqlStore, SqlValue, Tx};
use kinga_domain::audit::digest;
use kinga_domain::event::{
    batch_digest, batch_digest_of, new_batch_id, Dataset, Event, EventCount,
};
use kinga_domain::incident::Fatalities;
use kinga_domain::period;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Country;
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{CountQuery, EventSelection, PreparedEvent, RollUp, UpsertOutcome};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// The columns an [`Event`] is read from, in [`event`]'s order.
pub const EVENT_COLUMNS: &str = "dataset, external_id, version, date_start, date_end, date_precision, country, admin1, admin2, place_name, latitude, longitude, place_precision, violence_type, event_type, sub_event_type, civilian_targeting, actor1, actor2, fatalities_best, fatalities_low, fatalities_high, fatalities_civilians, source, source_count, notes";

/// Everything written per row: the event, then what the store adds.
const WRITE_COLUMNS: &[&str] = &[
    "dataset",
    "external_id",
    "version",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "place_precision",
    "violence_type",
    "event_type",
    "sub_event_type",
    "civilian_targeting",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "fatalities_civilians",
    "source",
    "source_count",
    "notes",
    "owner",
    "day",
    "end_day",
    "week",
    "month",
    "digest",
    "batch_id",
];

/// The events table's key (migration 0008). An event is idempotent by its first three
/// columns; `country` ends it so the table can be distributed by country.
const KEY: &str = "dataset, owner, external_id, country";

/// SQLite accepts 32,766 parameters per statement: 900 rows of 33 stay under it, and fewer,
/// larger statements mean fewer statement journals to open and close.
const ROWS_PER_INSERT: usize = 900;
const KEYS_PER_LOOKUP: usize = 900;

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table: "events",
        detail: detail.into(),
    }
}

fn small(v: Option<i64>, what: &str) -> Result<Option<u8>> {
    v.map(|v| u8::try_from(v).map_err(|_| corrupt(format!("{what} {v}"))))
        .transpose()
}

fn count(v: Option<i64>, what: &str) -> Result<Option<u32>> {
    v.map(|v| u32::try_from(v).map_err(|_| corrupt(format!("{what} {v}"))))
        .transpose()
}

fn parse_date(s: String) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| corrupt(format!("date {s}")))
}

/// Decodes a row selected with [`EVENT_COLUMNS`].
pub fn event(r: &SqlRow) -> Result<Event> {
    let dataset: Dataset = r.text("dataset")?.parse().map_err(corrupt)?;
    let country = Country::parse(&r.text("country")?).map_err(|e| corrupt(e.to_string()))?;
    let violence_type = match r.opt_text("violence_type")? {
        None => None,
        Some(v) => Some(ViolenceType::parse(&v).ok_or_else(|| corrupt(format!("violence {v}")))?),
    };
    Ok(Event {
        dataset,
        external_id: r.text("external_id")?,
        version: r.opt_int("version")?,
        date_start: parse_date(r.text("date_start")?)?,
        date_end: parse_date(r.text("date_end")?)?,
        date_precision: small(Some(r.int("date_precision")?), "date precision")?.unwrap_or(1),
        country,
        admin1: r.opt_text("admin1")?,
        admin2: r.opt_text("admin2")?,
        place_name: r.opt_text("place_name")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        place_precision: small(r.opt_int("place_precision")?, "place precision")?,
        violence_type,
        event_type: r.opt_text("event_type")?,
        sub_event_type: r.opt_text("sub_event_type")?,
        civilian_targeting: r.int("civilian_targeting")? != 0,
        actor1: r.opt_text("actor1")?,
        actor2: r.opt_text("actor2")?,
        fatalities: Fatalities {
            best: count(r.opt_int("fatalities_best")?, "fatalities")?,
            low: count(r.opt_int("fatalities_low")?, "fatalities")?,
            high: count(r.opt_int("fatalities_high")?, "fatalities")?,
            civilians: count(r.opt_int("fatalities_civilians")?, "fatalities")?,
        },
        source: r.opt_text("source")?,
        source_count: count(r.opt_int("source_count")?, "source count")?,
        notes: r.opt_text("notes")?,
    })
}

/// Where [`values`] puts what the writer reads back: the two columns only it knows, the key,
/// and what the roll-up needs.
const EXTERNAL_ID_AT: usize = 1;
const VERSION_AT: usize = 2;
const COUNTRY_AT: usize = 6;
const ADMIN1_AT: usize = 7;
const VIOLENCE_AT: usize = 13;
const TARGETING_AT: usize = 16;
const BEST_AT: usize = 19;
const CIVILIANS_AT: usize = 22;
const OWNER_AT: usize = 26;
const DAY_AT: usize = 27;
const WEEK_AT: usize = 29;
const MONTH_AT: usize = 30;
const DIGEST_AT: usize = 31;
const BATCH_AT: usize = 32;

/// An event as its row: the values in [`WRITE_COLUMNS`] order, with the owner and batch left to
/// the writer. The event's own values are moved here, not copied: a bulk import holds a batch of
/// these.
struct EventRow {
    dataset: Dataset,
    row: Vec<SqlValue>,
}

impl EventRow {
    fn of(prepared: PreparedEvent) -> Self {
        let (event, digest) = prepared.into_parts();
        let dataset = event.dataset.clone();
        let row = values(event, "", digest, "");
        EventRow { dataset, row }
    }

    fn digest(&self) -> &str {
        self.text(DIGEST_AT)
    }

    fn text(&self, at: usize) -> &str {
        text_at(&self.row, at)
    }

    fn int(&self, at: usize) -> Option<i64> {
        match self.row[at] {
            SqlValue::Int(v) => v,
            _ => None,
        }
    }

    fn external_id(&self) -> &str {
        self.text(EXTERNAL_ID_AT)
    }

    /// The event's cell of the roll-up and its contribution, as `event_rollup::contribution`
    /// computes them from the event.
    fn contribution(&self, owner: &str) -> (Cell, Tally) {
        (
            Cell {
                country: self.text(COUNTRY_AT).to_string(),
                dataset: self.dataset.as_str().to_string(),
                owner: owner.to_string(),
                admin1: self.text(ADMIN1_AT).to_string(),
                day: self.int(DAY_AT).unwrap_or_default(),
                violence_type: self.text(VIOLENCE_AT).to_string(),
            },
            Tally {
                week: self.int(WEEK_AT).unwrap_or_default(),
                month: self.int(MONTH_AT).unwrap_or_default(),
                events: 1,
                fatalities: self.int(BEST_AT).unwrap_or(0),
                civilian_fatalities: self.int(CIVILIANS_AT).unwrap_or(0),
                civilian_targeting: self.int(TARGETING_AT).unwrap_or(0),
            },
        )
    }
}

fn text_at(row: &[SqlValue], at: usize) -> &str {
    match &row[at] {
        SqlValue::Text(Some(t)) => t,
        _ => "",
    }
}

/// `YYYY-MM-DD`, as `records::date` writes it, without parsing a format string per row (it
/// showed in an import's profile). Event dates are validated to four-digit years.
fn iso_date(d: &chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

fn values(e: Event, owner: &str, row_digest: String, batch: &str) -> Vec<SqlValue> {
    let f = e.fatalities;
    let (day, end_day, week, month) = (e.day(), e.end_day(), e.week(), e.month());
    vec![
        e.dataset.as_str().into(),
        e.external_id.into(),
        e.version.into(),
        iso_date(&e.date_start).into(),
        iso_date(&e.date_end).into(),
        Some(e.date_precision).into(),
        e.country.code().into(),
        e.admin1.into(),
        e.admin2.into(),
        e.place_name.into(),
        e.latitude.into(),
        e.longitude.into(),
        e.place_precision.into(),
        e.violence_type.map(|v| v.as_str()).into(),
        e.event_type.into(),
        e.sub_event_type.into(),
        i64::from(e.civilian_targeting).into(),
        e.actor1.into(),
        e.actor2.into(),
        f.best.into(),
        f.low.into(),
        f.high.into(),
        f.civilians.into(),
        e.source.into(),
        e.source_count.into(),
        e.notes.into(),
        owner.into(),
        day.into(),
        end_day.into(),
        week.into(),
        month.into(),
        row_digest.into(),
        batch.into(),
    ]
}

/// Who an event row belongs to: nobody (shared) for open datasets, the importing organisation
/// for a licensed one.
fn owner_for(actor: &Actor, dataset: &Dataset) -> Result<String> {
    if dataset.shareable() {
        return Ok(String::new());
    }
    actor.organisation_id.map(|o| o.to_string()).ok_or_else(|| {
        StoreError::Rule(format!(
            "{dataset} rows are licensed to one organisation: import them on behalf of one"
        ))
    })
}

/// The reader's condition: shared rows, plus licensed rows of the reader's own organisation.
pub(super) fn visible(scope: &Scope, args: &mut Args) -> String {
    if scope.everything {
        return "1 = 1".into();
    }
    match scope.organisation_id {
        Some(org) => {
            let p = args.push(org.to_string());
            format!("(owner = '' OR owner = {p})")
        }
        None => "owner = ''".into(),
    }
}

pub(super) fn dataset_condition(dataset: Option<&Dataset>, args: &mut Args) -> String {
    match dataset {
        Some(d) => format!("dataset = {}", args.push(d.as_str())),
        None => format!("dataset <> {}", args.push(Dataset::Gdelt.as_str())),
    }
}

struct Stored {
    digest: String,
    version: Option<i64>,
    batch: String,
    /// The row's place in the roll-up (its country too), taken out when the row is replaced.
    cell: Cell,
    tally: Tally,
}

async fn existing(
    tx: &mut dyn Tx,
    dialect: Dialect,
    dataset: &Dataset,
    owner: &str,
    ids: &[&str],
) -> Result<HashMap<String, Stored>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(KEYS_PER_LOOKUP) {
        let mut args: Vec<SqlValue> = vec![dataset.as_str().into(), owner.into()];
        args.extend(chunk.iter().map(|id| SqlValue::from(*id)));
        let rows = tx
            .fetch(
                &format!(
                    "SELECT external_id, digest, version, batch_id, country, admin1, day, violence_type, week, month, fatalities_best, fatalities_civilians, civilian_targeting FROM events WHERE dataset = {} AND owner = {} AND external_id IN ({})",
                    marks(dialect, 1, 1),
                    marks(dialect, 2, 1),
                    marks(dialect, 3, chunk.len())
                ),
                args,
            )
            .await?;
        for r in rows {
            found.insert(
                r.text("external_id")?,
                Stored {
                    digest: r.text("digest")?,
                    version: r.opt_int("version")?,
                    batch: r.text("batch_id")?,
                    cell: Cell {
                        country: r.text("country")?,
                        dataset: dataset.as_str().to_string(),
                        owner: owner.to_string(),
                        admin1: r.opt_text("admin1")?.unwrap_or_default(),
                        day: r.int("day")?,
                        violence_type: r.opt_text("violence_type")?.unwrap_or_default(),
                    },
                    tally: Tally {
                        week: r.int("week")?,
                        month: r.int("month")?,
                        events: 1,
                        fatalities: r.opt_int("fatalities_best")?.unwrap_or(0),
                        civilian_fatalities: r.opt_int("fatalities_civilians")?.unwrap_or(0),
                        civilian_targeting: r.int("civilian_targeting")?,
                    },
                },
            );
        }
    }
    Ok(found)
}

fn upsert_tail() -> String {
    let set: Vec<String> = WRITE_COLUMNS
        .iter()
        .filter(|c| !matches!(**c, "dataset" | "owner" | "external_id"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!("ON CONFLICT ({KEY}) DO UPDATE SET {}", set.join(", "))
}

/// The events this store wrote since it saw none stored, as long as no other connection has
/// written to the database since (SQLite's `data_version`; PostgreSQL does not keep it): a
/// key not among them is not stored, so a first import does not look its rows up. Keys are
/// hashed (dataset, owner, external id); a collision only costs a lookup. Every write of
/// events goes through [`upsert_one`], which adds its keys before it commits, so a batch
/// that fails leaves keys behind, never the other way round.
#[derive(Default)]
pub(crate) struct WrittenSinceEmpty(Mutex<Option<Written>>);

struct Written {
    data_version: i64,
    keys: HashSet<u64>,
}

/// Beyond this many keys the set is dropped and rows are looked up again (about 1 GB).
const MOST_WRITTEN_KEYS: usize = 50_000_000;

fn key_hash(dataset: &str, owner: &str, external_id: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    (dataset, owner, external_id).hash(&mut h);
    h.finish()
}

async fn data_version(tx: &mut dyn Tx) -> Result<i64> {
    let rows = tx.fetch("PRAGMA data_version", vec![]).await?;
    match rows.first() {
        Some(r) => r.int("data_version"),
        None => Err(StoreError::Backend(
            "PRAGMA data_version answered nothing".into(),
        )),
    }
}

impl WrittenSinceEmpty {
    /// Called by the writer when it finds no event stored.
    async fn start(&self, tx: &mut dyn Tx) -> Result<()> {
        let data_version = data_version(tx).await?;
        let mut w = self.0.lock().expect("not poisoned");
        // Another import of this store may have started on the same empty table: its keys
        // stay.
        if w.as_ref().is_none_or(|w| w.data_version != data_version) {
            *w = Some(Written {
                data_version,
                keys: HashSet::new(),
            });
        }
        Ok(())
    }

    /// Of `keys`, those that may be stored and must be looked up: all of them unless the set
    /// is still valid in this transaction.
    async fn may_be_stored(&self, tx: &mut dyn Tx, keys: &[u64]) -> Result<Vec<bool>> {
        if self.0.lock().expect("not poisoned").is_none() {
            return Ok(vec![true; keys.len()]);
        }
        let now = data_version(tx).await?;
        let mut w = self.0.lock().expect("not poisoned");
        match w.as_ref() {
            Some(written) if written.data_version == now => {
                Ok(keys.iter().map(|k| written.keys.contains(k)).collect())
            }
            _ => {
                *w = None;
                Ok(vec![true; keys.len()])
            }
        }
    }

    fn add(&self, keys: impl IntoIterator<Item = u64>) {
        let mut w = self.0.lock().expect("not poisoned");
        if let Some(written) = w.as_mut() {
            written.keys.extend(keys);
            if written.keys.len() > MOST_WRITTEN_KEYS {
                *w = None;
            }
        }
    }
}

/// The SQLite writer's page cache while events are imported.
const IMPORT_CACHE: &str = "PRAGMA cache_size = -262144";

/// Writes a batch's rows: `fresh` ones, which the lookup in this same transaction found absent,
/// are appended in bulk (COPY on PostgreSQL) with no conflict to resolve; `replacing` ones
/// overwrite the stored version.
async fn write_rows(
    tx: &mut dyn Tx,
    dialect: Dialect,
    fresh: Vec<Vec<SqlValue>>,
    replacing: Vec<Vec<SqlValue>>,
) -> Result<()> {
    if dialect == Dialect::Sqlite {
        // A bulk import inserts into the region index in an order unrelated to arrival; with
        // SQLite's default 2 MB page cache most inserts then go through the kernel's page
        // cache. 256 MB keeps that index's pages and the roll-up in the writer's own cache.
        tx.execute(IMPORT_CACHE, vec![]).await?;
    }
    if !fresh.is_empty() {
        tx.copy_in("events", WRITE_COLUMNS, fresh).await?;
    }
    if !replacing.is_empty() {
        upsert_rows(tx, dialect, replacing).await?;
    }
    Ok(())
}

async fn upsert_rows(tx: &mut dyn Tx, dialect: Dialect, rows: Vec<Vec<SqlValue>>) -> Result<()> {
    let columns = WRITE_COLUMNS.join(", ");
    match dialect {
        Dialect::Postgres => {
            // COPY cannot resolve conflicts, so rows land in a per-session staging table and
            // one INSERT … SELECT moves them.
            tx.execute(
                "CREATE TEMP TABLE IF NOT EXISTS events_stage (LIKE events) ON COMMIT DELETE ROWS",
                vec![],
            )
            .await?;
            tx.copy_in("events_stage", WRITE_COLUMNS, rows).await?;
            tx.execute(
                &format!(
                    "INSERT INTO events ({columns}) SELECT {columns} FROM events_stage {}",
                    upsert_tail()
                ),
                vec![],
            )
            .await?;
            tx.execute("DELETE FROM events_stage", vec![]).await?;
        }
        Dialect::Sqlite => {
            let width = WRITE_COLUMNS.len();
            let tail = upsert_tail();
            let mut rows = rows.into_iter().peekable();
            while rows.peek().is_some() {
                let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(ROWS_PER_INSERT).collect();
                let tuples: Vec<String> = (0..chunk.len())
                    .map(|i| format!("({})", marks(dialect, i * width + 1, width)))
                    .collect();
                let sql = format!(
                    "INSERT INTO events ({columns}) VALUES {} {tail}",
                    tuples.join(", ")
                );
                tx.execute(&sql, chunk.into_iter().flatten().collect())
                    .await?;
            }
        }
    }
    Ok(())
}

/// The rows a batch id still names, for its digest.
async fn batch_rows(tx: &mut dyn Tx, batch: &str) -> Result<Vec<(String, Event)>> {
    let rows = tx
        .fetch(
            &format!("SELECT owner, {EVENT_COLUMNS} FROM events WHERE batch_id = $1"),
            vec![batch.into()],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.text("owner")?, event(r)?)))
        .collect()
}

pub async fn upsert<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    batch: Vec<PreparedEvent>,
    roll_up: RollUp,
) -> Result<UpsertOutcome> {
    let dialect = store.engine.dialect();
    let actor = actor.clone();
    // One dataset per write keeps the key lookups and the audit entry simple; a mixed batch
    // is split here.
    let mut by_dataset: Vec<(Dataset, Vec<EventRow>)> = Vec::new();
    for e in batch.into_iter().map(EventRow::of) {
        match by_dataset.iter_mut().find(|(d, _)| *d == e.dataset) {
            Some((_, v)) => v.push(e),
            None => by_dataset.push((e.dataset.clone(), vec![e])),
        }
    }
    let mut total = UpsertOutcome::default();
    for (dataset, events) in by_dataset {
        let owner = owner_for(&actor, &dataset)?;
        let actor = actor.clone();
        // Sorted and rolled up here, on the caller's thread: the database writer is the
        // import's bottleneck.
        let keyed = in_key_order(events);
        let presumed = Presumed::of(&keyed.unique, &owner, roll_up);
        let written = (dialect == Dialect::Sqlite).then(|| store.written.clone());
        let outcome = store
            .write(move |tx, chain| {
                Box::pin(async move {
                    let target = Target {
                        dataset,
                        owner,
                        roll_up,
                        written,
                    };
                    upsert_one(tx, chain, dialect, &actor, target, keyed, presumed).await
                })
            })
            .await?;
        total.add(outcome);
    }
    Ok(total)
}

/// A batch's roll-up changes as if every row were new, which in a large import nearly all are;
/// the writer corrects them for the rows it finds stored.
struct Presumed {
    /// Each row's key, hashed for [`WrittenSinceEmpty`].
    keys: Vec<u64>,
    changes: Changes,
    /// The changes as they would be left pending ([`RollUp::AtImportEnd`]).
    encoded: Option<String>,
}

impl Presumed {
    fn of(rows: &[EventRow], owner: &str, roll_up: RollUp) -> Self {
        let keys = rows
            .iter()
            .map(|p| key_hash(p.dataset.as_str(), owner, p.external_id()))
            .collect();
        let mut changes = Changes::with_capacity(rows.len());
        for p in rows {
            let (cell, tally) = p.contribution(owner);
            changes.add(cell, tally, 1);
        }
        let encoded = match roll_up {
            RollUp::AtImportEnd => changes.encode(),
            RollUp::WithBatch => None,
        };
        Presumed {
            keys,
            changes,
            encoded,
        }
    }
}

/// A batch in key order, each id once: the lookups and inserts then walk the key's index pages
/// in order instead of jumping.
struct Keyed {
    unique: Vec<EventRow>,
    /// Rows dropped for a later row of the same id; they count as unchanged.
    repeated: u64,
}

/// The sort is stable, so of an event listed twice the later row stays last and wins, as it
/// would in two batches.
fn in_key_order(mut events: Vec<EventRow>) -> Keyed {
    events.sort_by(|a, b| a.external_id().cmp(b.external_id()));
    let mut repeated = 0;
    let mut unique: Vec<EventRow> = Vec::with_capacity(events.len());
    for e in events {
        match unique.last_mut() {
            Some(last) if last.external_id() == e.external_id() => {
                *last = e;
                repeated += 1;
            }
            _ => unique.push(e),
        }
    }
    Keyed { unique, repeated }
}

/// Where one dataset's part of a batch goes: its rows' owner, and when the roll-up changes.
struct Target {
    dataset: Dataset,
    owner: String,
    roll_up: RollUp,
    /// SQLite only.
    written: Option<Arc<WrittenSinceEmpty>>,
}

async fn upsert_one(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    dialect: Dialect,
    actor: &Actor,
    Target {
        dataset,
        owner,
        roll_up,
        written,
    }: Target,
    Keyed { unique, repeated }: Keyed,
    presumed: Presumed,
) -> Result<UpsertOutcome> {
    let mut outcome = UpsertOutcome {
        unchanged: repeated,
        ..UpsertOutcome::default()
    };
    let Presumed {
        keys,
        changes: mut rollup,
        encoded,
    } = presumed;
    let may_be_stored = match &written {
        Some(w) => w.may_be_stored(tx, &keys).await?,
        None => vec![true; unique.len()],
    };
    let ids: Vec<&str> = unique
        .iter()
        .zip(&may_be_stored)
        .filter(|(_, may)| **may)
        .map(|(e, _)| e.external_id())
        .collect();
    let stored = existing(tx, dialect, &dataset, &owner, &ids).await?;
    drop(ids);
    if let Some(w) = &written {
        // Before anything is written: a batch that fails leaves keys in the set, never rows
        // outside it.
        w.add(keys);
    }
    let batch = new_batch_id();
    let mut fresh = Vec::new();
    let mut replacing = Vec::new();
    let mut updated_ids: Vec<String> = Vec::new();
    let mut superseded: BTreeSet<String> = BTreeSet::new();
    let mut moved: Vec<(String, String)> = Vec::new();
    let presumed_all_new = stored.is_empty();
    for p in unique {
        let version = p.int(VERSION_AT);
        let write = match stored.get(p.external_id()) {
            Some(s) if s.digest == p.digest() => None,
            Some(s) if matches!((s.version, version), (Some(old), Some(new)) if new < old) => None,
            Some(s) => {
                outcome.updated += 1;
                updated_ids.push(p.external_id().to_string());
                superseded.insert(s.batch.clone());
                rollup.add(s.cell.clone(), s.tally, -1);
                if s.cell.country != p.text(COUNTRY_AT) {
                    moved.push((p.external_id().to_string(), s.cell.country.clone()));
                }
                Some(&mut replacing)
            }
            None => {
                outcome.new += 1;
                Some(&mut fresh)
            }
        };
        if let Some(rows) = write {
            let mut row = p.row;
            row[OWNER_AT] = owner.as_str().into();
            row[BATCH_AT] = batch.as_str().into();
            rows.push(row);
        } else {
            let (cell, tally) = p.contribution(&owner);
            rollup.add(cell, tally, -1);
            outcome.unchanged += 1;
        }
    }
    if fresh.is_empty() && replacing.is_empty() {
        return Ok(outcome);
    }
    let after = batch_digest_of(
        fresh
            .iter()
            .chain(&replacing)
            .map(|r| {
                let (id, d) = (text_at(r, EXTERNAL_ID_AT), text_at(r, DIGEST_AT));
                (dataset.as_str(), owner.as_str(), id, d.to_string())
            })
            .collect(),
    );
    // A newer version placed in another country is another key: the old row goes.
    for (id, country) in moved {
        tx.execute(
            "DELETE FROM events WHERE dataset = $1 AND owner = $2 AND external_id = $3 AND country = $4",
            vec![dataset.as_str().into(), owner.as_str().into(), id.into(), country.into()],
        )
        .await?;
    }
    write_rows(tx, dialect, fresh, replacing).await?;
    match roll_up {
        RollUp::WithBatch => rollup.apply(tx, dialect).await?,
        RollUp::AtImportEnd => {
            let cells = match presumed_all_new {
                true => encoded,
                false => rollup.encode(),
            };
            if let Some(cells) = cells {
                tx.execute(
                    "INSERT INTO event_rollup_pending (batch_id, cells) VALUES ($1, $2)",
                    vec![batch.as_str().into(), cells.into()],
                )
                .await?;
            }
        }
    }
    updated_ids.sort_unstable();
    let explanation = if updated_ids.is_empty() {
        format!("{dataset}: {} new events", outcome.new)
    } else {
        format!(
            "{dataset}: {} new events, {} updated: {}",
            outcome.new,
            outcome.updated,
            updated_ids.join(", ")
        )
    };
    chain
        .record(
            tx,
            actor,
            Change::of(&EventBatch(&batch), "import")
                .after(after)
                .explained(explanation),
        )
        .await?;
    // An earlier batch that lost rows to this one no longer holds what its entry says: a new
    // entry records what it holds now, so verification keeps checking every row.
    for old in superseded {
        let remaining = batch_rows(tx, &old).await?;
        let after = (!remaining.is_empty())
            .then(|| batch_digest(remaining.iter().map(|(o, e)| (o.as_str(), e))));
        chain
            .record(
                tx,
                actor,
                Change::of(&EventBatch(&old), "update")
                    .after(after)
                    .explained(format!("rows replaced by newer versions in batch {batch}")),
            )
            .await?;
    }
    Ok(outcome)
}

/// Migration 0013's region index, as [`EventStore::begin_import`] drops it and
/// [`EventStore::finish_import`] builds it again.
const REGION_INDEX: &str = "CREATE INDEX IF NOT EXISTS events_region_day ON events (country, day)";

async fn begin_import<E: Engine>(store: &SqlStore<E>) -> Result<bool> {
    let dialect = store.engine.dialect();
    let written = store.written.clone();
    store
        .write(move |tx, _chain| {
            Box::pin(async move {
                // An interrupted import's roll-up changes.
                event_rollup::add_pending(tx, dialect).await?;
                // Inside the writer's transaction: no batch can land between the look and
                // the drop.
                if !tx
                    .fetch("SELECT 1 FROM events LIMIT 1", vec![])
                    .await?
                    .is_empty()
                {
                    return Ok(false);
                }
                tx.execute("DROP INDEX IF EXISTS events_region_day", vec![])
                    .await?;
                if dialect == Dialect::Sqlite {
                    written.start(tx).await?;
                }
                Ok(true)
            })
        })
        .await
}

async fn finish_import<E: Engine>(store: &SqlStore<E>) -> Result<()> {
    let dialect = store.engine.dialect();
    // The import's pending roll-up changes are read and summed on other threads while the
    // writer builds the index: both take seconds after a large import, and nothing else is
    // left to overlap with.
    let gathering = event_rollup::gather_pending(store);
    let indexing = store.write(move |tx, _chain| {
        Box::pin(async move {
            if dialect == Dialect::Sqlite {
                // A small sort memory makes SQLite sort in runs, and with `threads = 2` on
                // the writer's connection it sorts them on a second thread: 5,000,000 rows
                // indexed in 10 s instead of 19 s with the import's 256 MB cache.
                tx.execute("PRAGMA cache_size = -16384", vec![]).await?;
            }
            tx.execute(REGION_INDEX, vec![]).await?;
            if dialect == Dialect::Sqlite {
                tx.execute(IMPORT_CACHE, vec![]).await?;
            }
            Ok(())
        })
    });
    let (gathered, indexed) = tokio::join!(gathering, indexing);
    indexed?;
    let gathered = gathered?;
    store
        .write(move |tx, _chain| {
            Box::pin(async move { event_rollup::add_gathered(tx, dialect, gathered).await })
        })
        .await
}

pub async fn select<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    s: &EventSelection,
) -> Result<Vec<Event>> {
    let mut args = Args::new();
    let mut conds = vec![visible(scope, &mut args)];
    conds.push(format!("country = {}", args.push(s.country.code())));
    if let Some(a) = &s.admin1 {
        conds.push(format!("LOWER(admin1) = LOWER({})", args.push(a.as_str())));
    }
    conds.push(format!("day >= {}", args.push(period::day_index(s.from))));
    conds.push(format!("day <= {}", args.push(period::day_index(s.to))));
    conds.push(dataset_condition(s.dataset.as_ref(), &mut args));
    let limit = args.push(i64::from(s.limit));
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE {} ORDER BY day DESC, fatalities_best DESC, external_id LIMIT {limit}",
                conds.join(" AND ")
            ),
            args.0,
        )
        .await?;
    rows.iter().map(event).collect()
}

pub async fn total<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    dataset: Option<&Dataset>,
) -> Result<u64> {
    let mut args = Args::new();
    let mut conds = vec![visible(scope, &mut args)];
    if let Some(d) = dataset {
        conds.push(format!("dataset = {}", args.push(d.as_str())));
    }
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT COUNT(*) AS total FROM events WHERE {}",
                conds.join(" AND ")
            ),
            args.0,
        )
        .await?;
    Ok(rows
        .first()
        .map(|r| r.int("total"))
        .transpose()?
        .unwrap_or(0) as u64)
}

/// Rows of a batch read per query when its digest is recomputed.
const BATCH_PAGE: i64 = 5000;

/// Every batch's rows against its latest audit entry. The batch ids are read a page at a time,
/// and each batch's rows too: only each row's key and digest are kept until the batch's digest
/// is taken, not the rows.
pub async fn all_batch_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    let mut after_batch = String::new();
    loop {
        let batches = store
            .engine
            .fetch(
                "SELECT DISTINCT batch_id FROM events WHERE batch_id > $1 ORDER BY batch_id LIMIT $2",
                vec![after_batch.clone().into(), BATCH_PAGE.into()],
            )
            .await?;
        for b in &batches {
            if records.broken() {
                return Ok(());
            }
            let id = b.text("batch_id")?;
            let d = batch_digest_stored(store, &id).await?;
            records.record(store, EventBatch::ENTITY, id, d).await?;
        }
        match batches.last() {
            Some(last) if batches.len() as i64 == BATCH_PAGE => {
                after_batch = last.text("batch_id")?;
            }
            _ => return Ok(()),
        }
    }
}

/// The digest of the rows a batch id names now. [`batch_digest_of`] sorts the keys itself, so
/// pages may come in any order that keyset pagination can follow: SQLite's rowid, which its
/// batch index holds, so each page reads only its own rows; PostgreSQL's the events' key.
async fn batch_digest_stored<E: Engine>(store: &SqlStore<E>, batch: &str) -> Result<String> {
    let by_rowid = store.engine.dialect() == Dialect::Sqlite;
    let mut keyed: Vec<(String, String, String, String)> = Vec::new();
    let mut after: Option<(String, String, String, i64)> = None;
    loop {
        let (cond, mut args): (&str, Vec<SqlValue>) = match &after {
            None => ("", vec![batch.into()]),
            Some((_, _, _, rowid)) if by_rowid => {
                (" AND rowid > $3", vec![batch.into(), (*rowid).into()])
            }
            Some((d, o, x, _)) => (
                " AND (dataset > $3 OR (dataset = $3 AND (owner > $4 OR (owner = $4 AND external_id > $5))))",
                vec![batch.into(), d.as_str().into(), o.as_str().into(), x.as_str().into()],
            ),
        };
        args.insert(1, BATCH_PAGE.into());
        let (rowid, order) = if by_rowid {
            ("rowid AS position", "rowid")
        } else {
            ("0 AS position", "dataset, owner, external_id")
        };
        let rows = store
            .engine
            .fetch(
                &format!("SELECT owner, {rowid}, {EVENT_COLUMNS} FROM events WHERE batch_id = $1{cond} ORDER BY {order} LIMIT $2"),
                args,
            )
            .await?;
        for r in &rows {
            let (owner, e) = (r.text("owner")?, event(r)?);
            keyed.push((
                e.dataset.as_str().to_string(),
                owner,
                e.external_id.clone(),
                digest(&e),
            ));
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == BATCH_PAGE => {
                after = Some((
                    last.text("dataset")?,
                    last.text("owner")?,
                    last.text("external_id")?,
                    last.int("position")?,
                ));
            }
            _ => break,
        }
    }
    Ok(batch_digest_of(
        keyed
            .iter()
            .map(|(d, o, x, g)| (d.as_str(), o.as_str(), x.as_str(), g.clone()))
            .collect(),
    ))
}

#[async_trait::async_trait]
impl<E: Engine> kinga_store::EventStore for SqlStore<E> {
    async fn upsert_prepared(
        &self,
        actor: &Actor,
        batch: Vec<PreparedEvent>,
        roll_up: RollUp,
    ) -> Result<UpsertOutcome> {
        upsert(self, actor, batch, roll_up).await
    }
    async fn begin_import(&self) -> Result<bool> {
        begin_import(self).await
    }
    async fn finish_import(&self) -> Result<()> {
        finish_import(self).await
    }
    async fn events_in(&self, scope: &Scope, selection: &EventSelection) -> Result<Vec<Event>> {
        select(self, scope, selection).await
    }
    async fn event_total(&self, scope: &Scope, dataset: Option<&Dataset>) -> Result<u64> {
        total(self, scope, dataset).await
    }
}

#[async_trait::async_trait]
impl<E: Engine> kinga_store::EventAggregates for SqlStore<E> {
    async fn event_counts(&self, scope: &Scope, query: &CountQuery) -> Result<Vec<EventCount>> {
        event_rollup::counts(self, scope, query).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_the_records_module_writes_them() {
        for s in ["2013-12-05", "1989-01-31", "2024-02-29"] {
            let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
            assert_eq!(iso_date(&d), crate::records::date(&d));
            assert_eq!(iso_date(&d), s);
        }
    }

    #[test]
    fn the_writer_reads_back_the_columns_it_names() {
        for (at, column) in [
            (EXTERNAL_ID_AT, "external_id"),
            (VERSION_AT, "version"),
            (COUNTRY_AT, "country"),
            (ADMIN1_AT, "admin1"),
            (VIOLENCE_AT, "violence_type"),
            (TARGETING_AT, "civilian_targeting"),
            (BEST_AT, "fatalities_best"),
            (CIVILIANS_AT, "fatalities_civilians"),
            (OWNER_AT, "owner"),
            (DAY_AT, "day"),
            (WEEK_AT, "week"),
            (MONTH_AT, "month"),
            (DIGEST_AT, "digest"),
            (BATCH_AT, "batch_id"),
        ] {
            assert_eq!(WRITE_COLUMNS[at], column);
        }
    }

    fn sample(admin1: Option<&str>, violence: Option<ViolenceType>) -> Event {
        let day = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        Event {
            dataset: Dataset::Acled,
            external_id: "CAF123".into(),
            version: Some(1_700_000_000),
            date_start: day("2013-12-05"),
            date_end: day("2013-12-07"),
            date_precision: 1,
            country: Country::parse("CAF").unwrap(),
            admin1: admin1.map(str::to_string),
            admin2: None,
            place_name: Some("Bangui".into()),
            latitude: Some(4.36),
            longitude: Some(18.55),
            place_precision: Some(1),
            violence_type: violence,
            event_type: None,
            sub_event_type: None,
            civilian_targeting: true,
            actor1: None,
            actor2: None,
            fatalities: Fatalities {
                best: Some(12),
                low: Some(10),
                high: Some(40),
                civilians: Some(9),
            },
            source: None,
            source_count: None,
            notes: None,
        }
    }

    #[test]
    fn a_prepared_row_gives_the_events_own_roll_up_contribution() {
        for (admin1, violence) in [(Some("Bangui"), Some(ViolenceType::OneSided)), (None, None)] {
            let e = sample(admin1, violence);
            let prepared = EventRow::of(PreparedEvent::new(e.clone()));
            assert_eq!(
                prepared.contribution("org"),
                event_rollup::contribution(&e, "org")
            );
            assert_eq!(prepared.external_id(), "CAF123");
            assert_eq!(prepared.int(VERSION_AT), Some(1_700_000_000));
            assert_eq!(prepared.digest(), digest(&e));
        }
    }
}

//! Events and their region time series in SQL. A batch is written with multi-row statements
//! (SQLite) or COPY into a staging table (PostgreSQL), never row by row, and is audited as one
//! entry naming the batch; see docs/decisions/0003-event-audit.md.
use super::records::date;
use super::store_impl::draft;
use super::value::Args;
use super::{Chain, Dialect, Engine, SqlRow, SqlStore, SqlValue, Tx};
use crate::events::{CountQuery, EventSelection, UpsertOutcome};
use crate::{Actor, Result, Scope, StoreError};
use kinga_domain::audit::digest;
use kinga_domain::event::{
    batch_digest, batch_digest_of, new_batch_id, Dataset, Event, EventCount, Level,
};
use kinga_domain::incident::Fatalities;
use kinga_domain::period::{self, Period};
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Country;
use std::collections::{BTreeSet, HashMap};

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

/// `n` parameter marks numbered from `from`. SQLite gets anonymous `?` marks: it looks a
/// numbered mark's name up by walking a list, which makes binding a statement with thousands of
/// `$n` marks quadratic (it was 85 % of an import's time).
fn marks(dialect: Dialect, from: usize, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => vec!["?"; n].join(", "),
        Dialect::Postgres => super::records::placeholders(from, n),
    }
}

/// The key an event is idempotent by.
const KEY: &str = "dataset, owner, external_id";

/// SQLite accepts 32,766 parameters per statement; this stays well under it.
const ROWS_PER_INSERT: usize = 500;
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

/// Decodes a row selected with [`EVENT_COLUMNS`] (starting at column `at`).
pub fn event(r: &SqlRow, at: usize) -> Result<Event> {
    let c = |i: usize| at + i;
    let dataset: Dataset = r.text(c(0))?.parse().map_err(corrupt)?;
    let country = Country::parse(&r.text(c(6))?).map_err(|e| corrupt(e.to_string()))?;
    let violence_type = match r.opt_text(c(13))? {
        None => None,
        Some(v) => Some(ViolenceType::parse(&v).ok_or_else(|| corrupt(format!("violence {v}")))?),
    };
    Ok(Event {
        dataset,
        external_id: r.text(c(1))?,
        version: r.opt_int(c(2))?,
        date_start: parse_date(r.text(c(3))?)?,
        date_end: parse_date(r.text(c(4))?)?,
        date_precision: small(Some(r.int(c(5))?), "date precision")?.unwrap_or(1),
        country,
        admin1: r.opt_text(c(7))?,
        admin2: r.opt_text(c(8))?,
        place_name: r.opt_text(c(9))?,
        latitude: r.opt_real(c(10))?,
        longitude: r.opt_real(c(11))?,
        place_precision: small(r.opt_int(c(12))?, "place precision")?,
        violence_type,
        event_type: r.opt_text(c(14))?,
        sub_event_type: r.opt_text(c(15))?,
        civilian_targeting: r.int(c(16))? != 0,
        actor1: r.opt_text(c(17))?,
        actor2: r.opt_text(c(18))?,
        fatalities: Fatalities {
            best: count(r.opt_int(c(19))?, "fatalities")?,
            low: count(r.opt_int(c(20))?, "fatalities")?,
            high: count(r.opt_int(c(21))?, "fatalities")?,
            civilians: count(r.opt_int(c(22))?, "fatalities")?,
        },
        source: r.opt_text(c(23))?,
        source_count: count(r.opt_int(c(24))?, "source count")?,
        notes: r.opt_text(c(25))?,
    })
}

fn values(e: &Event, owner: &str, row_digest: String, batch: &str) -> Vec<SqlValue> {
    let f = e.fatalities;
    vec![
        e.dataset.as_str().into(),
        e.external_id.clone().into(),
        e.version.into(),
        date(&e.date_start).into(),
        date(&e.date_end).into(),
        Some(e.date_precision).into(),
        e.country.code().into(),
        e.admin1.clone().into(),
        e.admin2.clone().into(),
        e.place_name.clone().into(),
        e.latitude.into(),
        e.longitude.into(),
        e.place_precision.into(),
        e.violence_type.map(|v| v.as_str()).into(),
        e.event_type.clone().into(),
        e.sub_event_type.clone().into(),
        i64::from(e.civilian_targeting).into(),
        e.actor1.clone().into(),
        e.actor2.clone().into(),
        f.best.into(),
        f.low.into(),
        f.high.into(),
        f.civilians.into(),
        e.source.clone().into(),
        e.source_count.into(),
        e.notes.clone().into(),
        owner.into(),
        e.day().into(),
        e.end_day().into(),
        e.week().into(),
        e.month().into(),
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
fn visible(scope: &Scope, args: &mut Args) -> String {
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

fn dataset_condition(dataset: Option<&Dataset>, args: &mut Args) -> String {
    match dataset {
        Some(d) => format!("dataset = {}", args.push(d.as_str())),
        None => format!("dataset <> {}", args.push(Dataset::Gdelt.as_str())),
    }
}

struct Stored {
    digest: String,
    version: Option<i64>,
    batch: String,
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
                    "SELECT external_id, digest, version, batch_id FROM events WHERE dataset = {} AND owner = {} AND external_id IN ({})",
                    marks(dialect, 1, 1),
                    marks(dialect, 2, 1),
                    marks(dialect, 3, chunk.len())
                ),
                args,
            )
            .await?;
        for r in rows {
            found.insert(
                r.text(0)?,
                Stored {
                    digest: r.text(1)?,
                    version: r.opt_int(2)?,
                    batch: r.text(3)?,
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

async fn write_rows(tx: &mut dyn Tx, dialect: Dialect, rows: Vec<Vec<SqlValue>>) -> Result<()> {
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
            // A bulk import inserts into four indexes in key order unrelated to arrival; with
            // SQLite's default 2 MB page cache most inserts then go through the kernel's page
            // cache. 128 MB keeps the hot index pages in the writer's own cache.
            tx.execute("PRAGMA cache_size = -131072", vec![]).await?;
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
        .map(|r| Ok((r.text(0)?, event(r, 1)?)))
        .collect()
}

fn id_list(ids: &[&str]) -> String {
    ids.join(", ")
}

pub async fn upsert<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    batch: Vec<Event>,
) -> Result<UpsertOutcome> {
    let dialect = store.engine.dialect();
    let actor = actor.clone();
    // One dataset per write keeps the key lookups and the audit entry simple; a mixed batch
    // is split here.
    let mut by_dataset: Vec<(Dataset, Vec<Event>)> = Vec::new();
    for e in batch {
        match by_dataset.iter_mut().find(|(d, _)| *d == e.dataset) {
            Some((_, v)) => v.push(e),
            None => by_dataset.push((e.dataset.clone(), vec![e])),
        }
    }
    let mut total = UpsertOutcome::default();
    for (dataset, events) in by_dataset {
        let owner = owner_for(&actor, &dataset)?;
        let actor = actor.clone();
        let outcome = store
            .write(move |tx, chain| {
                Box::pin(async move {
                    upsert_one(tx, chain, dialect, &actor, dataset, owner, events).await
                })
            })
            .await?;
        total.add(outcome);
    }
    Ok(total)
}

async fn upsert_one(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    dialect: Dialect,
    actor: &Actor,
    dataset: Dataset,
    owner: String,
    events: Vec<Event>,
) -> Result<UpsertOutcome> {
    let mut outcome = UpsertOutcome::default();
    // A file may list an event twice; the later row wins, as it would in two batches.
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        if last.insert(e.external_id.as_str(), i).is_some() {
            outcome.unchanged += 1;
        }
    }
    let ids: Vec<&str> = last.keys().copied().collect();
    let stored = existing(tx, dialect, &dataset, &owner, &ids).await?;
    let batch = new_batch_id();
    let mut rows = Vec::new();
    let mut written: Vec<(&Event, String)> = Vec::new();
    let mut updated_ids: Vec<&str> = Vec::new();
    let mut superseded: BTreeSet<String> = BTreeSet::new();
    for (i, e) in events.iter().enumerate() {
        if last.get(e.external_id.as_str()) != Some(&i) {
            continue;
        }
        let d = digest(e);
        let write = match stored.get(&e.external_id) {
            Some(s) if s.digest == d => false,
            Some(s) if matches!((s.version, e.version), (Some(old), Some(new)) if new < old) => {
                false
            }
            Some(s) => {
                outcome.updated += 1;
                updated_ids.push(&e.external_id);
                superseded.insert(s.batch.clone());
                true
            }
            None => {
                outcome.new += 1;
                true
            }
        };
        if write {
            rows.push(values(e, &owner, d.clone(), &batch));
            written.push((e, d));
        } else {
            outcome.unchanged += 1;
        }
    }
    if written.is_empty() {
        return Ok(outcome);
    }
    write_rows(tx, dialect, rows).await?;
    updated_ids.sort_unstable();
    let explanation = if updated_ids.is_empty() {
        format!("{dataset}: {} new events", outcome.new)
    } else {
        format!(
            "{dataset}: {} new events, {} updated: {}",
            outcome.new,
            outcome.updated,
            id_list(&updated_ids)
        )
    };
    let after = batch_digest_of(
        written
            .into_iter()
            .map(|(e, d)| {
                (
                    e.dataset.as_str(),
                    owner.as_str(),
                    e.external_id.as_str(),
                    d,
                )
            })
            .collect(),
    );
    chain
        .append(
            tx,
            draft(
                actor,
                "event_batch",
                batch.clone(),
                "import",
                None,
                Some(after),
                Some(explanation),
            ),
        )
        .await?;
    // An earlier batch that lost rows to this one no longer holds what its entry says: a new
    // entry records what it holds now, so verification keeps checking every row.
    for old in superseded {
        let remaining = batch_rows(tx, &old).await?;
        let after = (!remaining.is_empty())
            .then(|| batch_digest(remaining.iter().map(|(o, e)| (o.as_str(), e))));
        chain
            .append(
                tx,
                draft(
                    actor,
                    "event_batch",
                    old,
                    "update",
                    None,
                    after,
                    Some(format!("rows replaced by newer versions in batch {batch}")),
                ),
            )
            .await?;
    }
    Ok(outcome)
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
    rows.iter().map(|r| event(r, 0)).collect()
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
            &format!("SELECT COUNT(*) FROM events WHERE {}", conds.join(" AND ")),
            args.0,
        )
        .await?;
    Ok(rows.first().map(|r| r.int(0)).transpose()?.unwrap_or(0) as u64)
}

pub async fn counts<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    q: &CountQuery,
) -> Result<Vec<EventCount>> {
    let mut args = Args::new();
    let mut conds = vec![visible(scope, &mut args)];
    conds.push(dataset_condition(q.dataset.as_ref(), &mut args));
    if let Some(c) = q.country {
        conds.push(format!("country = {}", args.push(c.code())));
    }
    if let Some(f) = q.from {
        conds.push(format!("day >= {}", args.push(period::day_index(f))));
    }
    if let Some(t) = q.to {
        conds.push(format!("day <= {}", args.push(period::day_index(t))));
    }
    let (region, region_group) = match q.level {
        Level::Country => ("NULL AS admin1", ""),
        Level::Admin1 => ("admin1", ", admin1"),
    };
    let bucket = match q.period {
        Period::Week => "week",
        Period::Month => "month",
    };
    let sql = format!(
        "SELECT country, {region}, {bucket}, violence_type, COUNT(*), CAST(SUM(COALESCE(fatalities_best, 0)) AS BIGINT), CAST(SUM(COALESCE(fatalities_civilians, 0)) AS BIGINT), CAST(SUM(civilian_targeting) AS BIGINT) FROM events WHERE {} GROUP BY country{region_group}, {bucket}, violence_type",
        conds.join(" AND ")
    );
    let rows = store.engine.fetch(&sql, args.0).await?;
    let mut out: Vec<EventCount> = rows
        .iter()
        .map(|r| {
            let violence_type = match r.opt_text(3)? {
                None => None,
                Some(v) => {
                    Some(ViolenceType::parse(&v).ok_or_else(|| corrupt(format!("violence {v}")))?)
                }
            };
            Ok(EventCount {
                country: Country::parse(&r.text(0)?).map_err(|e| corrupt(e.to_string()))?,
                admin1: r.opt_text(1)?,
                period: r.int(2)?,
                violence_type,
                events: r.int(4)? as u64,
                fatalities: r.opt_int(5)?.unwrap_or(0) as u64,
                civilian_fatalities: r.opt_int(6)?.unwrap_or(0) as u64,
                civilian_targeting: r.opt_int(7)?.unwrap_or(0) as u64,
            })
        })
        .collect::<Result<_>>()?;
    out.sort_by(|a, b| {
        (
            a.country,
            a.admin1.is_none(),
            &a.admin1,
            a.period,
            a.violence_type.map(|v| v.code()),
        )
            .cmp(&(
                b.country,
                b.admin1.is_none(),
                &b.admin1,
                b.period,
                b.violence_type.map(|v| v.code()),
            ))
    });
    Ok(out)
}

/// Every batch's rows against its latest audit entry; `check` is the verifier's record check.
pub async fn all_batch_digests<E: Engine>(
    store: &SqlStore<E>,
    mut check: impl FnMut(String, String) -> Result<()>,
) -> Result<()> {
    let batches = store
        .engine
        .fetch("SELECT DISTINCT batch_id FROM events", vec![])
        .await?;
    for b in batches {
        let id = b.text(0)?;
        let rows = store
            .engine
            .fetch(
                &format!("SELECT owner, {EVENT_COLUMNS} FROM events WHERE batch_id = $1"),
                vec![id.clone().into()],
            )
            .await?;
        let decoded: Vec<(String, Event)> = rows
            .iter()
            .map(|r| Ok((r.text(0)?, event(r, 1)?)))
            .collect::<Result<_>>()?;
        check(
            id,
            batch_digest(decoded.iter().map(|(o, e)| (o.as_str(), e))),
        )?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl<E: Engine> crate::events::EventStore for SqlStore<E> {
    async fn upsert_events(&self, actor: &Actor, batch: Vec<Event>) -> Result<UpsertOutcome> {
        upsert(self, actor, batch).await
    }
    async fn events_in(&self, scope: &Scope, selection: &EventSelection) -> Result<Vec<Event>> {
        select(self, scope, selection).await
    }
    async fn event_total(&self, scope: &Scope, dataset: Option<&Dataset>) -> Result<u64> {
        total(self, scope, dataset).await
    }
}

#[async_trait::async_trait]
impl<E: Engine> crate::events::EventAggregates for SqlStore<E> {
    async fn event_counts(&self, scope: &Scope, query: &CountQuery) -> Result<Vec<EventCount>> {
        counts(self, scope, query).await
    }
}

//! The region time series rolled up by day (migration 0008). The importer turns each batch into
//! per-cell changes here and applies them in the batch's own transaction; the aggregates read
//! the cells instead of every event; verification recounts the events against them.
use crate::events::{dataset_condition, visible};
use crate::marks::marks;
use crate::value::Args;
use crate::{Dialect, Engine, SqlRow, SqlStore, SqlValue, Tx};
use kinga_domain::event::{EventCount, Level};
use kinga_domain::period::{self, Period};
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Country;
use kinga_store::CountQuery;
use kinga_store::{Result, Scope, StoreError};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// One row of `event_rollup`: a region, a day, a dataset (and its owner), a violence type.
/// Unknown admin1 and violence type are ''.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cell {
    pub country: String,
    pub dataset: String,
    pub owner: String,
    pub admin1: String,
    pub day: i64,
    pub violence_type: String,
}

/// What a cell holds, or how much it changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub week: i64,
    pub month: i64,
    pub events: i64,
    pub fatalities: i64,
    pub civilian_fatalities: i64,
    pub civilian_targeting: i64,
}

impl Tally {
    fn is_zero(&self) -> bool {
        self.events == 0
            && self.fatalities == 0
            && self.civilian_fatalities == 0
            && self.civilian_targeting == 0
    }
}

const COLUMNS: &str = "country, dataset, owner, admin1, day, violence_type, week, month, events, fatalities, civilian_fatalities, civilian_targeting";
const KEY: &str = "country, dataset, owner, admin1, day, violence_type";
const ROWS_PER_INSERT: usize = 1_000;

/// One pending cell change, as [`Changes::encode`] writes it.
type Pending<'a> = (
    Cow<'a, str>,
    Cow<'a, str>,
    i64,
    Cow<'a, str>,
    i64,
    i64,
    i64,
    i64,
);
/// A dataset, an owner and their pending cell changes.
type PendingGroup<'a> = (Cow<'a, str>, Cow<'a, str>, Vec<Pending<'a>>);

/// How many batches' pending changes are taken per statement when they are added: the cells
/// they add up to are held in memory, their text only a few batches at a time.
const PENDING_PER_TAKE: i64 = 8;

/// Adds every pending change (migration 0012) to the roll-up inside the caller's transaction
/// and deletes it there: each change counts once, whoever adds it first. Returns how many
/// batches' changes were added.
pub async fn add_pending(tx: &mut dyn Tx, dialect: Dialect) -> Result<u64> {
    let mut changes = Changes::default();
    let batches = take_pending(tx, &mut changes).await?;
    changes.apply(tx, dialect).await?;
    Ok(batches)
}

/// Deletes every pending change and adds it to `changes`.
async fn take_pending(tx: &mut dyn Tx, changes: &mut Changes) -> Result<u64> {
    let mut batches = 0;
    loop {
        // PostgreSQL: a concurrent adder that took a row first makes this DELETE skip it.
        let taken = tx
            .fetch(
                &format!("DELETE FROM event_rollup_pending WHERE batch_id IN (SELECT batch_id FROM event_rollup_pending ORDER BY batch_id LIMIT {PENDING_PER_TAKE}) RETURNING cells"),
                vec![],
            )
            .await?;
        if taken.is_empty() {
            break;
        }
        for r in &taken {
            changes.add_encoded(&r.text("cells")?)?;
        }
        batches += taken.len() as u64;
    }
    Ok(batches)
}

/// Pending changes read on a read connection and summed away from the database writer, which
/// meanwhile does other work (an import's end: building the region index).
pub struct Gathered {
    batches: Vec<String>,
    changes: Changes,
}

pub async fn gather_pending<E: Engine>(store: &SqlStore<E>) -> Result<Gathered> {
    let dialect = store.engine.dialect();
    let batches: Vec<String> = store
        .engine
        .fetch("SELECT batch_id FROM event_rollup_pending", vec![])
        .await?
        .iter()
        .map(|r| r.text("batch_id"))
        .collect::<Result<_>>()?;
    let mut changes = Changes::default();
    // A few batches' text at a time: after a large import it runs to hundreds of megabytes.
    for chunk in batches.chunks(PENDING_PER_TAKE as usize) {
        let rows = store
            .engine
            .fetch(
                &format!(
                    "SELECT cells FROM event_rollup_pending WHERE batch_id IN ({})",
                    marks(dialect, 1, chunk.len())
                ),
                chunk.iter().map(|b| SqlValue::from(b.as_str())).collect(),
            )
            .await?;
        if rows.len() != chunk.len() {
            // Taken meanwhile by another adder: the writer will sum what it deletes.
            return Ok(Gathered {
                batches: Vec::new(),
                changes: Changes::default(),
            });
        }
        let cells: Vec<String> = rows
            .iter()
            .map(|r| r.text("cells"))
            .collect::<Result<_>>()?;
        changes = tokio::task::spawn_blocking(move || {
            for c in &cells {
                changes.add_encoded(c)?;
            }
            Ok::<_, StoreError>(changes)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("summing pending roll-up changes: {e}")))??;
    }
    Ok(Gathered { batches, changes })
}

/// Adds what [`gather_pending`] summed, and whatever else is pending, inside the writer's
/// transaction. The gathered sum is used only if every batch in it is still pending (another
/// adder may have taken some meanwhile); otherwise everything pending is summed again here.
pub async fn add_gathered(tx: &mut dyn Tx, dialect: Dialect, gathered: Gathered) -> Result<()> {
    // PostgreSQL: locked until this transaction ends, so no other adder takes them between the
    // look and the delete. SQLite's writer holds the whole database already.
    let lock = match dialect {
        Dialect::Postgres => " FOR UPDATE",
        Dialect::Sqlite => "",
    };
    let chunks = || gathered.batches.chunks(PENDING_IDS_PER_DELETE);
    let ids = |chunk: &[String]| chunk.iter().map(|b| SqlValue::from(b.as_str())).collect();
    let mut still_pending = 0;
    for chunk in chunks() {
        still_pending += tx
            .fetch(
                &format!(
                    "SELECT batch_id FROM event_rollup_pending WHERE batch_id IN ({}){lock}",
                    marks(dialect, 1, chunk.len())
                ),
                ids(chunk),
            )
            .await?
            .len();
    }
    let mut changes = Changes::default();
    if still_pending == gathered.batches.len() {
        for chunk in chunks() {
            tx.execute(
                &format!(
                    "DELETE FROM event_rollup_pending WHERE batch_id IN ({})",
                    marks(dialect, 1, chunk.len())
                ),
                ids(chunk),
            )
            .await?;
        }
        changes = gathered.changes;
    }
    take_pending(tx, &mut changes).await?;
    changes.apply(tx, dialect).await
}

/// Batch ids per DELETE of gathered changes, well under either database's bound on parameters.
const PENDING_IDS_PER_DELETE: usize = 500;

/// Adds pending changes, if any, before the roll-up is read: a count never reads a roll-up
/// that an import's committed rows have outrun.
async fn settle<E: Engine>(store: &SqlStore<E>) -> Result<()> {
    let waiting = store
        .engine
        .fetch("SELECT 1 FROM event_rollup_pending LIMIT 1", vec![])
        .await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let dialect = store.engine.dialect();
    store
        .write(move |tx, _chain| Box::pin(async move { add_pending(tx, dialect).await }))
        .await?;
    Ok(())
}

/// An event's cell and its contribution to it: what the importer reads from a prepared row.
#[cfg(test)]
pub(super) fn contribution(e: &kinga_domain::event::Event, owner: &str) -> (Cell, Tally) {
    let f = e.fatalities;
    (
        Cell {
            country: e.country.code().to_string(),
            dataset: e.dataset.as_str().to_string(),
            owner: owner.to_string(),
            admin1: e.admin1.clone().unwrap_or_default(),
            day: e.day(),
            violence_type: e
                .violence_type
                .map(|v| v.as_str().to_string())
                .unwrap_or_default(),
        },
        Tally {
            week: e.week(),
            month: e.month(),
            events: 1,
            fatalities: i64::from(f.best.unwrap_or(0)),
            civilian_fatalities: i64::from(f.civilians.unwrap_or(0)),
            civilian_targeting: i64::from(e.civilian_targeting),
        },
    )
}

/// The changes a batch makes to the roll-up. Hashed while a batch is gathered (nearly one
/// lookup per event), sorted once when written.
#[derive(Debug, Default)]
pub struct Changes(HashMap<Cell, Tally>);

impl Changes {
    /// Room for `events` cells, the most a batch of that many events can touch.
    pub fn with_capacity(events: usize) -> Self {
        Changes(HashMap::with_capacity(events))
    }

    /// Adds (`sign` 1) or removes (`sign` -1) one event's contribution.
    pub fn add(&mut self, cell: Cell, t: Tally, sign: i64) {
        let c = self.0.entry(cell).or_insert(Tally {
            week: t.week,
            month: t.month,
            ..Tally::default()
        });
        c.events += sign * t.events;
        c.fatalities += sign * t.fatalities;
        c.civilian_fatalities += sign * t.civilian_fatalities;
        c.civilian_targeting += sign * t.civilian_targeting;
    }

    /// The changes as `event_rollup_pending.cells` holds them (migration 0012): per dataset
    /// and owner, `[country, admin1, day, violence_type, events, fatalities,
    /// civilian_fatalities, civilian_targeting]`. Week and month follow from the day. `None`
    /// when nothing changes.
    pub fn encode(&self) -> Option<String> {
        let mut groups: BTreeMap<(&str, &str), Vec<Pending<'_>>> = BTreeMap::new();
        for (c, t) in self.0.iter().filter(|(_, t)| !t.is_zero()) {
            groups
                .entry((c.dataset.as_str(), c.owner.as_str()))
                .or_default()
                .push((
                    c.country.as_str().into(),
                    c.admin1.as_str().into(),
                    c.day,
                    c.violence_type.as_str().into(),
                    t.events,
                    t.fatalities,
                    t.civilian_fatalities,
                    t.civilian_targeting,
                ));
        }
        if groups.is_empty() {
            return None;
        }
        let groups: Vec<PendingGroup<'_>> = groups
            .into_iter()
            .map(|((d, o), cells)| (d.into(), o.into(), cells))
            .collect();
        Some(serde_json::to_string(&groups).expect("plain values encode"))
    }

    /// Adds changes that [`Changes::encode`] wrote.
    pub fn add_encoded(&mut self, cells: &str) -> Result<()> {
        let groups: Vec<PendingGroup<'_>> = serde_json::from_str(cells)
            .map_err(|e| corrupt(format!("pending roll-up changes: {e}")))?;
        for (dataset, owner, cells) in groups {
            for (country, admin1, day, violence_type, events, fatalities, civilians, targeting) in
                cells
            {
                let tally = Tally {
                    week: period::week_of_day(day),
                    month: period::month_index(period::day_date(day)),
                    events,
                    fatalities,
                    civilian_fatalities: civilians,
                    civilian_targeting: targeting,
                };
                let cell = Cell {
                    country: country.into_owned(),
                    dataset: dataset.to_string(),
                    owner: owner.to_string(),
                    admin1: admin1.into_owned(),
                    day,
                    violence_type: violence_type.into_owned(),
                };
                self.add(cell, tally, 1);
            }
        }
        Ok(())
    }

    /// Writes the changes inside the caller's transaction: cells are created or adjusted in
    /// place, and a cell left with no event is removed.
    pub async fn apply(self, tx: &mut dyn Tx, dialect: Dialect) -> Result<()> {
        let mut changes: Vec<(Cell, Tally)> =
            self.0.into_iter().filter(|(_, t)| !t.is_zero()).collect();
        // Key order: the upserts then walk the roll-up's pages in order.
        changes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let emptied: Vec<Cell> = changes
            .iter()
            .filter(|(_, t)| t.events < 0)
            .map(|(c, _)| c.clone())
            .collect();
        let width = 12;
        for chunk in changes.chunks(ROWS_PER_INSERT) {
            let tuples: Vec<String> = (0..chunk.len())
                .map(|i| format!("({})", marks(dialect, i * width + 1, width)))
                .collect();
            let mut args: Vec<SqlValue> = Vec::with_capacity(chunk.len() * width);
            for (c, t) in chunk {
                args.extend([
                    c.country.as_str().into(),
                    c.dataset.as_str().into(),
                    c.owner.as_str().into(),
                    c.admin1.as_str().into(),
                    c.day.into(),
                    c.violence_type.as_str().into(),
                    t.week.into(),
                    t.month.into(),
                    t.events.into(),
                    t.fatalities.into(),
                    t.civilian_fatalities.into(),
                    t.civilian_targeting.into(),
                ]);
            }
            tx.execute(
                &format!(
                    "INSERT INTO event_rollup ({COLUMNS}) VALUES {} ON CONFLICT ({KEY}) DO UPDATE SET events = event_rollup.events + excluded.events, fatalities = event_rollup.fatalities + excluded.fatalities, civilian_fatalities = event_rollup.civilian_fatalities + excluded.civilian_fatalities, civilian_targeting = event_rollup.civilian_targeting + excluded.civilian_targeting",
                    tuples.join(", ")
                ),
                args,
            )
            .await?;
        }
        for c in emptied {
            tx.execute(
                "DELETE FROM event_rollup WHERE country = $1 AND dataset = $2 AND owner = $3 AND admin1 = $4 AND day = $5 AND violence_type = $6 AND events <= 0",
                vec![
                    c.country.into(),
                    c.dataset.into(),
                    c.owner.into(),
                    c.admin1.into(),
                    c.day.into(),
                    c.violence_type.into(),
                ],
            )
            .await?;
        }
        Ok(())
    }
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table: "event_rollup",
        detail: detail.into(),
    }
}

fn violence(v: Option<String>) -> Result<Option<ViolenceType>> {
    match v.filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => Ok(Some(
            ViolenceType::parse(&v).ok_or_else(|| corrupt(format!("violence {v}")))?,
        )),
    }
}

pub async fn counts<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    q: &CountQuery,
) -> Result<Vec<EventCount>> {
    settle(store).await?;
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
        Level::Country => ("'' AS admin1", ""),
        Level::Admin1 => ("admin1", ", admin1"),
    };
    let bucket = match q.period {
        Period::Week => "week",
        Period::Month => "month",
    };
    let sql = format!(
        "SELECT country, {region}, {bucket} AS bucket, violence_type, CAST(SUM(events) AS BIGINT) AS events, CAST(SUM(fatalities) AS BIGINT) AS fatalities, CAST(SUM(civilian_fatalities) AS BIGINT) AS civilian_fatalities, CAST(SUM(civilian_targeting) AS BIGINT) AS civilian_targeting FROM event_rollup WHERE {} GROUP BY country{region_group}, {bucket}, violence_type",
        conds.join(" AND ")
    );
    let rows = store.engine.fetch(&sql, args.0).await?;
    let mut out: Vec<EventCount> = rows
        .iter()
        .map(|r| {
            Ok(EventCount {
                country: Country::parse(&r.text("country")?).map_err(|e| corrupt(e.to_string()))?,
                admin1: r.opt_text("admin1")?.filter(|a| !a.is_empty()),
                period: r.int("bucket")?,
                violence_type: violence(r.opt_text("violence_type")?)?,
                events: r.int("events")? as u64,
                fatalities: r.opt_int("fatalities")?.unwrap_or(0) as u64,
                civilian_fatalities: r.opt_int("civilian_fatalities")?.unwrap_or(0) as u64,
                civilian_targeting: r.opt_int("civilian_targeting")?.unwrap_or(0) as u64,
            })
        })
        .collect::<Result<_>>()?;
    out.retain(|c| c.events > 0);
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

fn cells(rows: &[SqlRow]) -> Result<BTreeMap<Cell, Tally>> {
    rows.iter()
        .map(|r| {
            Ok((
                Cell {
                    country: r.text("country")?,
                    dataset: r.text("dataset")?,
                    owner: r.text("owner")?,
                    admin1: r.text("admin1")?,
                    day: r.int("day")?,
                    violence_type: r.text("violence_type")?,
                },
                Tally {
                    week: r.int("week")?,
                    month: r.int("month")?,
                    events: r.int("events")?,
                    fatalities: r.opt_int("fatalities")?.unwrap_or(0),
                    civilian_fatalities: r.opt_int("civilian_fatalities")?.unwrap_or(0),
                    civilian_targeting: r.opt_int("civilian_targeting")?.unwrap_or(0),
                },
            ))
        })
        .collect()
}

fn describe(t: Option<&Tally>) -> String {
    match t {
        None => "nothing".into(),
        Some(t) => format!(
            "{} events, {} deaths ({} civilian), {} targeting civilians, week {}, month {}",
            t.events, t.fatalities, t.civilian_fatalities, t.civilian_targeting, t.week, t.month
        ),
    }
}

/// Days recounted per query at first; widened while windows hold few cells and events, narrowed
/// when they hold many, so that one window's cells (both sides) and the events the database
/// sorts to count them stay within a few thousand and tens of thousands whatever the number of
/// events.
const FIRST_WINDOW_DAYS: i64 = 32;
const FEW_CELLS: usize = 500;
const MANY_CELLS: usize = 5_000;
const MANY_EVENTS: i64 = 50_000;
const WIDEST_WINDOW_DAYS: i64 = 1 << 16;

/// Recounts the events country by country and window of days by window of days (the events'
/// (country, day) index finds each window), and compares each window with the roll-up's cells
/// of the same window; names the first cell that differs (countries in order, then days, then
/// key order within a window), or `None` when they agree. Memory holds one window's cells.
pub async fn first_mismatch<E: Engine>(
    store: &SqlStore<E>,
    progress: &(dyn Fn(kinga_store::VerifyProgress) + Send + Sync),
) -> Result<Option<String>> {
    // Changes an import committed and has not added yet count as added: verification only
    // reads. They exist only while an import runs or after one was stopped before its end, and
    // are summed here as they always were.
    let mut pending = Changes::default();
    let mut after = String::new();
    loop {
        let rows = store
            .engine
            .fetch(
                &format!("SELECT batch_id, cells FROM event_rollup_pending WHERE batch_id > $1 ORDER BY batch_id LIMIT {PENDING_PER_TAKE}"),
                vec![after.clone().into()],
            )
            .await?;
        for r in &rows {
            if let Err(e) = pending.add_encoded(&r.text("cells")?) {
                return Ok(Some(format!(
                    "event roll-up: the pending changes of batch {} cannot be read ({e})",
                    r.text("batch_id")?
                )));
            }
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PENDING_PER_TAKE => after = last.text("batch_id")?,
            _ => break,
        }
    }
    let mut countries: std::collections::BTreeSet<String> =
        pending.0.keys().map(|c| c.country.clone()).collect();
    for table in ["event_rollup", "events"] {
        for r in store
            .engine
            .fetch(&format!("SELECT DISTINCT country FROM {table}"), vec![])
            .await?
        {
            countries.insert(r.text("country")?);
        }
    }
    let mut days = 0u64;
    for country in countries {
        let mut span: Option<(i64, i64)> = None;
        let mut widen = |lo: i64, hi: i64| {
            span = Some(match span {
                None => (lo, hi),
                Some((a, b)) => (a.min(lo), b.max(hi)),
            });
        };
        for table in ["event_rollup", "events"] {
            let rows = store
                .engine
                .fetch(
                    &format!("SELECT MIN(day) AS first_day, MAX(day) AS last_day FROM {table} WHERE country = $1"),
                    vec![country.as_str().into()],
                )
                .await?;
            if let Some(r) = rows.first() {
                if let (Some(lo), Some(hi)) = (r.opt_int("first_day")?, r.opt_int("last_day")?) {
                    widen(lo, hi);
                }
            }
        }
        for c in pending.0.keys().filter(|c| c.country == country) {
            widen(c.day, c.day);
        }
        let Some((first, last)) = span else { continue };
        let mut from = first;
        let mut width = FIRST_WINDOW_DAYS;
        while from <= last {
            let to = from.saturating_add(width - 1).min(last);
            let (found, cells_held, events) =
                window_mismatch(store, &pending, &country, from, to).await?;
            if found.is_some() {
                return Ok(found);
            }
            days += (to - from + 1) as u64;
            progress(kinga_store::VerifyProgress::RollUp { days });
            if cells_held > MANY_CELLS || events > MANY_EVENTS {
                width = (width / 2).max(1);
            } else if cells_held < FEW_CELLS && events < MANY_EVENTS / 4 {
                width = (width * 2).min(WIDEST_WINDOW_DAYS);
            }
            from = to + 1;
        }
    }
    Ok(None)
}

/// Compares one country's roll-up with a recount of its events from day `from` to day `to`;
/// returns the first difference, how many cells the window held and how many events it
/// counted.
async fn window_mismatch<E: Engine>(
    store: &SqlStore<E>,
    pending: &Changes,
    country: &str,
    from: i64,
    to: i64,
) -> Result<(Option<String>, usize, i64)> {
    let args = || -> Vec<SqlValue> { vec![country.into(), from.into(), to.into()] };
    let mut sum = Changes::default();
    for (cell, tally) in cells(
        &store
            .engine
            .fetch(
                &format!(
                    "SELECT {COLUMNS} FROM event_rollup WHERE country = $1 AND day >= $2 AND day <= $3"
                ),
                args(),
            )
            .await?,
    )? {
        sum.add(cell, tally, 1);
    }
    for (cell, tally) in pending
        .0
        .iter()
        .filter(|(c, _)| c.country == country && c.day >= from && c.day <= to)
    {
        sum.add(cell.clone(), *tally, 1);
    }
    let stored: BTreeMap<Cell, Tally> = sum.0.into_iter().filter(|(_, t)| !t.is_zero()).collect();
    let recount = cells(
        &store
            .engine
            .fetch(
                "SELECT country, dataset, owner, COALESCE(admin1, '') AS admin1, day, COALESCE(violence_type, '') AS violence_type, MIN(week) AS week, MIN(month) AS month, COUNT(*) AS events, CAST(SUM(COALESCE(fatalities_best, 0)) AS BIGINT) AS fatalities, CAST(SUM(COALESCE(fatalities_civilians, 0)) AS BIGINT) AS civilian_fatalities, CAST(SUM(civilian_targeting) AS BIGINT) AS civilian_targeting FROM events WHERE country = $1 AND day >= $2 AND day <= $3 GROUP BY country, dataset, owner, COALESCE(admin1, ''), day, COALESCE(violence_type, '')",
                args(),
            )
            .await?,
    )?;
    let held = stored.len().max(recount.len());
    let events = recount.values().map(|t| t.events).sum();
    let mut keys: Vec<&Cell> = stored.keys().chain(recount.keys()).collect();
    keys.sort();
    keys.dedup();
    for k in keys {
        let (s, r) = (stored.get(k), recount.get(k));
        if s != r {
            return Ok((Some(describe_mismatch(k, s, r)), held, events));
        }
    }
    Ok((None, held, events))
}

fn describe_mismatch(k: &Cell, s: Option<&Tally>, r: Option<&Tally>) -> String {
    let region = if k.admin1.is_empty() {
        format!("{} (admin1 unknown)", k.country)
    } else {
        format!("{} / {}", k.country, k.admin1)
    };
    let owner = if k.owner.is_empty() {
        String::new()
    } else {
        format!(", organisation {}", k.owner)
    };
    let violence = if k.violence_type.is_empty() {
        "no violence type"
    } else {
        k.violence_type.as_str()
    };
    format!(
        "event roll-up: {region} on {} ({}{owner}, {violence}) holds {}, but the events recount to {}",
        period::day_date(k.day),
        k.dataset,
        describe(s),
        describe(r)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(dataset: &str, owner: &str, admin1: &str, day: i64) -> Cell {
        Cell {
            country: "CAF".into(),
            dataset: dataset.into(),
            owner: owner.into(),
            admin1: admin1.into(),
            day,
            violence_type: "one_sided".into(),
        }
    }

    fn tally(day: i64, events: i64, fatalities: i64) -> Tally {
        Tally {
            week: period::week_of_day(day),
            month: period::month_index(period::day_date(day)),
            events,
            fatalities,
            civilian_fatalities: fatalities / 2,
            civilian_targeting: events,
        }
    }

    #[test]
    fn pending_changes_read_back_as_written_without_the_cells_that_cancel_out() {
        let mut changes = Changes::default();
        // Names as they come: a quote, non-ASCII letters, an unknown admin1.
        changes.add(
            cell("ucdp-ged", "", "Haute-Kotto \"north\"", 16_000),
            tally(16_000, 3, 40),
            1,
        );
        changes.add(
            cell("ucdp-ged", "", "Mbomou", 16_001),
            tally(16_001, 1, 2),
            -1,
        );
        changes.add(
            cell("acled", "org-1", "Bangui é", 16_002),
            tally(16_002, 2, 5),
            1,
        );
        changes.add(cell("acled", "org-1", "", 16_003), tally(16_003, 1, 1), 1);
        changes.add(cell("acled", "org-1", "", 16_003), tally(16_003, 1, 1), -1);

        let mut read = Changes::default();
        read.add_encoded(&changes.encode().expect("changes to write"))
            .unwrap();
        changes.0.retain(|_, t| !t.is_zero());
        assert_eq!(read.0, changes.0);

        assert_eq!(
            Changes::default().encode(),
            None,
            "nothing to leave pending"
        );
        assert!(
            read.add_encoded("[[\"acled\"]]").is_err(),
            "a damaged row is named"
        );
    }
}

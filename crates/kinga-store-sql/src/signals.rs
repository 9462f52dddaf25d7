//! Escalation signals in SQL. A run and all its signals are written in one transaction; the audit
//! entry of a run carries a digest over the run and every one of its signals, so verification
//! notices a signal edited, added or removed behind the log's back.
use crate::audited::Audited;
use crate::change::Change;
use crate::records::{date, timestamp};
use crate::value::Args;
use crate::{Chain, Engine, SqlRow, SqlStore, SqlValue, Tx};
use chrono::{DateTime, Utc};
use kinga_domain::audit::digest;
use kinga_domain::event::{new_batch_id, Level};
use kinga_domain::period::{day_index, Period};
use kinga_domain::Country;
use kinga_store::{Actor, Page, Result, Scope, StoreError};
use kinga_store::{NewSignalRun, Signal, SignalFilter, SignalRun};
use serde::Serialize;

const RUN_COLUMNS: &str = "id, level, period, measure, dataset, first_bucket, last_bucket, settings, signal_count, ran_at, actor, owner";

const SIGNAL_COLUMNS: &str = "id, run_id, level, period, country, admin1, bucket, period_start, measure, method, observed, expected, score, threshold";

const SIGNAL_WRITE: &[&str] = &[
    "country",
    "id",
    "run_id",
    "owner",
    "level",
    "period",
    "admin1",
    "bucket",
    "period_start",
    "day",
    "measure",
    "method",
    "observed",
    "expected",
    "score",
    "threshold",
];

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table: "signals",
        detail: detail.into(),
    }
}

fn level(s: &str) -> Result<Level> {
    Level::parse(s).ok_or_else(|| corrupt(format!("level {s}")))
}

fn period(s: &str) -> Result<Period> {
    Period::parse(s).ok_or_else(|| corrupt(format!("period {s}")))
}

fn run(r: &SqlRow) -> Result<(SignalRun, String)> {
    let p = period(&r.text("period")?)?;
    let ran_at = DateTime::parse_from_rfc3339(&r.text("ran_at")?)
        .map_err(|e| corrupt(format!("ran_at: {e}")))?
        .with_timezone(&Utc);
    let count = u64::try_from(r.int("signal_count")?).map_err(|_| corrupt("signal_count"))?;
    Ok((
        SignalRun {
            id: r.text("id")?,
            level: level(&r.text("level")?)?,
            period: p,
            measure: r.text("measure")?,
            dataset: r.opt_text("dataset")?,
            first_period: p.start(r.int("first_bucket")?),
            last_period: p.start(r.int("last_bucket")?),
            settings: r.text("settings")?,
            signal_count: count,
            ran_at,
            actor: r.text("actor")?,
            replaced: None,
        },
        r.text("owner")?,
    ))
}

fn signal(r: &SqlRow) -> Result<Signal> {
    let p = period(&r.text("period")?)?;
    let bucket = r.int("bucket")?;
    let start = r.text("period_start")?;
    let period_start = chrono::NaiveDate::parse_from_str(&start, "%Y-%m-%d")
        .map_err(|_| corrupt(format!("period_start {start}")))?;
    Ok(Signal {
        id: r.text("id")?,
        run_id: r.text("run_id")?,
        level: level(&r.text("level")?)?,
        period: p,
        country: Country::parse(&r.text("country")?).map_err(|e| corrupt(e.to_string()))?,
        admin1: r.opt_text("admin1")?,
        bucket,
        period_start,
        measure: r.text("measure")?,
        method: r.text("method")?,
        observed: r.opt_real("observed")?.unwrap_or_default(),
        expected: r.opt_real("expected")?.unwrap_or_default(),
        score: r.opt_real("score")?.unwrap_or_default(),
        threshold: r.opt_real("threshold")?.unwrap_or_default(),
    })
}

/// What a run's audit entry vouches for: the run, who owns it, and its signals in id order.
#[derive(Serialize)]
struct RunRecord<'a> {
    run: &'a SignalRun,
    owner: &'a str,
    signals: &'a [Signal],
}

fn run_digest(run: &SignalRun, owner: &str, signals: &mut [Signal]) -> String {
    signals.sort_by(|a, b| a.id.cmp(&b.id));
    let mut run = run.clone();
    run.replaced = None;
    digest(&RunRecord {
        run: &run,
        owner,
        signals,
    })
}

async fn run_signals(tx: &mut dyn Tx, run_id: &str) -> Result<Vec<Signal>> {
    let rows = tx
        .fetch(
            &format!("SELECT {SIGNAL_COLUMNS} FROM signals WHERE run_id = $1"),
            vec![run_id.into()],
        )
        .await?;
    rows.iter().map(signal).collect()
}

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

pub async fn replace<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: NewSignalRun,
) -> Result<SignalRun> {
    if new.last_bucket < new.first_bucket {
        return Err(StoreError::Rule(
            "a detect run must cover at least one period".into(),
        ));
    }
    let actor = actor.clone();
    store
        .write(move |tx, chain| Box::pin(async move { replace_in(tx, chain, &actor, new).await }))
        .await
}

async fn replace_in(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    new: NewSignalRun,
) -> Result<SignalRun> {
    let owner = new.owner.map(|o| o.to_string()).unwrap_or_default();
    let run_id = new_batch_id();
    let old = tx
        .fetch(
            &format!("SELECT {RUN_COLUMNS} FROM signal_runs WHERE owner = $1 AND level = $2 AND period = $3"),
            vec![
                owner.clone().into(),
                new.level.as_str().into(),
                new.period.as_str().into(),
            ],
        )
        .await?;
    let mut replaced = 0u64;
    for row in &old {
        let (old_run, old_owner) = run(row)?;
        let mut old_signals = run_signals(tx, &old_run.id).await?;
        let before = run_digest(&old_run, &old_owner, &mut old_signals);
        tx.execute(
            "DELETE FROM signals WHERE run_id = $1",
            vec![old_run.id.clone().into()],
        )
        .await?;
        tx.execute(
            "DELETE FROM signal_runs WHERE id = $1",
            vec![old_run.id.clone().into()],
        )
        .await?;
        replaced += old_signals.len() as u64;
        chain
            .record(
                tx,
                actor,
                Change::of(&old_run, "replace")
                    .before(before)
                    .explained(format!(
                        "{} {} signals ({}) replaced by run {run_id}",
                        old_run.level.as_str(),
                        old_run.period.as_str(),
                        old_signals.len()
                    )),
            )
            .await?;
    }

    let ran_at = kinga_domain::time::now();
    let run = SignalRun {
        id: run_id.clone(),
        level: new.level,
        period: new.period,
        measure: new.measure.clone(),
        dataset: new.dataset.clone(),
        first_period: new.period.start(new.first_bucket),
        last_period: new.period.start(new.last_bucket),
        settings: new.settings.clone(),
        signal_count: new.signals.len() as u64,
        ran_at,
        actor: actor.label.clone(),
        replaced: None,
    };
    tx.execute(
        &format!(
            "INSERT INTO signal_runs ({RUN_COLUMNS}) VALUES ({})",
            crate::marks::placeholders(1, 12)
        ),
        vec![
            run.id.clone().into(),
            run.level.as_str().into(),
            run.period.as_str().into(),
            run.measure.clone().into(),
            run.dataset.clone().into(),
            new.first_bucket.into(),
            new.last_bucket.into(),
            run.settings.clone().into(),
            (run.signal_count as i64).into(),
            timestamp(&ran_at).into(),
            run.actor.clone().into(),
            owner.clone().into(),
        ],
    )
    .await?;
    let mut stored: Vec<Signal> = Vec::with_capacity(new.signals.len());
    let mut rows: Vec<Vec<SqlValue>> = Vec::with_capacity(new.signals.len());
    for s in new.signals {
        let start = new.period.start(s.bucket);
        let signal = Signal {
            id: new_batch_id(),
            run_id: run_id.clone(),
            level: new.level,
            period: new.period,
            country: s.country,
            admin1: s.admin1,
            bucket: s.bucket,
            period_start: start,
            measure: s.measure,
            method: s.method,
            observed: s.observed,
            expected: s.expected,
            score: s.score,
            threshold: s.threshold,
        };
        rows.push(vec![
            signal.country.code().into(),
            signal.id.clone().into(),
            run_id.clone().into(),
            owner.clone().into(),
            new.level.as_str().into(),
            new.period.as_str().into(),
            signal.admin1.clone().into(),
            signal.bucket.into(),
            date(&start).into(),
            day_index(start).into(),
            signal.measure.clone().into(),
            signal.method.clone().into(),
            signal.observed.into(),
            signal.expected.into(),
            signal.score.into(),
            signal.threshold.into(),
        ]);
        stored.push(signal);
    }
    tx.copy_in("signals", SIGNAL_WRITE, rows).await?;
    let after = run_digest(&run, &owner, &mut stored);
    chain
        .record(
            tx,
            actor,
            Change::on::<SignalRun>(run_id.clone(), "detect")
                .after(after)
                .explained(format!(
                    "{} {} {}: {} signals",
                    run.level.as_str(),
                    run.period.as_str(),
                    run.measure,
                    run.signal_count
                )),
        )
        .await?;
    Ok(SignalRun {
        replaced: Some(replaced),
        ..run
    })
}

pub async fn list<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    filter: &SignalFilter,
) -> Result<Page<Signal>> {
    let mut args = Args::new();
    let mut conditions = vec![visible(scope, &mut args)];
    if let Some(l) = filter.level {
        conditions.push(format!("level = {}", args.push(l.as_str())));
    }
    if let Some(p) = filter.period {
        conditions.push(format!("period = {}", args.push(p.as_str())));
    }
    if let Some(c) = filter.country {
        conditions.push(format!("country = {}", args.push(c.code())));
        if let Some(a) = &filter.admin1 {
            conditions.push(format!("admin1 = {}", args.push(a.as_str())));
        }
    }
    if let Some(from) = filter.from {
        conditions.push(format!("day >= {}", args.push(day_index(from))));
    }
    if let Some(to) = filter.to {
        conditions.push(format!("day <= {}", args.push(day_index(to))));
    }
    if let Some(m) = &filter.method {
        conditions.push(format!("method = {}", args.push(m.as_str())));
    }
    let condition = conditions.join(" AND ");
    let total_rows = store
        .engine
        .fetch(
            &format!("SELECT COUNT(*) AS total FROM signals WHERE {condition}"),
            args.0.clone(),
        )
        .await?;
    let total = total_rows
        .first()
        .map(|r| r.int("total"))
        .transpose()?
        .unwrap_or(0);
    let limit = args.push(i64::from(filter.limit.clamp(1, 10_000)));
    let offset = args.push(i64::from(filter.offset));
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {SIGNAL_COLUMNS} FROM signals WHERE {condition} ORDER BY day DESC, score DESC, country, admin1, method LIMIT {limit} OFFSET {offset}"
            ),
            args.0,
        )
        .await?;
    Ok(Page {
        total: u64::try_from(total).unwrap_or(0),
        items: rows.iter().map(signal).collect::<Result<_>>()?,
    })
}

pub async fn one<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    id: &str,
) -> Result<Option<Signal>> {
    let mut args = Args::new();
    let condition = visible(scope, &mut args);
    let p = args.push(id);
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {SIGNAL_COLUMNS} FROM signals WHERE {condition} AND id = {p}"),
            args.0,
        )
        .await?;
    rows.first().map(signal).transpose()
}

pub async fn runs<E: Engine>(store: &SqlStore<E>, scope: &Scope) -> Result<Vec<SignalRun>> {
    let mut args = Args::new();
    let condition = visible(scope, &mut args);
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT {RUN_COLUMNS} FROM signal_runs WHERE {condition} ORDER BY level, period, owner"
            ),
            args.0,
        )
        .await?;
    rows.iter().map(|r| run(r).map(|(run, _)| run)).collect()
}

/// Each live run with the digest of what is stored for it now, for verification.
pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    let orphans = store
        .engine
        .fetch(
            "SELECT COUNT(*) AS orphans FROM signals WHERE run_id NOT IN (SELECT id FROM signal_runs)",
            vec![],
        )
        .await?;
    let orphans = orphans
        .first()
        .map(|r| r.int("orphans"))
        .transpose()?
        .unwrap_or(0);
    if orphans > 0 {
        return Err(corrupt(format!(
            "{orphans} signals belong to no detect run"
        )));
    }
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {RUN_COLUMNS} FROM signal_runs ORDER BY id"),
            vec![],
        )
        .await?;
    for r in &rows {
        let (run, owner) = run(r)?;
        let signal_rows = store
            .engine
            .fetch(
                &format!("SELECT {SIGNAL_COLUMNS} FROM signals WHERE run_id = $1"),
                vec![run.id.clone().into()],
            )
            .await?;
        let mut signals: Vec<Signal> = signal_rows.iter().map(signal).collect::<Result<_>>()?;
        let d = run_digest(&run, &owner, &mut signals);
        records
            .record(store, SignalRun::ENTITY, run.id.clone(), d)
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl<E: Engine> kinga_store::SignalStore for SqlStore<E> {
    async fn replace_signals(&self, actor: &Actor, run: NewSignalRun) -> Result<SignalRun> {
        replace(self, actor, run).await
    }
    async fn signals(&self, scope: &Scope, filter: &SignalFilter) -> Result<Page<Signal>> {
        list(self, scope, filter).await
    }
    async fn signal(&self, scope: &Scope, id: &str) -> Result<Option<Signal>> {
        one(self, scope, id).await
    }
    async fn signal_runs(&self, scope: &Scope) -> Result<Vec<SignalRun>> {
        runs(self, scope).await
    }
}

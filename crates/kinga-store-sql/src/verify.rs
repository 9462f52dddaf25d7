use crate::audited::{ApiToken, Audited, EventBatch};
use crate::chain::ENTRY_COLUMNS;
use crate::marks::marks;
use crate::records::{
    self, ACT_COLUMNS, CITATION_COLUMNS, INVOLVEMENT_COLUMNS, PARTY_COLUMNS, SOURCE_COLUMNS,
    USER_COLUMNS,
};
use crate::{Engine, SqlRow, SqlStore};
use kinga_domain::alert::{Alert, ResponseAction};
use kinga_domain::audit::{
    digest, AuditEntry, ChainBreak, ChainVerifier, LastEntry, RecordChecker,
};
use kinga_domain::evidence::{CustodyEvent, EvidenceItem, OrgKeySet, SealedField, WorkingCopy};
use kinga_domain::incident::Incident;
use kinga_domain::org::Organisation;
use kinga_domain::party::{Act, Involvement, Party};
use kinga_domain::report::Report;
use kinga_domain::risk::{
    Assessment, EvidenceLink, Forecast, IndicatorScore, RiskClassRecord, SignOff,
};
use kinga_domain::source::{Citation, Source};
use kinga_domain::user::User;
use kinga_store::Result;
use kinga_store::{Checkpoint, EditLock, EventCitation, Session, SignalRun};
use kinga_store::{VerifyOutcome, VerifyProgress};
use std::collections::{BTreeMap, HashMap};

const PAGE: i64 = 5000;

/// Ids per lookup of last entries: under the bound on parameters of every SQLite build.
const IDS_PER_LOOKUP: usize = 900;

/// Every audited kind of record, the table that holds it and the column its audit entries name
/// it by: a record the chain says exists is looked for there. A kind missing from this list is
/// reported as missing whenever its last entry has a digest, so a new kind cannot pass unseen.
const HOLDERS: &[(&str, &str, &str)] = &[
    holder::<Organisation>("organisations", "id"),
    holder::<User>("users", "id"),
    holder::<ApiToken<'_>>("api_tokens", "token_hash"),
    holder::<Session>("sessions", "id_hash"),
    holder::<EditLock>("incident_locks", "incident_id"),
    holder::<Report>("reports", "id"),
    holder::<Incident>("incidents", "id"),
    holder::<Act>("acts", "id"),
    holder::<Party>("parties", "id"),
    holder::<Involvement>("involvements", "id"),
    holder::<Source>("sources", "id"),
    holder::<Citation>("citations", "id"),
    holder::<EventBatch<'_>>("events", "batch_id"),
    holder::<OrgKeySet>("org_keys", "id"),
    holder::<EvidenceItem>("evidence_items", "id"),
    holder::<WorkingCopy>("evidence_copies", "id"),
    holder::<SealedField>("sealed_fields", "id"),
    holder::<CustodyEvent>("custody_events", "id"),
    holder::<Assessment>("risk_assessments", "id"),
    holder::<IndicatorScore>("risk_indicator_scores", "id"),
    holder::<EvidenceLink>("risk_evidence_links", "id"),
    holder::<SignOff>("risk_signoffs", "id"),
    holder::<Forecast>("risk_forecasts", "id"),
    holder::<RiskClassRecord>("risk_classes", "id"),
    holder::<SignalRun>("signal_runs", "id"),
    holder::<Checkpoint>("audit_checkpoints", "id"),
    holder::<EventCitation>("incident_events", "id"),
    holder::<Alert>("alerts", "id"),
    holder::<ResponseAction>("responses", "id"),
];

const fn holder<K: Audited + ?Sized>(
    table: &'static str,
    column: &'static str,
) -> (&'static str, &'static str, &'static str) {
    (K::ENTITY, table, column)
}

/// Stored records on their way to the check against the chain, one page at a time: the page's
/// ids are looked up in the audit log when it is full, so memory holds one page whatever the
/// number of records.
pub struct Records<'p> {
    checker: RecordChecker,
    /// The last entry the chain pass verified: later entries (a write made meanwhile) are not
    /// trusted.
    head: i64,
    progress: &'p (dyn Fn(VerifyProgress) + Send + Sync),
}

impl Records<'_> {
    /// True once a record did not match: the rest need not be read.
    pub fn broken(&self) -> bool {
        self.checker.first_break().is_some()
    }

    /// Adds one record; checks the page when it is full.
    pub async fn record<E: Engine>(
        &mut self,
        store: &SqlStore<E>,
        entity: &'static str,
        id: String,
        digest: String,
    ) -> Result<()> {
        if self.checker.add(entity, id, digest) {
            self.check(store).await?;
        } else {
            // Records that take long to digest (an event batch) move the count one by one.
            (self.progress)(VerifyProgress::Records {
                done: self.checker.records + self.checker.held() as u64,
            });
        }
        Ok(())
    }

    /// Looks up the last entry of every id on the page, and checks the page against them.
    pub async fn check<E: Engine>(&mut self, store: &SqlStore<E>) -> Result<()> {
        if self.checker.held() == 0 {
            return Ok(());
        }
        let mut by_entity: BTreeMap<&'static str, Vec<&str>> = BTreeMap::new();
        for r in self.checker.page() {
            by_entity
                .entry(r.entity)
                .or_default()
                .push(r.entity_id.as_str());
        }
        let dialect = store.engine.dialect();
        let mut last: HashMap<(&'static str, String), LastEntry> = HashMap::new();
        for (entity, ids) in by_entity {
            for chunk in ids.chunks(IDS_PER_LOOKUP) {
                // The ids come first: SQLite's marks are anonymous and bind in order.
                let mut args: Vec<crate::SqlValue> = chunk.iter().map(|id| (*id).into()).collect();
                args.extend([entity.into(), self.head.into()]);
                let (e, h) = (chunk.len() + 1, chunk.len() + 2);
                // The entity_id index finds each id's entries; the last one is the one no later
                // verified entry follows.
                let rows = store
                    .engine
                    .fetch(
                        &format!(
                            "SELECT a.entity_id, a.seq, a.after_digest FROM audit_log a WHERE a.entity_id IN ({}) AND a.entity = ${e} AND a.seq <= ${h} AND NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.entity_id = a.entity_id AND b.entity = a.entity AND b.seq > a.seq AND b.seq <= ${h})",
                            marks(dialect, 1, chunk.len())
                        ),
                        args,
                    )
                    .await?;
                for r in &rows {
                    last.insert(
                        (entity, r.text("entity_id")?),
                        LastEntry {
                            seq: r.int("seq")?,
                            after_digest: r.opt_text("after_digest")?,
                        },
                    );
                }
            }
        }
        self.checker.check_page(&last);
        (self.progress)(VerifyProgress::Records {
            done: self.checker.records,
        });
        Ok(())
    }
}

/// Reads a whole table in key order, a page at a time, and checks each page's records against
/// the chain before the next is read. `each` names a row's record and its digest. The first
/// column of `columns` must be the table's `id`.
pub async fn scan<E: Engine>(
    store: &SqlStore<E>,
    table: &str,
    columns: &str,
    records: &mut Records<'_>,
    each: impl FnMut(&SqlRow) -> Result<(&'static str, String, String)>,
) -> Result<()> {
    scan_by(store, table, "id", columns, records, each).await
}

/// [`scan`] of a table keyed by `key`, which must be the first of `columns`.
pub async fn scan_by<E: Engine>(
    store: &SqlStore<E>,
    table: &str,
    key: &str,
    columns: &str,
    records: &mut Records<'_>,
    mut each: impl FnMut(&SqlRow) -> Result<(&'static str, String, String)>,
) -> Result<()> {
    let mut after = String::new();
    while !records.broken() {
        let rows = store
            .engine
            .fetch(
                &format!("SELECT {columns} FROM {table} WHERE {key} > $1 ORDER BY {key} LIMIT $2"),
                vec![after.clone().into(), PAGE.into()],
            )
            .await?;
        for r in &rows {
            let (entity, id, d) = each(r)?;
            if records.checker.add(entity, id, d) {
                records.check(store).await?;
            }
        }
        records.check(store).await?;
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after = last.text(key)?,
            _ => break,
        }
    }
    Ok(())
}

/// A record's history: the entries of its changes. An incident's edit locks share its id but
/// change nothing in it, so they are left out.
pub async fn trail<E: Engine>(store: &SqlStore<E>, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE entity_id = $1 AND entity <> $2 ORDER BY seq"),
            vec![entity_id.into(), EditLock::ENTITY.into()],
        )
        .await?;
    rows.iter().map(records::audit_entry).collect()
}

fn outcome(v: &ChainVerifier, records: u64, brk: Option<ChainBreak>) -> VerifyOutcome {
    VerifyOutcome {
        entries: v.entries,
        records,
        first_break: brk.map(|b| b.to_string()),
    }
}

/// A stored value that no longer parses was edited by hand: that is a break too, not a failure
/// of the verification itself.
pub async fn verify<E: Engine>(
    store: &SqlStore<E>,
    progress: &(dyn Fn(VerifyProgress) + Send + Sync),
) -> Result<VerifyOutcome> {
    let mut v = ChainVerifier::new();
    let mut records = 0;
    match verify_into(store, &mut v, &mut records, progress).await {
        Err(kinga_store::StoreError::Corrupt { table, detail }) => Ok(VerifyOutcome {
            entries: v.entries,
            records,
            first_break: Some(format!(
                "{table}: a stored value was changed outside Kinga ({detail})"
            )),
        }),
        other => other,
    }
}

/// Three passes, none holding more than a page: the chain, entry by entry; the stored records,
/// each page against the last entries of its ids; then the records the chain names, looked
/// for in their tables by the database itself.
async fn verify_into<E: Engine>(
    store: &SqlStore<E>,
    v: &mut ChainVerifier,
    checked: &mut u64,
    progress: &(dyn Fn(VerifyProgress) + Send + Sync),
) -> Result<VerifyOutcome> {
    let head = store
        .engine
        .fetch("SELECT seq, hash FROM audit_head WHERE id = 1", vec![])
        .await?;
    let stored = head.first().map(|r| (r.int("seq"), r.text("hash")));
    let total = match stored {
        Some((Ok(s), _)) => s.max(0) as u64,
        _ => 0,
    };
    let mut after = 0i64;
    loop {
        let rows = store
            .engine
            .fetch(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2"
                ),
                vec![after.into(), PAGE.into()],
            )
            .await?;
        for r in &rows {
            let e = match records::audit_entry(r) {
                Ok(e) => e,
                Err(err) => {
                    let seq = r.int("seq").unwrap_or(after + 1);
                    let mut o = outcome(v, 0, None);
                    o.first_break = Some(format!("audit entry {seq}: unreadable ({err})"));
                    return Ok(o);
                }
            };
            if let Err(b) = v.push(&e) {
                return Ok(outcome(v, 0, Some(b)));
            }
            after = e.seq;
        }
        progress(VerifyProgress::Entries {
            done: v.entries,
            total: total.max(v.entries),
        });
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    let (seq, hash) = v.head();
    match stored {
        Some((Ok(s), Ok(h))) if s == seq && h == hash => {}
        _ => {
            let mut o = outcome(v, 0, None);
            o.first_break = Some(format!(
                "audit chain ends at entry {seq} but its recorded head says otherwise: entries were removed from the end"
            ));
            return Ok(o);
        }
    }

    // Each stored record must be what its last audit entry says it became.
    let mut r = Records {
        checker: RecordChecker::new(PAGE as usize),
        head: seq,
        progress,
    };
    let result = check_records(store, &mut r).await;
    *checked = r.checker.records;
    result?;
    let mut out = outcome(v, r.checker.records, r.checker.first_break().cloned());
    if out.first_break.is_none() {
        out.first_break = missing(store, seq).await?.map(|b| b.to_string());
    }
    if out.first_break.is_none() {
        out.first_break = crate::evidence::custody_break(store).await?;
    }
    // The region time series is derived from the events, not audited itself: it must equal a
    // recount of them.
    if out.first_break.is_none() {
        out.first_break = crate::event_rollup::first_mismatch(store, progress).await?;
    }
    Ok(out)
}

async fn check_records<E: Engine>(store: &SqlStore<E>, r: &mut Records<'_>) -> Result<()> {
    for org in crate::orgs::all(store).await? {
        r.record(
            store,
            Organisation::ENTITY,
            org.id.to_string(),
            digest(&org),
        )
        .await?;
    }
    scan(store, "users", USER_COLUMNS, r, |row| {
        let (u, c) = records::user(row)?;
        Ok((User::ENTITY, u.id.to_string(), records::user_digest(&u, &c)))
    })
    .await?;
    crate::users::token_rows_digests(store, r).await?;
    crate::users::session_rows_digests(store, r).await?;
    crate::incidents::lock_rows_digests(store, r).await?;
    crate::reports::all_digests(store, r).await?;
    crate::incidents::all_digests(store, r).await?;
    scan(store, "acts", ACT_COLUMNS, r, |row| {
        let a = records::act(row)?;
        Ok((Act::ENTITY, a.id.to_string(), digest(&a)))
    })
    .await?;
    scan(store, "parties", PARTY_COLUMNS, r, |row| {
        let p = records::party(row)?;
        Ok((Party::ENTITY, p.id.to_string(), digest(&p)))
    })
    .await?;
    scan(store, "involvements", INVOLVEMENT_COLUMNS, r, |row| {
        let i = records::involvement(row)?;
        Ok((Involvement::ENTITY, i.id.to_string(), digest(&i)))
    })
    .await?;
    scan(store, "sources", SOURCE_COLUMNS, r, |row| {
        let s = records::source(row)?;
        Ok((Source::ENTITY, s.id.to_string(), digest(&s)))
    })
    .await?;
    scan(store, "citations", CITATION_COLUMNS, r, |row| {
        let c = records::citation(row)?;
        Ok((Citation::ENTITY, c.id.to_string(), digest(&c)))
    })
    .await?;
    crate::events::all_batch_digests(store, r).await?;
    crate::evidence::all_digests(store, r).await?;
    crate::risk::all_digests(store, r).await?;
    crate::signals::all_digests(store, r).await?;
    for c in crate::checkpoints::all(store).await? {
        r.record(store, Checkpoint::ENTITY, c.id.clone(), digest(&c))
            .await?;
    }
    crate::incident_events::all_digests(store, r).await?;
    crate::alerts::all_digests(store, r).await?;
    r.check(store).await
}

/// The earliest record whose last verified entry says it exists but that its table lacks: it
/// was deleted behind the log's back. The database walks the log and probes each table's key,
/// so nothing is remembered here.
async fn missing<E: Engine>(store: &SqlStore<E>, head: i64) -> Result<Option<ChainBreak>> {
    let known: Vec<String> = HOLDERS.iter().map(|(e, _, _)| format!("'{e}'")).collect();
    let absent: Vec<String> = HOLDERS
        .iter()
        .map(|(e, table, key)| {
            format!("(a.entity = '{e}' AND NOT EXISTS (SELECT 1 FROM {table} r WHERE r.{key} = a.entity_id))")
        })
        .collect();
    let rows = store
        .engine
        .fetch(
            &format!(
                "SELECT a.entity, a.entity_id, a.seq FROM audit_log a WHERE a.seq <= $1 AND a.after_digest IS NOT NULL AND NOT EXISTS (SELECT 1 FROM audit_log b WHERE b.entity_id = a.entity_id AND b.entity = a.entity AND b.seq > a.seq AND b.seq <= $1) AND (a.entity NOT IN ({}) OR {}) ORDER BY a.seq LIMIT 1",
                known.join(", "),
                absent.join(" OR ")
            ),
            vec![head.into()],
        )
        .await?;
    rows.first()
        .map(|r| {
            Ok(ChainBreak::Missing {
                entity: r.text("entity")?,
                entity_id: r.text("entity_id")?,
                seq: r.int("seq")?,
            })
        })
        .transpose()
}

use super::chain::ENTRY_COLUMNS;
use super::records::{
    self, ACT_COLUMNS, CITATION_COLUMNS, INVOLVEMENT_COLUMNS, PARTY_COLUMNS, SOURCE_COLUMNS,
    USER_COLUMNS,
};
use super::{Engine, SqlRow, SqlStore};
use crate::store::VerifyOutcome;
use crate::Result;
use kinga_domain::audit::{digest, AuditEntry, ChainBreak, ChainVerifier};

const PAGE: i64 = 5000;

/// Reads a whole table in key order, a page at a time, so verification of a large database
/// runs in bounded memory. The first column of `columns` must be the table's `id`.
pub async fn scan<E: Engine>(
    store: &SqlStore<E>,
    table: &str,
    columns: &str,
    mut each: impl FnMut(&SqlRow) -> Result<()>,
) -> Result<()> {
    let mut after = String::new();
    loop {
        let rows = store
            .engine
            .fetch(
                &format!("SELECT {columns} FROM {table} WHERE id > $1 ORDER BY id LIMIT $2"),
                vec![after.clone().into(), PAGE.into()],
            )
            .await?;
        for r in &rows {
            each(r)?;
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after = last.text(0)?,
            _ => return Ok(()),
        }
    }
}

pub async fn trail<E: Engine>(store: &SqlStore<E>, entity_id: &str) -> Result<Vec<AuditEntry>> {
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {ENTRY_COLUMNS} FROM audit_log WHERE entity_id = $1 ORDER BY seq"),
            vec![entity_id.into()],
        )
        .await?;
    rows.iter().map(records::audit_entry).collect()
}

fn outcome(v: &ChainVerifier, brk: Option<ChainBreak>) -> VerifyOutcome {
    VerifyOutcome {
        entries: v.entries,
        records: v.records,
        first_break: brk.map(|b| b.to_string()),
    }
}

/// A stored value that no longer parses was edited by hand: that is a break too, not a failure
/// of the verification itself.
pub async fn verify<E: Engine>(store: &SqlStore<E>) -> Result<VerifyOutcome> {
    let mut v = ChainVerifier::new();
    match verify_into(store, &mut v).await {
        Err(crate::StoreError::Corrupt { table, detail }) => Ok(VerifyOutcome {
            entries: v.entries,
            records: v.records,
            first_break: Some(format!(
                "{table}: a stored value was changed outside Kinga ({detail})"
            )),
        }),
        other => other,
    }
}

async fn verify_into<E: Engine>(
    store: &SqlStore<E>,
    v: &mut ChainVerifier,
) -> Result<VerifyOutcome> {
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
                    let seq = r.int(0).unwrap_or(after + 1);
                    return Ok(outcome(v, None)).map(|mut o| {
                        o.first_break = Some(format!("audit entry {seq}: unreadable ({err})"));
                        o
                    });
                }
            };
            if let Err(b) = v.push(&e) {
                return Ok(outcome(v, Some(b)));
            }
            after = e.seq;
        }
        if (rows.len() as i64) < PAGE {
            break;
        }
    }
    let head = store
        .engine
        .fetch("SELECT seq, hash FROM audit_head WHERE id = 1", vec![])
        .await?;
    let (seq, hash) = v.head();
    let stored = head.first().map(|r| (r.int(0), r.text(1)));
    match stored {
        Some((Ok(s), Ok(h))) if s == seq && h == hash => {}
        _ => {
            let mut o = outcome(v, None);
            o.first_break = Some(format!(
                "audit chain ends at entry {seq} but its recorded head says otherwise: entries were removed from the end"
            ));
            return Ok(o);
        }
    }

    // Each stored record must be what its last audit entry says it became.
    let mut first: Option<ChainBreak> = None;
    let mut check = |v: &mut ChainVerifier, entity: &str, id: String, d: String| {
        if first.is_none() {
            if let Err(b) = v.check_record(entity, &id, &d) {
                first = Some(b);
            }
        }
    };
    for org in super::orgs::all(store).await? {
        check(v, "organisation", org.id.to_string(), digest(&org));
    }
    let mut collected: Vec<(&'static str, String, String)> = Vec::new();
    scan(store, "users", USER_COLUMNS, |r| {
        let (u, c) = records::user(r)?;
        collected.push(("user", u.id.to_string(), records::user_digest(&u, &c)));
        Ok(())
    })
    .await?;
    for (h, d) in super::users::token_rows_digests(store).await? {
        collected.push(("api_token", h, d));
    }
    for (h, d) in super::users::session_rows_digests(store).await? {
        collected.push(("session", h, d));
    }
    for (e, id, d) in collected.drain(..) {
        check(v, e, id, d);
    }
    super::reports::all_digests(store, |id, d| {
        check(v, "report", id, d);
        Ok(())
    })
    .await?;
    super::incidents::all_digests(store, |id, d| {
        check(v, "incident", id, d);
        Ok(())
    })
    .await?;
    scan(store, "acts", ACT_COLUMNS, |r| {
        let a = records::act(r)?;
        check(v, "act", a.id.to_string(), digest(&a));
        Ok(())
    })
    .await?;
    scan(store, "parties", PARTY_COLUMNS, |r| {
        let p = records::party(r)?;
        check(v, "party", p.id.to_string(), digest(&p));
        Ok(())
    })
    .await?;
    scan(store, "involvements", INVOLVEMENT_COLUMNS, |r| {
        let i = records::involvement(r)?;
        check(v, "involvement", i.id.to_string(), digest(&i));
        Ok(())
    })
    .await?;
    scan(store, "sources", SOURCE_COLUMNS, |r| {
        let s = records::source(r)?;
        check(v, "source", s.id.to_string(), digest(&s));
        Ok(())
    })
    .await?;
    scan(store, "citations", CITATION_COLUMNS, |r| {
        let c = records::citation(r)?;
        check(v, "citation", c.id.to_string(), digest(&c));
        Ok(())
    })
    .await?;
    super::events::all_batch_digests(store, |id, d| {
        check(v, "event_batch", id, d);
        Ok(())
    })
    .await?;
    super::evidence::all_digests(store, |entity, id, d| {
        check(v, entity, id, d);
        Ok(())
    })
    .await?;
    super::risk::all_digests(store, |entity, id, d| {
        check(v, entity, id, d);
        Ok(())
    })
    .await?;
    super::signals::all_digests(store, |id, d| {
        check(v, "signal_run", id, d);
        Ok(())
    })
    .await?;
    super::checkpoints::all_digests(store, |id, d| {
        check(v, "audit_checkpoint", id, d);
        Ok(())
    })
    .await?;
    super::incident_events::all_digests(store, |id, d| {
        check(v, "incident_event", id, d);
        Ok(())
    })
    .await?;
    if first.is_none() {
        first = v.finish().err();
    }
    let mut out = outcome(v, first);
    if out.first_break.is_none() {
        out.first_break = super::evidence::custody_break(store).await?;
    }
    // The region time series is derived from the events, not audited itself: it must equal a
    // recount of them.
    if out.first_break.is_none() {
        out.first_break = super::event_rollup::first_mismatch(store).await?;
    }
    Ok(out)
}

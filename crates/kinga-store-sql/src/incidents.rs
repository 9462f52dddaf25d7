use crate::audited::Audited;
use crate::change::Change;
use crate::marks::placeholders;
use crate::records::{self, INCIDENT_COLUMNS};
use crate::scope::visible;
use crate::value::Args;
use crate::{Chain, Engine, SqlStore, Tx};
use chrono::{Datelike, NaiveDate};
use kinga_domain::audit::digest;
use kinga_domain::ids::{IncidentId, UserId};
use kinga_domain::incident::{Incident, IncidentFilter, IncidentStatus, NewIncident};
use kinga_domain::time::day_number;
use kinga_domain::Country;
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{EditLock, ImportOutcome, ImportedIncident, IncidentDetail, Page};
use std::collections::HashMap;

fn insert_sql() -> String {
    format!(
        "INSERT INTO incidents ({INCIDENT_COLUMNS}, start_day, end_day) VALUES ({})",
        placeholders(1, 34)
    )
}

/// Next `CAF-2013-000042` code. Writes are serialised by the audit chain, so the counter needs
/// no lock of its own.
async fn next_code(tx: &mut dyn Tx, country: Country, date: NaiveDate) -> Result<String> {
    let year = i64::from(date.year());
    let rows = tx
        .fetch(
            "INSERT INTO incident_counters (country, year, last) VALUES ($1, $2, 1) ON CONFLICT (country, year) DO UPDATE SET last = incident_counters.last + 1 RETURNING last",
            vec![country.code().into(), year.into()],
        )
        .await?;
    let n = rows
        .first()
        .map(|r| r.int("last"))
        .transpose()?
        .unwrap_or(1);
    Ok(format!("{}-{}-{:06}", country.code(), year, n))
}

fn build(actor: &Actor, new: NewIncident, code: String) -> Result<Incident> {
    let (Some(org_id), Some(org)) = (actor.organisation_id, actor.organisation.clone()) else {
        return Err(StoreError::Rule(
            "incidents are created on behalf of an organisation".into(),
        ));
    };
    let now = kinga_domain::time::now();
    Ok(Incident {
        id: IncidentId::new(),
        code,
        country: new.country,
        organisation_id: org_id,
        organisation: org,
        visibility: new.visibility,
        title: new.title,
        summary: new.summary,
        date_start: new.date_start,
        date_end: new.date_end,
        date_precision: new.date_precision,
        admin1: new.admin1,
        admin2: new.admin2,
        place_name: new.place_name,
        latitude: new.latitude,
        longitude: new.longitude,
        place_precision: new.place_precision,
        event_type: new.event_type,
        sub_event_type: new.sub_event_type,
        violence_type: new.violence_type,
        crimes: new.crimes,
        fatalities: new.fatalities,
        status: IncidentStatus::Draft,
        verification_level: new.verification_level,
        assignee: None,
        external_ref: new.external_ref,
        created_by: actor.user_id,
        created_at: now,
        updated_at: now,
    })
}

pub(crate) async fn insert(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    new: NewIncident,
) -> Result<Incident> {
    let code = next_code(tx, new.country, new.date_start).await?;
    let incident = build(actor, new, code)?;
    tx.execute(&insert_sql(), records::incident_values(&incident))
        .await?;
    chain.record(tx, actor, Change::created(&incident)).await?;
    Ok(incident)
}

pub async fn create<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: NewIncident,
) -> Result<Incident> {
    let actor = actor.clone();
    store
        .write(move |tx, chain| Box::pin(async move { insert(tx, chain, &actor, new).await }))
        .await
}

pub async fn import<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    batch: Vec<ImportedIncident>,
) -> Result<ImportOutcome> {
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let mut outcome = ImportOutcome::default();
                let mut parties: HashMap<String, kinga_domain::ids::PartyId> = HashMap::new();
                for item in batch {
                    if let Some(r) = &item.incident.external_ref {
                        let found = tx
                            .fetch(
                                "SELECT 1 FROM incidents WHERE country = $1 AND external_ref = $2",
                                vec![item.incident.country.code().into(), r.clone().into()],
                            )
                            .await?;
                        if !found.is_empty() {
                            outcome.already_present += 1;
                            continue;
                        }
                    }
                    let incident = insert(tx, chain, &actor, item.incident).await?;
                    for p in item.perpetrators {
                        let party_id = match p.external_ref.as_ref().and_then(|r| parties.get(r)) {
                            Some(id) => *id,
                            None => {
                                let key = p.external_ref.clone();
                                let party =
                                    crate::parties::find_or_insert_party(tx, chain, &actor, p)
                                        .await?;
                                if let Some(k) = key {
                                    parties.insert(k, party.id);
                                }
                                party.id
                            }
                        };
                        crate::parties::insert_involvement(
                            tx,
                            chain,
                            &actor,
                            &incident,
                            kinga_domain::party::NewInvolvement {
                                act_id: None,
                                party_id,
                                role: kinga_domain::party::InvolvementRole::Perpetrator,
                                degree: None,
                            },
                        )
                        .await?;
                    }
                    if let Some(s) = item.source {
                        let source = crate::parties::insert_source(tx, chain, &actor, s).await?;
                        crate::parties::insert_citation(
                            tx,
                            chain,
                            &actor,
                            &incident,
                            kinga_domain::source::NewCitation {
                                source_id: source.id,
                                reference: item.citation_reference,
                                note: None,
                            },
                        )
                        .await?;
                    }
                    outcome.created += 1;
                }
                Ok(outcome)
            })
        })
        .await
}

pub async fn by_id<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    id: IncidentId,
) -> Result<Option<Incident>> {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible(scope, "", &mut args);
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = {p} AND {vis}"),
            args.0,
        )
        .await?;
    rows.first().map(records::incident).transpose()
}

pub(crate) async fn load_visible(
    tx: &mut dyn Tx,
    scope: &Scope,
    id: IncidentId,
) -> Result<Incident> {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible(scope, "", &mut args);
    let rows = tx
        .fetch(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = {p} AND {vis}"),
            args.0,
        )
        .await?;
    rows.first()
        .map(records::incident)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

pub async fn list<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    f: &IncidentFilter,
) -> Result<Page<Incident>> {
    let mut args = Args::new();
    let mut conds = vec![visible(scope, "", &mut args)];
    let dialect = store.engine.dialect();
    let text_index = f
        .text
        .as_deref()
        .is_some_and(|t| dialect.uses_text_index(t));
    if let Some(c) = f.country {
        // When the text index is in play the few matching rows come from it; the unary `+`
        // keeps SQLite from starting instead at the country index, which holds every incident
        // of the country (it has no statistics to tell the two apart).
        let column = if text_index { "+country" } else { "country" };
        conds.push(format!("{column} = {}", args.push(c.code())));
    }
    if let Some(a) = &f.admin1 {
        conds.push(format!("LOWER(admin1) = LOWER({})", args.push(a.as_str())));
    }
    if let Some(d) = f.from {
        conds.push(format!("end_day >= {}", args.push(day_number(d))));
    }
    if let Some(d) = f.to {
        conds.push(format!("start_day <= {}", args.push(day_number(d))));
    }
    if let Some(c) = f.crime {
        conds.push(format!(
            "crimes LIKE {}",
            args.push(format!("%,{},%", c.as_str()))
        ));
    }
    if let Some(s) = f.status {
        conds.push(format!("status = {}", args.push(s.as_str())));
    }
    if let Some(t) = &f.text {
        conds.push(dialect.incident_text(t, &mut args));
    }
    let cond = conds.join(" AND ");
    let total = store
        .engine
        .fetch(
            &format!("SELECT COUNT(*) AS total FROM incidents WHERE {cond}"),
            args.0.clone(),
        )
        .await?
        .first()
        .map(|r| r.int("total"))
        .transpose()?
        .unwrap_or(0);
    let limit = args.push(i64::from(
        f.limit.clamp(1, kinga_domain::incident::MAX_PAGE),
    ));
    let offset = args.push(i64::from(f.offset));
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE {cond} ORDER BY start_day DESC, id DESC LIMIT {limit} OFFSET {offset}"),
            args.0,
        )
        .await?;
    Ok(Page {
        total: total as u64,
        items: rows.iter().map(records::incident).collect::<Result<_>>()?,
    })
}

pub async fn near<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    country: Country,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Incident>> {
    let mut args = Args::new();
    let vis = visible(scope, "", &mut args);
    let c = args.push(country.code());
    let f = args.push(day_number(from));
    let t = args.push(day_number(to));
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE {vis} AND country = {c} AND end_day >= {f} AND start_day <= {t} ORDER BY start_day LIMIT 500"),
            args.0,
        )
        .await?;
    rows.iter().map(records::incident).collect()
}

pub async fn detail<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    id: IncidentId,
) -> Result<Option<IncidentDetail>> {
    let Some(incident) = by_id(store, scope, id).await? else {
        return Ok(None);
    };
    let acts = crate::parties::acts_of(store, id).await?;
    let involvements = crate::parties::involvements_of(store, scope, id).await?;
    let citations = crate::parties::citations_of(store, scope, id).await?;
    let reports = crate::reports::list(
        store,
        scope,
        &kinga_store::ReportFilter {
            incident: Some(id),
            limit: 500,
            ..Default::default()
        },
    )
    .await?
    .items;
    let lock = current_lock(store, id).await?;
    Ok(Some(IncidentDetail {
        incident,
        acts,
        involvements,
        citations,
        reports,
        lock,
    }))
}

async fn update(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    before: &Incident,
    after: &Incident,
    action: &'static str,
    explanation: Option<String>,
) -> Result<()> {
    tx.execute(
        "UPDATE incidents SET status = $1, assignee = $2, updated_at = $3 WHERE country = $4 AND id = $5",
        vec![
            after.status.as_str().into(),
            after.assignee.map(|u| u.to_string()).into(),
            records::timestamp(&after.updated_at).into(),
            after.country.code().into(),
            after.id.to_string().into(),
        ],
    )
    .await?;
    chain
        .record(
            tx,
            actor,
            Change::updated(action, before, after).explained(explanation),
        )
        .await?;
    Ok(())
}

pub async fn set_status<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    id: IncidentId,
    status: IncidentStatus,
    explanation: Option<String>,
) -> Result<Incident> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let before = load_visible(tx, &scope, id).await?;
                crate::scope::owned_by_actor(&actor, before.organisation_id, "an incident")?;
                if !before.status.may_become(status) {
                    return Err(StoreError::Rule(format!(
                        "an incident that is {} cannot become {}",
                        before.status, status
                    )));
                }
                let mut after = before.clone();
                after.status = status;
                after.updated_at = kinga_domain::time::now();
                update(
                    tx,
                    chain,
                    &actor,
                    &before,
                    &after,
                    "set_status",
                    explanation,
                )
                .await?;
                Ok(after)
            })
        })
        .await
}

pub async fn assign<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    id: IncidentId,
    assignee: Option<UserId>,
) -> Result<Incident> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let before = load_visible(tx, &scope, id).await?;
                crate::scope::owned_by_actor(&actor, before.organisation_id, "an incident")?;
                if let Some(u) = assignee {
                    let rows = tx
                        .fetch(
                            "SELECT organisation_id FROM users WHERE id = $1",
                            vec![u.to_string().into()],
                        )
                        .await?;
                    let same_org = rows
                        .first()
                        .map(|r| r.text("organisation_id"))
                        .transpose()?
                        .is_some_and(|o| o == before.organisation_id.to_string());
                    if !same_org {
                        return Err(StoreError::Rule(
                            "an incident is assigned to a user of its own organisation".into(),
                        ));
                    }
                }
                let mut after = before.clone();
                after.assignee = assignee;
                after.updated_at = kinga_domain::time::now();
                update(tx, chain, &actor, &before, &after, "assign", None).await?;
                Ok(after)
            })
        })
        .await
}

async fn current_lock<E: Engine>(store: &SqlStore<E>, id: IncidentId) -> Result<Option<EditLock>> {
    let rows = store
        .engine
        .fetch(
            "SELECT user_id, user_label, since FROM incident_locks WHERE incident_id = $1",
            vec![id.to_string().into()],
        )
        .await?;
    rows.first().map(|r| lock_from(id, r)).transpose()
}

fn lock_from(id: IncidentId, r: &crate::SqlRow) -> Result<EditLock> {
    let bad = |d: &str| StoreError::Corrupt {
        table: "incident_locks",
        detail: d.to_string(),
    };
    Ok(EditLock {
        incident_id: id,
        user_id: r.text("user_id")?.parse().map_err(|_| bad("user_id"))?,
        user_label: r.text("user_label")?,
        since: chrono::DateTime::parse_from_rfc3339(&r.text("since")?)
            .map_err(|_| bad("since"))?
            .with_timezone(&chrono::Utc),
    })
}

pub async fn lock<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    id: IncidentId,
    stale_after: chrono::Duration,
) -> Result<EditLock> {
    let Some(user) = actor.user_id else {
        return Err(StoreError::Rule("only a user can hold an edit lock".into()));
    };
    let (label, scope, actor) = (actor.label.clone(), scope.clone(), actor.clone());
    // Serialised with every other write, so two analysts cannot both win the lock.
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let incident = load_visible(tx, &scope, id).await?;
                crate::scope::owned_by_actor(&actor, incident.organisation_id, "an incident")?;
                let rows = tx
                    .fetch(
                        "SELECT user_id, user_label, since FROM incident_locks WHERE incident_id = $1",
                        vec![id.to_string().into()],
                    )
                    .await?;
                let now = kinga_domain::time::now();
                let before = rows.first().map(|r| lock_row_digest(id, r)).transpose()?;
                if let Some(existing) = rows.first().map(|r| lock_from(id, r)).transpose()? {
                    if existing.user_id != user && now - existing.since < stale_after {
                        return Err(StoreError::Locked {
                            by: existing.user_label,
                            since: existing.since,
                        });
                    }
                }
                let since = records::timestamp(&now);
                let after = lock_digest(
                    &id.to_string(),
                    &user.to_string(),
                    &label,
                    &since,
                );
                tx.execute(
                    "INSERT INTO incident_locks (incident_id, user_id, user_label, since) VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id) DO UPDATE SET user_id = $2, user_label = $3, since = $4",
                    vec![
                        id.to_string().into(),
                        user.to_string().into(),
                        label.clone().into(),
                        since.into(),
                    ],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::on::<EditLock>(id.to_string(), "lock")
                            .before(before)
                            .after(after),
                    )
                    .await?;
                Ok(EditLock {
                    incident_id: id,
                    user_id: user,
                    user_label: label,
                    since: now,
                })
            })
        })
        .await
}

/// Edit locks are in the audit chain like sessions: a lock row written by hand is named by
/// `verify`.
pub async fn unlock<E: Engine>(store: &SqlStore<E>, actor: &Actor, id: IncidentId) -> Result<()> {
    let Some(user) = actor.user_id else {
        return Ok(());
    };
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let rows = tx
                    .fetch(
                        "SELECT incident_id, user_id, user_label, since FROM incident_locks WHERE incident_id = $1 AND user_id = $2",
                        vec![id.to_string().into(), user.to_string().into()],
                    )
                    .await?;
                let Some(before) = rows.first().map(lock_row_digest_full).transpose()? else {
                    return Ok(());
                };
                tx.execute(
                    "DELETE FROM incident_locks WHERE incident_id = $1 AND user_id = $2",
                    vec![id.to_string().into(), user.to_string().into()],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::on::<EditLock>(id.to_string(), "unlock").before(before),
                    )
                    .await?;
                Ok(())
            })
        })
        .await
}

fn lock_digest(incident: &str, user: &str, label: &str, since: &str) -> String {
    digest(&(incident, user, label, since))
}

/// The digest of a lock row of `incident` read as `user_id, user_label, since`.
fn lock_row_digest(incident: IncidentId, r: &crate::SqlRow) -> Result<String> {
    Ok(lock_digest(
        &incident.to_string(),
        &r.text("user_id")?,
        &r.text("user_label")?,
        &r.text("since")?,
    ))
}

/// The digest of a lock row read as `incident_id, user_id, user_label, since`.
pub(crate) fn lock_row_digest_full(r: &crate::SqlRow) -> Result<String> {
    Ok(lock_digest(
        &r.text("incident_id")?,
        &r.text("user_id")?,
        &r.text("user_label")?,
        &r.text("since")?,
    ))
}

pub async fn lock_rows_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan_by(
        store,
        "incident_locks",
        "incident_id",
        "incident_id, user_id, user_label, since",
        records,
        |r| {
            Ok((
                EditLock::ENTITY,
                r.text("incident_id")?,
                lock_row_digest_full(r)?,
            ))
        },
    )
    .await
}

pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan(store, "incidents", INCIDENT_COLUMNS, records, |r| {
        let i = records::incident(r)?;
        Ok((Incident::ENTITY, i.id.to_string(), digest(&i)))
    })
    .await
}

use crate::audited::Audited;
use crate::change::Change;
use crate::marks::placeholders;
use crate::records::{self, REPORT_COLUMNS};
use crate::scope::visible_reports;
use crate::value::Args;
use crate::{Chain, Engine, SqlStore, Tx};
use kinga_domain::audit::digest;
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::report::{NewReport, Report, TriageDecision, TriageStatus};
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{Page, ReportFilter};

fn insert_sql() -> String {
    format!(
        "INSERT INTO reports ({REPORT_COLUMNS}, occurred_day) VALUES ({})",
        placeholders(1, 21)
    )
}

pub async fn submit<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    new: NewReport,
) -> Result<Report> {
    let (Some(user), Some(org_id), Some(org)) = (
        actor.user_id,
        actor.organisation_id,
        actor.organisation.clone(),
    ) else {
        return Err(StoreError::Rule(
            "reports are submitted by a user of an organisation".into(),
        ));
    };
    let report = Report {
        id: ReportId::new(),
        country: new.country,
        organisation_id: org_id,
        organisation: org,
        visibility: new.visibility,
        submitted_by: user,
        channel: new.channel,
        received_at: kinga_domain::time::now(),
        occurred_on: new.occurred_on,
        text: new.text,
        language: new.language,
        admin1: new.admin1,
        place_name: new.place_name,
        latitude: new.latitude,
        longitude: new.longitude,
        reporter_role: new.reporter_role,
        risk_to_source: new.risk_to_source,
        triage_status: TriageStatus::New,
        reject_reason: None,
        incident_id: None,
    };
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                tx.execute(&insert_sql(), records::report_values(&report))
                    .await?;
                chain
                    .record(tx, &actor, Change::new_record(&report, "submit"))
                    .await?;
                Ok(report)
            })
        })
        .await
}

pub async fn by_id<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    id: ReportId,
) -> Result<Option<Report>> {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible_reports(scope, "", &mut args);
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = {p} AND {vis}"),
            args.0,
        )
        .await?;
    rows.first().map(records::report).transpose()
}

pub async fn list<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    f: &ReportFilter,
) -> Result<Page<Report>> {
    let mut args = Args::new();
    let mut conds = vec![visible_reports(scope, "", &mut args)];
    if let Some(s) = f.status {
        conds.push(format!("triage_status = {}", args.push(s.as_str())));
    }
    if let Some(c) = f.country {
        conds.push(format!("country = {}", args.push(c.code())));
    }
    if let Some(i) = f.incident {
        conds.push(format!("incident_id = {}", args.push(i.to_string())));
    }
    let cond = conds.join(" AND ");
    let total = store
        .engine
        .fetch(
            &format!("SELECT COUNT(*) AS total FROM reports WHERE {cond}"),
            args.0.clone(),
        )
        .await?
        .first()
        .map(|r| r.int("total"))
        .transpose()?
        .unwrap_or(0);
    let limit = args.push(i64::from(f.limit.clamp(1, 500)));
    let offset = args.push(i64::from(f.offset));
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE {cond} ORDER BY received_at DESC, id DESC LIMIT {limit} OFFSET {offset}"),
            args.0,
        )
        .await?;
    Ok(Page {
        total: total as u64,
        items: rows.iter().map(records::report).collect::<Result<_>>()?,
    })
}

/// Reads a report inside a write, through the writer's scope, so nobody can triage what they
/// cannot see.
async fn load_visible(tx: &mut dyn Tx, scope: &Scope, id: ReportId) -> Result<Report> {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible_reports(scope, "", &mut args);
    let rows = tx
        .fetch(
            &format!("SELECT {REPORT_COLUMNS} FROM reports WHERE id = {p} AND {vis}"),
            args.0,
        )
        .await?;
    rows.first()
        .map(records::report)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

async fn save(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    before: &Report,
    after: &Report,
    action: &'static str,
    explanation: Option<String>,
) -> Result<()> {
    tx.execute(
        "UPDATE reports SET triage_status = $1, reject_reason = $2, incident_id = $3 WHERE country = $4 AND id = $5",
        vec![
            after.triage_status.as_str().into(),
            after.reject_reason.clone().into(),
            after.incident_id.map(|i| i.to_string()).into(),
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

pub async fn triage<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    id: ReportId,
    decision: TriageDecision,
) -> Result<Report> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let before = load_visible(tx, &scope, id).await?;
                crate::scope::owned_by_actor(&actor, before.organisation_id, "a report")?;
                let status = before
                    .triage_status
                    .apply(&decision)
                    .map_err(|e| StoreError::Rule(e.to_string()))?;
                let mut after = before.clone();
                after.triage_status = status;
                let (action, reason) = match &decision {
                    TriageDecision::Accept => ("triage_accept", None),
                    TriageDecision::Reject { reason } => {
                        ("triage_reject", Some(reason.trim().to_string()))
                    }
                    TriageDecision::Spam => ("triage_spam", None),
                };
                after.reject_reason = reason.clone();
                save(tx, chain, &actor, &before, &after, action, reason).await?;
                Ok(after)
            })
        })
        .await
}

pub async fn link<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    report: ReportId,
    incident: IncidentId,
) -> Result<Report> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let target = crate::incidents::load_visible(tx, &scope, incident).await?;
                let before = load_visible(tx, &scope, report).await?;
                crate::scope::owned_by_actor(&actor, before.organisation_id, "a report")?;
                crate::scope::owned_by_actor(&actor, target.organisation_id, "an incident")?;
                let status = before
                    .triage_status
                    .link()
                    .map_err(|e| StoreError::Rule(e.to_string()))?;
                let mut after = before.clone();
                after.triage_status = status;
                after.incident_id = Some(incident);
                save(
                    tx,
                    chain,
                    &actor,
                    &before,
                    &after,
                    "link",
                    Some(format!("linked to incident {incident}")),
                )
                .await?;
                Ok(after)
            })
        })
        .await
}

pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan(store, "reports", REPORT_COLUMNS, records, |r| {
        let rep = records::report(r)?;
        Ok((Report::ENTITY, rep.id.to_string(), digest(&rep)))
    })
    .await
}

//! Alerts and responses: raising (idempotent by dedup key within the organisation), the lists,
//! moves checked against the domain's lifecycle, and responses that move the alert they answer.
//! Every write appends its audit entries in the same transaction.
use crate::alert_records::{self, ALERT_COLUMNS, ALERT_WIDTH, RESPONSE_COLUMNS, RESPONSE_WIDTH};
use crate::audited::Audited;
use crate::change::Change;
use crate::marks::placeholders;
use crate::scope::{owned_by_actor, visible};
use crate::value::{Args, SqlValue};
use crate::{Chain, Engine, SqlStore, Tx};
use async_trait::async_trait;
use kinga_domain::alert::{
    AckTargets, Alert, AlertMove, AlertStatus, NewAlert, NewResponse, ResponseAction,
};
use kinga_domain::audit::digest;
use kinga_domain::ids::{AlertId, OrgId};
use kinga_domain::org::Slug;
use kinga_domain::ValidationErrors;
use kinga_store::{
    Actor, AlertFilter, AlertStore, Page, Raised, ResponseFilter, Result, Scope, StoreError,
};

/// The organisation an alert or a response is written for: a user's own, or the one Kinga's
/// own work acts for.
fn owner(actor: &Actor, what: &str) -> Result<(OrgId, Slug)> {
    match (actor.organisation_id, actor.organisation.clone()) {
        (Some(id), Some(slug)) => Ok((id, slug)),
        _ => Err(StoreError::Rule(format!(
            "{what} is written for an organisation"
        ))),
    }
}

async fn by_dedup_key(tx: &mut dyn Tx, org: OrgId, key: &str) -> Result<Option<Alert>> {
    let rows = tx
        .fetch(
            &format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE organisation_id = $1 AND dedup_key = $2"
            ),
            vec![org.to_string().into(), key.into()],
        )
        .await?;
    rows.first().map(alert_records::alert).transpose()
}

/// Reads an alert inside a write, through the writer's scope, so nobody moves what they cannot
/// see.
async fn load_visible(tx: &mut dyn Tx, scope: &Scope, id: AlertId) -> Result<Alert> {
    let (sql, args) = visible_by_id(scope, id);
    let rows = tx.fetch(&sql, args).await?;
    rows.first()
        .map(alert_records::alert)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Writes `after` in place of `before` and seals the move in the chain.
async fn save_move(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    before: &Alert,
    after: &Alert,
    wanted: AlertMove,
) -> Result<()> {
    let changed = tx
        .execute(
            "UPDATE alerts SET tier = $1, status = $2, acknowledged_at = $3, acknowledged_by = $4, closed_at = $5, ack_deadline = $6, version = $7 WHERE id = $8 AND version = $9",
            vec![
                after.tier.as_str().into(),
                after.status.as_str().into(),
                after
                    .acknowledged_at
                    .as_ref()
                    .map(crate::records::timestamp)
                    .into(),
                after.acknowledged_by.clone().into(),
                after.closed_at.as_ref().map(crate::records::timestamp).into(),
                crate::records::timestamp(&after.ack_deadline).into(),
                i64::from(after.version).into(),
                after.id.to_string().into(),
                i64::from(before.version).into(),
            ],
        )
        .await?;
    if changed != 1 {
        return Err(StoreError::Conflict(
            "the alert was changed meanwhile; read it again".into(),
        ));
    }
    chain
        .record(
            tx,
            actor,
            Change::updated(action(wanted), before, after)
                .explained(format!("{} to {}", before.status, after.status)),
        )
        .await?;
    Ok(())
}

fn action(m: AlertMove) -> &'static str {
    match m {
        AlertMove::Acknowledge => "acknowledge",
        AlertMove::Escalate => "escalate",
        AlertMove::Respond => "respond",
        AlertMove::Close => "close",
    }
}

async fn raise<E: Engine>(store: &SqlStore<E>, actor: &Actor, new: NewAlert) -> Result<Raised> {
    let (org_id, org) = owner(actor, "an alert")?;
    let actor = actor.clone();
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                // Writes take turns on the chain's head, so this look and the insert below are
                // never interleaved with another raise; the unique index stands behind it.
                if let Some(key) = &new.dedup_key {
                    if let Some(existing) = by_dedup_key(tx, org_id, key).await? {
                        return Ok(Raised {
                            alert: existing,
                            created: false,
                        });
                    }
                }
                let alert = new.raise(
                    org_id,
                    org,
                    actor.label.clone(),
                    kinga_domain::time::now(),
                    &AckTargets::DEFAULT,
                );
                tx.execute(
                    &format!(
                        "INSERT INTO alerts ({ALERT_COLUMNS}) VALUES ({})",
                        placeholders(1, ALERT_WIDTH)
                    ),
                    alert_records::alert_values(&alert),
                )
                .await?;
                chain
                    .record(tx, &actor, Change::new_record(&alert, "raise"))
                    .await?;
                Ok(Raised {
                    alert,
                    created: true,
                })
            })
        })
        .await
}

async fn by_id<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    id: AlertId,
) -> Result<Option<Alert>> {
    let (sql, args) = visible_by_id(scope, id);
    let rows = store.engine.fetch(&sql, args).await?;
    rows.first().map(alert_records::alert).transpose()
}

/// The one query of an alert through a scope, read alike inside a write and outside one.
fn visible_by_id(scope: &Scope, id: AlertId) -> (String, Vec<SqlValue>) {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible(scope, "", &mut args);
    (
        format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = {p} AND {vis}"),
        args.0,
    )
}

async fn list<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    f: &AlertFilter,
) -> Result<Page<Alert>> {
    let mut args = Args::new();
    let mut conds = vec![visible(scope, "", &mut args)];
    if let Some(s) = f.status {
        conds.push(format!("status = {}", args.push(s.as_str())));
    }
    if let Some(c) = f.country {
        conds.push(format!("country = {}", args.push(c.code())));
    }
    if let Some(l) = f.level {
        conds.push(format!("level = {}", args.push(l.as_str())));
    }
    if let Some(t) = f.tier {
        conds.push(format!("tier = {}", args.push(t.as_str())));
    }
    let cond = conds.join(" AND ");
    let total = count(store, "alerts", &cond, args.0.clone()).await?;
    let limit = args.push(i64::from(f.limit.clamp(1, 500)));
    let offset = args.push(i64::from(f.offset));
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE {cond} ORDER BY raised_at DESC, id DESC LIMIT {limit} OFFSET {offset}"),
            args.0,
        )
        .await?;
    Ok(Page {
        total,
        items: rows
            .iter()
            .map(alert_records::alert)
            .collect::<Result<_>>()?,
    })
}

async fn count<E: Engine>(
    store: &SqlStore<E>,
    table: &str,
    cond: &str,
    args: Vec<SqlValue>,
) -> Result<u64> {
    let n = store
        .engine
        .fetch(
            &format!("SELECT COUNT(*) AS total FROM {table} WHERE {cond}"),
            args,
        )
        .await?
        .first()
        .map(|r| r.int("total"))
        .transpose()?
        .unwrap_or(0);
    Ok(n.max(0) as u64)
}

async fn move_one<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    id: AlertId,
    wanted: AlertMove,
    expected_version: Option<u32>,
) -> Result<Alert> {
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                let before = load_visible(tx, &scope, id).await?;
                owned_by_actor(&actor, before.organisation_id, "an alert")?;
                if let Some(expected) = expected_version.filter(|v| *v != before.version) {
                    return Err(StoreError::Conflict(format!(
                        "the alert is at version {}, not {expected}; read it again",
                        before.version
                    )));
                }
                let after = before
                    .moved(
                        wanted,
                        &actor.label,
                        kinga_domain::time::now(),
                        &AckTargets::DEFAULT,
                    )
                    .map_err(|e| StoreError::Rule(e.to_string()))?;
                save_move(tx, chain, &actor, &before, &after, wanted).await?;
                Ok(after)
            })
        })
        .await
}

async fn record_response<E: Engine>(
    store: &SqlStore<E>,
    actor: &Actor,
    scope: &Scope,
    new: NewResponse,
) -> Result<ResponseAction> {
    let (org_id, org) = owner(actor, "a response")?;
    let (actor, scope) = (actor.clone(), scope.clone());
    store
        .write(move |tx, chain| {
            Box::pin(async move {
                // A response that answers an alert is part of that alert's workflow: it is the
                // owner's to record, and it moves the alert in the same transaction.
                let answered = match new.alert_id {
                    Some(id) => {
                        let alert = load_visible(tx, &scope, id).await?;
                        owned_by_actor(&actor, alert.organisation_id, "an alert")?;
                        if alert.country != new.country {
                            return Err(StoreError::Invalid(ValidationErrors::single(
                                "$.country",
                                format!(
                                    "is not the country of the alert it answers ({})",
                                    alert.country.code()
                                ),
                            )));
                        }
                        Some(alert)
                    }
                    None => None,
                };
                let response =
                    new.record(org_id, org, actor.label.clone(), kinga_domain::time::now());
                tx.execute(
                    &format!(
                        "INSERT INTO responses ({RESPONSE_COLUMNS}) VALUES ({})",
                        placeholders(1, RESPONSE_WIDTH)
                    ),
                    alert_records::response_values(&response),
                )
                .await?;
                chain
                    .record(tx, &actor, Change::new_record(&response, "record"))
                    .await?;
                if let Some(before) = answered {
                    if matches!(
                        before.status,
                        AlertStatus::Raised | AlertStatus::Acknowledged | AlertStatus::Escalated
                    ) {
                        let after = before
                            .moved(
                                AlertMove::Respond,
                                &actor.label,
                                response.recorded_at,
                                &AckTargets::DEFAULT,
                            )
                            .map_err(|e| StoreError::Rule(e.to_string()))?;
                        save_move(tx, chain, &actor, &before, &after, AlertMove::Respond).await?;
                    }
                }
                Ok(response)
            })
        })
        .await
}

async fn responses<E: Engine>(
    store: &SqlStore<E>,
    scope: &Scope,
    f: &ResponseFilter,
) -> Result<Page<ResponseAction>> {
    let mut args = Args::new();
    let mut conds = vec![visible(scope, "", &mut args)];
    if let Some(a) = f.alert {
        conds.push(format!("alert_id = {}", args.push(a.to_string())));
    }
    if let Some(c) = f.country {
        conds.push(format!("country = {}", args.push(c.code())));
    }
    let cond = conds.join(" AND ");
    let total = count(store, "responses", &cond, args.0.clone()).await?;
    let limit = args.push(i64::from(f.limit.clamp(1, 500)));
    let offset = args.push(i64::from(f.offset));
    let rows = store
        .engine
        .fetch(
            &format!("SELECT {RESPONSE_COLUMNS} FROM responses WHERE {cond} ORDER BY response_date DESC, id DESC LIMIT {limit} OFFSET {offset}"),
            args.0,
        )
        .await?;
    Ok(Page {
        total,
        items: rows
            .iter()
            .map(alert_records::response)
            .collect::<Result<_>>()?,
    })
}

pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    crate::verify::scan(store, "alerts", ALERT_COLUMNS, records, |r| {
        let a = alert_records::alert(r)?;
        Ok((Alert::ENTITY, a.id.to_string(), digest(&a)))
    })
    .await?;
    crate::verify::scan(store, "responses", RESPONSE_COLUMNS, records, |r| {
        let x = alert_records::response(r)?;
        Ok((ResponseAction::ENTITY, x.id.to_string(), digest(&x)))
    })
    .await
}

#[async_trait]
impl<E: Engine> AlertStore for SqlStore<E> {
    async fn raise_alert(&self, actor: &Actor, new: NewAlert) -> Result<Raised> {
        raise(self, actor, new).await
    }
    async fn alert(&self, scope: &Scope, id: AlertId) -> Result<Option<Alert>> {
        by_id(self, scope, id).await
    }
    async fn alerts(&self, scope: &Scope, filter: &AlertFilter) -> Result<Page<Alert>> {
        list(self, scope, filter).await
    }
    async fn move_alert(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AlertId,
        wanted: AlertMove,
        expected_version: Option<u32>,
    ) -> Result<Alert> {
        move_one(self, actor, scope, id, wanted, expected_version).await
    }
    async fn record_response(
        &self,
        actor: &Actor,
        scope: &Scope,
        new: NewResponse,
    ) -> Result<ResponseAction> {
        record_response(self, actor, scope, new).await
    }
    async fn responses(
        &self,
        scope: &Scope,
        filter: &ResponseFilter,
    ) -> Result<Page<ResponseAction>> {
        responses(self, scope, filter).await
    }
}

//! Assessments, forecasts and risk classes in SQL. An assessment's scores are an append-only
//! history: each save takes the next version number from the assessment row (an UPDATE, so
//! concurrent saves take turns) and adds one row, so every earlier version can be rebuilt.
use crate::audited::Audited;
use crate::change::Change;
use crate::marks::placeholders;
use crate::risk_records::{self as rec, *};
use crate::scope::visible;
use crate::value::Args;
use crate::{Chain, Engine, SqlStore, Tx};
use async_trait::async_trait;
use kinga_domain::audit::digest;
use kinga_domain::framework::framework;
use kinga_domain::risk::*;
use kinga_domain::{Country, Role};
use kinga_store::{Actor, Result, Scope, StoreError};
use kinga_store::{AssessmentDetail, RiskStore};

fn insert(table: &str, columns: &str, n: usize) -> String {
    format!(
        "INSERT INTO {table} ({columns}) VALUES ({})",
        placeholders(1, n)
    )
}

fn owner(actor: &Actor) -> Result<(kinga_domain::ids::OrgId, kinga_domain::org::Slug)> {
    match (actor.organisation_id, actor.organisation.clone()) {
        (Some(id), Some(slug)) => Ok((id, slug)),
        _ => Err(StoreError::Rule(
            "assessments and classes are kept on behalf of an organisation".into(),
        )),
    }
}

impl<E: Engine> SqlStore<E> {
    /// The rows of one country that `scope` may see: `select_from` is `SELECT … FROM table`,
    /// `order` the ORDER BY / LIMIT tail.
    async fn of_country<T>(
        &self,
        scope: &Scope,
        country: Country,
        select_from: &str,
        order: &str,
        decode: fn(&crate::SqlRow) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut args = Args::new();
        let c = args.push(country.code());
        let vis = visible(scope, "", &mut args);
        let rows = self
            .engine
            .fetch(
                &format!("{select_from} WHERE country = {c} AND {vis} {order}"),
                args.0,
            )
            .await?;
        rows.iter().map(decode).collect()
    }
}

async fn load_visible(tx: &mut dyn Tx, scope: &Scope, id: AssessmentId) -> Result<Assessment> {
    let mut args = Args::new();
    let p = args.push(id.to_string());
    let vis = visible(scope, "", &mut args);
    let rows = tx
        .fetch(
            &format!("SELECT {ASSESSMENT_COLUMNS} FROM risk_assessments WHERE id = {p} AND {vis}"),
            args.0,
        )
        .await?;
    rows.first()
        .map(assessment)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

/// Only the organisation that owns an assessment writes to it; others read what is shared.
async fn editable(
    tx: &mut dyn Tx,
    actor: &Actor,
    scope: &Scope,
    id: AssessmentId,
) -> Result<Assessment> {
    let a = load_visible(tx, scope, id).await?;
    if actor.organisation_id != Some(a.organisation_id) {
        return Err(StoreError::Rule(
            "only the organisation that owns an assessment may change it".into(),
        ));
    }
    Ok(a)
}

/// Takes the next version: the UPDATE holds the row until commit, so two saves never share a
/// version number.
async fn next_version(
    tx: &mut dyn Tx,
    chain: &mut Chain,
    actor: &Actor,
    before: &Assessment,
    action: &'static str,
) -> Result<Assessment> {
    let now = kinga_domain::time::now();
    let rows = tx
        .fetch(
            "UPDATE risk_assessments SET version = version + 1, updated_at = $1 WHERE id = $2 RETURNING version",
            vec![
                crate::records::timestamp(&now).into(),
                before.id.to_string().into(),
            ],
        )
        .await?;
    let version = rows
        .first()
        .ok_or(StoreError::NotFound)?
        .int("version")
        .and_then(|v| u32::try_from(v).map_err(|e| StoreError::Backend(e.to_string())))?;
    let after = Assessment {
        version,
        updated_at: now,
        ..before.clone()
    };
    chain
        .record(tx, actor, Change::updated(action, before, &after))
        .await?;
    Ok(after)
}

fn rows_of<T>(
    rows: Vec<crate::SqlRow>,
    decode: impl Fn(&crate::SqlRow) -> Result<T>,
) -> Result<Vec<T>> {
    rows.iter().map(decode).collect()
}

#[async_trait]
impl<E: Engine> RiskStore for SqlStore<E> {
    async fn create_assessment(&self, actor: &Actor, new: NewAssessment) -> Result<Assessment> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                let (org_id, org) = owner(&actor)?;
                let now = kinga_domain::time::now();
                let a = Assessment {
                    id: AssessmentId::new(),
                    organisation_id: org_id,
                    organisation: org,
                    visibility: new.visibility,
                    country: new.country,
                    situation: new.situation,
                    assessed_on: new.assessed_on,
                    summary: new.summary,
                    created_by: actor.user_id,
                    created_by_label: actor.label.clone(),
                    created_at: now,
                    version: 0,
                    updated_at: now,
                };
                tx.execute(
                    &insert("risk_assessments", ASSESSMENT_COLUMNS, 14),
                    assessment_values(&a),
                )
                .await?;
                chain.record(tx, &actor, Change::created(&a)).await?;
                Ok(a)
            })
        })
        .await
    }

    async fn assessment(
        &self,
        scope: &Scope,
        id: AssessmentId,
        version: Option<u32>,
    ) -> Result<Option<AssessmentDetail>> {
        let mut args = Args::new();
        let p = args.push(id.to_string());
        let vis = visible(scope, "", &mut args);
        let rows = self
            .engine
            .fetch(
                &format!(
                    "SELECT {ASSESSMENT_COLUMNS} FROM risk_assessments WHERE id = {p} AND {vis}"
                ),
                args.0,
            )
            .await?;
        let Some(a) = rows.first().map(assessment).transpose()? else {
            return Ok(None);
        };
        let at = version.unwrap_or(a.version);
        if at > a.version {
            return Ok(None);
        }
        let key = || vec![a.id.to_string().into(), i64::from(at).into()];
        let history = rows_of(
            self.engine
                .fetch(
                    &format!("SELECT {SCORE_COLUMNS} FROM risk_indicator_scores WHERE assessment_id = $1 AND version <= $2 ORDER BY version"),
                    key(),
                )
                .await?,
            score,
        )?;
        let links: Vec<EvidenceLink> = rows_of(
            self.engine
                .fetch(
                    &format!("SELECT {LINK_COLUMNS} FROM risk_evidence_links WHERE assessment_id = $1 AND version <= $2 ORDER BY version"),
                    key(),
                )
                .await?,
            link,
        )?;
        let signoffs = rows_of(
            self.engine
                .fetch(
                    &format!("SELECT {SIGNOFF_COLUMNS} FROM risk_signoffs WHERE assessment_id = $1 ORDER BY signed_at, id"),
                    vec![a.id.to_string().into()],
                )
                .await?,
            signoff,
        )?;
        let mut authors: Vec<String> = history
            .iter()
            .map(|s| s.scored_by_label.clone())
            .chain(links.iter().map(|l| l.added_by_label.clone()))
            .collect();
        authors.sort();
        authors.dedup();
        // The latest row per indicator, in Framework order.
        let mut scores = Vec::new();
        for (_, ind) in framework().indicators() {
            if let Some(s) = history.iter().rev().find(|s| s.indicator == ind.number) {
                scores.push(s.clone());
            }
        }
        let links = links
            .into_iter()
            .filter(|l| l.removed_in.is_none_or(|r| r > at))
            .collect();
        Ok(Some(AssessmentDetail {
            assessment: a,
            version: at,
            scores,
            links,
            signoffs,
            authors,
        }))
    }

    async fn assessments(
        &self,
        scope: &Scope,
        country: Option<Country>,
    ) -> Result<Vec<Assessment>> {
        let mut args = Args::new();
        let vis = visible(scope, "", &mut args);
        let by_country = match country {
            Some(c) => format!(" AND country = {}", args.push(c.code())),
            None => String::new(),
        };
        let rows = self
            .engine
            .fetch(
                &format!("SELECT {ASSESSMENT_COLUMNS} FROM risk_assessments WHERE {vis}{by_country} ORDER BY assessed_day DESC, id DESC LIMIT 500"),
                args.0,
            )
            .await?;
        rows.iter().map(assessment).collect()
    }

    async fn score_indicator(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AssessmentId,
        input: ScoreInput,
    ) -> Result<(Assessment, IndicatorScore)> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let before = editable(tx, &actor, &scope, id).await?;
                let after = next_version(tx, chain, &actor, &before, "score").await?;
                let s = IndicatorScore {
                    id: ScoreId::new(),
                    assessment_id: id,
                    indicator: input.indicator,
                    version: after.version,
                    score: input.score,
                    confidence: input.confidence,
                    note: input.note,
                    scored_by: actor.user_id,
                    scored_by_label: actor.label.clone(),
                    scored_at: after.updated_at,
                };
                tx.execute(
                    &insert("risk_indicator_scores", SCORE_COLUMNS, 11),
                    score_values(&s),
                )
                .await?;
                chain.record(tx, &actor, Change::created(&s)).await?;
                Ok((after, s))
            })
        })
        .await
    }

    async fn link_evidence(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AssessmentId,
        new: NewEvidenceLink,
    ) -> Result<(Assessment, EvidenceLink)> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let before = editable(tx, &actor, &scope, id).await?;
                let after = next_version(tx, chain, &actor, &before, "link").await?;
                let l = EvidenceLink {
                    id: EvidenceLinkId::new(),
                    assessment_id: id,
                    indicator: new.indicator,
                    kind: new.kind,
                    target: new.target,
                    note: new.note,
                    version: after.version,
                    removed_in: None,
                    added_by_label: actor.label.clone(),
                    added_at: after.updated_at,
                };
                tx.execute(
                    &insert("risk_evidence_links", LINK_COLUMNS, 10),
                    link_values(&l),
                )
                .await?;
                chain.record(tx, &actor, Change::created(&l)).await?;
                Ok((after, l))
            })
        })
        .await
    }

    async fn unlink_evidence(
        &self,
        actor: &Actor,
        scope: &Scope,
        id: AssessmentId,
        link: EvidenceLinkId,
    ) -> Result<Assessment> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let before = editable(tx, &actor, &scope, id).await?;
                let rows = tx
                    .fetch(
                        &format!("SELECT {LINK_COLUMNS} FROM risk_evidence_links WHERE id = $1 AND assessment_id = $2 AND removed_in IS NULL"),
                        vec![link.to_string().into(), id.to_string().into()],
                    )
                    .await?;
                let old = rows
                    .first()
                    .map(rec::link)
                    .transpose()?
                    .ok_or(StoreError::NotFound)?;
                let after = next_version(tx, chain, &actor, &before, "unlink").await?;
                let new = EvidenceLink {
                    removed_in: Some(after.version),
                    ..old.clone()
                };
                tx.execute(
                    "UPDATE risk_evidence_links SET removed_in = $1 WHERE id = $2",
                    vec![i64::from(after.version).into(), link.to_string().into()],
                )
                .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::on::<EvidenceLink>(link.to_string(), "remove")
                            .before(digest(&old))
                            .after(digest(&new)),
                    )
                    .await?;
                Ok(after)
            })
        })
        .await
    }

    async fn sign_off(
        &self,
        actor: &Actor,
        scope: &Scope,
        role: Role,
        id: AssessmentId,
        version: u32,
        note: Option<String>,
    ) -> Result<SignOff> {
        let (actor, scope) = (actor.clone(), scope.clone());
        self.write(move |tx, chain| {
            Box::pin(async move {
                let a = editable(tx, &actor, &scope, id).await?;
                if version == 0 || version > a.version {
                    return Err(StoreError::Rule(format!(
                        "version {version} cannot be signed off: the assessment has versions 1 to {}",
                        a.version
                    )));
                }
                let authored = tx
                    .fetch(
                        "SELECT scored_by_label FROM risk_indicator_scores WHERE assessment_id = $1 AND version <= $2 AND scored_by_label = $3 \
                         UNION SELECT added_by_label FROM risk_evidence_links WHERE assessment_id = $1 AND version <= $2 AND added_by_label = $3",
                        vec![id.to_string().into(), i64::from(version).into(), actor.label.clone().into()],
                    )
                    .await?;
                let is_creator = a.created_by.is_some() && a.created_by == actor.user_id
                    || a.created_by_label == actor.label;
                if is_creator || !authored.is_empty() {
                    return Err(StoreError::Rule(
                        "a sign-off must come from a second analyst who did not write this assessment".into(),
                    ));
                }
                let s = SignOff {
                    id: SignOffId::new(),
                    assessment_id: id,
                    version,
                    signed_by: actor.user_id,
                    signed_by_label: actor.label.clone(),
                    role,
                    note,
                    signed_at: kinga_domain::time::now(),
                };
                let done = tx
                    .fetch(
                        "SELECT id FROM risk_signoffs WHERE assessment_id = $1 AND version = $2 AND signed_by_label = $3",
                        vec![id.to_string().into(), i64::from(version).into(), actor.label.clone().into()],
                    )
                    .await?;
                if !done.is_empty() {
                    return Err(StoreError::Conflict(format!(
                        "you already signed off version {version}"
                    )));
                }
                tx.execute(&insert("risk_signoffs", SIGNOFF_COLUMNS, 8), signoff_values(&s))
                    .await?;
                chain.record(tx, &actor, Change::created(&s))
                    .await?;
                Ok(s)
            })
        })
        .await
    }

    async fn save_forecasts(&self, actor: &Actor, batch: Vec<NewForecast>) -> Result<u64> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                let now = kinga_domain::time::now();
                let mut n = 0u64;
                for new in batch {
                    if actor.organisation_id.is_none()
                        && new.visibility != kinga_domain::Visibility::Public
                    {
                        return Err(StoreError::Rule(
                            "a forecast stored without an organisation must be public".into(),
                        ));
                    }
                    if !(0.0..=1.0).contains(&new.probability) {
                        return Err(StoreError::Rule(format!(
                            "{} {}: probability {} is not between 0 and 1",
                            new.country, new.year, new.probability
                        )));
                    }
                    let f = Forecast {
                        id: ForecastId::new(),
                        organisation_id: actor.organisation_id,
                        organisation: actor.organisation.clone(),
                        visibility: new.visibility,
                        country: new.country,
                        year: new.year,
                        probability: new.probability,
                        rank: new.rank,
                        model: new.model,
                        provenance: new.provenance,
                        top_factors: new.top_factors,
                        created_at: now,
                    };
                    tx.execute(
                        &insert("risk_forecasts", FORECAST_COLUMNS, 12),
                        forecast_values(&f),
                    )
                    .await?;
                    chain.record(tx, &actor, Change::created(&f)).await?;
                    n += 1;
                }
                Ok(n)
            })
        })
        .await
    }

    async fn forecasts(&self, scope: &Scope, country: Country) -> Result<Vec<Forecast>> {
        let from = format!("SELECT {FORECAST_COLUMNS} FROM risk_forecasts");
        let order = "ORDER BY year DESC, created_at DESC, id DESC LIMIT 200";
        self.of_country(scope, country, &from, order, forecast)
            .await
    }

    async fn record_risk_class(&self, actor: &Actor, new: NewRiskClass) -> Result<RiskClassRecord> {
        let actor = actor.clone();
        self.write(move |tx, chain| {
            Box::pin(async move {
                let (org_id, org) = owner(&actor)?;
                if new.decision == ClassDecision::Override
                    && new.rationale.as_deref().is_none_or(|r| r.trim().is_empty())
                {
                    return Err(StoreError::Rule("an override needs a rationale".into()));
                }
                let c = RiskClassRecord {
                    id: RiskClassId::new(),
                    organisation_id: org_id,
                    organisation: org,
                    visibility: new.visibility,
                    country: new.country,
                    decision: new.decision,
                    class: new.class,
                    rationale: new.rationale,
                    inputs: new.inputs,
                    decided_by_label: actor.label.clone(),
                    decided_at: kinga_domain::time::now(),
                };
                tx.execute(&insert("risk_classes", CLASS_COLUMNS, 11), class_values(&c))
                    .await?;
                chain
                    .record(
                        tx,
                        &actor,
                        Change::new_record(&c, c.decision.as_str()).explained(c.rationale.clone()),
                    )
                    .await?;
                Ok(c)
            })
        })
        .await
    }

    async fn risk_classes(&self, scope: &Scope, country: Country) -> Result<Vec<RiskClassRecord>> {
        let from = format!("SELECT {CLASS_COLUMNS} FROM risk_classes");
        self.of_country(scope, country, &from, "ORDER BY id LIMIT 1000", class)
            .await
    }

    async fn risk_countries(&self, scope: &Scope) -> Result<Vec<Country>> {
        let mut args = Args::new();
        let vis = visible(scope, "", &mut args);
        let sql = format!(
            "SELECT country FROM risk_assessments WHERE {vis} UNION SELECT country FROM risk_forecasts WHERE {vis} UNION SELECT country FROM risk_classes WHERE {vis}"
        );
        let rows = self.engine.fetch(&sql, args.0).await?;
        let mut out: Vec<Country> = rows
            .iter()
            .map(|r| {
                r.text("country").and_then(|c| {
                    c.parse()
                        .map_err(
                            |e: kinga_domain::country::UnknownCountry| StoreError::Corrupt {
                                table: "risk_assessments",
                                detail: format!("country: {}", e.0),
                            },
                        )
                })
            })
            .collect::<Result<_>>()?;
        out.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(out)
    }
}

/// Every stored risk record with its digest, for `kinga verify`.
pub async fn all_digests<E: Engine>(
    store: &SqlStore<E>,
    records: &mut crate::verify::Records<'_>,
) -> Result<()> {
    use crate::verify::scan;
    scan(
        store,
        "risk_assessments",
        ASSESSMENT_COLUMNS,
        records,
        |r| {
            let a = assessment(r)?;
            Ok((Assessment::ENTITY, a.id.to_string(), digest(&a)))
        },
    )
    .await?;
    scan(
        store,
        "risk_indicator_scores",
        SCORE_COLUMNS,
        records,
        |r| {
            let s = score(r)?;
            Ok((IndicatorScore::ENTITY, s.id.to_string(), digest(&s)))
        },
    )
    .await?;
    scan(store, "risk_evidence_links", LINK_COLUMNS, records, |r| {
        let l = link(r)?;
        Ok((EvidenceLink::ENTITY, l.id.to_string(), digest(&l)))
    })
    .await?;
    scan(store, "risk_signoffs", SIGNOFF_COLUMNS, records, |r| {
        let s = signoff(r)?;
        Ok((SignOff::ENTITY, s.id.to_string(), digest(&s)))
    })
    .await?;
    scan(store, "risk_forecasts", FORECAST_COLUMNS, records, |r| {
        let f = forecast(r)?;
        Ok((Forecast::ENTITY, f.id.to_string(), digest(&f)))
    })
    .await?;
    scan(store, "risk_classes", CLASS_COLUMNS, records, |r| {
        let c = class(r)?;
        Ok((RiskClassRecord::ENTITY, c.id.to_string(), digest(&c)))
    })
    .await
}

//! Atrocity risk over JSON: the Framework of Analysis, assessments (scores, evidence links,
//! sign-off, diff) and a country's risk summary (forecast, latest assessment, class and history).
use super::{json_body, path_id};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use kinga_analysis::assessment::{
    compute_class, current_class, diff, summarise, AssessmentInput, AssessmentSummary, ClassInputs,
    ClassVerdict, ForecastInput, ScoredIndicator, SignalInput,
};
use kinga_app::{AccessError, Member};
use kinga_domain::fields::Fields;
use kinga_domain::framework::framework;
use kinga_domain::risk::*;
use kinga_domain::{Country, Visibility};
use kinga_store::AssessmentDetail;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn scored(d: &AssessmentDetail) -> Vec<ScoredIndicator> {
    d.scores
        .iter()
        .map(|s| ScoredIndicator {
            indicator: s.indicator,
            score: s.score,
            confidence: s.confidence,
            note: s.note.clone(),
        })
        .collect()
}

/// An assessment with its scores, links, sign-offs and computed summary. Nested records carry
/// the owner and visibility of the assessment they belong to.
pub fn detail_json(d: &AssessmentDetail) -> Value {
    let mut out = json!(d.assessment);
    let owner = |v: Value| {
        let mut v = v;
        v["organisation"] = json!(d.assessment.organisation);
        v["visibility"] = json!(d.assessment.visibility);
        v
    };
    out["shown_version"] = json!(d.version);
    out["signed_off"] = json!(d.signed_off());
    out["scores"] = Value::Array(d.scores.iter().map(|s| owner(json!(s))).collect());
    out["links"] = Value::Array(d.links.iter().map(|l| owner(json!(l))).collect());
    out["signoffs"] = Value::Array(d.signoffs.iter().map(|s| owner(json!(s))).collect());
    out["authors"] = json!(d.authors);
    out["summary_rule"] = json!(summarise(&scored(d)));
    out
}

fn version_param(q: &HashMap<String, String>, key: &str) -> Result<Option<u32>, ApiError> {
    match q.get(key).map(|v| v.trim()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| {
            ApiError::Invalid(kinga_domain::ValidationErrors::single(
                format!("$.{key}"),
                "must be a version number",
            ))
        }),
    }
}

fn country_param(raw: &str) -> Result<Country, ApiError> {
    Country::parse(raw).map_err(|_| ApiError::NotFound)
}

pub async fn framework_doc(ApiCaller(_member): ApiCaller) -> Json<Value> {
    let fw = framework();
    Json(json!({
        "name": fw.name,
        "complete": fw.is_complete(),
        "indicators_listed": fw.indicator_count(),
        "indicators_expected": fw.expected_indicators,
        "note": "Labels are short summaries in Kinga's own words, not the Framework's text; factors marked incomplete lack indicators that are not yet transcribed.",
        "factors": fw.factors,
    }))
}

pub async fn list(
    ApiCaller(member): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let country = match q.get("country").filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(Country::parse(c).map_err(|e| {
            ApiError::Invalid(kinga_domain::ValidationErrors::single(
                "$.country",
                e.to_string(),
            ))
        })?),
        None => None,
    };
    let items = member.assessments(country).await?;
    Ok(Json(json!({"total": items.len(), "items": items})))
}

pub async fn create(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Assessment>), ApiError> {
    let new = super::parse_strictly(&json_body(&body)?, NewAssessment::parse)?;
    let a = member.as_assessor()?.create(new).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

pub async fn get(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id: AssessmentId = path_id(&id)?;
    let version = version_param(&q, "version")?;
    let d = member
        .assessment(id, version)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(detail_json(&d)))
}

pub async fn score(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: AssessmentId = path_id(&id)?;
    let input = super::parse_strictly(&json_body(&body)?, ScoreInput::parse)?;
    let (a, s) = member.as_assessor()?.score(id, input).await?;
    let mut out = json!(s);
    out["assessment_version"] = json!(a.version);
    out["organisation"] = json!(a.organisation);
    out["visibility"] = json!(a.visibility);
    Ok((StatusCode::CREATED, Json(out)))
}

pub async fn link(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: AssessmentId = path_id(&id)?;
    let new = super::parse_strictly(&json_body(&body)?, NewEvidenceLink::parse)?;
    let (a, l) = member.as_assessor()?.link(id, new).await?;
    let mut out = json!(l);
    out["assessment_version"] = json!(a.version);
    out["organisation"] = json!(a.organisation);
    out["visibility"] = json!(a.visibility);
    Ok((StatusCode::CREATED, Json(out)))
}

pub async fn unlink(
    ApiCaller(member): ApiCaller,
    Path((id, link)): Path<(String, String)>,
) -> Result<Json<Assessment>, ApiError> {
    let id: AssessmentId = path_id(&id)?;
    let link: EvidenceLinkId = path_id(&link)?;
    Ok(Json(member.as_assessor()?.unlink(id, link).await?))
}

pub async fn sign_off(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: AssessmentId = path_id(&id)?;
    let value = json_body(&body)?;
    let mut f = Fields::new(&value)?;
    let version = f.count("version");
    if version.is_none() && !f.present("version") {
        f.push("version", "is required: the version you checked");
    }
    let note = f.text("note", 5_000);
    f.finish()?;
    let reviewer = member.as_reviewer()?;
    let s = reviewer
        .sign_off(id, version.expect("checked"), note)
        .await?;
    let d = member
        .assessment(id, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    let class = refresh_class(&member, d.assessment.country, d.assessment.visibility).await?;
    let mut out = json!(s);
    out["organisation"] = json!(d.assessment.organisation);
    out["visibility"] = json!(d.assessment.visibility);
    out["class"] = json!(class);
    Ok((StatusCode::CREATED, Json(out)))
}

pub async fn compare(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id: AssessmentId = path_id(&id)?;
    let (before, after) = diff_pair(&member, id, &q).await?;
    Ok(Json(diff_json(&before, &after)))
}

/// The two sides of a diff: `?against=ID` (another assessment, by default its latest version)
/// and/or `?version=N&against_version=M`; with neither, the latest version against the one
/// before it.
pub async fn diff_pair(
    member: &Member,
    id: AssessmentId,
    q: &HashMap<String, String>,
) -> Result<(AssessmentDetail, AssessmentDetail), ApiError> {
    let version = version_param(q, "version")?;
    let against_version = version_param(q, "against_version")?;
    let after = member
        .assessment(id, version)
        .await?
        .ok_or(ApiError::NotFound)?;
    let other = match q.get("against").filter(|v| !v.trim().is_empty()) {
        Some(o) => o.parse::<AssessmentId>().map_err(|_| {
            ApiError::Invalid(kinga_domain::ValidationErrors::single(
                "$.against",
                "must be an assessment id",
            ))
        })?,
        None => id,
    };
    let default_before = (other == id).then(|| after.version.saturating_sub(1));
    let before = member
        .assessment(other, against_version.or(default_before))
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok((before, after))
}

pub fn diff_json(before: &AssessmentDetail, after: &AssessmentDetail) -> Value {
    let d = diff(&scored(before), &scored(after));
    json!({
        "before": {"id": before.assessment.id, "version": before.version, "assessed_on": before.assessment.assessed_on},
        "after": {"id": after.assessment.id, "version": after.version, "assessed_on": after.assessment.assessed_on},
        "organisation": after.assessment.organisation,
        "visibility": after.assessment.visibility,
        "changes": d,
    })
}

/// Escalation signals whose period began this many days ago or later count as recent.
pub const SIGNAL_WINDOW_DAYS: i64 = 90;

/// Everything the country page shows, computed from what the reader may see.
#[derive(Debug, Serialize)]
pub struct CountrySummary {
    pub country: Country,
    pub name: &'static str,
    pub forecast: Option<Forecast>,
    pub assessment: Option<Assessment>,
    pub assessment_version: Option<u32>,
    pub assessment_signed_off: bool,
    pub assessment_summary: Option<AssessmentSummary>,
    /// Escalation signals of the country whose period began in the last
    /// `SIGNAL_WINDOW_DAYS`, newest first (at most 20 shown), and how many there are.
    pub signals: Vec<kinga_store::Signal>,
    pub signals_recent: u64,
    pub computed: ClassVerdict,
    pub current: Option<RiskClass>,
    pub current_decision: Option<ClassDecision>,
    pub history: Vec<RiskClassRecord>,
}

pub async fn country_summary(
    member: &Member,
    country: Country,
) -> Result<CountrySummary, AccessError> {
    let forecast = member.forecasts(country).await?.into_iter().next();
    let latest = member.assessments(Some(country)).await?.into_iter().next();
    let detail = match &latest {
        Some(a) => member.assessment(a.id, None).await?,
        None => None,
    };
    let summary = detail.as_ref().map(|d| summarise(&scored(d)));
    let today = kinga_domain::time::now().date_naive();
    let recent = member
        .signals(&kinga_store::SignalFilter {
            country: Some(country),
            from: Some(today - chrono::Duration::days(SIGNAL_WINDOW_DAYS)),
            limit: 20,
            ..Default::default()
        })
        .await?;
    let inputs = ClassInputs {
        today,
        forecast: forecast.as_ref().map(|f| ForecastInput {
            year: f.year,
            probability: f.probability,
            rank: f.rank,
        }),
        assessment: detail.as_ref().zip(summary.as_ref()).map(|(d, s)| {
            AssessmentInput::from_summary(d.assessment.assessed_on, s, d.signed_off())
        }),
        signals: Some(SignalInput {
            recent: u32::try_from(recent.total).unwrap_or(u32::MAX),
        }),
    };
    let computed = compute_class(&inputs);
    let history = member.risk_classes(country).await?;
    let decisions: Vec<(ClassDecision, RiskClass)> =
        history.iter().map(|h| (h.decision, h.class)).collect();
    let current = current_class(&decisions);
    Ok(CountrySummary {
        country,
        name: country.name(),
        forecast,
        assessment_version: detail.as_ref().map(|d| d.version),
        assessment_signed_off: detail.as_ref().is_some_and(|d| d.signed_off()),
        assessment: latest,
        assessment_summary: summary,
        signals_recent: recent.total,
        signals: recent.items,
        computed,
        current: current.map(|c| c.0),
        current_decision: current.map(|c| c.1),
        history,
    })
}

/// Records the rule's class when it differs from the last one the rule recorded.
pub async fn refresh_class(
    member: &Member,
    country: Country,
    visibility: Visibility,
) -> Result<Option<RiskClass>, AccessError> {
    let s = country_summary(member, country).await?;
    let last_rule = s
        .history
        .iter()
        .rev()
        .find(|h| {
            h.decision == ClassDecision::Rule && h.organisation_id == member.user().organisation_id
        })
        .map(|h| h.class);
    if last_rule != Some(s.computed.class) {
        member
            .as_reviewer()?
            .record_class(NewRiskClass {
                country,
                decision: ClassDecision::Rule,
                class: s.computed.class,
                rationale: None,
                inputs: json!({
                    "reasons": s.computed.reasons,
                    "forecast": s.forecast.as_ref().map(|f| json!({"year": f.year, "probability": f.probability, "rank": f.rank, "model": f.model})),
                    "assessment": s.assessment.as_ref().map(|a| json!({"id": a.id, "version": s.assessment_version, "signed_off": s.assessment_signed_off})),
                    "signals_recent": s.signals_recent,
                }),
                visibility,
            })
            .await?;
    }
    Ok(Some(s.computed.class))
}

pub async fn country(
    ApiCaller(member): ApiCaller,
    Path(iso3): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let country = country_param(&iso3)?;
    let s = country_summary(&member, country).await?;
    let mut out = json!(s);
    // The summary is built from records each reader may see; it belongs to no one organisation.
    out["organisation"] = Value::Null;
    out["visibility"] = json!("computed");
    Ok(Json(out))
}

pub async fn set_class(
    ApiCaller(member): ApiCaller,
    Path(iso3): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<RiskClassRecord>), ApiError> {
    let country = country_param(&iso3)?;
    let value = json_body(&body)?;
    let reviewer = member.as_reviewer()?;
    let new = if value.get("withdraw").and_then(Value::as_bool) == Some(true) {
        let mut f = Fields::new(&value)?;
        let rationale = f.required_text("rationale", 5_000);
        let visibility = f.parsed("visibility").unwrap_or(Visibility::Organisation);
        f.finish()?;
        let current = member.risk_classes(country).await?;
        let decisions: Vec<(ClassDecision, RiskClass)> =
            current.iter().map(|h| (h.decision, h.class)).collect();
        match current_class(&decisions) {
            Some((class, ClassDecision::Override)) => NewRiskClass {
                country,
                decision: ClassDecision::Withdraw,
                class,
                rationale,
                inputs: json!({}),
                visibility,
            },
            _ => {
                return Err(ApiError::Access(AccessError::Store(
                    kinga_store::StoreError::Rule("there is no override to withdraw".into()),
                )))
            }
        }
    } else {
        let o = ClassOverride::parse(&value)?;
        let computed = country_summary(&member, country).await?.computed;
        NewRiskClass {
            country,
            decision: ClassDecision::Override,
            class: o.class,
            rationale: Some(o.rationale),
            inputs: json!({"computed": computed}),
            visibility: o.visibility,
        }
    };
    Ok((StatusCode::CREATED, Json(reviewer.record_class(new).await?)))
}

pub async fn refresh(
    ApiCaller(member): ApiCaller,
    Path(iso3): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let country = country_param(&iso3)?;
    member.as_reviewer()?;
    refresh_class(&member, country, Visibility::Organisation).await?;
    let s = country_summary(&member, country).await?;
    let mut out = json!(s);
    out["organisation"] = Value::Null;
    out["visibility"] = json!("computed");
    Ok(Json(out))
}

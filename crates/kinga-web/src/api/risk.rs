//! Atrocity risk over JSON: the Framework of Analysis, assessments (scores, evidence links,
//! sign-off, diff) and a country's risk summary (forecast, latest assessment, class and history).
use super::{json_body, path_id};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use kinga_analysis::assessment::{diff, summarise};
use kinga_app::records::AssessmentDetail;
use kinga_app::risk_classes::scored;
use kinga_app::Member;
use kinga_domain::fields::Fields;
use kinga_domain::framework::framework;
use kinga_domain::risk::*;
use kinga_domain::{Country, Visibility};
use serde_json::{json, Value};
use std::collections::HashMap;

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
    let class = member
        .refresh_class(d.assessment.country, d.assessment.visibility)
        .await?;
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

pub async fn country(
    ApiCaller(member): ApiCaller,
    Path(iso3): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let country = country_param(&iso3)?;
    let s = member.country_summary(country).await?;
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
    let record = if value.get("withdraw").and_then(Value::as_bool) == Some(true) {
        let mut f = Fields::new(&value)?;
        let rationale = f.required_text("rationale", 5_000);
        let visibility = f.parsed("visibility").unwrap_or(Visibility::Organisation);
        f.finish()?;
        reviewer
            .withdraw_override(country, rationale, visibility)
            .await?
    } else {
        reviewer
            .override_class(country, ClassOverride::parse(&value)?)
            .await?
    };
    Ok((StatusCode::CREATED, Json(record)))
}

pub async fn refresh(
    ApiCaller(member): ApiCaller,
    Path(iso3): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let country = country_param(&iso3)?;
    member.as_reviewer()?;
    member
        .refresh_class(country, Visibility::Organisation)
        .await?;
    let s = member.country_summary(country).await?;
    let mut out = json!(s);
    out["organisation"] = Value::Null;
    out["visibility"] = json!("computed");
    Ok(Json(out))
}

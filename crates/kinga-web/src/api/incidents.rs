use super::{json_body, path_id, query_value};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use kinga_app::records::IncidentDetail;
use kinga_domain::dedup::Probe;
use kinga_domain::fields::Fields;
use kinga_domain::ids::IncidentId;
use kinga_domain::incident::{Incident, IncidentFilter, IncidentStatus, NewIncident};
use serde_json::{json, Value};
use std::collections::HashMap;

pub async fn list(
    ApiCaller(member): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let filter = IncidentFilter::parse(&query_value(q))?;
    let page = member.incidents(&filter).await?;
    Ok(Json(json!({
        "total": page.total,
        "limit": filter.limit,
        "offset": filter.offset,
        "items": page.items,
    })))
}

pub async fn create(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let value = json_body(&body)?;
    let new = super::parse_strictly(&value, NewIncident::parse)?;
    let analyst = member.as_analyst()?;
    let text = format!("{} {}", new.title, new.summary.as_deref().unwrap_or(""));
    let duplicates = analyst
        .duplicates(&Probe {
            country: new.country,
            date: new.date_start,
            latitude: new.latitude,
            longitude: new.longitude,
            text: &text,
        })
        .await?;
    let incident = analyst.create_incident(new).await?;
    let mut out = serde_json::to_value(&incident).expect("incidents serialise");
    out["possible_duplicates"] = json!(duplicates);
    Ok((StatusCode::CREATED, Json(out)))
}

/// An incident with everything coded on it. Nested records carry the owner and visibility of
/// the incident they belong to, so every record in the answer says who owns it.
pub fn detail_json(d: &IncidentDetail) -> Value {
    let mut out = serde_json::to_value(&d.incident).expect("incidents serialise");
    let owner = json!({
        "organisation": d.incident.organisation,
        "visibility": d.incident.visibility,
    });
    let with_owner = |v: Value| {
        let mut v = v;
        if let (Some(o), Some(add)) = (v.as_object_mut(), owner.as_object()) {
            for (k, val) in add {
                o.entry(k.clone()).or_insert(val.clone());
            }
        }
        v
    };
    out["acts"] = Value::Array(d.acts.iter().map(|a| with_owner(json!(a))).collect());
    // Each involvement with its party, each citation with its source.
    let paired = |record: Value, key: &str, other: Value| {
        let mut v = with_owner(record);
        v[key] = other;
        v
    };
    out["involvements"] = Value::Array(
        d.involvements
            .iter()
            .map(|pi| paired(json!(pi.involvement), "party", json!(pi.party)))
            .collect(),
    );
    out["citations"] = Value::Array(
        d.citations
            .iter()
            .map(|cs| paired(json!(cs.citation), "source", json!(cs.source)))
            .collect(),
    );
    out["reports"] = json!(d.reports);
    out["lock"] = json!(d.lock);
    out
}

pub async fn get(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let d = member
        .incident_detail(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut out = detail_json(&d);
    out["signals"] = json!(super::signals::around_incident(&member, &d.incident).await?);
    Ok(Json(out))
}

pub async fn set_status(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Incident>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["status", "explanation"])?;
    let mut f = Fields::new(&value)?;
    let status: Option<IncidentStatus> = f.required("status");
    let explanation = f.text("explanation", 5000);
    f.finish()?;
    let analyst = member.as_analyst()?;
    Ok(Json(
        analyst
            .set_status(id, status.expect("checked"), explanation)
            .await?,
    ))
}

pub async fn history(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let entries = member
        .incident_history(id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(json!({"total": entries.len(), "items": entries})))
}

pub async fn assign(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Incident>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["assignee"])?;
    let mut f = Fields::new(&value)?;
    if value.get("assignee").is_none() {
        f.push("assignee", "is required (a user id, or null to unassign)");
    }
    let assignee: Option<kinga_domain::ids::UserId> = f.parsed("assignee");
    f.finish()?;
    let analyst = member.as_analyst()?;
    Ok(Json(analyst.assign(id, assignee).await?))
}

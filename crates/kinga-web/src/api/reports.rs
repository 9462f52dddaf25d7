use super::{json_body, path_id, query_value};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use kinga_app::records::{Page, ReportFilter};
use kinga_domain::fields::Fields;
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::report::{NewReport, Report, TriageDecision, TriageStatus};
use std::collections::HashMap;

pub async fn submit(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Report>), ApiError> {
    let value = json_body(&body)?;
    let new = super::parse_strictly(&value, |v| {
        NewReport::parse(v, chrono::Utc::now().date_naive())
    })?;
    let report = member.submit_report(new).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

pub async fn get(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Report>, ApiError> {
    let id: ReportId = path_id(&id)?;
    member.report(id).await?.map(Json).ok_or(ApiError::NotFound)
}

pub async fn list(
    ApiCaller(member): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Page<Report>>, ApiError> {
    let value = query_value(q);
    let mut f = Fields::new(&value)?;
    let status = f.parsed::<TriageStatus>("status");
    let country = f.parsed("country");
    let limit = f.count("limit").unwrap_or(50);
    if limit == 0 || limit > 500 {
        f.push("limit", "must be 1 to 500");
    }
    let offset = f.count("offset").unwrap_or(0);
    f.finish()?;
    let page = member
        .reports(&ReportFilter {
            status,
            country,
            incident: None,
            limit,
            offset,
        })
        .await?;
    Ok(Json(page))
}

pub async fn triage(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Report>, ApiError> {
    let id: ReportId = path_id(&id)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["decision", "reason"])?;
    let mut f = Fields::new(&value)?;
    let decision = f.required_text("decision", 20);
    let reason = f.text("reason", 2000);
    let decision = match decision.as_deref() {
        Some("accept") => Some(TriageDecision::Accept),
        Some("spam") => Some(TriageDecision::Spam),
        Some("reject") => match reason {
            Some(reason) => Some(TriageDecision::Reject { reason }),
            None => {
                f.push("reason", "a rejection needs a reason");
                None
            }
        },
        Some(other) => {
            f.push(
                "decision",
                format!("'{other}' is not a decision (accept, reject, spam)"),
            );
            None
        }
        None => None,
    };
    f.finish()?;
    let analyst = member.as_analyst()?;
    Ok(Json(analyst.triage(id, decision.expect("checked")).await?))
}

pub async fn link(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Report>, ApiError> {
    let id: ReportId = path_id(&id)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["incident"])?;
    let mut f = Fields::new(&value)?;
    let incident: Option<IncidentId> = f.required("incident");
    f.finish()?;
    let analyst = member.as_analyst()?;
    Ok(Json(analyst.link(id, incident.expect("checked")).await?))
}

/// Incidents that may already document this report, with the reasons: what an analyst checks
/// before linking it or creating a new incident.
pub async fn duplicates(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id: ReportId = path_id(&id)?;
    let analyst = member.as_analyst()?;
    let report = member.report(id).await?.ok_or(ApiError::NotFound)?;
    let suggestions = analyst
        .duplicates(&kinga_domain::dedup::Probe {
            country: report.country,
            date: report.occurred_on,
            latitude: report.latitude,
            longitude: report.longitude,
            text: &report.text,
        })
        .await?;
    Ok(Json(
        serde_json::json!({"total": suggestions.len(), "items": suggestions}),
    ))
}

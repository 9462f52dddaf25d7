//! The events an incident cites, over JSON: the list, citing and removing a citation, and the
//! suggested candidates of the incident's region and dates.
use super::{json_body, path_id};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use kinga_app::records::{CitedEvent, EventRef, NewEventCitation, SuggestionWindow, NOTE_MAX};
use kinga_domain::fields::Fields;
use kinga_domain::ids::IncidentId;
use kinga_domain::ValidationErrors;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Reads `days` and `limit`; each bad one is reported under its `$.name`.
pub fn parse_window(q: &HashMap<String, String>) -> Result<SuggestionWindow, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut w = SuggestionWindow::default();
    let given = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    if let Some(v) = given("days") {
        let max = SuggestionWindow::MAX_DAYS;
        if let Some(d) = errors.check(
            "$.days",
            v.parse::<u32>()
                .ok()
                .filter(|d| *d <= max)
                .ok_or(format!("must be a whole number of days from 0 to {max}")),
        ) {
            w.days = d;
        }
    }
    if let Some(v) = given("limit") {
        if let Some(l) = errors.check(
            "$.limit",
            v.parse::<u32>()
                .ok()
                .filter(|l| (1..=200).contains(l))
                .ok_or("must be a whole number from 1 to 200"),
        ) {
            w.limit = l;
        }
    }
    errors.into_result().map(|_| w)
}

/// A citation as the API shows it: the link, and the event row it points to.
fn item(c: &CitedEvent) -> Value {
    json!({
        "id": c.citation.id,
        "event_id": c.citation.event.to_string(),
        "note": c.citation.note,
        "cited_by": c.citation.cited_by,
        "cited_at": c.citation.cited_at,
        "event": c.event,
    })
}

pub async fn list(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let cited = member.cited_events(id).await?;
    Ok(Json(json!({
        "total": cited.len(),
        "items": cited.iter().map(item).collect::<Vec<_>>(),
    })))
}

pub async fn cite(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: IncidentId = path_id(&id)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["event", "note"])?;
    let mut f = Fields::new(&value)?;
    let event: Option<EventRef> = f.required("event");
    let note = f.text("note", NOTE_MAX);
    f.finish()?;
    let analyst = member.as_analyst()?;
    let cited = analyst
        .cite_event(
            id,
            NewEventCitation {
                event: event.expect("checked"),
                note,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(item(&cited))))
}

pub async fn uncite(
    ApiCaller(member): ApiCaller,
    Path((id, event)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let event: EventRef = path_id(&event)?;
    let analyst = member.as_analyst()?;
    let removed = analyst.uncite_event(id, &event).await?;
    Ok(Json(json!({
        "removed": {
            "id": removed.id,
            "event_id": removed.event.to_string(),
            "note": removed.note,
            "cited_by": removed.cited_by,
            "cited_at": removed.cited_at,
        }
    })))
}

pub async fn suggestions(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let id: IncidentId = path_id(&id)?;
    let window = parse_window(&q)?;
    let found = member.event_suggestions(id, window).await?;
    Ok(Json(json!({
        "days": window.days,
        "limit": window.limit,
        "items": found.iter().map(|s| json!({
            "event_id": s.event.reference().to_string(),
            "days_apart": s.days_apart,
            "event": s.event,
        })).collect::<Vec<_>>(),
    })))
}

/// The incidents the caller may see that cite one event.
pub async fn citing(
    ApiCaller(member): ApiCaller,
    Path(event): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let event: EventRef = path_id(&event)?;
    let found = member.incidents_citing(&event).await?;
    Ok(Json(json!({
        "total": found.len(),
        "items": found.iter().map(|c| json!({
            "incident_id": c.citation.incident_id,
            "code": c.code,
            "title": c.title,
            "organisation": c.organisation,
            "note": c.citation.note,
            "cited_by": c.citation.cited_by,
            "cited_at": c.citation.cited_at,
        })).collect::<Vec<_>>(),
    })))
}

//! Alerts and responses over JSON. Every signed-in member reads the alerts and responses in
//! their scope; the alert desk (analysts, coordinators, administrators) raises alerts, moves
//! them through their lifecycle and records responses, for its own organisation only
//! (decision 0016).
use super::{json_body, path_id, query_value};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use kinga_app::records::{AlertFilter, ResponseFilter};
use kinga_app::Member;
use kinga_domain::alert::{Alert, AlertMove, NewAlert, NewResponse, ResponseAction};
use kinga_domain::fields::Fields;
use kinga_domain::ids::AlertId;
use kinga_domain::incident::MAX_PAGE;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The page asked for; every bad parameter is reported under its `$.name`.
fn page(f: &mut Fields) -> (u32, u32) {
    let limit = f.count("limit").unwrap_or(100);
    if limit == 0 || limit > MAX_PAGE {
        f.push("limit", format!("must be 1 to {MAX_PAGE}"));
    }
    (limit, f.count("offset").unwrap_or(0))
}

/// Reads the filters of the alert list: `status`, `country`, `level`, `tier`, `limit`,
/// `offset`.
fn alert_filter(q: &Value) -> Result<AlertFilter, ApiError> {
    let mut f = Fields::new(q)?;
    let status = f.parsed("status");
    let country = f.parsed("country");
    let level = f.parsed("level");
    let tier = f.parsed("tier");
    let (limit, offset) = page(&mut f);
    f.finish()?;
    Ok(AlertFilter {
        status,
        country,
        level,
        tier,
        limit,
        offset,
    })
}

/// Reads the filters of the response list: `alert`, `country`, `limit`, `offset`.
fn response_filter(q: &Value) -> Result<ResponseFilter, ApiError> {
    let mut f = Fields::new(q)?;
    let alert = f.parsed("alert");
    let country = f.parsed("country");
    let (limit, offset) = page(&mut f);
    f.finish()?;
    Ok(ResponseFilter {
        alert,
        country,
        limit,
        offset,
    })
}

pub async fn list(
    ApiCaller(member): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let filter = alert_filter(&query_value(q))?;
    let page = member.alerts(&filter).await?;
    Ok(Json(json!({
        "total": page.total,
        "limit": filter.limit,
        "offset": filter.offset,
        "items": page.items,
    })))
}

pub async fn get(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Alert>, ApiError> {
    let id: AlertId = path_id(&id)?;
    Ok(Json(member.alert(id).await?.ok_or(ApiError::NotFound)?))
}

/// Raises an alert from the same JSON `kinga alert raise --file` reads. 201 with the alert when
/// it is new; 200 with the alert already there when the organisation raised its dedup key
/// before. `created` says which.
pub async fn raise(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    // The parser refuses unknown fields itself, as the command line's file needs it to.
    let new = NewAlert::parse(&json_body(&body)?)?;
    let raised = member.as_alert_desk()?.raise(new).await?;
    let mut out = json!(raised.alert);
    out["created"] = json!(raised.created);
    let status = if raised.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(out)))
}

/// Moves an alert. An optional `{"version": N}` refuses the move when the alert is no longer
/// at version N; without a body the move applies to whatever version is stored.
async fn step(
    member: Member,
    id: String,
    body: Bytes,
    wanted: AlertMove,
) -> Result<Json<Alert>, ApiError> {
    let id: AlertId = path_id(&id)?;
    let version = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let value = json_body(&body)?;
        super::only_fields(&value, &["version"])?;
        let mut f = Fields::new(&value)?;
        let version = f.count("version");
        f.finish()?;
        version
    };
    let desk = member.as_alert_desk()?;
    Ok(Json(desk.move_alert(id, wanted, version).await?))
}

pub async fn acknowledge(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Alert>, ApiError> {
    step(member, id, body, AlertMove::Acknowledge).await
}

pub async fn escalate(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Alert>, ApiError> {
    step(member, id, body, AlertMove::Escalate).await
}

pub async fn close(
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Alert>, ApiError> {
    step(member, id, body, AlertMove::Close).await
}

pub async fn responses(
    ApiCaller(member): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let filter = response_filter(&query_value(q))?;
    let page = member.responses(&filter).await?;
    Ok(Json(json!({
        "total": page.total,
        "limit": filter.limit,
        "offset": filter.offset,
        "items": page.items,
    })))
}

/// Records a response. One that answers an alert (`alert_id`) is the owning organisation's to
/// record, and moves an open alert not yet responded to to `responded`.
pub async fn respond(
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<(StatusCode, Json<ResponseAction>), ApiError> {
    let today = kinga_domain::time::now().date_naive();
    // Strict by itself, like an alert's parser.
    let new = NewResponse::parse(&json_body(&body)?, today)?;
    let response = member.as_alert_desk()?.record_response(new).await?;
    Ok((StatusCode::CREATED, Json(response)))
}

//! Custody actions on one evidence item over the API: verify it now, record a transfer or a
//! deletion request, read its custody log. None of them touches the item's bytes; each is an
//! entry of the item's hash-chained custody log. The organisation holding the item acts on it;
//! transfers and deletion requests are for its legal officers and administrators.
use super::evidence::{vault, visible_item};
use super::{json_body, path_id};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::vault::{CustodyNote, EvidenceError, NOTE_LIMIT};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use kinga_app::{AccessError, Member};
use kinga_domain::evidence::{CustodyEvent, EvidenceId};
use kinga_domain::fields::Fields;
use serde_json::{json, Value};

/// A refusal of the vault as the API says it: 403 for a role or organisation, 422 for input.
pub(crate) fn refused(member: &Member, e: EvidenceError) -> ApiError {
    match e {
        EvidenceError::Forbidden(_) => ApiError::Access(AccessError::Forbidden(member.user().role)),
        EvidenceError::Invalid { field, message } => ApiError::Invalid(
            kinga_domain::ValidationErrors::single(format!("$.{field}"), message),
        ),
        other => other.into(),
    }
}

/// `POST /evidence/{id}/verify`
pub async fn verify(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let vault = vault(&state)?;
    let p = member.principal();
    let check = vault
        .verify_item(&p.actor(), &p.scope(), p.user.role, id)
        .await
        .map_err(|e| refused(&member, e))?;
    Ok(Json(json!({
        "evidence_id": id,
        "intact": check.intact,
        "decrypted": check.decrypted,
        "detail": check.detail,
        "custody_entry": check.entry,
    })))
}

/// Records `note` in the item's custody log as the caller.
async fn record(
    state: &AppState,
    member: &Member,
    id: EvidenceId,
    note: CustodyNote,
) -> Result<CustodyEvent, ApiError> {
    let p = member.principal();
    vault(state)?
        .note_custody(&p.actor(), &p.scope(), p.user.role, id, note)
        .await
        .map_err(|e| refused(member, e))
}

/// `POST /evidence/{id}/transfer` with `{"to": …, "note": …}`
pub async fn transfer(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: EvidenceId = path_id(&id)?;
    // No vault, no custody log: said before the body is read.
    vault(&state)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["to", "note"])?;
    let mut f = Fields::new(&value)?;
    let to = f.required_text("to", 300);
    let note = f.text("note", NOTE_LIMIT);
    f.finish()?;
    let note = CustodyNote::Transfer {
        to: to.expect("checked"),
        note,
    };
    let entry = record(&state, &member, id, note).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"evidence_id": id, "custody_entry": entry})),
    ))
}

/// `POST /evidence/{id}/deletion-request` with `{"reason": …}`: recorded, nothing deleted.
pub async fn deletion_request(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: EvidenceId = path_id(&id)?;
    // No vault, no custody log: said before the body is read.
    vault(&state)?;
    let value = json_body(&body)?;
    super::only_fields(&value, &["reason"])?;
    let mut f = Fields::new(&value)?;
    let reason = f.required_text("reason", NOTE_LIMIT);
    f.finish()?;
    let note = CustodyNote::DeletionRequest {
        reason: reason.expect("checked"),
    };
    let entry = record(&state, &member, id, note).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "evidence_id": id,
            "custody_entry": entry,
            "deleted": false,
            "note": "the request is recorded in the custody log; the sealed original and its copies are unchanged",
        })),
    ))
}

/// `GET /evidence/{id}/custody`: the item's custody log, oldest first.
pub async fn log(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let vault = vault(&state)?;
    let scope = member.principal().scope();
    let item = visible_item(vault, &scope, id).await?;
    let entries = vault.custody_log(&scope, id).await?;
    Ok(Json(json!({
        "evidence_id": id,
        "sha256": item.sha256,
        "organisation": item.organisation,
        "visibility": item.visibility,
        "total": entries.len(),
        "items": entries,
    })))
}

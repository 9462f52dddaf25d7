//! Evidence over the API: multipart upload streamed into the vault, metadata and custody as JSON,
//! and the bytes themselves, each served only after its custody event.
use super::path_id;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::vault::{Announced, Attach, EvidenceError, Opened, Vault, Wanted};
use axum::body::{Body, Bytes};
use axum::extract::multipart::Field;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kinga_app::records::{EvidenceFilter, Scope, StoreError};
use kinga_app::{AccessError, Member};
use kinga_domain::evidence::{CustodyKind, EvidenceId, EvidenceItem};
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::Visibility;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;

/// Near-duplicate threshold: the vault's, in differing bits of the 64-bit hash.
pub(crate) const NEAR_BITS: u32 = kinga_vault::phash::NEAR_DUPLICATE_BITS;

pub(crate) fn vault(state: &AppState) -> Result<&Arc<Vault>, ApiError> {
    state
        .vault
        .as_ref()
        .ok_or(ApiError::Evidence(EvidenceError::NoVault))
}

/// The item as the caller's scope sees it; 404 alike for a missing item and one not theirs to
/// see, so that the answer does not reveal which.
pub(crate) async fn visible_item(
    vault: &Vault,
    scope: &Scope,
    id: EvidenceId,
) -> Result<EvidenceItem, ApiError> {
    vault.item(scope, id).await?.ok_or(ApiError::NotFound)
}

/// Reads a multipart field on the async side and hands its bytes to the blocking intake
/// through a small channel: memory holds a few chunks, whatever the file's size. A broken
/// upload reaches the intake as a read error, so nothing is stored.
pub(crate) struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(b)) => self.current = b,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

pub(crate) fn channel() -> (
    tokio::sync::mpsc::Sender<Result<Bytes, String>>,
    ChannelReader,
) {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    (
        tx,
        ChannelReader {
            rx,
            current: Bytes::new(),
        },
    )
}

/// Copies a field into the channel; an interrupted body becomes an error the intake sees.
pub(crate) async fn pump(
    mut field: Field<'_>,
    tx: tokio::sync::mpsc::Sender<Result<Bytes, String>>,
) {
    loop {
        match field.chunk().await {
            Ok(Some(b)) => {
                if tx.send(Ok(b)).await.is_err() {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                let _ = tx.send(Err(format!("upload interrupted: {e}"))).await;
                return;
            }
        }
    }
}

/// Streams `field` into the vault as evidence of the member's organisation.
pub(crate) async fn receive_field(
    vault: &Vault,
    member: &Member,
    attach: Attach,
    announced_sha256: Option<String>,
    field: Field<'_>,
) -> Result<EvidenceItem, EvidenceError> {
    let user = member.user();
    let org = vault
        .organisation(&user.organisation)
        .await?
        .ok_or(StoreError::NotFound)?;
    let announced = Announced {
        name: field.file_name().map(str::to_string),
        size: None,
        sha256: announced_sha256,
    };
    let (tx, reader) = channel();
    let principal = member.principal();
    let (actor, scope) = (principal.actor(), principal.scope());
    let (_, received) = tokio::join!(
        pump(field, tx),
        vault.receive(&actor, &scope, &org, attach, announced, reader)
    );
    received
}

/// The bytes, with headers that keep a browser from running or sniffing them: anything that
/// is not safe inline is an attachment.
pub(crate) fn bytes_response(opened: Opened, attachment: bool) -> Response {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let mut reader = opened.reader;
    tokio::task::spawn_blocking(move || loop {
        let mut buf = vec![0u8; 64 << 10];
        match reader.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                buf.truncate(n);
                if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::error!("evidence stream stopped: {e}");
                let _ = tx.blocking_send(Err(e));
                return;
            }
        }
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let inline = opened.inline_safe && !attachment;
    let content_type = if opened.inline_safe {
        opened.media_type.clone()
    } else {
        "application/octet-stream".to_string()
    };
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        ascii_name(&opened.file_name),
        pct(&opened.file_name)
    );
    let mut r = Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    let put = |h: &mut axum::http::HeaderMap, k: header::HeaderName, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    };
    put(h, header::CONTENT_TYPE, content_type);
    put(h, header::CONTENT_DISPOSITION, disposition);
    put(h, header::CONTENT_LENGTH, opened.size.to_string());
    put(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    put(
        h,
        header::CONTENT_SECURITY_POLICY,
        "sandbox; default-src 'none'; img-src 'self'; media-src 'self'".into(),
    );
    put(h, header::CACHE_CONTROL, "no-store".into());
    put(
        h,
        header::HeaderName::from_static("x-evidence-sha256"),
        opened.item.sha256.clone(),
    );
    r
}

fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An item as the API shows it: no key material, capture metadata only to case workers.
pub(crate) fn item_json(item: &EvidenceItem, member: &Member) -> Value {
    let mut v = json!({
        "id": item.id,
        "organisation": item.organisation,
        "visibility": item.visibility,
        "incident_id": item.incident_id,
        "report_id": item.report_id,
        "sha256": item.sha256,
        "size": item.size,
        "media_type": item.media_type,
        "inline_safe": item.inline_safe,
        "original_name": item.original_name,
        "perceptual_hash": item.perceptual_hash,
        "received_by": item.received_by,
        "received_at": item.received_at,
        "key_version": item.key_version,
    });
    if member.user().role.sees_restricted() {
        v["capture_metadata"] = json!(item.capture_metadata);
    }
    v
}

/// `POST /incidents/{id}/evidence`: fields `visibility`, `report_id`, `sha256` (optional, before
/// the file) and `file`.
pub async fn upload(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let incident: IncidentId = path_id(&id)?;
    let vault = vault(&state)?.clone();
    member.incident(incident).await?.ok_or(ApiError::NotFound)?;
    let mut attach = Attach {
        incident: Some(incident),
        report: None,
        visibility: Visibility::Restricted,
    };
    let mut sha = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|e| ApiError::Malformed(format!("multipart body: {e}")))?
    {
        match field.name().unwrap_or("") {
            "file" => {
                let item = receive_field(&vault, &member, attach, sha, field).await?;
                let similar = similar(&vault, &member, &item).await?;
                let mut out = item_json(&item, &member);
                out["possible_duplicates"] = json!(similar);
                return Ok((StatusCode::CREATED, Json(out)));
            }
            name => {
                let name = name.to_string();
                let text = field
                    .text()
                    .await
                    .map_err(|e| ApiError::Malformed(format!("multipart field {name}: {e}")))?;
                match name.as_str() {
                    "visibility" => {
                        attach.visibility = text.parse().map_err(|e| {
                            ApiError::Invalid(kinga_domain::ValidationErrors::single(
                                "visibility",
                                format!("{e}"),
                            ))
                        })?;
                    }
                    "report_id" => {
                        attach.report = Some(text.parse::<ReportId>().map_err(|_| {
                            ApiError::Invalid(kinga_domain::ValidationErrors::single(
                                "report_id",
                                "not an id".to_string(),
                            ))
                        })?);
                    }
                    "sha256" => sha = Some(text.trim().to_string()),
                    _ => {}
                }
            }
        }
    }
    Err(ApiError::Invalid(kinga_domain::ValidationErrors::single(
        "file",
        "the multipart body has no `file` field".to_string(),
    )))
}

async fn similar(
    vault: &Vault,
    member: &Member,
    item: &EvidenceItem,
) -> Result<Vec<Value>, ApiError> {
    let Some(h) = &item.perceptual_hash else {
        return Ok(vec![]);
    };
    let scope = member.principal().scope();
    Ok(vault
        .similar(&scope, h, NEAR_BITS)
        .await?
        .into_iter()
        .filter(|s| s.item.id != item.id)
        .map(|s| json!({"id": s.item.id, "incident_id": s.item.incident_id, "distance": s.distance, "sha256": s.item.sha256}))
        .collect())
}

pub async fn list(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let incident: IncidentId = path_id(&id)?;
    let vault = vault(&state)?;
    member.incident(incident).await?.ok_or(ApiError::NotFound)?;
    let items = vault
        .items(
            &member.principal().scope(),
            &EvidenceFilter {
                incident: Some(incident),
                ..Default::default()
            },
        )
        .await?;
    Ok(Json(json!({
        "total": items.len(),
        "items": items.iter().map(|i| item_json(i, &member)).collect::<Vec<_>>(),
    })))
}

pub async fn get(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let vault = vault(&state)?;
    let scope = member.principal().scope();
    let item = visible_item(vault, &scope, id).await?;
    let custody = vault.custody_log(&scope, id).await?;
    let copies = vault.working_copies(&scope, id).await?;
    let mut out = item_json(&item, &member);
    out["custody"] = json!(custody);
    out["working_copies"] = json!(copies
        .iter()
        .map(super::derivatives::copy_json)
        .collect::<Vec<_>>());
    out["possible_duplicates"] = json!(similar(vault, &member, &item).await?);
    out["keys_unlocked"] = json!(vault.is_unlocked(item.organisation_id));
    Ok(Json(out))
}

/// `GET /evidence/{id}/content[?original=true][&download=true]`: the working copy by default.
pub async fn content(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let vault = vault(&state)?;
    let flag = |k: &str| q.get(k).is_some_and(|v| v == "true" || v == "1");
    let wanted = if flag("original") {
        Wanted::Original
    } else {
        Wanted::WorkingCopy
    };
    let attachment = flag("download");
    let p = member.principal();
    let opened = vault
        .open(
            &p.actor(),
            &p.scope(),
            Some(p.user.role),
            id,
            wanted,
            if attachment {
                CustodyKind::Download
            } else {
                CustodyKind::View
            },
        )
        .await
        .map_err(|e| match e {
            EvidenceError::Forbidden(_) => ApiError::Access(AccessError::Forbidden(p.user.role)),
            other => other.into(),
        })?;
    Ok(bytes_response(opened, attachment))
}

/// `POST /reports/{id}/sealed`: `{"witness_name": …, "witness_contact": …}`. The values are
/// encrypted before they are stored and never echoed back.
pub async fn seal_fields(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let report: ReportId = path_id(&id)?;
    let vault = vault(&state)?;
    let value = super::json_body(&body)?;
    let Some(obj) = value.as_object() else {
        return Err(ApiError::Malformed(
            "expected a JSON object of fields".into(),
        ));
    };
    let mut values = Vec::new();
    let mut errors = Vec::new();
    for (k, v) in obj {
        match v.as_str() {
            Some(s) if kinga_domain::evidence::SEALED_REPORT_FIELDS.contains(&k.as_str()) => {
                values.push((k.clone(), s.to_string()));
            }
            Some(_) => errors.push(kinga_domain::FieldError {
                path: format!("$.{k}"),
                message: format!(
                    "only {} may be sealed",
                    kinga_domain::evidence::SEALED_REPORT_FIELDS.join(", ")
                ),
            }),
            None => errors.push(kinga_domain::FieldError {
                path: format!("$.{k}"),
                message: "must be a string".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(kinga_domain::ValidationErrors { errors }));
    }
    let p = member.principal();
    // Not visible: 404 from the store; visible but not the owner's to write: 403.
    let sealed = vault
        .seal_report_fields(&p.actor(), &p.scope(), report, values)
        .await
        .map_err(|e| match e {
            EvidenceError::Forbidden(_) => ApiError::Access(AccessError::Forbidden(p.user.role)),
            other => other.into(),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"report_id": report, "sealed": sealed})),
    ))
}

/// `GET /reports/{id}/sealed`: the clear values, for legal officers and administrators of the
/// owning organisation while its keys are unlocked.
pub async fn sealed_fields(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let report: ReportId = path_id(&id)?;
    let vault = vault(&state)?;
    let p = member.principal();
    // Read through the audited path: the reading is in the audit chain before any value leaves.
    let fields = vault
        .read_report_fields(&p.actor(), &p.scope(), p.user.role, report)
        .await
        .map_err(|e| match e {
            EvidenceError::Forbidden(_) => ApiError::Access(AccessError::Forbidden(p.user.role)),
            other => other.into(),
        })?;
    let map: serde_json::Map<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    Ok(Json(json!({"report_id": report, "fields": map})))
}

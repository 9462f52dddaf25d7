//! Derived working copies over the API: a thumbnail or a copy with regions blurred for
//! publication, made by case workers of the organisation that holds the item; the list of an
//! item's copies with their lineage; and a copy's bytes, served only after its custody event.
use super::evidence::{bytes_response, vault};
use super::path_id;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::vault::EvidenceError;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use kinga_app::AccessError;
use kinga_domain::evidence::{CustodyKind, EvidenceId, WorkingCopy, WorkingCopyId};
use kinga_domain::{FieldError, ValidationErrors};
use kinga_vault::thumbnail::{DEFAULT_SIZE, MAX_SIZE, MIN_SIZE};
use kinga_vault::{Derivation, Region, Unit, VaultError};
use serde_json::{json, Value};
use std::collections::HashMap;

const MAX_REGIONS: usize = 64;

/// A copy as the API shows it: lineage and parameters, never key material.
pub(crate) fn copy_json(c: &WorkingCopy) -> Value {
    json!({
        "id": c.id,
        "evidence_id": c.evidence_id,
        "kind": c.kind,
        "derived_from_sha256": c.derived_from_sha256,
        "derivation": c.derivation,
        "params": c.params,
        "sha256": c.sha256,
        "size": c.size,
        "media_type": c.media_type,
        "created_by": c.created_by,
        "created_at": c.created_at,
        "content": format!("/api/v1/evidence/{}/derivatives/{}/content", c.evidence_id, c.id),
    })
}

fn number(v: &Value, path: &str, errors: &mut Vec<FieldError>) -> f64 {
    match v.as_f64() {
        Some(n) => n,
        None => {
            errors.push(FieldError {
                path: path.into(),
                message: if v.is_null() {
                    "is required".into()
                } else {
                    "must be a number".into()
                },
            });
            0.0
        }
    }
}

fn unknown_fields(
    obj: &serde_json::Map<String, Value>,
    at: &str,
    known: &[&str],
) -> Vec<FieldError> {
    obj.keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| FieldError {
            path: format!("{at}.{k}"),
            message: format!("unknown field; expected {}", known.join(", ")),
        })
        .collect()
}

/// `{"thumbnail": {"size": 320}}` or `{"blur": {"regions": [{"x", "y", "w", "h", "unit"}]}}`,
/// every mistake named by its JSON path.
pub(crate) fn parse_request(body: &Value) -> Result<Derivation, ValidationErrors> {
    let fail = |path: &str, message: &str| ValidationErrors::single(path, message);
    let Some(obj) = body.as_object() else {
        return Err(fail(
            "$",
            "expected a JSON object with `thumbnail` or `blur`",
        ));
    };
    let mut errors = unknown_fields(obj, "$", &["thumbnail", "blur"]);
    let how = match (obj.get("thumbnail"), obj.get("blur")) {
        (Some(_), Some(_)) => {
            return Err(fail("$", "give `thumbnail` or `blur`, not both"));
        }
        (None, None) => return Err(fail("$", "give `thumbnail` or `blur`")),
        (Some(t), None) => {
            let size = match t {
                Value::Null => Value::Null,
                Value::Object(o) => {
                    errors.extend(unknown_fields(o, "$.thumbnail", &["size"]));
                    o.get("size").cloned().unwrap_or(Value::Null)
                }
                _ => {
                    return Err(fail(
                        "$.thumbnail",
                        "must be an object, e.g. {\"size\": 320}",
                    ))
                }
            };
            let size = match size {
                Value::Null => DEFAULT_SIZE,
                v => match v.as_u64() {
                    Some(n) if (u64::from(MIN_SIZE)..=u64::from(MAX_SIZE)).contains(&n) => n as u32,
                    _ => {
                        errors.push(FieldError {
                            path: "$.thumbnail.size".into(),
                            message: format!(
                                "must be a whole number of pixels from {MIN_SIZE} to {MAX_SIZE}"
                            ),
                        });
                        DEFAULT_SIZE
                    }
                },
            };
            Derivation::Thumbnail { size }
        }
        (None, Some(b)) => {
            let Some(b) = b.as_object() else {
                return Err(fail("$.blur", "must be an object with `regions`"));
            };
            errors.extend(unknown_fields(b, "$.blur", &["regions"]));
            let Some(list) = b.get("regions").and_then(Value::as_array) else {
                return Err(fail(
                    "$.blur.regions",
                    "is required: a list of {x, y, w, h}",
                ));
            };
            if list.is_empty() || list.len() > MAX_REGIONS {
                return Err(fail(
                    "$.blur.regions",
                    &format!("give from 1 to {MAX_REGIONS} regions"),
                ));
            }
            let mut regions = Vec::new();
            for (i, r) in list.iter().enumerate() {
                let at = format!("$.blur.regions[{i}]");
                let Some(o) = r.as_object() else {
                    errors.push(FieldError {
                        path: at,
                        message: "must be an object {x, y, w, h}".into(),
                    });
                    continue;
                };
                errors.extend(unknown_fields(o, &at, &["x", "y", "w", "h", "unit"]));
                let field = |k: &str| o.get(k).cloned().unwrap_or(Value::Null);
                let x = number(&field("x"), &format!("{at}.x"), &mut errors);
                let y = number(&field("y"), &format!("{at}.y"), &mut errors);
                let w = number(&field("w"), &format!("{at}.w"), &mut errors);
                let h = number(&field("h"), &format!("{at}.h"), &mut errors);
                let unit = match o.get("unit").map(|u| u.as_str()) {
                    None | Some(Some("px")) => Unit::Px,
                    Some(Some("fraction")) => Unit::Fraction,
                    _ => {
                        errors.push(FieldError {
                            path: format!("{at}.unit"),
                            message: "must be \"px\" or \"fraction\"".into(),
                        });
                        Unit::Px
                    }
                };
                regions.push(Region { x, y, w, h, unit });
            }
            Derivation::Blur { regions }
        }
    };
    if errors.is_empty() {
        Ok(how)
    } else {
        Err(ValidationErrors { errors })
    }
}

/// Vault refusals of a request that passed the shape checks: a region that does not fit the
/// image names its JSON path; a non-image names the item.
pub(crate) fn derive_error(e: EvidenceError, role: kinga_domain::Role) -> ApiError {
    match e {
        EvidenceError::Forbidden(_) => ApiError::Access(AccessError::Forbidden(role)),
        EvidenceError::Vault(v @ VaultError::Region { .. }) => {
            let VaultError::Region { index, field, .. } = &v else {
                unreachable!("matched above")
            };
            ApiError::Invalid(ValidationErrors::single(
                format!("$.blur.regions[{index}].{field}"),
                v.to_string(),
            ))
        }
        EvidenceError::Vault(v @ (VaultError::Derive(_) | VaultError::Image(_))) => {
            ApiError::Invalid(ValidationErrors::single("$", v.to_string()))
        }
        other => other.into(),
    }
}

/// `POST /evidence/{id}/derivatives`: 201 with the new copy, or 200 with the same copy made
/// before.
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let vault = vault(&state)?;
    member.as_analyst()?;
    let how = parse_request(&super::json_body(&body)?)?;
    let p = member.principal();
    let made = vault
        .derive(&p.actor(), &p.scope(), Some(p.user.role), id, how)
        .await
        .map_err(|e| derive_error(e, p.user.role))?;
    let status = if made.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut out = copy_json(&made.copy);
    out["created"] = json!(made.created);
    Ok((status, Json(out)))
}

/// `GET /evidence/{id}/derivatives`: every working copy of the item, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let vault = vault(&state)?;
    let copies = vault
        .working_copies(&member.principal().scope(), id)
        .await?;
    Ok(Json(json!({
        "total": copies.len(),
        "items": copies.iter().map(copy_json).collect::<Vec<_>>(),
    })))
}

/// `GET /evidence/{id}/derivatives/{copy}/content[?download=true]`.
pub async fn content(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    Path((id, copy)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let id: EvidenceId = path_id(&id)?;
    let copy: WorkingCopyId = path_id(&copy)?;
    let vault = vault(&state)?;
    let attachment = q.get("download").is_some_and(|v| v == "true" || v == "1");
    let p = member.principal();
    let opened = vault
        .open_copy(
            &p.actor(),
            &p.scope(),
            id,
            copy,
            if attachment {
                CustodyKind::Download
            } else {
                CustodyKind::View
            },
        )
        .await?;
    Ok(bytes_response(opened, attachment))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_their_mistakes() {
        assert_eq!(
            parse_request(&json!({"thumbnail": {}})).unwrap(),
            Derivation::Thumbnail { size: 320 }
        );
        let Derivation::Blur { regions } = parse_request(
            &json!({"blur": {"regions": [{"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4, "unit": "fraction"}]}}),
        )
        .unwrap() else {
            panic!("a blur")
        };
        assert_eq!(regions[0].unit, Unit::Fraction);
        let paths = |v: Value| -> Vec<String> {
            parse_request(&v)
                .unwrap_err()
                .errors
                .into_iter()
                .map(|e| e.path)
                .collect()
        };
        assert_eq!(
            paths(json!({"thumbnail": {"size": 5}})),
            ["$.thumbnail.size"]
        );
        assert_eq!(
            paths(
                json!({"blur": {"regions": [{"x": 1, "y": 1, "w": 2, "h": 2}, {"x": "a", "y": 0, "w": 1}]}})
            ),
            ["$.blur.regions[1].x", "$.blur.regions[1].h"]
        );
        assert_eq!(paths(json!({"blur": {"regions": []}})), ["$.blur.regions"]);
        assert_eq!(paths(json!({"crop": {}})), ["$"]);
        assert_eq!(paths(json!([])), ["$"]);
    }
}

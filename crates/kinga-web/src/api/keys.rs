//! The organisation's keys over the API: their state in this server, unlocking them with the
//! passphrase (held in this process's memory only) and locking them again. Administrators of
//! the organisation only; both actions are audit entries.
use super::evidence::vault;
use super::json_body;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use crate::state::AppState;
use crate::vault::{EvidenceError, KeyStatus};
use axum::body::Bytes;
use axum::extract::State;
use axum::Json;
use kinga_app::records::StoreError;
use kinga_app::{AccessError, Admin, Member, Principal};
use kinga_domain::org::Organisation;
use kinga_domain::ValidationErrors;
use serde_json::{json, Value};

/// Said with every answer, because it is the one thing an administrator must not learn late.
pub(crate) const LOST_PASSPHRASE: &str = "A lost passphrase without enough recovery shares (`kinga keys split`) means the sealed evidence and sealed fields of the organisation can never be read again.";

pub(crate) async fn own_organisation(member: &Member) -> Result<Organisation, ApiError> {
    let slug = &member.user().organisation;
    member
        .organisations()
        .await?
        .into_iter()
        .find(|o| &o.slug == slug)
        .ok_or(ApiError::NotFound)
}

fn status_json(org: &Organisation, s: &KeyStatus) -> Value {
    json!({
        "organisation": org.slug,
        "visibility": "organisation",
        "has_keys": s.version.is_some(),
        "key_version": s.version,
        "unlocked": s.unlocked,
        "signing_public": s.signing_public,
        "warning": LOST_PASSPHRASE,
    })
}

/// The limiter's key for unlock attempts: one administrator guessing at one organisation's
/// passphrase (an administrator only ever unlocks their own organisation).
pub(crate) fn unlock_attempts_key(p: &Principal) -> String {
    format!("keys:{}:{}", p.user.organisation_id, p.user.id)
}

fn admin_of(member: &Member) -> Result<Admin, ApiError> {
    Ok(member.as_admin()?)
}

/// `GET /admin/keys`
pub async fn status(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
) -> Result<Json<Value>, ApiError> {
    admin_of(&member)?;
    let vault = vault(&state)?;
    let org = own_organisation(&member).await?;
    Ok(Json(status_json(&org, &vault.key_status(&org).await?)))
}

/// `POST /admin/keys/unlock` with `{"passphrase": …}`. A wrong passphrase is a 422 on
/// `$.passphrase` and changes nothing; after a few, 429 with `Retry-After` for a while.
pub async fn unlock(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    admin_of(&member)?;
    let vault = vault(&state)?;
    let value = json_body(&body)?;
    let passphrase = match value.get("passphrase") {
        Some(Value::String(p)) if !p.is_empty() => p.clone(),
        Some(Value::String(_)) | None => {
            return Err(ValidationErrors::single("$.passphrase", "is required").into())
        }
        Some(_) => return Err(ValidationErrors::single("$.passphrase", "must be a string").into()),
    };
    let org = own_organisation(&member).await?;
    let p = member.principal();
    let attempts = unlock_attempts_key(p);
    // Refused before the passphrase is derived, right or wrong, while the lockout lasts.
    state
        .key_unlocks
        .check(&[&attempts])
        .map_err(AccessError::TooManyAttempts)?;
    match vault.unlock_recorded(&p.actor(), &org, &passphrase).await {
        Ok(s) => {
            state.key_unlocks.succeeded(&[&attempts]);
            Ok(Json(status_json(&org, &s)))
        }
        Err(EvidenceError::Vault(kinga_vault::VaultError::WrongPassphrase { .. })) => {
            state.key_unlocks.failed(&[&attempts]);
            tracing::warn!(organisation = %org.slug, user = %p.user.email, "key unlock refused: wrong passphrase");
            Err(ValidationErrors::single(
                "$.passphrase",
                "wrong passphrase: the keys stay as they were",
            )
            .into())
        }
        Err(e @ EvidenceError::NoKeys(_)) => Err(ApiError::from(StoreError::Rule(e.to_string()))),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/keys/lock`: drops the keys from this server's memory.
pub async fn lock(
    State(state): State<AppState>,
    ApiCaller(member): ApiCaller,
) -> Result<Json<Value>, ApiError> {
    admin_of(&member)?;
    let vault = vault(&state)?;
    let org = own_organisation(&member).await?;
    let was = vault
        .lock_recorded(&member.principal().actor(), &org)
        .await?;
    let mut out = status_json(&org, &vault.key_status(&org).await?);
    out["was_unlocked"] = json!(was);
    Ok(Json(out))
}

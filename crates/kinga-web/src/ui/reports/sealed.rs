//! The protected source of a report (witness name, contact, exact location): read from the
//! report form, sealed to the organisation's public key (no passphrase needed, so intake works
//! while the keys are locked), and shown on the report's page as "sealed" to everyone but the
//! legal officers and administrators of the owning organisation, who may open it, with an audit
//! entry, while the keys are unlocked.
use crate::state::AppState;
use crate::ui::common::{not_found, Fact};
use crate::ui::i18n::Tr;
use crate::ui::session::{FormErrors, Page};
use crate::vault::EvidenceError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_domain::evidence::SEALED_REPORT_FIELDS;
use kinga_domain::ids::ReportId;
use kinga_domain::report::Report;
use std::collections::HashMap;

/// Longest sealed value a form accepts.
const MAX_SEALED: usize = 500;

/// The sealed values a form carries (trimmed, empty ones left out) and what is wrong with them.
pub(crate) fn from_form(
    t: Tr,
    form: &HashMap<String, String>,
) -> (Vec<(String, String)>, FormErrors) {
    let mut values = Vec::new();
    let mut errors = FormErrors::default();
    for name in SEALED_REPORT_FIELDS {
        let Some(v) = form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty()) else {
            continue;
        };
        if v.chars().count() > MAX_SEALED {
            errors
                .0
                .insert(name.to_string(), t.get("sealed.too_long").to_string());
        } else {
            values.push((name.to_string(), v.to_string()));
        }
    }
    (values, errors)
}

/// Whether the member's organisation can seal now; the reason, in the visitor's language, when
/// it cannot.
pub(crate) async fn can_seal(state: &AppState, page: &Page) -> Result<(), String> {
    let t = page.t;
    let Some(vault) = &state.vault else {
        return Err(t.get("sealed.no_vault").to_string());
    };
    let org = match vault.organisation(&page.member.user().organisation).await {
        Ok(Some(o)) => o,
        _ => return Err(crate::ui::common::internal_text(t)),
    };
    match vault.public_keys(&org).await {
        Ok(_) => Ok(()),
        Err(EvidenceError::NoKeys(_)) => Err(t.get("sealed.no_keys").to_string()),
        Err(e) => {
            tracing::error!("public keys of {} unreadable: {e}", org.slug);
            Err(crate::ui::common::internal_text(t))
        }
    }
}

pub(crate) async fn seal(
    state: &AppState,
    page: &Page,
    report: ReportId,
    values: Vec<(String, String)>,
) -> Result<(), EvidenceError> {
    let vault = state.vault.as_ref().ok_or(EvidenceError::NoVault)?;
    let p = page.member.principal();
    vault
        .seal_report_fields(&p.actor(), &p.scope(), report, values)
        .await
        .map(|_| ())
}

fn label(t: Tr, field: &str) -> String {
    t.get(&format!("sealed.{field}")).to_string()
}

/// The protected-source card of a report's page.
#[derive(Default)]
pub(crate) struct SealedCard {
    pub shown: bool,
    pub has: bool,
    /// A legal officer or administrator of the organisation holding the report.
    pub entitled: bool,
    pub unlocked: bool,
    /// Opened values, only after an audited reading.
    pub values: Vec<Fact>,
    /// The report has no protected source yet and this reader may add one.
    pub may_add: bool,
    pub failed: bool,
    pub notice: String,
    pub message: String,
}

/// What the card shows; `opened` are values already read (with their audit entry).
pub(crate) async fn card(
    state: &AppState,
    page: &Page,
    r: &Report,
    q: &HashMap<String, String>,
    opened: Option<Vec<(String, String)>>,
    message: String,
) -> SealedCard {
    let t = page.t;
    let user = page.member.user();
    let failed = q.get("sealed").is_some_and(|v| v == "failed");
    let notice = if q.get("sealed").is_some_and(|v| v == "1") {
        t.get("sealed.saved").to_string()
    } else {
        String::new()
    };
    let Some(vault) = &state.vault else {
        return SealedCard {
            shown: failed,
            failed,
            ..SealedCard::default()
        };
    };
    let names = match vault
        .sealed_field_names(&page.member.principal().scope(), r.id)
        .await
    {
        Ok(n) => n,
        Err(e) => {
            tracing::error!("sealed fields of report {} unreadable: {e}", r.id);
            vec![]
        }
    };
    let entitled = user.role.sees_sealed() && user.organisation_id == r.organisation_id;
    let has = !names.is_empty();
    // The same rule the vault applies when the form is sent.
    let may_add = !has && crate::vault::may_write_sealed(&page.member.principal().scope(), r);
    let values = match opened {
        Some(vs) if entitled => {
            // Shown in the form's order, whatever order they were stored in.
            let mut vs = vs;
            vs.sort_by_key(|(k, _)| SEALED_REPORT_FIELDS.iter().position(|f| f == k));
            vs.into_iter()
                .map(|(k, v)| Fact::new(&label(t, &k), v))
                .collect()
        }
        _ => vec![],
    };
    SealedCard {
        shown: has || may_add || failed || !message.is_empty(),
        has,
        entitled,
        unlocked: vault.is_unlocked(r.organisation_id),
        values,
        may_add,
        failed,
        notice,
        message,
    }
}

/// `POST /reports/{id}/sealed/show`: the report's page with the protected source open, after
/// its audit entry is written. Never a redirect: the values must not travel in a URL.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Some(r) = super::view::load(&page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let (opened, message, status) = match &state.vault {
        None => (
            None,
            t.get("sealed.no_vault").to_string(),
            StatusCode::CONFLICT,
        ),
        Some(vault) => {
            let p = page.member.principal();
            match vault
                .read_report_fields(&p.actor(), &p.scope(), p.user.role, r.id)
                .await
            {
                Ok(v) => (Some(v), String::new(), StatusCode::OK),
                Err(EvidenceError::Forbidden(_)) => (
                    None,
                    t.get("common.forbidden").to_string(),
                    StatusCode::FORBIDDEN,
                ),
                Err(EvidenceError::Locked(_)) => (
                    None,
                    t.get("sealed.locked").to_string(),
                    StatusCode::CONFLICT,
                ),
                Err(e) => {
                    tracing::error!("opening sealed fields of report {} failed: {e}", r.id);
                    (
                        None,
                        crate::ui::common::internal_text(t),
                        StatusCode::CONFLICT,
                    )
                }
            }
        }
    };
    let mut resp = super::view::view_with_sealed(&state, page, r, opened, message).await;
    if status != StatusCode::OK && resp.status().is_success() {
        *resp.status_mut() = status;
    }
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    resp
}

/// `POST /reports/{id}/sealed`: seals a protected source given after the report (when sealing
/// failed at submission, or the details came later). Only while the report has none.
pub async fn add(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Some(r) = super::view::load(&page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let c = card(&state, &page, &r, &HashMap::new(), None, String::new()).await;
    if !c.may_add {
        return crate::ui::common::forbidden(page);
    }
    let (values, errors) = from_form(t, &form);
    let problem = if errors.any() {
        Some((
            t.get("sealed.too_long").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else if values.is_empty() {
        Some((
            t.get("sealed.empty").to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ))
    } else if let Err(why) = can_seal(&state, &page).await {
        Some((why, StatusCode::CONFLICT))
    } else {
        None
    };
    if let Some((message, status)) = problem {
        let mut resp = super::view::view_with_sealed(&state, page, r, None, message).await;
        if resp.status().is_success() {
            *resp.status_mut() = status;
        }
        return resp;
    }
    match seal(&state, &page, r.id, values).await {
        Ok(()) => Redirect::to(&format!("/reports/{}?sealed=1", r.id)).into_response(),
        Err(EvidenceError::Forbidden(_)) => crate::ui::common::forbidden(page),
        Err(e) => {
            tracing::error!(report = %r.id, "sealing the protected source failed: {e}");
            Redirect::to(&format!("/reports/{}?sealed=failed", r.id)).into_response()
        }
    }
}

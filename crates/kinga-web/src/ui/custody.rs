//! Custody actions on one evidence item in the HTML interface: verify it now (the result shown
//! and written in the log), record a transfer or a deletion request (which alters nothing), and
//! the item's custody log. The forms also sit on the item's page; their answers come here.
use crate::state::AppState;
use crate::ui::common::{not_found, when, with_status};
use crate::ui::evidence::{item_title, visible_item};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use crate::vault::{CustodyNote, EvidenceError, ItemCheck, Vault};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinga_app::records::Scope;
use kinga_domain::evidence::{CustodyEvent, EvidenceItem};
use kinga_domain::Role;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evidence/{id}/custody", get(page))
        .route("/evidence/{id}/verify", post(verify))
        .route("/evidence/{id}/transfer", post(transfer))
        .route("/evidence/{id}/deletion-request", post(deletion_request))
}

/// One line of an item's custody log as the pages show it.
pub(crate) struct CustodyRow {
    pub seq: i64,
    pub kind: String,
    pub actor: String,
    pub at: String,
    pub detail: String,
    pub hash: String,
}

/// The log in the reader's language, each entry hash cut to what a person compares by eye.
pub(crate) fn custody_rows(t: Tr, log: Vec<CustodyEvent>) -> Vec<CustodyRow> {
    log.into_iter()
        .map(|e| CustodyRow {
            seq: e.seq,
            kind: t.word("custody", e.kind.as_str()),
            actor: e.actor,
            at: when(e.at),
            detail: e.detail.unwrap_or_default(),
            hash: e.entry_hash.chars().take(16).collect(),
        })
        .collect()
}

/// The custody forms of an item, offered only to those the vault lets act on it, with what
/// was typed into them when an action was refused.
#[derive(Default)]
pub(crate) struct CustodyForms {
    pub may_verify: bool,
    pub may_note: bool,
    pub to: String,
    pub note: String,
    pub reason: String,
}

impl CustodyForms {
    pub(crate) fn for_item(scope: &Scope, role: Role, item: &EvidenceItem) -> Self {
        CustodyForms {
            may_verify: crate::vault::may_verify(scope, role, item),
            may_note: crate::vault::may_note_custody(scope, role, item),
            ..CustodyForms::default()
        }
    }
}

#[derive(Template)]
#[template(path = "evidence_custody.html")]
struct CustodyPage {
    p: Page,
    t: Tr,
    id: String,
    title: String,
    sha256: String,
    /// Members of the holding organisation may act; others read the log.
    own: bool,
    forms: CustodyForms,
    notice: String,
    message: String,
    /// "ok" or "mismatch" after a verification, else empty.
    check: String,
    check_detail: String,
    custody: Vec<CustodyRow>,
}

/// What one action sent back and how it went.
#[derive(Default)]
struct Outcome {
    notice: String,
    message: String,
    check: Option<ItemCheck>,
    form: HashMap<String, String>,
    status: Option<StatusCode>,
}

async fn show(vault: &Vault, page: Page, item: EvidenceItem, o: Outcome) -> Response {
    let t = page.t;
    let user = page.member.user();
    let own = user.organisation_id == item.organisation_id;
    let scope = page.member.principal().scope();
    let log = vault
        .custody_log(&scope, item.id)
        .await
        .unwrap_or_else(|e| {
            tracing::error!("custody log of {} unreadable: {e}", item.id);
            vec![]
        });
    let (check, check_detail) = match &o.check {
        Some(c) if c.intact => ("ok".to_string(), c.detail.clone()),
        Some(c) => ("mismatch".to_string(), c.detail.clone()),
        None => (String::new(), String::new()),
    };
    let v = |k: &str| o.form.get(k).cloned().unwrap_or_default();
    let body = render(&CustodyPage {
        id: item.id.to_string(),
        title: item_title(&item),
        sha256: item.sha256.clone(),
        own,
        forms: CustodyForms {
            to: v("to"),
            note: v("note"),
            reason: v("reason"),
            ..CustodyForms::for_item(&scope, user.role, &item)
        },
        notice: o.notice,
        message: o.message,
        check,
        check_detail,
        custody: custody_rows(t, log),
        t,
        p: page,
    });
    match o.status {
        Some(s) => with_status(body, s),
        None => body,
    }
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((vault, item)) = visible_item(&state, &page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let notice = match q.get("notice").map(String::as_str) {
        Some("transfer") => t.get("custody.transfer_recorded"),
        Some("deletion_request") => t.get("custody.deletion_recorded"),
        _ => "",
    }
    .to_string();
    show(
        &vault,
        page,
        item,
        Outcome {
            notice,
            ..Outcome::default()
        },
    )
    .await
}

/// A vault refusal as the page says it.
fn refusal(t: Tr, e: EvidenceError) -> (StatusCode, String) {
    match e {
        EvidenceError::Forbidden(_) => (StatusCode::FORBIDDEN, t.get("custody.forbidden").into()),
        EvidenceError::Invalid { field, message } => {
            let text = match field {
                "to" => t.get("custody.to_required"),
                "reason" => t.get("custody.reason_required"),
                "note" => t.get("custody.note_too_long"),
                _ => return (StatusCode::UNPROCESSABLE_ENTITY, message),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, text.into())
        }
        EvidenceError::Store(kinga_app::records::StoreError::NotFound) => {
            (StatusCode::NOT_FOUND, t.get("common.not_found").into())
        }
        other => {
            let p = crate::ui::common::evidence_failure(t, other);
            (p.status, p.message)
        }
    }
}

async fn verify(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Some((vault, item)) = visible_item(&state, &page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let p = page.member.principal().clone();
    let o = match vault
        .verify_item(&p.actor(), &p.scope(), p.user.role, item.id)
        .await
    {
        Ok(c) => Outcome {
            check: Some(c),
            ..Outcome::default()
        },
        Err(e) => {
            let (status, message) = refusal(t, e);
            Outcome {
                message,
                status: Some(status),
                ..Outcome::default()
            }
        }
    };
    show(&vault, page, item, o).await
}

async fn note(
    state: AppState,
    page: Page,
    id: String,
    form: HashMap<String, String>,
    what: CustodyNote,
    kind: &str,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Some((vault, item)) = visible_item(&state, &page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let p = page.member.principal().clone();
    match vault
        .note_custody(&p.actor(), &p.scope(), p.user.role, item.id, what)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/evidence/{}/custody?notice={kind}", item.id)).into_response()
        }
        Err(e) => {
            let (status, message) = refusal(t, e);
            show(
                &vault,
                page,
                item,
                Outcome {
                    message,
                    status: Some(status),
                    form,
                    ..Outcome::default()
                },
            )
            .await
        }
    }
}

async fn transfer(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let what = CustodyNote::Transfer {
        to: form.get("to").cloned().unwrap_or_default(),
        note: form.get("note").cloned(),
    };
    note(state, page, id, form, what, "transfer").await
}

async fn deletion_request(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let what = CustodyNote::DeletionRequest {
        reason: form.get("reason").cloned().unwrap_or_default(),
    };
    note(state, page, id, form, what, "deletion_request").await
}

//! The organisation's keys page, under the administration: their state in this server, the
//! passphrase form that unlocks them in this process's memory, the button that locks them
//! again, and the recent unlocks and locks from the audit chain. Administrators only.
use crate::state::AppState;
use crate::ui::common::{forbidden, when, with_status};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use crate::vault::{EvidenceError, KeyStatus, Vault};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinga_domain::org::Organisation;
use std::collections::HashMap;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/keys", get(page))
        .route("/admin/keys/unlock", post(unlock))
        .route("/admin/keys/lock", post(lock))
}

struct KeyEvent {
    at: String,
    actor: String,
    action: String,
}

#[derive(Template)]
#[template(path = "admin_keys.html")]
struct KeysPage {
    p: Page,
    t: Tr,
    org: String,
    no_vault: bool,
    has_keys: bool,
    version: String,
    unlocked: bool,
    signing_public: String,
    notice: String,
    message: String,
    events: Vec<KeyEvent>,
}

async fn own_org(state: &AppState, page: &Page) -> Option<Organisation> {
    let vault = state.vault.as_ref()?;
    vault
        .organisation(&page.member.user().organisation)
        .await
        .ok()
        .flatten()
}

async fn events(state: &AppState, t: Tr, org: &Organisation) -> Vec<KeyEvent> {
    let Some(vault) = &state.vault else {
        return vec![];
    };
    let trail = match vault.key_events(org, 20).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!("audit trail of {} unreadable: {e}", org.slug);
            return vec![];
        }
    };
    trail
        .into_iter()
        .map(|e| KeyEvent {
            at: when(e.at),
            actor: e.actor,
            action: match e.action.as_str() {
                "unlock" => t.get("keys.event_unlock").to_string(),
                "lock" => t.get("keys.event_lock").to_string(),
                other => other.to_string(),
            },
        })
        .collect()
}

async fn render_page(
    state: &AppState,
    page: Page,
    notice: String,
    message: String,
    status: StatusCode,
) -> Response {
    let t = page.t;
    let org = own_org(state, &page).await;
    let (status_now, evs) = match (&state.vault, &org) {
        (Some(v), Some(o)) => match v.key_status(o).await {
            Ok(s) => (Some(s), events(state, t, o).await),
            Err(e) => {
                tracing::error!("key status of {} unreadable: {e}", o.slug);
                (None, vec![])
            }
        },
        _ => (None, vec![]),
    };
    let s = status_now.unwrap_or(KeyStatus {
        version: None,
        unlocked: false,
        signing_public: None,
    });
    let body = render(&KeysPage {
        org: page.member.user().organisation.to_string(),
        no_vault: state.vault.is_none(),
        has_keys: s.version.is_some(),
        version: s.version.map(|v| v.to_string()).unwrap_or_default(),
        unlocked: s.unlocked,
        signing_public: s.signing_public.unwrap_or_default(),
        notice,
        message,
        events: evs,
        t,
        p: page,
    });
    with_status(body, status)
}

async fn page(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if page.member.as_admin().is_err() {
        return forbidden(page);
    }
    let t = page.t;
    let notice = match q.get("notice").map(String::as_str) {
        Some("unlocked") => t.get("keys.unlocked_now"),
        Some("locked") => t.get("keys.locked_now"),
        _ => "",
    }
    .to_string();
    render_page(&state, page, notice, String::new(), StatusCode::OK).await
}

/// What every key action needs: a form of this session, an administrator, a vault and the
/// administrator's organisation. The error is the page to answer with instead.
async fn key_action(
    state: &AppState,
    page: Page,
    form: &HashMap<String, String>,
) -> Result<(Page, Arc<Vault>, Organisation), Response> {
    page.check_csrf(form)?;
    if page.member.as_admin().is_err() {
        return Err(forbidden(page));
    }
    match (state.vault.clone(), own_org(state, &page).await) {
        (Some(vault), Some(org)) => Ok((page, vault, org)),
        _ => {
            let t = page.t;
            Err(render_page(
                state,
                page,
                String::new(),
                t.get("evidence.no_vault").into(),
                StatusCode::CONFLICT,
            )
            .await)
        }
    }
}

async fn unlock(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (page, vault, org) = match key_action(&state, page, &form).await {
        Ok(ready) => ready,
        Err(answer) => return answer,
    };
    let t = page.t;
    let fail =
        |page, m: &str, status| render_page(&state, page, String::new(), m.to_string(), status);
    let passphrase = form.get("passphrase").cloned().unwrap_or_default();
    if passphrase.is_empty() {
        return fail(
            page,
            t.get("keys.passphrase_required"),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let actor = page.member.principal().actor();
    let attempts = crate::api::keys::unlock_attempts_key(page.member.principal());
    if let Err(minutes) = state.key_unlocks.check(&[&attempts]) {
        let message = t
            .get("keys.too_many")
            .replace("{minutes}", &minutes.to_string());
        let mut r = fail(page, &message, StatusCode::TOO_MANY_REQUESTS).await;
        r.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from(minutes.saturating_mul(60)),
        );
        return r;
    }
    match vault.unlock_recorded(&actor, &org, &passphrase).await {
        Ok(_) => {
            state.key_unlocks.succeeded(&[&attempts]);
            Redirect::to("/admin/keys?notice=unlocked").into_response()
        }
        Err(EvidenceError::Vault(kinga_vault::VaultError::WrongPassphrase { .. })) => {
            state.key_unlocks.failed(&[&attempts]);
            tracing::warn!(organisation = %org.slug, user = %actor.label, "key unlock refused: wrong passphrase");
            fail(
                page,
                t.get("keys.wrong_passphrase"),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(EvidenceError::NoKeys(_)) => fail(page, t.get("keys.none"), StatusCode::CONFLICT).await,
        Err(e) => {
            tracing::error!("unlocking the keys of {} failed: {e}", org.slug);
            let text = crate::ui::common::internal_text(t);
            fail(page, &text, StatusCode::INTERNAL_SERVER_ERROR).await
        }
    }
}

async fn lock(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let (page, vault, org) = match key_action(&state, page, &form).await {
        Ok(ready) => ready,
        Err(answer) => return answer,
    };
    let t = page.t;
    match vault
        .lock_recorded(&page.member.principal().actor(), &org)
        .await
    {
        Ok(_) => Redirect::to("/admin/keys?notice=locked").into_response(),
        Err(e) => {
            tracing::error!("locking the keys of {} failed: {e}", org.slug);
            render_page(
                &state,
                page,
                String::new(),
                crate::ui::common::internal_text(t),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
            .await
        }
    }
}

//! Evidence in the HTML interface: the list and upload form of an incident or a report (also
//! loaded into their pages by htmx), an item's page with its custody log and near-duplicates,
//! and the bytes, served only after their custody event.
use crate::api::evidence::{bytes_response, receive_field, NEAR_BITS};
use crate::state::AppState;
use crate::ui::common::{message_page, not_found, when, Fact};
use crate::ui::custody::{custody_rows, CustodyForms, CustodyRow};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use crate::vault::{may_have_original, Attach, EvidenceError, Vault, Wanted};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kinga_app::records::EvidenceFilter;
use kinga_domain::evidence::{CustodyKind, EvidenceId, EvidenceItem};
use kinga_domain::ids::{IncidentId, OrgId, ReportId};
use kinga_domain::Visibility;
use std::collections::HashMap;
use std::sync::Arc;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/incidents/{id}/evidence",
            get(incident_list)
                .post(incident_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/reports/{id}/evidence",
            get(report_list)
                .post(report_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/evidence/{id}", get(item_page))
        .route("/evidence/{id}/file", get(file))
}

pub(crate) struct Row {
    pub id: String,
    pub name: String,
    pub media_type: String,
    pub size: String,
    pub sha256: String,
    pub received: String,
    pub visibility: String,
    /// Address of the newest thumbnail, or empty.
    pub thumb: String,
}

#[derive(Template)]
#[template(path = "evidence_section.html")]
struct Section {
    t: Tr,
    csrf: String,
    target: String,
    rows: Vec<Row>,
    locked: bool,
    no_vault: bool,
}

#[derive(Template)]
#[template(path = "evidence_list.html")]
struct ListPage {
    p: Page,
    t: Tr,
    csrf: String,
    target: String,
    back: String,
    heading: String,
    notice: String,
    rows: Vec<Row>,
    locked: bool,
    no_vault: bool,
}

pub(crate) struct Similar {
    pub id: String,
    pub distance: u32,
}

#[derive(Template)]
#[template(path = "evidence_item.html")]
struct ItemPage {
    p: Page,
    t: Tr,
    id: String,
    title: String,
    back: String,
    facts: Vec<Fact>,
    capture: String,
    custody: Vec<CustodyRow>,
    similar: Vec<Similar>,
    locked: bool,
    inline_safe: bool,
    may_original: bool,
    forms: CustodyForms,
}

fn size(n: i64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

fn row(t: Tr, i: &EvidenceItem) -> Row {
    Row {
        id: i.id.to_string(),
        name: i
            .original_name
            .clone()
            .unwrap_or_else(|| i.sha256[..12].to_string()),
        media_type: i.media_type.clone(),
        size: size(i.size),
        sha256: i.sha256.clone(),
        received: format!("{} · {}", when(i.received_at), i.received_by),
        visibility: t
            .get(&format!("visibility.{}", i.visibility.as_str()))
            .to_string(),
        thumb: String::new(),
    }
}

#[derive(Clone, Copy)]
enum Target {
    Incident(IncidentId),
    Report(ReportId),
}

impl Target {
    fn path(&self) -> String {
        match self {
            Target::Incident(i) => format!("/incidents/{i}"),
            Target::Report(r) => format!("/reports/{r}"),
        }
    }
}

/// The owner of what the evidence hangs on, and a heading for its page; `None` when the reader
/// may not see it.
async fn target_of(page: &Page, target: Target) -> Option<(OrgId, String)> {
    match target {
        Target::Incident(i) => page
            .member
            .incident(i)
            .await
            .ok()
            .flatten()
            .map(|x| (x.organisation_id, format!("{} · {}", x.code, x.title))),
        Target::Report(r) => page
            .member
            .report(r)
            .await
            .ok()
            .flatten()
            .map(|x| (x.organisation_id, crate::ui::common::excerpt(&x.text, 80))),
    }
}

async fn rows(vault: &Vault, page: &Page, target: Target) -> Vec<Row> {
    let f = match target {
        Target::Incident(i) => EvidenceFilter {
            incident: Some(i),
            ..Default::default()
        },
        Target::Report(r) => EvidenceFilter {
            report: Some(r),
            ..Default::default()
        },
    };
    match vault.items(&page.member.principal().scope(), &f).await {
        Ok(items) => {
            let scope = page.member.principal().scope();
            let mut thumbs = super::derivatives::thumbnails(vault, &scope, &items).await;
            items
                .iter()
                .map(|i| Row {
                    thumb: thumbs.remove(&i.id).unwrap_or_default(),
                    ..row(page.t, i)
                })
                .collect()
        }
        Err(e) => {
            tracing::error!("evidence list failed: {e}");
            vec![]
        }
    }
}

async fn list(state: AppState, page: Page, target: Target, q: HashMap<String, String>) -> Response {
    let Some((_, heading)) = target_of(&page, target).await else {
        return not_found(page);
    };
    let t = page.t;
    let own_org = page.member.user().organisation_id;
    let (rows, locked, no_vault) = match &state.vault {
        Some(v) => (rows(v, &page, target).await, !v.is_unlocked(own_org), false),
        None => (vec![], true, true),
    };
    let base = format!("{}/evidence", target.path());
    if q.contains_key("fragment") {
        return render(&Section {
            t,
            csrf: page.csrf.clone(),
            target: base,
            rows,
            locked,
            no_vault,
        });
    }
    let notice = match q.get("notice").map(String::as_str) {
        Some("received") => t.get("evidence.received"),
        _ => "",
    }
    .to_string();
    render(&ListPage {
        csrf: page.csrf.clone(),
        t,
        target: base,
        back: target.path(),
        heading,
        notice,
        rows,
        locked,
        no_vault,
        p: page,
    })
}

async fn incident_list(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match id.parse() {
        Ok(i) => list(state, page, Target::Incident(i), q).await,
        Err(_) => not_found(page),
    }
}

async fn report_list(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match id.parse() {
        Ok(r) => list(state, page, Target::Report(r), q).await,
        Err(_) => not_found(page),
    }
}

async fn incident_upload(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    match id.parse() {
        Ok(i) => upload(state, page, Target::Incident(i), form).await,
        Err(_) => not_found(page),
    }
}

async fn report_upload(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    form: Multipart,
) -> Response {
    match id.parse() {
        Ok(r) => upload(state, page, Target::Report(r), form).await,
        Err(_) => not_found(page),
    }
}

fn failed(page: Page, status: StatusCode, e: impl std::fmt::Display) -> Response {
    let t = page.t;
    message_page(
        page,
        status,
        t.get("evidence.upload_failed"),
        &e.to_string(),
    )
}

/// The form sends `csrf` first, then `visibility`, then `file`: the token is checked before a
/// byte of the file is read.
async fn upload(state: AppState, page: Page, target: Target, mut form: Multipart) -> Response {
    let Some(vault) = state.vault.clone() else {
        let t = page.t;
        return message_page(
            page,
            StatusCode::SERVICE_UNAVAILABLE,
            t.get("evidence.upload_failed"),
            t.get("evidence.no_vault"),
        );
    };
    if target_of(&page, target).await.is_none() {
        return not_found(page);
    }
    let mut fields: HashMap<String, String> = HashMap::new();
    let mut attach = Attach {
        incident: match target {
            Target::Incident(i) => Some(i),
            Target::Report(_) => None,
        },
        report: match target {
            Target::Report(r) => Some(r),
            Target::Incident(_) => None,
        },
        visibility: Visibility::Restricted,
    };
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return failed(page, StatusCode::BAD_REQUEST, e),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if let Err(r) = page.check_csrf(&fields) {
                return r;
            }
            if field.file_name().is_none_or(str::is_empty) {
                let t = page.t;
                return failed(
                    page,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t.get("evidence.no_file"),
                );
            }
            if let Some(v) = fields.get("visibility").and_then(|v| v.parse().ok()) {
                attach.visibility = v;
            }
            return match receive_field(&vault, &page.member, attach, None, field).await {
                Ok(_) => Redirect::to(&format!("{}/evidence?notice=received", target.path()))
                    .into_response(),
                Err(EvidenceError::Store(kinga_app::records::StoreError::NotFound)) => {
                    not_found(page)
                }
                Err(e @ EvidenceError::Forbidden(_)) => failed(page, StatusCode::FORBIDDEN, e),
                Err(e @ EvidenceError::Vault(kinga_vault::VaultError::TooLarge { .. })) => {
                    failed(page, StatusCode::PAYLOAD_TOO_LARGE, e)
                }
                Err(e) => {
                    let p = crate::ui::common::evidence_failure(page.t, e);
                    failed(page, p.status, p.message)
                }
            };
        }
        match field.text().await {
            Ok(v) => {
                fields.insert(name, v);
            }
            Err(e) => return failed(page, StatusCode::BAD_REQUEST, e),
        }
    }
    let t = page.t;
    failed(
        page,
        StatusCode::UNPROCESSABLE_ENTITY,
        t.get("evidence.no_file"),
    )
}

/// The item as the reader's scope sees it, with the vault holding it; none when the address is
/// not an item, there is no vault, or the item is not theirs to see, which the pages answer
/// alike so that an unseen item cannot be told from a missing one.
pub(crate) async fn visible_item(
    state: &AppState,
    page: &Page,
    raw: &str,
) -> Option<(Arc<Vault>, EvidenceItem)> {
    let id: EvidenceId = raw.parse().ok()?;
    let vault = state.vault.clone()?;
    let item = vault
        .item(&page.member.principal().scope(), id)
        .await
        .ok()??;
    Some((vault, item))
}

/// What a page calls an item: its file name as received, else its hash.
pub(crate) fn item_title(item: &EvidenceItem) -> String {
    item.original_name
        .clone()
        .unwrap_or_else(|| item.sha256.clone())
}

async fn item_page(State(state): State<AppState>, page: Page, Path(id): Path<String>) -> Response {
    let Some((vault, item)) = visible_item(&state, &page, &id).await else {
        return not_found(page);
    };
    let id = item.id;
    let scope = page.member.principal().scope();
    let t = page.t;
    let custody = vault.custody_log(&scope, id).await.unwrap_or_default();
    let similar = match &item.perceptual_hash {
        Some(h) => vault
            .similar(&scope, h, NEAR_BITS)
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.item.id != item.id)
            .map(|s| Similar {
                id: s.item.id.to_string(),
                distance: s.distance,
            })
            .collect(),
        None => vec![],
    };
    let role = page.member.user().role;
    let capture = match (&item.capture_metadata, role.sees_restricted()) {
        (Some(m), true) => serde_json::to_string_pretty(m).unwrap_or_default(),
        _ => String::new(),
    };
    let back = match (item.incident_id, item.report_id) {
        (Some(i), _) => format!("/incidents/{i}"),
        (None, Some(r)) => format!("/reports/{r}"),
        _ => "/incidents".into(),
    };
    let facts = vec![
        Fact::new(t.get("evidence.sha256"), item.sha256.clone()),
        Fact::new(
            t.get("evidence.size"),
            format!("{} ({} B)", size(item.size), item.size),
        ),
        Fact::new(t.get("evidence.type"), item.media_type.clone()),
        Fact::new(
            t.get("evidence.name"),
            item.original_name.clone().unwrap_or_default(),
        ),
        Fact::new(
            t.get("common.visibility"),
            t.get(&format!("visibility.{}", item.visibility.as_str())),
        ),
        Fact::new(t.get("common.organisation"), item.organisation.to_string()),
        Fact::new(t.get("evidence.received_at"), when(item.received_at)),
        Fact::new(t.get("evidence.received_by"), item.received_by.clone()),
        Fact::new(t.get("evidence.key_version"), item.key_version.to_string()),
    ];
    render(&ItemPage {
        t,
        id: item.id.to_string(),
        title: item_title(&item),
        back,
        facts,
        capture,
        custody: custody_rows(t, custody),
        similar,
        locked: !vault.is_unlocked(item.organisation_id),
        inline_safe: item.inline_safe,
        may_original: may_have_original(role),
        forms: CustodyForms::for_item(&scope, role, &item),
        p: page,
    })
}

/// `?original=1` for the sealed original, `?download=1` for an attachment.
async fn file(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Ok(id), Some(vault)) = (id.parse::<EvidenceId>(), state.vault.clone()) else {
        return not_found(page);
    };
    serve(vault, page, id, &q).await
}

async fn serve(
    vault: Arc<Vault>,
    page: Page,
    id: EvidenceId,
    q: &HashMap<String, String>,
) -> Response {
    let flag = |k: &str| q.get(k).is_some_and(|v| v == "1" || v == "true");
    let wanted = if flag("original") {
        Wanted::Original
    } else {
        Wanted::WorkingCopy
    };
    let attachment = flag("download");
    let p = page.member.principal().clone();
    let kind = if attachment {
        CustodyKind::Download
    } else {
        CustodyKind::View
    };
    match vault
        .open(&p.actor(), &p.scope(), Some(p.user.role), id, wanted, kind)
        .await
    {
        Ok(opened) => bytes_response(opened, attachment),
        Err(EvidenceError::Store(kinga_app::records::StoreError::NotFound)) => not_found(page),
        Err(EvidenceError::Forbidden(_)) => crate::ui::common::forbidden(page),
        Err(e @ EvidenceError::Locked(_)) => {
            let t = page.t;
            message_page(
                page,
                StatusCode::CONFLICT,
                t.get("evidence.locked_title"),
                &format!("{} {}", t.get("evidence.locked"), e),
            )
        }
        Err(e) => {
            let t = page.t;
            let p = crate::ui::common::evidence_failure(t, e);
            message_page(page, p.status, t.get("evidence.unreadable"), &p.message)
        }
    }
}

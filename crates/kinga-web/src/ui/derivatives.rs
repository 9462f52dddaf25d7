//! Derived copies in the HTML interface: the panel on an evidence item's page (loaded by htmx,
//! or as a page of its own) listing the copies with their lineage and offering a thumbnail and a
//! blurred copy for publication (regions typed in, or drawn over the picture with a few lines
//! of script); the copies' bytes, each served after its custody event; and the thumbnails that
//! evidence lists show.
use crate::api::evidence::bytes_response;
use crate::state::AppState;
use crate::ui::common::{message_page, not_found, when, with_status};
use crate::ui::evidence::{item_title, visible_item};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use crate::vault::{EvidenceError, Vault};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use kinga_app::records::Scope;
use kinga_domain::evidence::{
    CopyKind, CustodyKind, EvidenceId, EvidenceItem, WorkingCopy, WorkingCopyId,
};
use kinga_vault::derive::derivable;
use kinga_vault::thumbnail::{DEFAULT_SIZE, MAX_SIZE, MIN_SIZE};
use kinga_vault::{Derivation, Region, Unit, VaultError};
use std::collections::HashMap;

/// Region rows offered by the form; more regions are a matter for the API.
const FORM_REGIONS: usize = 3;

const SCRIPT: &str = include_str!("../../assets/region-select.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/evidence/{id}/derivatives", get(panel).post(create))
        .route("/evidence/{id}/copies/{copy}", get(file))
        .route(
            "/assets/region-select.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    SCRIPT,
                )
            }),
        )
}

pub(crate) struct CopyRow {
    pub id: String,
    pub kind: String,
    pub is_image: bool,
    pub derivation: String,
    pub sha256: String,
    pub by: String,
    pub at: String,
}

pub(crate) struct RegionRow {
    pub n: usize,
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
}

#[derive(Template)]
#[template(path = "evidence_derivatives_panel.html")]
struct Panel {
    t: Tr,
    csrf: String,
    id: String,
    copies: Vec<CopyRow>,
    /// The item is a JPEG or PNG image.
    derivable: bool,
    /// The reader may make copies (a case worker of the holding organisation).
    may_derive: bool,
    locked: bool,
    notice: String,
    message: String,
    size: String,
    regions: Vec<RegionRow>,
}

#[derive(Template)]
#[template(path = "evidence_derivatives_page.html")]
struct PanelPage {
    p: Page,
    t: Tr,
    id: String,
    title: String,
    panel: Panel,
}

/// What the form sent back, kept to show it again with the reason it was refused.
#[derive(Default)]
struct Entered {
    size: String,
    regions: Vec<[String; 4]>,
}

fn copy_row(t: Tr, c: &WorkingCopy) -> CopyRow {
    CopyRow {
        id: c.id.to_string(),
        kind: t.word("copy", c.kind.as_str()),
        is_image: derivable(&c.media_type),
        derivation: c.derivation.clone(),
        sha256: c.sha256.clone(),
        by: c.created_by.clone(),
        at: when(c.created_at),
    }
}

fn may_derive(page: &Page, item: &EvidenceItem) -> bool {
    let user = page.member.user();
    user.role.works_cases() && user.organisation_id == item.organisation_id
}

async fn build(
    vault: &Vault,
    page: &Page,
    item: &EvidenceItem,
    entered: Entered,
    notice: String,
    message: String,
) -> Panel {
    let t = page.t;
    let copies = vault
        .working_copies(&page.member.principal().scope(), item.id)
        .await
        .unwrap_or_default();
    let mut rows: Vec<[String; 4]> = entered.regions;
    rows.resize(FORM_REGIONS, Default::default());
    Panel {
        t,
        csrf: page.csrf.clone(),
        id: item.id.to_string(),
        copies: copies.iter().map(|c| copy_row(t, c)).collect(),
        derivable: derivable(&item.media_type),
        may_derive: may_derive(page, item),
        locked: !vault.is_unlocked(item.organisation_id),
        notice,
        message,
        size: if entered.size.is_empty() {
            DEFAULT_SIZE.to_string()
        } else {
            entered.size
        },
        regions: rows
            .into_iter()
            .enumerate()
            .map(|(i, [x, y, w, h])| RegionRow {
                n: i + 1,
                x,
                y,
                w,
                h,
            })
            .collect(),
    }
}

async fn show(
    page: Page,
    vault: &Vault,
    item: &EvidenceItem,
    fragment: bool,
    entered: Entered,
    notice: String,
    message: String,
) -> Response {
    let panel = build(vault, &page, item, entered, notice, message).await;
    if fragment {
        return render(&panel);
    }
    let t = page.t;
    render(&PanelPage {
        t,
        id: item.id.to_string(),
        title: item_title(item),
        panel,
        p: page,
    })
}

async fn panel(
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
        Some("made") => t.get("derive.made"),
        Some("existed") => t.get("derive.existed"),
        _ => "",
    }
    .to_string();
    show(
        page,
        &vault,
        &item,
        q.contains_key("fragment"),
        Entered::default(),
        notice,
        String::new(),
    )
    .await
}

/// The request the form describes, or the message saying what to correct.
fn request(t: Tr, form: &HashMap<String, String>) -> (Entered, Result<Derivation, String>) {
    let field = |k: &str| {
        form.get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut entered = Entered {
        size: field("size"),
        regions: Vec::new(),
    };
    for n in 1..=FORM_REGIONS {
        entered
            .regions
            .push(["x", "y", "w", "h"].map(|k| field(&format!("{k}{n}"))));
    }
    if field("action") == "thumbnail" {
        let size = if entered.size.is_empty() {
            Ok(DEFAULT_SIZE)
        } else {
            entered.size.parse::<u32>().map_err(|_| ())
        };
        let outcome = match size {
            Ok(s) if (MIN_SIZE..=MAX_SIZE).contains(&s) => Ok(Derivation::Thumbnail { size: s }),
            _ => Err(t.get("derive.bad_size").to_string()),
        };
        return (entered, outcome);
    }
    let outcome = blur_request(t, &entered.regions);
    (entered, outcome)
}

fn blur_request(t: Tr, rows: &[[String; 4]]) -> Result<Derivation, String> {
    let mut regions = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        if r.iter().all(String::is_empty) {
            continue;
        }
        let v: Vec<f64> = r.iter().filter_map(|v| v.parse::<f64>().ok()).collect();
        if v.len() != 4 {
            return Err(t
                .get("derive.bad_region")
                .replace("{n}", &(i + 1).to_string()));
        }
        regions.push(Region {
            x: v[0],
            y: v[1],
            w: v[2],
            h: v[3],
            unit: Unit::Px,
        });
    }
    if regions.is_empty() {
        return Err(t.get("derive.no_region").to_string());
    }
    Ok(Derivation::Blur { regions })
}

async fn create(
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
    if !may_derive(&page, &item) {
        return crate::ui::common::forbidden(page);
    }
    let t = page.t;
    let (entered, how) = request(t, &form);
    let how = match how {
        Ok(h) => h,
        Err(message) => {
            let r = show(page, &vault, &item, false, entered, String::new(), message).await;
            return with_status(r, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let p = page.member.principal().clone();
    match vault
        .derive(&p.actor(), &p.scope(), Some(p.user.role), item.id, how)
        .await
    {
        Ok(made) => Redirect::to(&format!(
            "/evidence/{}/derivatives?notice={}",
            item.id,
            if made.created { "made" } else { "existed" }
        ))
        .into_response(),
        Err(EvidenceError::Forbidden(_)) => crate::ui::common::forbidden(page),
        Err(EvidenceError::Store(kinga_app::records::StoreError::NotFound)) => not_found(page),
        Err(e) => {
            let (status, message) = match e {
                e @ EvidenceError::Vault(VaultError::Region { .. } | VaultError::Derive(_)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
                }
                EvidenceError::Locked(_) => (
                    StatusCode::CONFLICT,
                    format!(
                        "{} {}",
                        t.get("evidence.locked_title"),
                        t.get("evidence.locked")
                    ),
                ),
                other => {
                    let p = crate::ui::common::evidence_failure(t, other);
                    (p.status, p.message)
                }
            };
            let r = show(page, &vault, &item, false, entered, String::new(), message).await;
            with_status(r, status)
        }
    }
}

/// `?download=1` for an attachment; a view otherwise.
async fn file(
    State(state): State<AppState>,
    page: Page,
    Path((id, copy)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Ok(id), Ok(copy), Some(vault)) = (
        id.parse::<EvidenceId>(),
        copy.parse::<WorkingCopyId>(),
        state.vault.clone(),
    ) else {
        return not_found(page);
    };
    let attachment = q.get("download").is_some_and(|v| v == "1" || v == "true");
    let p = page.member.principal().clone();
    let kind = if attachment {
        CustodyKind::Download
    } else {
        CustodyKind::View
    };
    match vault
        .open_copy(&p.actor(), &p.scope(), id, copy, kind)
        .await
    {
        Ok(opened) => bytes_response(opened, attachment),
        Err(EvidenceError::Store(kinga_app::records::StoreError::NotFound)) => not_found(page),
        Err(e) => {
            let t = page.t;
            message_page(
                page,
                StatusCode::CONFLICT,
                t.get("evidence.unreadable"),
                &e.to_string(),
            )
        }
    }
}

/// The address of each listed item's newest thumbnail, for the items that have one.
pub(crate) async fn thumbnails(
    vault: &Vault,
    scope: &Scope,
    items: &[EvidenceItem],
) -> HashMap<EvidenceId, String> {
    let mut out = HashMap::new();
    // A locked organisation's thumbnails cannot be opened: no image that would only fail.
    let shown = items
        .iter()
        .filter(|i| derivable(&i.media_type) && vault.is_unlocked(i.organisation_id));
    for item in shown {
        if let Ok(Some(c)) = vault.latest_copy(scope, item.id, CopyKind::Thumbnail).await {
            out.insert(item.id, format!("/evidence/{}/copies/{}", item.id, c.id));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_becomes_a_request() {
        let t = Tr(Lang::En);
        let (_, how) = request(t, &form(&[("action", "thumbnail"), ("size", "")]));
        assert_eq!(how.unwrap(), Derivation::Thumbnail { size: DEFAULT_SIZE });
        let (_, how) = request(
            t,
            &form(&[
                ("action", "blur"),
                ("x2", "1"),
                ("y2", "2"),
                ("w2", "3"),
                ("h2", "4"),
            ]),
        );
        let Derivation::Blur { regions } = how.unwrap() else {
            panic!("a blur")
        };
        assert_eq!((regions.len(), regions[0].w), (1, 3.0));
        let (entered, how) = request(t, &form(&[("action", "blur"), ("x1", "a")]));
        assert!(how.unwrap_err().contains("Region 1"));
        assert_eq!(entered.regions[0][0], "a", "kept to be corrected");
        assert!(request(t, &form(&[("action", "blur")])).1.is_err());
        assert!(
            request(t, &form(&[("action", "thumbnail"), ("size", "9000")]))
                .1
                .is_err()
        );
    }
}

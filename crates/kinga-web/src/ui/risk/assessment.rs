//! One assessment as of one version: its summary by the documented rule, the scores with their
//! evidence, the versions, and the sign-off by a second analyst.
use super::labels::{factor_title, failure, framework_gaps, score_name};
use crate::ui::common::{collect, forbidden, not_found, when, Choice, Fact};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_analysis::assessment::summarise;
use kinga_app::records::AssessmentDetail;
use kinga_app::risk_classes::scored;
use kinga_domain::framework::{framework, LabelStatus};
use kinga_domain::risk::AssessmentId;
use std::collections::HashMap;

pub struct FactorRow {
    pub title: String,
    pub level: String,
    pub assessed: u32,
    pub listed: u32,
    pub gap: String,
}

pub struct LinkRow {
    pub id: String,
    pub kind: String,
    pub target: String,
    pub href: String,
    pub note: String,
}

pub struct ScoreRow {
    pub number: String,
    pub label: String,
    pub unverified: bool,
    pub score: String,
    pub score_code: String,
    pub confidence: String,
    pub note: String,
    pub by: String,
    pub links: Vec<LinkRow>,
}

pub struct Block {
    pub title: String,
    pub rows: Vec<ScoreRow>,
}

pub struct SignRow {
    pub by: String,
    pub role: String,
    pub version: u32,
    pub at: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "assessment_view.html")]
struct ViewPage {
    p: Page,
    t: Tr,
    id: String,
    country: String,
    country_name: String,
    notice: String,
    facts: Vec<Fact>,
    version: u32,
    latest: u32,
    versions: Vec<Choice>,
    signed: bool,
    band: String,
    common_present: u32,
    specific_max: String,
    top_factors: Vec<String>,
    factors: Vec<FactorRow>,
    blocks: Vec<Block>,
    signoffs: Vec<SignRow>,
    may_edit: bool,
    may_sign: bool,
    gaps: Vec<String>,
}

/// Where an evidence link leads in Kinga, when it names a record the interface shows.
pub fn href(kind: kinga_domain::risk::EvidenceKind, target: &str) -> String {
    use kinga_domain::risk::EvidenceKind as K;
    match kind {
        K::Incident => format!("/incidents/{target}"),
        K::Report => format!("/reports/{target}"),
        K::Document => target.to_string(),
        _ => String::new(),
    }
}

pub fn link_rows(t: Tr, d: &AssessmentDetail, indicator: &str) -> Vec<LinkRow> {
    d.links
        .iter()
        .filter(|l| l.indicator.to_string() == indicator)
        .map(|l| LinkRow {
            id: l.id.to_string(),
            kind: t.word("evidence_kind", l.kind.as_str()),
            href: href(l.kind, &l.target),
            target: l.target.clone(),
            note: l.note.clone().unwrap_or_default(),
        })
        .collect()
}

pub async fn show(
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = id.parse::<AssessmentId>() else {
        return not_found(page);
    };
    let version = q.get("version").and_then(|v| v.parse::<u32>().ok());
    let t = page.t;
    let notice = match q.get("notice").map(String::as_str) {
        Some("signed") => t.get("assessment.signed_notice"),
        Some("created") => t.get("assessment.created_notice"),
        _ => "",
    }
    .to_string();
    view(page, id, version, notice).await
}

async fn view(page: Page, id: AssessmentId, version: Option<u32>, notice: String) -> Response {
    let t = page.t;
    let d = match page.member.assessment(id, version).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(page),
        Err(e) => return failure(page, e),
    };
    let latest = match page.member.assessment(id, None).await {
        Ok(Some(l)) => l.assessment.version,
        Ok(None) => return not_found(page),
        Err(e) => return failure(page, e),
    };
    let a = &d.assessment;
    let fr = t.lang() == "fr";
    let fw = framework();
    let summary = summarise(&scored(&d));
    let me = page.member.user().clone();
    let is_author = d.authors.contains(&me.email.to_string()) || a.created_by == Some(me.id);
    let already = d
        .signoffs
        .iter()
        .any(|s| s.version == d.version && s.signed_by_label == me.email.to_string());
    let may_sign = page.member.as_reviewer().is_ok()
        && me.organisation_id == a.organisation_id
        && !is_author
        && !already
        && d.version > 0;
    let may_edit = page.member.as_assessor().is_ok() && me.organisation_id == a.organisation_id;
    let facts = vec![
        Fact::new(
            t.get("common.country"),
            format!("{} ({})", a.country.name(), a.country.code()),
        ),
        Fact::new(
            t.get("assessment.situation"),
            a.situation.clone().unwrap_or_else(|| "—".into()),
        ),
        Fact::new(t.get("assessment.assessed_on"), a.assessed_on.to_string()),
        Fact::new(t.get("common.organisation"), a.organisation.to_string()),
        Fact::new(
            t.get("common.visibility"),
            t.word("visibility", a.visibility.as_str()),
        ),
        Fact::new(t.get("assessment.author"), a.created_by_label.clone()),
        Fact::new(
            t.get("assessment.summary"),
            a.summary.clone().unwrap_or_else(|| "—".into()),
        ),
    ];
    let factors = summary
        .factors
        .iter()
        .filter_map(|s| fw.factor(s.factor).map(|f| (s, f)))
        .map(|(s, f)| FactorRow {
            title: factor_title(t, f),
            level: s.level.map(|l| l.to_string()).unwrap_or_else(|| "—".into()),
            assessed: s.assessed,
            listed: s.listed,
            gap: f.gap(fr).unwrap_or("").to_string(),
        })
        .collect();
    let mut blocks: Vec<Block> = Vec::new();
    for f in &fw.factors {
        let rows: Vec<ScoreRow> = f
            .indicators
            .iter()
            .filter_map(|i| {
                d.scores
                    .iter()
                    .find(|s| s.indicator == i.number)
                    .map(|s| (i, s))
            })
            .map(|(i, s)| ScoreRow {
                number: i.number.to_string(),
                label: i.label(fr).to_string(),
                unverified: i.status == LabelStatus::Unverified,
                score: score_name(t, s.score),
                score_code: s.score.as_word(),
                confidence: s
                    .confidence
                    .map(|c| t.word("confidence", c.as_str()))
                    .unwrap_or_default(),
                note: s.note.clone().unwrap_or_default(),
                by: s.scored_by_label.clone(),
                links: link_rows(t, &d, &i.number.to_string()),
            })
            .collect();
        if !rows.is_empty() {
            blocks.push(Block {
                title: factor_title(t, f),
                rows,
            });
        }
    }
    let versions = (1..=latest)
        .rev()
        .map(|v| {
            Choice::new(
                v.to_string(),
                format!("{} {v}", t.get("assessment.version")),
                &d.version.to_string(),
            )
        })
        .collect();
    let body = ViewPage {
        t,
        id: a.id.to_string(),
        country: a.country.code().to_string(),
        country_name: a.country.name().to_string(),
        notice,
        facts,
        version: d.version,
        latest,
        versions,
        signed: d.signed_off(),
        band: t.word("risk_band", summary.band.as_str()),
        common_present: summary.common_present,
        specific_max: summary
            .specific_max
            .map(|l| l.to_string())
            .unwrap_or_else(|| "—".into()),
        top_factors: summary
            .top_factors
            .iter()
            .filter_map(|n| fw.factor(*n))
            .map(|f| factor_title(t, f))
            .collect(),
        factors,
        blocks,
        signoffs: d
            .signoffs
            .iter()
            .map(|s| SignRow {
                by: s.signed_by_label.clone(),
                role: t.word("role", s.role.as_str()),
                version: s.version,
                at: when(s.signed_at),
                note: s.note.clone().unwrap_or_default(),
            })
            .collect(),
        may_edit,
        may_sign,
        gaps: framework_gaps(t),
        p: page,
    };
    render(&body)
}

pub async fn sign_off(
    page: Page,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(id) = id.parse::<AssessmentId>() else {
        return not_found(page);
    };
    let Ok(reviewer) = page.member.as_reviewer() else {
        return forbidden(page);
    };
    let Some(version) = form.get("version").and_then(|v| v.parse::<u32>().ok()) else {
        return not_found(page);
    };
    let note = form
        .get("note")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    match reviewer.sign_off(id, version, note).await {
        Ok(_) => {
            if let Ok(Some(d)) = page.member.assessment(id, None).await {
                let a = &d.assessment;
                if let Err(e) = page.member.refresh_class(a.country, a.visibility).await {
                    tracing::error!("class refresh after sign-off failed: {e}");
                }
            }
            Redirect::to(&format!(
                "/assessments/{id}?version={version}&notice=signed"
            ))
            .into_response()
        }
        Err(e) => failure(page, e),
    }
}

//! Two assessments side by side: which indicators moved, which factors changed level, and the
//! overall band before and after.
use super::labels::{factor_title, failure, score_name};
use crate::api::risk::diff_pair;
use crate::error::ApiError;
use crate::ui::common::not_found;
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use kinga_analysis::assessment::diff;
use kinga_app::risk_classes::scored;
use kinga_domain::framework::{framework, indicator};
use kinga_domain::risk::AssessmentId;
use std::collections::HashMap;

pub struct ChangeRow {
    pub number: String,
    pub label: String,
    pub before: String,
    pub after: String,
    pub direction: String,
    pub confidence: String,
    pub note_changed: bool,
}

pub struct FactorRow {
    pub title: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "assessment_diff.html")]
struct DiffPage {
    p: Page,
    t: Tr,
    before_id: String,
    after_id: String,
    before_label: String,
    after_label: String,
    band_before: String,
    band_after: String,
    factors: Vec<FactorRow>,
    changes: Vec<ChangeRow>,
}

fn level(l: Option<u8>) -> String {
    l.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
}

pub async fn show(
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = id.parse::<AssessmentId>() else {
        return not_found(page);
    };
    let t = page.t;
    let (before, after) = match diff_pair(&page.member, id, &q).await {
        Ok(p) => p,
        Err(ApiError::Access(e)) => return failure(page, e),
        Err(_) => return not_found(page),
    };
    let fr = t.lang() == "fr";
    let d = diff(&scored(&before), &scored(&after));
    let label = |x: &kinga_app::records::AssessmentDetail| {
        format!(
            "{} · {} · {} {}",
            x.assessment.country.name(),
            x.assessment.assessed_on,
            t.get("assessment.version"),
            x.version
        )
    };
    let body = DiffPage {
        before_id: before.assessment.id.to_string(),
        after_id: after.assessment.id.to_string(),
        before_label: label(&before),
        after_label: label(&after),
        band_before: t.word("risk_band", d.band_before.as_str()),
        band_after: t.word("risk_band", d.band_after.as_str()),
        factors: d
            .factors
            .iter()
            .filter_map(|c| framework().factor(c.factor).map(|f| (c, f)))
            .map(|(c, f)| FactorRow {
                title: factor_title(t, f),
                before: level(c.before),
                after: level(c.after),
            })
            .collect(),
        changes: d
            .indicators
            .iter()
            .map(|c| ChangeRow {
                number: c.indicator.to_string(),
                label: indicator(c.indicator)
                    .map(|i| i.label(fr).to_string())
                    .unwrap_or_default(),
                before: score_name(t, c.before),
                after: score_name(t, c.after),
                direction: match c.direction() {
                    Some(d) if d > 0 => "↑".into(),
                    Some(d) if d < 0 => "↓".into(),
                    _ => String::new(),
                },
                confidence: if c.confidence_before != c.confidence_after {
                    format!(
                        "{} → {}",
                        c.confidence_before
                            .map(|x| t.word("confidence", x.as_str()))
                            .unwrap_or_else(|| "—".into()),
                        c.confidence_after
                            .map(|x| t.word("confidence", x.as_str()))
                            .unwrap_or_else(|| "—".into())
                    )
                } else {
                    String::new()
                },
                note_changed: c.note_changed,
            })
            .collect(),
        t,
        p: page,
    };
    render(&body)
}

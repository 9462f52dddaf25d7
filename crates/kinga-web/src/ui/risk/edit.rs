//! Filling in an assessment. Each indicator is one row with its score as radio buttons (Tab
//! reaches the group, arrow keys move within it), a confidence and a note; a change saves that
//! row at once (htmx) as a new version, so nothing typed is lost and nothing waits for a final
//! "save". Without JavaScript each row's button does the same with a page load.
use super::assessment::link_rows;
use super::assessment::LinkRow;
use super::labels::{factor_title, failure, framework_gaps};
use crate::ui::common::{collect, countries, forbidden, not_found, Choice, Entered};
use crate::ui::i18n::Tr;
use crate::ui::session::{form_value, render, FormErrors, Page};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_app::AccessError;
use kinga_domain::framework::{framework, LabelStatus};
use kinga_domain::risk::{
    AssessmentId, Confidence, EvidenceKind, EvidenceLinkId, NewAssessment, NewEvidenceLink,
    ScoreInput,
};
use kinga_domain::Visibility;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "assessment_new.html")]
struct NewPage {
    p: Page,
    t: Tr,
    f: Entered,
    message: String,
    countries: Vec<Choice>,
    visibilities: Vec<Choice>,
}

fn visibility_choices(t: Tr, current: &str) -> Vec<Choice> {
    [
        Visibility::Organisation,
        Visibility::Restricted,
        Visibility::Network,
        Visibility::Public,
    ]
    .iter()
    .map(|v| Choice::new(v.as_str(), t.word("visibility", v.as_str()), current))
    .collect()
}

fn new_form(page: Page, f: Entered, message: String) -> Response {
    let t = page.t;
    let body = NewPage {
        countries: countries(f.v("country")),
        visibilities: visibility_choices(
            t,
            if f.v("visibility").is_empty() {
                "organisation"
            } else {
                f.v("visibility")
            },
        ),
        f,
        message,
        t,
        p: page,
    };
    render(&body)
}

pub async fn new_page(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    if page.member.as_assessor().is_err() {
        return forbidden(page);
    }
    let mut f = Entered::default();
    f.set("country", q.get("country").cloned().unwrap_or_default());
    f.set(
        "assessed_on",
        kinga_domain::time::now().date_naive().to_string(),
    );
    new_form(page, f, String::new())
}

pub async fn create(page: Page, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(assessor) = page.member.as_assessor() else {
        return forbidden(page);
    };
    let t = page.t;
    let mut values = form.clone();
    values.remove("csrf");
    let new = match NewAssessment::parse(&form_value(&form)) {
        Ok(n) => n,
        Err(e) => {
            let errors = crate::ui::common::field_errors(t, &e);
            return new_form(
                page,
                Entered::with(values, errors),
                t.get("common.error").into(),
            );
        }
    };
    match assessor.create(new).await {
        Ok(a) => Redirect::to(&format!("/assessments/{}/edit", a.id)).into_response(),
        Err(e) => failure(page, e),
    }
}

pub struct IndicatorRow {
    pub number: String,
    pub anchor: String,
    pub label: String,
    pub unverified: bool,
    pub score: String,
    pub confidence: String,
    pub note: String,
    pub links: Vec<LinkRow>,
}

pub struct FactorForm {
    pub title: String,
    pub gap: String,
    pub rows: Vec<IndicatorRow>,
}

#[derive(Template)]
#[template(path = "assessment_edit.html")]
struct EditPage {
    p: Page,
    t: Tr,
    id: String,
    title: String,
    version: u32,
    message: String,
    factors: Vec<FactorForm>,
    scale: Vec<Choice>,
    confidences: Vec<Choice>,
    indicators: Vec<Choice>,
    kinds: Vec<Choice>,
    link_form: Entered,
    gaps: Vec<String>,
}

pub async fn page(page: Page, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse::<AssessmentId>() else {
        return not_found(page);
    };
    edit_page(page, id, String::new(), Entered::default()).await
}

async fn edit_page(page: Page, id: AssessmentId, message: String, link_form: Entered) -> Response {
    let t = page.t;
    if page.member.as_assessor().is_err() {
        return forbidden(page);
    }
    let d = match page.member.assessment(id, None).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(page),
        Err(e) => return failure(page, e),
    };
    if d.assessment.organisation_id != page.member.user().organisation_id {
        return forbidden(page);
    }
    let fr = t.lang() == "fr";
    let fw = framework();
    let factors = fw
        .factors
        .iter()
        .map(|f| FactorForm {
            title: factor_title(t, f),
            gap: f.gap(fr).unwrap_or("").to_string(),
            rows: f
                .indicators
                .iter()
                .map(|i| {
                    let s = d.scores.iter().find(|s| s.indicator == i.number);
                    let no = i.number.to_string();
                    IndicatorRow {
                        anchor: format!("i-{}", no.replace('.', "-")),
                        label: i.label(fr).to_string(),
                        unverified: i.status == LabelStatus::Unverified,
                        score: s.map_or("not_assessed".into(), |s| s.score.as_word()),
                        confidence: s
                            .and_then(|s| s.confidence)
                            .unwrap_or(Confidence::Medium)
                            .as_str()
                            .to_string(),
                        note: s.and_then(|s| s.note.clone()).unwrap_or_default(),
                        links: link_rows(t, &d, &no),
                        number: no,
                    }
                })
                .collect(),
        })
        .collect();
    let scale = ["0", "1", "2", "3", "not_assessed"]
        .iter()
        .map(|v| Choice::new(*v, t.word("risk_score", v), ""))
        .collect();
    let confidences = Confidence::ALL
        .iter()
        .map(|c| Choice::new(c.as_str(), t.word("confidence", c.as_str()), ""))
        .collect();
    let indicators = fw
        .indicators()
        .map(|(_, i)| {
            Choice::new(
                i.number.to_string(),
                format!("{} {}", i.number, i.label(fr)),
                link_form.v("indicator"),
            )
        })
        .collect();
    let kinds = EvidenceKind::ALL
        .iter()
        .map(|k| {
            Choice::new(
                k.as_str(),
                t.word("evidence_kind", k.as_str()),
                link_form.v("kind"),
            )
        })
        .collect();
    let a = &d.assessment;
    let body = EditPage {
        t,
        id: a.id.to_string(),
        title: format!(
            "{} · {}{}",
            a.country.name(),
            a.assessed_on,
            a.situation
                .as_deref()
                .map(|s| format!(" · {s}"))
                .unwrap_or_default()
        ),
        version: a.version,
        message,
        factors,
        scale,
        confidences,
        indicators,
        kinds,
        link_form,
        gaps: framework_gaps(t),
        p: page,
    };
    render(&body)
}

#[derive(Template)]
#[template(path = "assessment_saved.html")]
struct Saved {
    ok: bool,
    text: String,
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.get("HX-Request").is_some()
}

fn error_text(t: Tr, e: &AccessError) -> String {
    match e {
        AccessError::Store(kinga_app::records::StoreError::Invalid(v)) => {
            let f = crate::ui::common::field_errors(t, v);
            let mut parts: Vec<String> = f.0.iter().map(|(k, m)| format!("{k}: {m}")).collect();
            parts.sort();
            parts.join("; ")
        }
        AccessError::Forbidden(_) => t.get("common.forbidden").to_string(),
        other => other.to_string(),
    }
}

/// Saves one indicator. An htmx request gets the row's status line back (with the error, if
/// any, still as 200 so htmx shows it); a plain form post goes back to the row.
pub async fn score(
    page: Page,
    headers: HeaderMap,
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
    let t = page.t;
    let mut value = form_value(&form);
    // Not assessed carries no confidence: the form always sends one, so drop it here.
    if value["score"] == "not_assessed" {
        value["confidence"] = serde_json::Value::Null;
    }
    let result = match ScoreInput::parse(&value) {
        Ok(input) => match page.member.as_assessor() {
            Ok(a) => a.score(id, input).await,
            Err(e) => Err(e),
        },
        Err(e) => Err(AccessError::Store(kinga_app::records::StoreError::Invalid(
            e,
        ))),
    };
    let anchor = form
        .get("indicator")
        .map(|n| format!("i-{}", n.replace('.', "-")))
        .unwrap_or_default();
    match (is_htmx(&headers), result) {
        (true, Ok((a, _))) => render(&Saved {
            ok: true,
            text: t
                .get("assessment.saved")
                .replace("{version}", &a.version.to_string()),
        }),
        (true, Err(e)) => render(&Saved {
            ok: false,
            text: error_text(t, &e),
        }),
        (false, Ok(_)) => Redirect::to(&format!("/assessments/{id}/edit#{anchor}")).into_response(),
        (false, Err(e)) => {
            let m = error_text(t, &e);
            edit_page(page, id, m, Entered::default()).await
        }
    }
}

pub async fn link(
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
    let Ok(assessor) = page.member.as_assessor() else {
        return forbidden(page);
    };
    let t = page.t;
    let mut values = form.clone();
    values.remove("csrf");
    let new = match NewEvidenceLink::parse(&form_value(&form)) {
        Ok(n) => n,
        Err(e) => {
            let errors: FormErrors = crate::ui::common::field_errors(t, &e);
            let m = t.get("common.error").to_string();
            return edit_page(page, id, m, Entered::with(values, errors)).await;
        }
    };
    let anchor = format!("i-{}", new.indicator.to_string().replace('.', "-"));
    match assessor.link(id, new).await {
        Ok(_) => Redirect::to(&format!("/assessments/{id}/edit#{anchor}")).into_response(),
        Err(e) => failure(page, e),
    }
}

pub async fn unlink(
    page: Page,
    Path((id, link)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let (Ok(id), Ok(link)) = (id.parse::<AssessmentId>(), link.parse::<EvidenceLinkId>()) else {
        return not_found(page);
    };
    let Ok(assessor) = page.member.as_assessor() else {
        return forbidden(page);
    };
    match assessor.unlink(id, link).await {
        Ok(_) => Redirect::to(&format!("/assessments/{id}/edit")).into_response(),
        Err(e) => failure(page, e),
    }
}

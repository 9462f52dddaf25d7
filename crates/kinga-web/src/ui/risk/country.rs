//! The country page: the statistical forecast with its explanation, the latest Framework
//! assessment, the risk class in force (computed or overridden) and its history.
use super::labels::{class_name, factor_title, failure, framework_gaps, percent, predictor_label};

use crate::ui::common::{collect, countries, forbidden, not_found, when, Choice};
use crate::ui::i18n::Tr;
use crate::ui::session::{form_value, render, Page};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_domain::framework::framework;
use kinga_domain::risk::{ClassDecision, ClassOverride, NewRiskClass, RiskClass};
use kinga_domain::{Country, Visibility};
use serde_json::json;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "country_list.html")]
struct ListPage {
    p: Page,
    t: Tr,
    rows: Vec<Choice>,
    all: Vec<Choice>,
}

pub async fn index(page: Page) -> Response {
    let t = page.t;
    let known = match page.member.risk_countries().await {
        Ok(c) => c,
        Err(e) => return failure(page, e),
    };
    let rows = known
        .iter()
        .map(|c| Choice::new(c.code(), format!("{} ({})", c.name(), c.code()), ""))
        .collect();
    render(&ListPage {
        p: page,
        t,
        rows,
        all: countries(""),
    })
}

pub struct Contribution {
    pub label: String,
    pub name: String,
    pub value: String,
}

pub struct HistoryRow {
    pub at: String,
    pub decision: String,
    pub class: String,
    pub class_code: String,
    pub by: String,
    pub rationale: String,
}

pub struct SignalRow {
    pub period: String,
    pub region: String,
    pub measure: String,
    pub method: String,
    pub observed: String,
    pub expected: String,
}

pub struct AssessmentRow {
    pub id: String,
    pub date: String,
    pub situation: String,
    pub version: u32,
    pub organisation: String,
}

#[derive(Template)]
#[template(path = "country.html")]
struct CountryPage {
    p: Page,
    t: Tr,
    code: String,
    name: String,
    notice: String,
    message: String,
    current: String,
    current_code: String,
    current_is_override: bool,
    computed: String,
    computed_code: String,
    reasons: Vec<String>,
    has_forecast: bool,
    forecast_year: String,
    forecast_probability: String,
    forecast_rank: String,
    forecast_model: String,
    contributions: Vec<Contribution>,
    has_assessment: bool,
    assessment_id: String,
    assessment_date: String,
    assessment_version: String,
    assessment_signed: bool,
    band: String,
    top_factors: Vec<String>,
    assessments: Vec<AssessmentRow>,
    signals: Vec<SignalRow>,
    signals_recent: u64,
    history: Vec<HistoryRow>,
    may_assess: bool,
    may_review: bool,
    classes: Vec<Choice>,
    visibilities: Vec<Choice>,
    gaps: Vec<String>,
}

fn notice(t: Tr, q: &HashMap<String, String>) -> String {
    match q.get("notice").map(String::as_str) {
        Some("override") => t.get("risk.class.overridden"),
        Some("withdrawn") => t.get("risk.class.withdrawn"),
        Some("refreshed") => t.get("risk.class.refreshed"),
        _ => "",
    }
    .to_string()
}

pub async fn show(
    page: Page,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(country) = Country::parse(&code) else {
        return not_found(page);
    };
    let n = notice(page.t, &q);
    render_country(page, country, n, String::new()).await
}

async fn render_country(page: Page, country: Country, notice: String, message: String) -> Response {
    let t = page.t;
    let s = match page.member.country_summary(country).await {
        Ok(s) => s,
        Err(e) => return failure(page, e),
    };
    let assessments = match page.member.assessments(Some(country)).await {
        Ok(a) => a,
        Err(e) => return failure(page, e),
    };
    let fw = framework();
    let (current, current_code) = match s.current {
        Some(c) => (class_name(t, c), c.as_str().to_string()),
        None => (t.get("risk.class.unset").to_string(), String::new()),
    };
    let f = s.forecast.as_ref();
    let classes = RiskClass::ALL
        .iter()
        .map(|c| Choice::new(c.as_str(), class_name(t, *c), ""))
        .collect();
    let visibilities = [
        Visibility::Organisation,
        Visibility::Network,
        Visibility::Public,
    ]
    .iter()
    .map(|v| Choice::new(v.as_str(), t.word("visibility", v.as_str()), "organisation"))
    .collect();
    let role = page.member.user().role;
    let body = CountryPage {
        t,
        code: country.code().to_string(),
        name: country.name().to_string(),
        notice,
        message,
        current,
        current_code,
        current_is_override: s.current_decision == Some(ClassDecision::Override),
        computed: class_name(t, s.computed.class),
        computed_code: s.computed.class.as_str().to_string(),
        reasons: s
            .computed
            .reasons
            .iter()
            .map(|r| t.word("class_reason", r))
            .collect(),
        has_forecast: f.is_some(),
        forecast_year: f.map(|f| f.year.to_string()).unwrap_or_default(),
        forecast_probability: f.map(|f| percent(f.probability)).unwrap_or_default(),
        forecast_rank: f
            .and_then(|f| f.rank)
            .map(|r| r.to_string())
            .unwrap_or_else(|| "—".into()),
        forecast_model: f.map(|f| f.model.clone()).unwrap_or_default(),
        contributions: f
            .map(|f| {
                f.top_factors
                    .iter()
                    .map(|c| Contribution {
                        label: predictor_label(t, &c.name),
                        name: c.name.clone(),
                        value: format!("{:+.3}", c.contribution),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        has_assessment: s.assessment.is_some(),
        assessment_id: s
            .assessment
            .as_ref()
            .map(|a| a.id.to_string())
            .unwrap_or_default(),
        assessment_date: s
            .assessment
            .as_ref()
            .map(|a| a.assessed_on.to_string())
            .unwrap_or_default(),
        assessment_version: s
            .assessment_version
            .map(|v| v.to_string())
            .unwrap_or_default(),
        assessment_signed: s.assessment_signed_off,
        band: s
            .assessment_summary
            .as_ref()
            .map(|x| t.word("risk_band", x.band.as_str()))
            .unwrap_or_default(),
        top_factors: s
            .assessment_summary
            .as_ref()
            .map(|x| {
                x.top_factors
                    .iter()
                    .filter_map(|n| fw.factor(*n))
                    .map(|f| factor_title(t, f))
                    .collect()
            })
            .unwrap_or_default(),
        assessments: assessments
            .iter()
            .map(|a| AssessmentRow {
                id: a.id.to_string(),
                date: a.assessed_on.to_string(),
                situation: a.situation.clone().unwrap_or_default(),
                version: a.version,
                organisation: a.organisation.to_string(),
            })
            .collect(),
        signals: s
            .signals
            .iter()
            .map(|g| SignalRow {
                period: format!("{} ({})", g.period_start, g.period.as_str()),
                region: g
                    .admin1
                    .clone()
                    .unwrap_or_else(|| country.name().to_string()),
                measure: g.measure.clone(),
                method: g.method.clone(),
                observed: format!("{:.0}", g.observed),
                expected: format!("{:.1}", g.expected),
            })
            .collect(),
        signals_recent: s.signals_recent,
        history: s
            .history
            .iter()
            .rev()
            .map(|h| HistoryRow {
                at: when(h.decided_at),
                decision: t.word("class_decision", h.decision.as_str()),
                class: class_name(t, h.class),
                class_code: h.class.as_str().to_string(),
                by: h.decided_by_label.clone(),
                rationale: h.rationale.clone().unwrap_or_default(),
            })
            .collect(),
        may_assess: kinga_domain::risk::may_assess(role),
        may_review: kinga_domain::risk::may_sign_off(role),
        classes,
        visibilities,
        gaps: framework_gaps(t),
        p: page,
    };
    render(&body)
}

pub async fn set_class(
    page: Page,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(country) = Country::parse(&code) else {
        return not_found(page);
    };
    let Ok(reviewer) = page.member.as_reviewer() else {
        return forbidden(page);
    };
    let t = page.t;
    let withdraw = form.get("withdraw").is_some_and(|v| v == "1");
    let new = if withdraw {
        let rationale = form
            .get("rationale")
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        let history = match page.member.risk_classes(country).await {
            Ok(h) => h,
            Err(e) => return failure(page, e),
        };
        let decisions: Vec<_> = history.iter().map(|h| (h.decision, h.class)).collect();
        match (
            kinga_analysis::assessment::current_class(&decisions),
            rationale,
        ) {
            (Some((class, ClassDecision::Override)), Some(r)) => NewRiskClass {
                country,
                decision: ClassDecision::Withdraw,
                class,
                rationale: Some(r),
                inputs: json!({}),
                visibility: Visibility::Organisation,
            },
            (_, None) => {
                let m = t.get("risk.class.rationale_needed").to_string();
                return render_country(page, country, String::new(), m).await;
            }
            _ => {
                let m = t.get("risk.class.no_override").to_string();
                return render_country(page, country, String::new(), m).await;
            }
        }
    } else {
        match ClassOverride::parse(&form_value(&form)) {
            Ok(o) => NewRiskClass {
                country,
                decision: ClassDecision::Override,
                class: o.class,
                rationale: Some(o.rationale),
                inputs: json!({}),
                visibility: o.visibility,
            },
            Err(_) => {
                let m = t.get("risk.class.rationale_needed").to_string();
                return render_country(page, country, String::new(), m).await;
            }
        }
    };
    match reviewer.record_class(new).await {
        Ok(_) => Redirect::to(&format!(
            "/countries/{}?notice={}",
            country.code(),
            if withdraw { "withdrawn" } else { "override" }
        ))
        .into_response(),
        Err(e) => failure(page, e),
    }
}

pub async fn refresh(
    page: Page,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(country) = Country::parse(&code) else {
        return not_found(page);
    };
    if page.member.as_reviewer().is_err() {
        return forbidden(page);
    }
    match page
        .member
        .refresh_class(country, Visibility::Organisation)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/countries/{}?notice=refreshed", country.code())).into_response()
        }
        Err(e) => failure(page, e),
    }
}

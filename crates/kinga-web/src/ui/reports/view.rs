use super::sealed::{card, SealedCard};
use crate::state::AppState;
use crate::ui::common::{
    not_found, problem, safe_back, suggestions, when, with_status, Fact, Problem, Suggestion,
};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kinga_domain::dedup::Probe;
use kinga_domain::ids::{IncidentId, ReportId};
use kinga_domain::incident::IncidentFilter;
use kinga_domain::report::{Report, TriageDecision, TriageStatus};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "report_view.html")]
struct ReportView {
    p: Page,
    t: Tr,
    id: String,
    text: String,
    facts: Vec<Fact>,
    status: String,
    status_label: String,
    reject_reason: String,
    incident_id: String,
    incident_code: String,
    confirmation: String,
    message: String,
    may_accept: bool,
    may_decide: bool,
    may_link: bool,
    link_value: String,
    link_error: String,
    suggestions: Vec<Suggestion>,
    sealed: SealedCard,
}

/// What went wrong or right on the way to this page.
#[derive(Default)]
struct Outcome {
    confirmation: String,
    message: String,
    link_value: String,
    link_error: String,
    status: Option<StatusCode>,
    /// The query of the page, for what the protected-source card says.
    query: HashMap<String, String>,
    /// Protected-source values already read, with their audit entry.
    opened: Option<Vec<(String, String)>>,
    sealed_message: String,
}

fn facts(t: Tr, r: &Report) -> Vec<Fact> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let mut out = vec![
        Fact::new(
            t.get("common.country"),
            format!("{} ({})", r.country.name(), r.country.code()),
        ),
        Fact::new(t.get("report.occurred_on"), r.occurred_on.to_string()),
        Fact::new(t.get("report.received"), when(r.received_at)),
        Fact::new(
            t.get("report.channel"),
            t.word("channel", r.channel.as_str()),
        ),
        Fact::new(t.get("common.organisation"), r.organisation.to_string()),
        Fact::new(
            t.get("common.visibility"),
            t.word("visibility", r.visibility.as_str()),
        ),
        Fact::new(t.get("common.admin1"), opt(&r.admin1)),
        Fact::new(t.get("common.place_name"), opt(&r.place_name)),
    ];
    if let (Some(lat), Some(lon)) = (r.latitude, r.longitude) {
        out.push(Fact::new(
            t.get("common.coordinates"),
            format!("{lat}, {lon}"),
        ));
    }
    out.push(Fact::new(
        t.get("report.reporter"),
        r.reporter_role
            .map(|x| t.word("reporter", x.as_str()))
            .unwrap_or_else(|| "—".into()),
    ));
    out.push(Fact::new(
        t.get("report.risk_to_source"),
        r.risk_to_source
            .map(|x| t.word("risk", x.as_str()))
            .unwrap_or_else(|| "—".into()),
    ));
    out
}

/// The report's page with its protected source opened (or the reason it was not).
pub(crate) async fn view_with_sealed(
    state: &AppState,
    page: Page,
    r: Report,
    opened: Option<Vec<(String, String)>>,
    message: String,
) -> Response {
    view(
        state,
        page,
        r,
        Outcome {
            opened,
            sealed_message: message,
            ..Outcome::default()
        },
    )
    .await
}

async fn view(state: &AppState, page: Page, r: Report, o: Outcome) -> Response {
    let t = page.t;
    let sealed = card(state, &page, &r, &o.query, o.opened, o.sealed_message).await;
    let analyst = page.member.as_analyst().ok();
    let may_link = analyst.is_some() && r.triage_status.link().is_ok();
    let mut found = Vec::new();
    if let (Some(a), true) = (&analyst, may_link) {
        let probe = Probe {
            country: r.country,
            date: r.occurred_on,
            latitude: r.latitude,
            longitude: r.longitude,
            text: &r.text,
        };
        match a.duplicates(&probe).await {
            Ok(d) => found = d,
            // Suggestions help; their absence must not keep the report from being read.
            Err(e) => tracing::warn!("duplicate suggestions failed: {e}"),
        }
        found.retain(|s| Some(s.incident_id) != r.incident_id);
    }
    let incident_code = match r.incident_id {
        Some(i) => match page.member.incident(i).await {
            Ok(Some(inc)) => inc.code,
            _ => i.to_string(),
        },
        None => String::new(),
    };
    let body = render(&ReportView {
        id: r.id.to_string(),
        text: r.text.clone(),
        facts: facts(t, &r),
        status: r.triage_status.as_str().into(),
        status_label: t.word("triage", r.triage_status.as_str()),
        reject_reason: r.reject_reason.clone().unwrap_or_default(),
        incident_id: r.incident_id.map(|i| i.to_string()).unwrap_or_default(),
        incident_code,
        confirmation: o.confirmation,
        message: o.message,
        may_accept: analyst.is_some() && r.triage_status == TriageStatus::New,
        may_decide: analyst.is_some()
            && matches!(r.triage_status, TriageStatus::New | TriageStatus::Triaged),
        may_link,
        link_value: o.link_value,
        link_error: o.link_error,
        suggestions: suggestions(t, found),
        sealed,
        t,
        p: page,
    });
    match o.status {
        Some(s) => with_status(body, s),
        None => body,
    }
}

pub(crate) async fn load(page: &Page, raw: &str) -> Option<Report> {
    let id: ReportId = raw.parse().ok()?;
    page.member.report(id).await.ok().flatten()
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(r) = load(&page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let confirmation = if q.contains_key("submitted") {
        t.get("report.submitted").to_string()
    } else if q.contains_key("linked") {
        t.get("report.linked").to_string()
    } else if q.contains_key("triaged") {
        t.get("report.triaged").to_string()
    } else {
        String::new()
    };
    view(
        &state,
        page,
        r,
        Outcome {
            confirmation,
            query: q,
            ..Outcome::default()
        },
    )
    .await
}

/// The decision a triage form carries, or why it carries none.
fn decision(t: Tr, form: &HashMap<String, String>) -> Result<TriageDecision, &'static str> {
    let reason = form
        .get("reason")
        .map(|r| r.trim().to_string())
        .unwrap_or_default();
    match form.get("decision").map(String::as_str) {
        Some("accept") => Ok(TriageDecision::Accept),
        Some("spam") => Ok(TriageDecision::Spam),
        Some("reject") if reason.is_empty() => Err(t.get("triage.reason_required")),
        Some("reject") => Ok(TriageDecision::Reject { reason }),
        _ => Err(t.get("triage.unknown_decision")),
    }
}

pub async fn triage(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Some(r) = load(&page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let fail = |p: Problem| Outcome {
        message: p.message,
        status: Some(p.status),
        ..Outcome::default()
    };
    let analyst = match page.member.as_analyst() {
        Ok(a) => a,
        Err(e) => return view(&state, page, r, fail(problem(t, e))).await,
    };
    let d = match decision(t, &form) {
        Ok(d) => d,
        Err(why) => {
            let p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, why);
            return view(&state, page, r, fail(p)).await;
        }
    };
    match analyst.triage(r.id, d).await {
        Ok(_) => {
            let default = format!("/reports/{}?triaged=1", r.id);
            Redirect::to(&safe_back(form.get("back"), &default)).into_response()
        }
        Err(e) => view(&state, page, r, fail(problem(t, e))).await,
    }
}

/// An incident named by its id or by its code (`CAF-2013-000123`), as analysts quote it.
async fn resolve(page: &Page, given: &str) -> Option<IncidentId> {
    if let Ok(id) = given.parse::<IncidentId>() {
        return Some(id);
    }
    let filter = IncidentFilter {
        text: Some(given.to_string()),
        limit: 20,
        ..IncidentFilter::default()
    };
    let found = page.member.incidents(&filter).await.ok()?;
    found
        .items
        .into_iter()
        .find(|i| i.code.eq_ignore_ascii_case(given))
        .map(|i| i.id)
}

pub async fn link(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Some(r) = load(&page, &id).await else {
        return not_found(page);
    };
    let t = page.t;
    let given = form
        .get("incident")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let fail = |p: Problem, link_error: String| Outcome {
        message: p.message,
        status: Some(p.status),
        link_value: given.clone(),
        link_error,
        ..Outcome::default()
    };
    let analyst = match page.member.as_analyst() {
        Ok(a) => a,
        Err(e) => return view(&state, page, r, fail(problem(t, e), String::new())).await,
    };
    let incident = if given.is_empty() {
        Err(t.get("link.required"))
    } else {
        resolve(&page, &given).await.ok_or(t.get("link.unknown"))
    };
    let incident = match incident {
        Ok(i) => i,
        Err(why) => {
            let p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, t.get("common.error"));
            return view(&state, page, r, fail(p, why.into())).await;
        }
    };
    match analyst.link(r.id, incident).await {
        Ok(_) => Redirect::to(&format!("/reports/{}?linked=1", r.id)).into_response(),
        Err(e) => {
            let p = problem(t, e);
            let beside = p.message.clone();
            view(&state, page, r, fail(p, beside)).await
        }
    }
}

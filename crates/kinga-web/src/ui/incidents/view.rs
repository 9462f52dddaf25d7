use super::options::{options, Options};
use super::sections::{
    acts, facts, parties, sources, ActRow, HistoryRow, PartyRow, ReportRow, SourceRow,
};
use super::signals::{region_signals, RegionSignals};
use crate::ui::common::{
    excerpt, lock_text, message_page, not_found, when, with_status, Choice, Entered, Fact,
};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use kinga_app::records::StoreError;
use kinga_app::AccessError;
use kinga_domain::ids::IncidentId;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "incident_view.html")]
struct IncidentPage {
    p: Page,
    t: Tr,
    id: String,
    code: String,
    title: String,
    summary: String,
    status: String,
    status_label: String,
    facts: Vec<Fact>,
    acts: Vec<ActRow>,
    parties: Vec<PartyRow>,
    sources: Vec<SourceRow>,
    reports: Vec<ReportRow>,
    history: Vec<HistoryRow>,
    signals: RegionSignals,
    message: String,
    notice: String,
    lock_notice: String,
    may_code: bool,
    editing: bool,
    next_steps: Vec<Choice>,
    assignees: Vec<Choice>,
    f: Forms,
    o: Options,
}

/// What was typed into each form of the page, when one of them failed.
#[derive(Default)]
pub(super) struct Forms {
    pub status: Entered,
    pub act: Entered,
    pub party: Entered,
    pub source: Entered,
}

/// How a handler's attempt went, for the page shown after it.
#[derive(Default)]
pub(super) struct Outcome {
    pub message: String,
    pub status: Option<StatusCode>,
    pub forms: Forms,
}

fn notice(t: Tr, q: &HashMap<String, String>) -> String {
    match q.get("notice").map(String::as_str) {
        Some("created") => t.get("incident.created"),
        Some("created_linked") => t.get("incident.created_linked"),
        Some("created_not_linked") => t.get("incident.created_not_linked"),
        Some("status") => t.get("incident.status_changed"),
        Some("assigned") => t.get("incident.assigned"),
        Some("locked") => t.get("lock.taken"),
        Some("unlocked") => t.get("lock.released"),
        Some("act") => t.get("coding.act_added"),
        Some("involvement") => t.get("coding.involvement_added"),
        Some("citation") => t.get("coding.citation_added"),
        _ => "",
    }
    .to_string()
}

pub async fn show(
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = id.parse::<IncidentId>() else {
        return not_found(page);
    };
    let n = notice(page.t, &q);
    detail(page, id, Outcome::default(), n).await
}

/// The incident page, after a handler's attempt (`o`) or a notice of what just succeeded.
pub(super) async fn detail(page: Page, id: IncidentId, o: Outcome, notice: String) -> Response {
    let t = page.t;
    let d = match page.member.incident_detail(id).await {
        Ok(Some(d)) => d,
        Ok(None) | Err(AccessError::Store(StoreError::NotFound)) => return not_found(page),
        Err(e) => {
            let pr = crate::ui::common::problem(t, e);
            return message_page(page, pr.status, t.get("error.title"), &pr.message);
        }
    };
    let i = &d.incident;
    let me = page.member.user().clone();
    let analyst = page.member.as_analyst().ok();
    let may_code = analyst.is_some() && i.organisation_id == me.organisation_id;
    let editing = may_code && d.lock.as_ref().is_some_and(|l| l.user_id == me.id);
    let lock_notice = match &d.lock {
        Some(l) if l.user_id != me.id => lock_text(t, &l.user_label, l.since),
        _ => String::new(),
    };
    // A refused lock says the same as the lock notice; once is enough.
    let message = if o.message == lock_notice {
        String::new()
    } else {
        o.message
    };
    let assignee = match (i.assignee, &analyst) {
        (None, _) => "—".to_string(),
        (Some(u), Some(a)) => a
            .colleagues()
            .await
            .ok()
            .and_then(|c| c.into_iter().find(|x| x.id == u))
            .map(|x| x.email.to_string())
            .unwrap_or_else(|| u.to_string()),
        (Some(u), None) => u.to_string(),
    };
    let owner = page
        .member
        .organisations()
        .await
        .ok()
        .and_then(|os| os.into_iter().find(|o| o.id == i.organisation_id))
        .map(|o| format!("{} ({})", o.name, o.slug))
        .unwrap_or_else(|| i.organisation.to_string());
    let history = match page.member.incident_history(id).await {
        Ok(Some(entries)) => entries
            .into_iter()
            .rev()
            .map(|e| HistoryRow {
                at: when(e.at),
                actor: e.actor,
                action: t.word("action", &e.action),
                explanation: e.explanation.unwrap_or_default(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let next_steps = i
        .status
        .next_steps()
        .iter()
        .map(|s| {
            Choice::new(
                s.as_str(),
                t.word("status", s.as_str()),
                o.forms.status.v("status"),
            )
        })
        .collect();
    let current = i.assignee.map(|u| u.to_string()).unwrap_or_default();
    let assignees = match (&analyst, may_code) {
        (Some(a), true) => a
            .colleagues()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.role.works_cases())
            .map(|u| {
                let label = format!("{} ({})", u.email, t.word("role", u.role.as_str()));
                Choice::new(u.id.to_string(), label, &current)
            })
            .collect(),
        _ => Vec::new(),
    };
    let signals = region_signals(t, &page, i).await;
    let opts = if editing {
        options(t, &page, &d, &o.forms).await
    } else {
        Options::default()
    };
    let body = render(&IncidentPage {
        id: i.id.to_string(),
        code: i.code.clone(),
        title: i.title.clone(),
        summary: i.summary.clone().unwrap_or_default(),
        status: i.status.as_str().into(),
        status_label: t.word("status", i.status.as_str()),
        facts: facts(t, i, assignee, owner),
        acts: acts(t, &d),
        parties: parties(t, &d),
        sources: sources(t, &d),
        reports: d
            .reports
            .iter()
            .map(|r| ReportRow {
                id: r.id.to_string(),
                occurred_on: r.occurred_on.to_string(),
                excerpt: excerpt(&r.text, 140),
                status: t.word("triage", r.triage_status.as_str()),
            })
            .collect(),
        history,
        signals,
        message,
        notice,
        lock_notice,
        may_code,
        editing,
        next_steps,
        assignees,
        f: o.forms,
        o: opts,
        t,
        p: page,
    });
    match o.status {
        Some(s) => with_status(body, s),
        None => body,
    }
}

use crate::ui::common::{excerpt, forbidden, problem, query, when};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use kinga_app::records::ReportFilter;
use kinga_domain::report::{Report, TriageStatus};
use std::collections::HashMap;

const PER_PAGE: u32 = 50;

/// Beyond monitors, whose scope already holds only their own reports, "mine" is picked from
/// this many of the newest reports the reader may see.
const MINE_WINDOW: u32 = 500;

#[derive(Template)]
#[template(path = "report_queue.html")]
struct QueueTemplate {
    p: Page,
    t: Tr,
    heading: String,
    triage: bool,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    total: u64,
    prev: String,
    next: String,
    back: String,
    message: String,
}

struct Tab {
    href: String,
    label: String,
    current: bool,
}

pub(super) struct Row {
    pub id: String,
    pub occurred_on: String,
    pub received: String,
    pub country: String,
    pub excerpt: String,
    pub organisation: String,
    pub visibility: String,
    pub visibility_label: String,
    pub status: String,
    pub status_label: String,
    pub may_accept: bool,
    pub may_decide: bool,
    pub incident: String,
}

pub(super) fn row(t: Tr, r: &Report) -> Row {
    let open = matches!(r.triage_status, TriageStatus::New | TriageStatus::Triaged);
    Row {
        id: r.id.to_string(),
        occurred_on: r.occurred_on.to_string(),
        received: when(r.received_at),
        country: r.country.code().to_string(),
        excerpt: excerpt(&r.text, 160),
        organisation: r.organisation.to_string(),
        visibility: r.visibility.as_str().to_string(),
        visibility_label: t.word("visibility", r.visibility.as_str()),
        status: r.triage_status.as_str().to_string(),
        status_label: t.word("triage", r.triage_status.as_str()),
        may_accept: r.triage_status == TriageStatus::New,
        may_decide: open,
        incident: r.incident_id.map(|i| i.to_string()).unwrap_or_default(),
    }
}

fn offset_of(q: &HashMap<String, String>) -> u32 {
    q.get("offset")
        .and_then(|o| o.trim().parse().ok())
        .unwrap_or(0)
}

/// The intake queue of the case desk, one triage status at a time (`new` first).
pub async fn triage(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    if page.member.as_analyst().is_err() {
        return forbidden(page);
    }
    let t = page.t;
    let status = q
        .get("status")
        .and_then(|s| s.parse::<TriageStatus>().ok())
        .unwrap_or(TriageStatus::New);
    let offset = offset_of(&q);
    let filter = ReportFilter {
        status: Some(status),
        country: None,
        incident: None,
        limit: PER_PAGE,
        offset,
    };
    let (rows, total, message) = match page.member.reports(&filter).await {
        Ok(p) => (
            p.items.iter().map(|r| row(t, r)).collect(),
            p.total,
            String::new(),
        ),
        Err(e) => (Vec::new(), 0, problem(t, e).message),
    };
    let link = |o: u32| {
        format!(
            "/reports/triage?{}",
            query(&[("status", status.as_str()), ("offset", &o.to_string())])
        )
    };
    let tabs = TriageStatus::ALL
        .iter()
        .map(|s| Tab {
            href: format!("/reports/triage?status={}", s.as_str()),
            label: t.word("triage", s.as_str()),
            current: *s == status,
        })
        .collect();
    render(&QueueTemplate {
        heading: t.get("triage.title").into(),
        triage: true,
        tabs,
        rows,
        total,
        prev: if offset > 0 {
            link(offset.saturating_sub(PER_PAGE))
        } else {
            String::new()
        },
        next: if u64::from(offset) + u64::from(PER_PAGE) < total {
            link(offset + PER_PAGE)
        } else {
            String::new()
        },
        back: link(offset),
        message,
        t,
        p: page,
    })
}

/// The reports the visitor submitted, with where triage has got to.
pub async fn mine(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    let t = page.t;
    let user = page.member.user().clone();
    let own_scope = user.role.sees_only_own_reports();
    let offset = if own_scope { offset_of(&q) } else { 0 };
    let filter = ReportFilter {
        limit: if own_scope { PER_PAGE } else { MINE_WINDOW },
        offset,
        ..ReportFilter::default()
    };
    let (rows, total, message): (Vec<Row>, u64, String) = match page.member.reports(&filter).await {
        Ok(p) if own_scope => (
            p.items.iter().map(|r| row(t, r)).collect(),
            p.total,
            String::new(),
        ),
        Ok(p) => {
            let rows: Vec<Row> = p
                .items
                .iter()
                .filter(|r| r.submitted_by == user.id)
                .map(|r| row(t, r))
                .collect();
            let n = rows.len() as u64;
            (rows, n, String::new())
        }
        Err(e) => (Vec::new(), 0, problem(t, e).message),
    };
    let link = |o: u32| format!("/reports/mine?offset={o}");
    render(&QueueTemplate {
        heading: t.get("mine.title").into(),
        triage: false,
        tabs: Vec::new(),
        rows,
        total,
        prev: if own_scope && offset > 0 {
            link(offset.saturating_sub(PER_PAGE))
        } else {
            String::new()
        },
        next: if own_scope && u64::from(offset) + u64::from(PER_PAGE) < total {
            link(offset + PER_PAGE)
        } else {
            String::new()
        },
        back: "/reports/mine".into(),
        message,
        t,
        p: page,
    })
}

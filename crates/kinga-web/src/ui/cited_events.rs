//! The events an incident cites, in the HTML interface: a panel loaded into the incident page by
//! htmx (and a page of its own without JavaScript) listing the cited dataset rows and the
//! suggested candidates, each with a button to cite it; the incident's analysts cite, note and
//! remove citations there.
use crate::state::AppState;
use crate::ui::common::{collect, field_errors, not_found, problem};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use kinga_app::records::{EventRef, EventSummary, NewEventCitation, StoreError, SuggestionWindow};
use kinga_app::AccessError;
use kinga_domain::ids::IncidentId;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/incidents/{id}/events", get(show).post(cite))
        .route("/incidents/{id}/events/remove", post(remove))
}

pub(crate) struct EventRow {
    /// `dataset:external_id`, what the forms send back.
    pub reference: String,
    pub dates: String,
    pub place: String,
    pub violence: String,
    pub deaths: String,
    pub actors: String,
    /// Cited rows: the note and who cited it when; suggestions: how many days apart.
    pub note: String,
    pub cited: String,
    pub apart: String,
}

#[derive(Template)]
#[template(path = "incident_events_section.html")]
struct Section {
    t: Tr,
    csrf: String,
    id: String,
    cited: Vec<EventRow>,
    suggested: Vec<EventRow>,
    days: u32,
    window_text: String,
    may_cite: bool,
    message: String,
    notice: String,
    entered_event: String,
    entered_note: String,
}

#[derive(Template)]
#[template(path = "incident_events.html")]
struct FullPage {
    p: Page,
    t: Tr,
    id: String,
    heading: String,
    /// The panel, rendered on its own.
    section: String,
}

fn row(t: Tr, e: &EventSummary) -> EventRow {
    let dates = if e.date_start == e.date_end {
        e.date_start.to_string()
    } else {
        format!("{} – {}", e.date_start, e.date_end)
    };
    let place = [
        e.place_name.as_deref(),
        e.admin2.as_deref(),
        e.admin1.as_deref(),
        Some(e.country.code()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let f = e.fatalities;
    let deaths = match (f.best, f.low, f.high) {
        (Some(b), Some(l), Some(h)) if l != h => format!("{b} ({l}–{h})"),
        (Some(b), _, _) => b.to_string(),
        _ => "—".into(),
    };
    let actors = [e.actor1.as_deref(), e.actor2.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    EventRow {
        reference: e.reference().to_string(),
        dates,
        place,
        violence: e
            .violence_type
            .map(|v| t.word("violence", v.as_str()))
            .or_else(|| e.event_type.clone())
            .unwrap_or_else(|| "—".into()),
        deaths,
        actors,
        note: String::new(),
        cited: String::new(),
        apart: String::new(),
    }
}

fn error_text(t: Tr, e: AccessError) -> (StatusCode, String) {
    if let AccessError::Store(StoreError::Invalid(v)) = &e {
        let f = field_errors(t, v);
        let mut parts: Vec<String> = f.0.values().cloned().collect();
        parts.sort();
        return (StatusCode::UNPROCESSABLE_ENTITY, parts.join("; "));
    }
    let p = problem(t, e);
    (p.status, p.message)
}

/// What the panel shows; `None` when the reader may not see the incident.
async fn section(page: &Page, id: IncidentId, window: SuggestionWindow) -> Option<Section> {
    let t = page.t;
    let incident = page.member.incident(id).await.ok().flatten()?;
    let me = page.member.user();
    let may_cite =
        page.member.as_analyst().is_ok() && incident.organisation_id == me.organisation_id;
    let mut message = String::new();
    let cited = match page.member.cited_events(id).await {
        Ok(c) => c
            .iter()
            .map(|c| {
                let mut r = row(t, &c.event);
                r.note = c.citation.note.clone().unwrap_or_default();
                r.cited = format!(
                    "{} · {}",
                    c.citation.cited_by,
                    crate::ui::common::when(c.citation.cited_at)
                );
                r
            })
            .collect(),
        Err(e) => {
            message = error_text(t, e).1;
            Vec::new()
        }
    };
    let suggested = match page.member.event_suggestions(id, window).await {
        Ok(s) => s
            .iter()
            .map(|s| {
                let mut r = row(t, &s.event);
                r.apart = match s.days_apart {
                    0 => t.get("cited.same_dates").to_string(),
                    n => t.get("cited.days_apart").replace("{n}", &n.to_string()),
                };
                r
            })
            .collect(),
        Err(e) => {
            message = error_text(t, e).1;
            Vec::new()
        }
    };
    Some(Section {
        t,
        csrf: page.csrf.clone(),
        id: id.to_string(),
        cited,
        suggested,
        days: window.days,
        window_text: t
            .get("cited.window")
            .replace("{n}", &window.days.to_string()),
        may_cite,
        message,
        notice: String::new(),
        entered_event: String::new(),
        entered_note: String::new(),
    })
}

fn window_of(q: &HashMap<String, String>) -> SuggestionWindow {
    crate::api::incident_events::parse_window(q).unwrap_or_default()
}

async fn respond(
    page: Page,
    id: IncidentId,
    fragment: bool,
    window: SuggestionWindow,
    finish: impl FnOnce(&mut Section),
    status: StatusCode,
) -> Response {
    let Some(mut s) = section(&page, id, window).await else {
        return not_found(page);
    };
    finish(&mut s);
    let body = if fragment {
        render(&s)
    } else {
        let incident = page.member.incident(id).await.ok().flatten();
        let heading = incident
            .map(|i| format!("{} · {}", i.code, i.title))
            .unwrap_or_default();
        let section = match s.render() {
            Ok(html) => html,
            Err(e) => {
                tracing::error!("template failed: {e}");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "page could not be rendered",
                )
                    .into_response();
            }
        };
        render(&FullPage {
            t: page.t,
            id: id.to_string(),
            heading,
            section,
            p: page,
        })
    };
    crate::ui::common::with_status(body, status)
}

async fn show(
    page: Page,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Ok(id) = id.parse::<IncidentId>() else {
        return not_found(page);
    };
    let t = page.t;
    let notice = match q.get("notice").map(String::as_str) {
        Some("added") => t.get("cited.added"),
        Some("removed") => t.get("cited.removed"),
        _ => "",
    }
    .to_string();
    let fragment = q.contains_key("fragment");
    respond(
        page,
        id,
        fragment,
        window_of(&q),
        |s| s.notice = notice,
        StatusCode::OK,
    )
    .await
}

/// After a change: htmx gets the panel again; a plain form post goes back to the incident.
async fn after(
    page: Page,
    id: IncidentId,
    htmx: bool,
    result: Result<&'static str, (StatusCode, String, HashMap<String, String>)>,
    window: SuggestionWindow,
) -> Response {
    let t = page.t;
    match result {
        Ok(done) if !htmx => Redirect::to(&format!(
            "/incidents/{id}/events?notice={done}&days={}",
            window.days
        ))
        .into_response(),
        Ok(done) => {
            let notice = match done {
                "removed" => t.get("cited.removed"),
                _ => t.get("cited.added"),
            }
            .to_string();
            respond(
                page,
                id,
                true,
                window,
                |s| s.notice = notice,
                StatusCode::OK,
            )
            .await
        }
        Err((status, message, form)) => {
            // htmx swaps only successful answers by default: the refusal comes back as 200 so
            // the analyst reads it in place; a plain post gets the real status.
            let status = if htmx { StatusCode::OK } else { status };
            respond(
                page,
                id,
                htmx,
                window,
                |s| {
                    s.message = message;
                    s.entered_event = form.get("event").cloned().unwrap_or_default();
                    s.entered_note = form.get("note").cloned().unwrap_or_default();
                },
                status,
            )
            .await
        }
    }
}

async fn cite(
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(id) = id.parse::<IncidentId>() else {
        return not_found(page);
    };
    let t = page.t;
    let htmx = headers.get("HX-Request").is_some();
    let window = window_of(&form);
    let note = form
        .get("note")
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    let result = match form.get("event").map(|e| e.parse::<EventRef>()) {
        None => Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("cited.event_required").to_string(),
        )),
        Some(Err(e)) => Err((StatusCode::UNPROCESSABLE_ENTITY, e)),
        Some(Ok(event)) => match page.member.as_analyst() {
            Ok(a) => a
                .cite_event(id, NewEventCitation { event, note })
                .await
                .map(|_| "added")
                .map_err(|e| error_text(t, e)),
            Err(e) => Err(error_text(t, e)),
        },
    };
    let result = result.map_err(|(s, m)| (s, m, form.clone()));
    after(page, id, htmx, result, window).await
}

async fn remove(
    page: Page,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let Ok(id) = id.parse::<IncidentId>() else {
        return not_found(page);
    };
    let t = page.t;
    let htmx = headers.get("HX-Request").is_some();
    let window = window_of(&form);
    let result = match form.get("event").map(|e| e.parse::<EventRef>()) {
        None | Some(Err(_)) => Err((StatusCode::NOT_FOUND, t.get("common.not_found").to_string())),
        Some(Ok(event)) => match page.member.as_analyst() {
            Ok(a) => a
                .uncite_event(id, &event)
                .await
                .map(|_| "removed")
                .map_err(|e| error_text(t, e)),
            Err(e) => Err(error_text(t, e)),
        },
    };
    let result = result.map_err(|(s, m)| (s, m, HashMap::new()));
    after(page, id, htmx, result, window).await
}

use crate::ui::common::{
    checks, collect, countries, field_errors, forbidden, not_found, problem, suggestions, text_or,
    visibilities, with_status, words, Choice, Entered, Group, Suggestion,
};
use crate::ui::i18n::Tr;
use crate::ui::session::{form_value, render, Page};
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use kinga_app::Analyst;
use kinga_domain::dedup::Probe;
use kinga_domain::fields::Fields;
use kinga_domain::ids::ReportId;
use kinga_domain::incident::{NewIncident, VerificationLevel};
use kinga_domain::vocab::{acled, ucdp, AtrocityCrime};
use kinga_domain::Country;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "incident_form.html")]
struct FormTemplate {
    p: Page,
    t: Tr,
    f: Entered,
    message: String,
    notice: String,
    csrf: String,
    from_report: String,
    countries: Vec<Choice>,
    visibilities: Vec<Choice>,
    date_precisions: Vec<Choice>,
    place_precisions: Vec<Choice>,
    event_types: Vec<Choice>,
    sub_event_types: Vec<Group>,
    violence_types: Vec<Choice>,
    verification_levels: Vec<Choice>,
    crimes: Vec<Choice>,
    suggestions: Vec<Suggestion>,
    checked: bool,
    dup_message: String,
    oob: bool,
}

/// The suggestions alone, for the "Check for duplicates" button when htmx is running.
#[derive(Template)]
#[template(path = "incident_duplicates.html")]
struct DuplicatesTemplate {
    t: Tr,
    csrf: String,
    from_report: String,
    suggestions: Vec<Suggestion>,
    checked: bool,
    dup_message: String,
    /// Also marks the main form as checked, so its next submission saves.
    oob: bool,
}

fn precision_choices(
    t: Tr,
    prefix: &str,
    range: std::ops::RangeInclusive<u8>,
    meaning: fn(u8) -> Option<&'static str>,
    current: &str,
) -> Vec<Choice> {
    range
        .map(|code| {
            let m = text_or(
                t,
                &format!("{prefix}.{code}"),
                meaning(code).unwrap_or_default(),
            );
            Choice::new(code.to_string(), format!("{code} — {m}"), current)
        })
        .collect()
}

fn event_groups(current: &str) -> Vec<Group> {
    acled::event_types()
        .into_iter()
        .map(|et| Group {
            label: et.to_string(),
            items: acled::event_categories()
                .iter()
                .filter(|c| c.event_type == et)
                .map(|c| Choice::new(c.sub_event_type.clone(), c.sub_event_type.clone(), current))
                .collect(),
        })
        .collect()
}

fn form_page(page: Page, f: Entered, message: String) -> FormTemplate {
    let t = page.t;
    let violence: Vec<&str> = [
        ucdp::ViolenceType::StateBased,
        ucdp::ViolenceType::NonState,
        ucdp::ViolenceType::OneSided,
    ]
    .iter()
    .map(ucdp::ViolenceType::as_str)
    .collect();
    let levels: Vec<&str> = VerificationLevel::ALL
        .iter()
        .map(VerificationLevel::as_str)
        .collect();
    let crimes: Vec<&str> = AtrocityCrime::ALL
        .iter()
        .map(AtrocityCrime::as_str)
        .collect();
    let event_types = acled::event_types()
        .into_iter()
        .map(|e| Choice::new(e, e, f.v("event_type")))
        .collect();
    FormTemplate {
        countries: countries(f.v("country")),
        visibilities: visibilities(t, f.v("visibility")),
        date_precisions: precision_choices(
            t,
            "date_precision",
            1..=5,
            ucdp::date_precision_meaning,
            f.v("date_precision"),
        ),
        place_precisions: precision_choices(
            t,
            "place_precision",
            1..=7,
            ucdp::place_precision_meaning,
            f.v("place_precision"),
        ),
        event_types,
        sub_event_types: event_groups(f.v("sub_event_type")),
        violence_types: words(t, "violence", &violence, f.v("violence_type")),
        verification_levels: words(t, "verification", &levels, f.v("verification_level")),
        crimes: checks(t, "crime", &crimes, f.v("crimes")),
        csrf: page.csrf.clone(),
        from_report: f.v("from_report").to_string(),
        checked: f.v("dup_checked") == "1",
        suggestions: Vec::new(),
        dup_message: String::new(),
        oob: false,
        notice: String::new(),
        message,
        f,
        t,
        p: page,
    }
}

/// A blank form, or one prefilled from the report it is created from.
pub async fn page(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    if page.member.as_analyst().is_err() {
        return forbidden(page);
    }
    let mut f = Entered::default();
    f.set("country", "CAF");
    f.set("visibility", "organisation");
    f.set("date_precision", "1");
    f.set("verification_level", "unverified");
    if let Some(raw) = q.get("from_report").filter(|r| !r.trim().is_empty()) {
        let Ok(id) = raw.parse::<ReportId>() else {
            return not_found(page);
        };
        let Ok(Some(r)) = page.member.report(id).await else {
            return not_found(page);
        };
        f.set("from_report", r.id.to_string());
        f.set("country", r.country.code());
        f.set("date_start", r.occurred_on.to_string());
        f.set("visibility", r.visibility.as_str());
        f.set("summary", r.text.clone());
        f.set(
            "title",
            crate::ui::common::excerpt(r.place_name.as_deref().unwrap_or(&r.text), 80),
        );
        for (k, v) in [
            ("admin1", r.admin1.clone()),
            ("place_name", r.place_name.clone()),
            ("latitude", r.latitude.map(|x| x.to_string())),
            ("longitude", r.longitude.map(|x| x.to_string())),
        ] {
            if let Some(v) = v {
                f.set(k, v);
            }
        }
    }
    render(&form_page(page, f, String::new()))
}

/// What the duplicate search compares: only country and start date are needed, so analysts can
/// check before filling in the rest.
async fn find_duplicates(
    analyst: &Analyst,
    form: &HashMap<String, String>,
) -> Result<Vec<kinga_domain::dedup::DuplicateSuggestion>, ()> {
    let value = form_value(form);
    let Ok(mut f) = Fields::new(&value) else {
        return Err(());
    };
    let country: Option<Country> = f.required("country");
    let date = f.required_date("date_start");
    let latitude = f.number_in("latitude", -90.0, 90.0);
    let longitude = f.number_in("longitude", -180.0, 180.0);
    let (Some(country), Some(date)) = (country, date) else {
        return Err(());
    };
    let text = format!(
        "{} {} {}",
        form.get("title").map(String::as_str).unwrap_or(""),
        form.get("summary").map(String::as_str).unwrap_or(""),
        form.get("place_name").map(String::as_str).unwrap_or(""),
    );
    let (latitude, longitude) = match (latitude, longitude) {
        (Some(a), Some(b)) => (Some(a), Some(b)),
        _ => (None, None),
    };
    let probe = Probe {
        country,
        date,
        latitude,
        longitude,
        text: &text,
    };
    analyst.duplicates(&probe).await.map_err(|e| {
        tracing::warn!("duplicate suggestions failed: {e}");
    })
}

pub async fn duplicates(page: Page, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form = collect(pairs);
    let t = page.t;
    if page.check_csrf(&form).is_err() {
        return (StatusCode::FORBIDDEN, Html(t.get("login.expired"))).into_response();
    }
    let Ok(analyst) = page.member.as_analyst() else {
        return (StatusCode::FORBIDDEN, Html(t.get("common.forbidden"))).into_response();
    };
    let (found, dup_message) = match find_duplicates(&analyst, &form).await {
        Ok(found) if found.is_empty() => (found, t.get("dup.none").to_string()),
        Ok(found) => (found, String::new()),
        Err(()) => (Vec::new(), t.get("dup.need_fields").to_string()),
    };
    render(&DuplicatesTemplate {
        t,
        csrf: page.csrf.clone(),
        from_report: form.get("from_report").cloned().unwrap_or_default(),
        suggestions: suggestions(t, found),
        checked: true,
        dup_message,
        oob: true,
    })
}

pub async fn submit(page: Page, Form(pairs): Form<Vec<(String, String)>>) -> Response {
    let form = collect(pairs);
    if let Err(r) = page.check_csrf(&form) {
        return r;
    }
    let t = page.t;
    let Ok(analyst) = page.member.as_analyst() else {
        return forbidden(page);
    };
    let checking = form.get("action").is_some_and(|a| a == "check");
    let mut values = form.clone();
    values.remove("action");
    let parsed = NewIncident::parse(&form_value(&values));
    let already_checked = values.get("dup_checked").is_some_and(|v| v == "1");
    if checking || (parsed.is_ok() && !already_checked) {
        // Before the first save, the analyst sees what the network already documents.
        let found = find_duplicates(&analyst, &values).await;
        let found_any = found.as_ref().is_ok_and(|f| !f.is_empty());
        if checking || found_any {
            values.insert("dup_checked".into(), "1".into());
            let errors = match (&parsed, checking) {
                (Err(e), false) => field_errors(t, e),
                _ => Default::default(),
            };
            let mut tpl = form_page(page, Entered::with(values, errors), String::new());
            tpl.dup_message = match &found {
                Ok(f) if f.is_empty() => t.get("dup.none").into(),
                Ok(_) => String::new(),
                Err(()) => t.get("dup.need_fields").into(),
            };
            if found_any {
                tpl.notice = t.get("dup.review").into();
            }
            tpl.suggestions = suggestions(t, found.unwrap_or_default());
            return render(&tpl);
        }
    }
    let new = match parsed {
        Ok(n) => n,
        Err(e) => {
            let tpl = form_page(
                page,
                Entered::with(values, field_errors(t, &e)),
                t.get("common.error").into(),
            );
            return with_status(render(&tpl), StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let incident = match analyst.create_incident(new).await {
        Ok(i) => i,
        Err(e) => {
            let pr = problem(t, e);
            let tpl = form_page(page, Entered::with(values, pr.fields), pr.message);
            return with_status(render(&tpl), pr.status);
        }
    };
    let mut notice = "created";
    if let Some(report) = values
        .get("from_report")
        .and_then(|r| r.parse::<ReportId>().ok())
    {
        notice = match analyst.link(report, incident.id).await {
            Ok(_) => "created_linked",
            Err(e) => {
                tracing::warn!("report {report} could not be linked to new incident: {e}");
                "created_not_linked"
            }
        };
    }
    Redirect::to(&format!("/incidents/{}?notice={notice}", incident.id)).into_response()
}

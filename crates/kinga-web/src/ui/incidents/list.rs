use crate::ui::common::{countries, field_errors, problem, query, words, Choice, Entered};
use crate::ui::i18n::Tr;
use crate::ui::session::{form_value, render, Page};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use kinga_domain::incident::{Incident, IncidentFilter, IncidentStatus};
use kinga_domain::vocab::AtrocityCrime;
use std::collections::HashMap;

const PER_PAGE: u32 = 50;
const FILTERS: [&str; 7] = ["country", "admin1", "from", "to", "crime", "status", "q"];

#[derive(Template)]
#[template(path = "incident_list.html")]
struct ListTemplate {
    p: Page,
    t: Tr,
    f: Entered,
    invalid: Vec<String>,
    message: String,
    countries: Vec<Choice>,
    crimes: Vec<Choice>,
    statuses: Vec<Choice>,
    rows: Vec<Row>,
    total: u64,
    first: u64,
    last: u64,
    prev: String,
    next: String,
    may_create: bool,
}

struct Row {
    id: String,
    code: String,
    date: String,
    place: String,
    title: String,
    status: String,
    status_label: String,
    fatalities: String,
    visibility: String,
    visibility_label: String,
}

fn row(t: Tr, i: &Incident) -> Row {
    let date = if i.date_end == i.date_start {
        i.date_start.to_string()
    } else {
        format!("{} – {}", i.date_start, i.date_end)
    };
    let place = [i.place_name.as_deref(), i.admin1.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
    Row {
        id: i.id.to_string(),
        code: i.code.clone(),
        date,
        place,
        title: i.title.clone(),
        status: i.status.as_str().into(),
        status_label: t.word("status", i.status.as_str()),
        fatalities: i
            .fatalities
            .best
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into()),
        visibility: i.visibility.as_str().into(),
        visibility_label: t.word("visibility", i.visibility.as_str()),
    }
}

/// The list takes the API's filters; a bad value is shown beside its field, never as a failure.
pub async fn page(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    let t = page.t;
    let mut given: HashMap<String, String> = q
        .into_iter()
        .filter(|(k, _)| FILTERS.contains(&k.as_str()) || k == "offset")
        .collect();
    given.insert("limit".into(), PER_PAGE.to_string());
    let mut f = Entered::with(given.clone(), Default::default());
    let mut message = String::new();
    let (rows, total, offset) = match IncidentFilter::parse(&form_value(&given)) {
        Ok(filter) => match page.member.incidents(&filter).await {
            Ok(p) => (
                p.items.iter().map(|i| row(t, i)).collect(),
                p.total,
                filter.offset,
            ),
            Err(e) => {
                message = problem(t, e).message;
                (Vec::new(), 0, 0)
            }
        },
        Err(e) => {
            f.errors = field_errors(t, &e);
            (Vec::new(), 0, 0)
        }
    };
    let mut invalid: Vec<String> = f
        .errors
        .0
        .iter()
        .map(|(k, m)| format!("{}: {m}", label(t, k)))
        .collect();
    invalid.sort();
    let filters: Vec<(&str, &str)> = FILTERS.iter().map(|k| (*k, f.v(k))).collect();
    let link = |o: u32| {
        let mut pairs = filters.clone();
        let o = o.to_string();
        pairs.push(("offset", &o));
        format!("/incidents?{}", query(&pairs))
    };
    let prev = if offset > 0 {
        link(offset.saturating_sub(PER_PAGE))
    } else {
        String::new()
    };
    let next = if u64::from(offset) + u64::from(PER_PAGE) < total {
        link(offset + PER_PAGE)
    } else {
        String::new()
    };
    let crimes: Vec<&str> = AtrocityCrime::ALL
        .iter()
        .map(AtrocityCrime::as_str)
        .collect();
    let statuses: Vec<&str> = IncidentStatus::ALL
        .iter()
        .map(IncidentStatus::as_str)
        .collect();
    let shown = rows.len() as u64;
    render(&ListTemplate {
        countries: countries(f.v("country")),
        crimes: words(t, "crime", &crimes, f.v("crime")),
        statuses: words(t, "status", &statuses, f.v("status")),
        invalid,
        message,
        rows,
        total,
        first: if shown == 0 { 0 } else { u64::from(offset) + 1 },
        last: u64::from(offset) + shown,
        prev,
        next,
        may_create: page.member.as_analyst().is_ok(),
        f,
        t,
        p: page,
    })
}

fn label(t: Tr, field: &str) -> String {
    match field {
        "country" => t.get("common.country"),
        "admin1" => t.get("common.admin1"),
        "from" => t.get("filter.from"),
        "to" => t.get("filter.to"),
        "crime" => t.get("incident.crime"),
        "status" => t.get("incident.status"),
        "q" => t.get("filter.q"),
        "offset" | "limit" => t.get("filter.paging"),
        other => return other.to_string(),
    }
    .to_string()
}

//! Escalation signals in the interface: the list with the API's filters and, once a region is
//! chosen, the trend of its event counts with the periods that raised a signal marked.
mod chart;

use crate::api::signals::{parse_filter, FILTERS};
use crate::state::AppState;
use crate::ui::common::{countries, field_errors, problem, query, Choice, Entered};
use crate::ui::i18n::Tr;
use crate::ui::session::{render, Page};
use askama::Template;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use chrono::Duration;
use kinga_app::records::{CountQuery, Signal, SignalFilter};
use kinga_domain::event::Level;
use kinga_domain::period::Period;
use std::collections::{BTreeMap, HashMap};

const PER_PAGE: u32 = 100;

pub fn routes() -> Router<AppState> {
    Router::new().route("/signals", get(page))
}

#[derive(Template)]
#[template(path = "signals.html")]
struct ListTemplate {
    p: Page,
    t: Tr,
    f: Entered,
    invalid: Vec<String>,
    message: String,
    countries: Vec<Choice>,
    levels: Vec<Choice>,
    periods: Vec<Choice>,
    methods: Vec<Choice>,
    chart: String,
    region: String,
    behind: Vec<EventRow>,
    behind_period: String,
    rows: Vec<Row>,
    total: u64,
    prev: String,
    next: String,
}

/// One event behind the newest signal of the chosen region.
struct EventRow {
    date: String,
    place: String,
    violence: String,
    fatalities: String,
    actors: String,
    dataset: String,
}

fn event_row(e: &kinga_domain::event::Event) -> EventRow {
    EventRow {
        date: e.date_start.to_string(),
        place: [
            e.place_name.as_deref(),
            e.admin2.as_deref(),
            e.admin1.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", "),
        violence: e
            .violence_type
            .map(|v| v.as_str().replace('_', " "))
            .or_else(|| e.event_type.clone())
            .unwrap_or_default(),
        fatalities: e
            .fatalities
            .best
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into()),
        actors: [e.actor1.as_deref(), e.actor2.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / "),
        dataset: format!("{}:{}", e.dataset, e.external_id),
    }
}

struct Row {
    period_start: String,
    country: String,
    admin1_label: String,
    region_link: String,
    level: String,
    method: String,
    observed: String,
    expected: String,
    score: String,
    threshold: String,
}

fn row(t: Tr, s: &Signal) -> Row {
    let admin1 = s.admin1.clone().unwrap_or_default();
    Row {
        period_start: s.period_start.to_string(),
        country: s.country.code().to_string(),
        region_link: format!(
            "/signals?{}",
            query(&[
                ("country", s.country.code()),
                ("admin1", &admin1),
                ("level", s.level.as_str()),
                ("period", s.period.as_str()),
            ])
        ),
        admin1_label: match (&s.admin1, s.level) {
            (Some(a), _) => a.clone(),
            (None, Level::Country) => t.get("signals.whole_country").to_string(),
            (None, Level::Admin1) => t.get("signals.unplaced").to_string(),
        },
        level: t.word("signals.level", s.level.as_str()),
        method: s.method.clone(),
        observed: format!("{}", s.observed),
        expected: format!("{:.2}", s.expected),
        score: format!("{:.2}", s.score),
        threshold: format!("{}", s.threshold),
    }
}

fn choices(t: Tr, prefix: &str, values: &[&str], current: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|v| Choice::new(*v, t.word(prefix, v), current))
        .collect()
}

pub async fn page(page: Page, Query(q): Query<HashMap<String, String>>) -> Response {
    let t = page.t;
    let mut given: HashMap<String, String> = q
        .into_iter()
        .filter(|(k, _)| FILTERS.contains(&k.as_str()) || k == "offset")
        .collect();
    given.insert("limit".into(), PER_PAGE.to_string());
    let mut f = Entered::with(given.clone(), Default::default());
    let mut message = String::new();
    let mut chart = String::new();
    let mut region = String::new();
    let mut behind = Vec::new();
    let mut behind_period = String::new();
    let (rows, total, offset) = match parse_filter(&given) {
        Ok(filter) => {
            if let Some(country) = filter.country {
                region = match &filter.admin1 {
                    Some(a) => format!("{a}, {}", country.name()),
                    None => country.name().to_string(),
                };
                match trend(&page, t, &filter, &region).await {
                    Ok(svg) => chart = svg,
                    Err(e) => message = e,
                }
            }
            let listed = page.member.signals(&filter).await;
            if let (Some(_), Ok(p)) = (filter.country, &listed) {
                if let Some(newest) = p.items.first() {
                    behind_period = newest.period_start.to_string();
                    match page.member.signal_events(newest, 50).await {
                        Ok(events) => behind = events.iter().map(event_row).collect(),
                        Err(e) => message = problem(t, e).message,
                    }
                }
            }
            match listed {
                Ok(p) => (
                    p.items.iter().map(|s| row(t, s)).collect(),
                    p.total,
                    filter.offset,
                ),
                Err(e) => {
                    message = problem(t, e).message;
                    (Vec::new(), 0, 0)
                }
            }
        }
        Err(e) => {
            f.errors = field_errors(t, &e);
            (Vec::new(), 0, 0)
        }
    };
    let mut invalid: Vec<String> = f
        .errors
        .0
        .iter()
        .map(|(k, m)| format!("{k}: {m}"))
        .collect();
    invalid.sort();
    let filters: Vec<(&str, &str)> = FILTERS.iter().map(|k| (*k, f.v(k))).collect();
    let link = |o: u32| {
        let mut pairs = filters.clone();
        let o = o.to_string();
        pairs.push(("offset", &o));
        format!("/signals?{}", query(&pairs))
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
    render(&ListTemplate {
        countries: countries(f.v("country")),
        levels: choices(t, "signals.level", &["country", "admin1"], f.v("level")),
        periods: choices(t, "signals.period", &["week", "month"], f.v("period")),
        methods: choices(
            t,
            "signals.method",
            &["ewma", "cusum", "ears-c1", "ears-c2", "ears-c3"],
            f.v("method"),
        ),
        invalid,
        message,
        chart,
        region,
        behind,
        behind_period,
        rows,
        total,
        prev,
        next,
        f,
        t,
        p: page,
    })
}

/// The chart of the region a filter names: its counts over the filter's dates, or over the two
/// years (weeks) or five years (months) up to its latest signal.
async fn trend(page: &Page, t: Tr, filter: &SignalFilter, title: &str) -> Result<String, String> {
    let Some(country) = filter.country else {
        return Ok(String::new());
    };
    let period = filter.period.unwrap_or(Period::Week);
    let level = if filter.admin1.is_some() {
        Level::Admin1
    } else {
        filter.level.unwrap_or(Level::Country)
    };
    let region_signals = SignalFilter {
        level: Some(level),
        period: Some(period),
        limit: 1000,
        offset: 0,
        method: None,
        ..filter.clone()
    };
    let signals = page
        .member
        .signals(&region_signals)
        .await
        .map_err(|e| problem(t, e).message)?;
    let end = match (filter.to, signals.items.first()) {
        (Some(to), _) => period.index_of(to),
        (None, Some(s)) => s.bucket + 4,
        (None, None) => period.index_of(kinga_domain::time::now().date_naive()),
    };
    let span = match period {
        Period::Week => 104,
        Period::Month => 60,
    };
    let start = filter
        .from
        .map(|d| period.index_of(d))
        .unwrap_or(end - span + 1)
        .min(end);
    let mut query = CountQuery::new(level, period);
    query.country = Some(country);
    query.from = Some(period.start(start));
    query.to = Some(period.start(end + 1) - Duration::days(1));
    let cells = page
        .member
        .signal_trend(&query)
        .await
        .map_err(|e| problem(t, e).message)?;
    let wanted = filter.admin1.as_deref().map(|a| a.trim().to_lowercase());
    let mut by_bucket: BTreeMap<i64, u64> = BTreeMap::new();
    for c in &cells {
        let same = match (&wanted, &c.admin1) {
            (None, _) => true,
            (Some(w), Some(a)) => a.trim().to_lowercase() == *w,
            (Some(_), None) => false,
        };
        if same {
            *by_bucket.entry(c.period).or_default() += c.events;
        }
    }
    let counts: Vec<u64> = (start..=end)
        .map(|b| by_bucket.get(&b).copied().unwrap_or(0))
        .collect();
    let signalled: Vec<i64> = signals
        .items
        .iter()
        .filter(|s| match &wanted {
            None => true,
            Some(w) => s.admin1.as_deref().map(|a| a.trim().to_lowercase()) == Some(w.clone()),
        })
        .map(|s| s.bucket)
        .collect();
    Ok(chart::svg(&chart::Trend {
        period,
        first: start,
        counts: &counts,
        signalled: &signalled,
        title,
        legend_counts: t.get("signals.legend_events"),
        legend_signal: t.get("signals.legend_signal"),
    }))
}

//! Escalation signals over JSON: the list, filtered like `kinga detect`, newest period first.
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::extract::Query;
use axum::Json;
use chrono::{Duration, NaiveDate};
use kinga_app::records::{Signal, SignalFilter};
use kinga_app::{AccessError, Member};
use kinga_domain::event::Level;
use kinga_domain::incident::Incident;
use kinga_domain::period::Period;
use kinga_domain::{Country, ValidationErrors};
use serde_json::{json, Value};
use std::collections::HashMap;

pub const FILTERS: [&str; 7] = [
    "level", "period", "country", "admin1", "from", "to", "method",
];

const METHODS: [&str; 5] = ["ewma", "cusum", "ears-c1", "ears-c2", "ears-c3"];

/// Reads the filters of the list; every bad parameter is reported under its `$.name`.
pub fn parse_filter(q: &HashMap<String, String>) -> Result<SignalFilter, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let given = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut f = SignalFilter::default();
    if let Some(v) = given("level") {
        f.level = errors.check(
            "$.level",
            Level::parse(v).ok_or("must be country or admin1"),
        );
    }
    if let Some(v) = given("period") {
        f.period = errors.check("$.period", Period::parse(v).ok_or("must be week or month"));
    }
    if let Some(v) = given("country") {
        f.country = errors.check("$.country", Country::parse(v));
    }
    if let Some(v) = given("admin1") {
        if given("country").is_none() {
            errors.push("$.admin1", "needs a country");
        }
        f.admin1 = Some(v.to_string());
    }
    let date = |errors: &mut ValidationErrors, k: &str| {
        given(k).and_then(|v| {
            errors.check(
                &format!("$.{k}"),
                NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| "must be a date (YYYY-MM-DD)"),
            )
        })
    };
    f.from = date(&mut errors, "from");
    f.to = date(&mut errors, "to");
    if let (Some(a), Some(b)) = (f.from, f.to) {
        if b < a {
            errors.push("$.to", "is before from");
        }
    }
    if let Some(v) = given("method") {
        if METHODS.contains(&v) {
            f.method = Some(v.to_string());
        } else {
            errors.push("$.method", format!("must be one of {}", METHODS.join(", ")));
        }
    }
    if let Some(v) = given("limit") {
        f.limit = errors
            .check(
                "$.limit",
                v.parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or("must be a number from 1 to 1000"),
            )
            .unwrap_or(f.limit);
    }
    if let Some(v) = given("offset") {
        f.offset = errors
            .check("$.offset", v.parse::<u32>().map_err(|_| "must be a number"))
            .unwrap_or(0);
    }
    errors.into_result().map(|()| f)
}

pub async fn list(
    ApiCaller(member): ApiCaller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let filter = parse_filter(&q)?;
    let page = member.signals(&filter).await?;
    Ok(Json(json!({
        "total": page.total,
        "limit": filter.limit,
        "offset": filter.offset,
        "items": page.items,
    })))
}

/// A signal and the events behind it: those of its region that began in its period.
pub async fn events(
    ApiCaller(member): ApiCaller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Json<Value>, ApiError> {
    let signal = member.signal(&id).await?.ok_or(ApiError::NotFound)?;
    let events = member.signal_events(&signal, 500).await?;
    Ok(Json(json!({
        "signal": signal,
        "events": events,
    })))
}

/// Days before an incident's first day, and after its last, whose signals are shown beside it:
/// a build-up is read over the preceding weeks, its aftermath over the following ones.
pub const DAYS_BEFORE_INCIDENT: i64 = 90;
pub const DAYS_AFTER_INCIDENT: i64 = 30;

/// The first days of the periods whose signals are shown beside an incident.
pub fn incident_window(incident: &Incident) -> (NaiveDate, NaiveDate) {
    (
        incident.date_start - Duration::days(DAYS_BEFORE_INCIDENT),
        incident.date_end + Duration::days(DAYS_AFTER_INCIDENT),
    )
}

/// The signals of an incident's region in the window around it: its country's, and its
/// first-level division's when the incident names one; newest period first, then strongest.
pub async fn around_incident(
    member: &Member,
    incident: &Incident,
) -> Result<Vec<Signal>, AccessError> {
    let (from, to) = incident_window(incident);
    let base = SignalFilter {
        country: Some(incident.country),
        from: Some(from),
        to: Some(to),
        ..SignalFilter::default()
    };
    let mut found = member
        .signals(&SignalFilter {
            level: Some(Level::Country),
            ..base.clone()
        })
        .await?
        .items;
    if let Some(admin1) = &incident.admin1 {
        found.extend(
            member
                .signals(&SignalFilter {
                    level: Some(Level::Admin1),
                    admin1: Some(admin1.clone()),
                    ..base
                })
                .await?
                .items,
        );
    }
    found.sort_by(|a, b| {
        b.period_start
            .cmp(&a.period_start)
            .then(b.score.total_cmp(&a.score))
    });
    Ok(found)
}

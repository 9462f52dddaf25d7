//! Domain records to and from rows. Column lists are constants so that a SELECT and its decoder
//! cannot drift apart.
use crate::{SqlRow, SqlValue};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use kinga_domain::audit::AuditEntry;
use kinga_domain::incident::{Fatalities, Incident};
use kinga_domain::org::{Organisation, Slug};
use kinga_domain::party::{Act, Involvement, Party};
use kinga_domain::report::Report;
use kinga_domain::source::{Citation, Source};
use kinga_domain::user::{Email, User};
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::{Country, Role, Visibility};
use kinga_store::{Result, StoreError};
use std::str::FromStr;

pub fn timestamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn date(d: &NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn corrupt(table: &'static str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: detail.to_string(),
    }
}

/// Parses a stored value with its domain parser; a failure means the row was edited by hand.
fn parse<T: FromStr>(table: &'static str, column: &str, v: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    v.parse::<T>()
        .map_err(|e| corrupt(table, format!("{column}: {e}")))
}

fn opt_parse<T: FromStr>(table: &'static str, column: &str, v: Option<String>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    v.map(|v| parse(table, column, &v)).transpose()
}

fn ts(table: &'static str, column: &str, v: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, format!("{column}: {e}")))
}

fn day(table: &'static str, column: &str, v: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|e| corrupt(table, format!("{column}: {e}")))
}

fn slug(table: &'static str, v: &str) -> Result<Slug> {
    Slug::parse(v).map_err(|e| corrupt(table, e))
}

fn small(table: &'static str, column: &str, v: Option<i64>) -> Result<Option<u8>> {
    v.map(|v| u8::try_from(v).map_err(|e| corrupt(table, format!("{column}: {e}"))))
        .transpose()
}

fn count(table: &'static str, column: &str, v: Option<i64>) -> Result<Option<u32>> {
    v.map(|v| u32::try_from(v).map_err(|e| corrupt(table, format!("{column}: {e}"))))
        .transpose()
}

pub const ORG_COLUMNS: &str = "id, slug, name, country, created_at";

pub fn organisation(r: &SqlRow, networks: Vec<Slug>) -> Result<Organisation> {
    const T: &str = "organisations";
    Ok(Organisation {
        id: parse(T, "id", &r.text("id")?)?,
        slug: slug(T, &r.text("slug")?)?,
        name: r.text("name")?,
        country: opt_parse::<Country>(T, "country", r.opt_text("country")?)?,
        networks,
        created_at: ts(T, "created_at", &r.text("created_at")?)?,
    })
}

pub const USER_COLUMNS: &str =
    "id, email, organisation_id, org_slug, role, created_at, password_hash, totp_secret";

pub fn user(r: &SqlRow) -> Result<(User, kinga_store::Credentials)> {
    const T: &str = "users";
    let totp_secret = r.opt_text("totp_secret")?;
    Ok((
        User {
            id: parse(T, "id", &r.text("id")?)?,
            email: Email::parse(&r.text("email")?).map_err(|e| corrupt(T, e))?,
            organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
            organisation: slug(T, &r.text("org_slug")?)?,
            role: parse::<Role>(T, "role", &r.text("role")?)?,
            has_second_factor: totp_secret.is_some(),
            created_at: ts(T, "created_at", &r.text("created_at")?)?,
        },
        kinga_store::Credentials {
            password_hash: r.text("password_hash")?,
            totp_secret,
        },
    ))
}

/// What the audit chain vouches for about a user: the sign-in secrets included, so that a
/// password hash swapped in by hand is caught.
pub fn user_digest(u: &User, c: &kinga_store::Credentials) -> String {
    kinga_domain::audit::digest(&(u, &c.password_hash, &c.totp_secret))
}

pub const REPORT_COLUMNS: &str = "id, country, organisation_id, org_slug, visibility, submitted_by, channel, received_at, occurred_on, text, language, admin1, place_name, latitude, longitude, reporter_role, risk_to_source, triage_status, reject_reason, incident_id";

pub fn report(r: &SqlRow) -> Result<Report> {
    const T: &str = "reports";
    Ok(Report {
        id: parse(T, "id", &r.text("id")?)?,
        country: parse(T, "country", &r.text("country")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: slug(T, &r.text("org_slug")?)?,
        visibility: parse::<Visibility>(T, "visibility", &r.text("visibility")?)?,
        submitted_by: parse(T, "submitted_by", &r.text("submitted_by")?)?,
        channel: parse(T, "channel", &r.text("channel")?)?,
        received_at: ts(T, "received_at", &r.text("received_at")?)?,
        occurred_on: day(T, "occurred_on", &r.text("occurred_on")?)?,
        text: r.text("text")?,
        language: r.opt_text("language")?,
        admin1: r.opt_text("admin1")?,
        place_name: r.opt_text("place_name")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        reporter_role: opt_parse(T, "reporter_role", r.opt_text("reporter_role")?)?,
        risk_to_source: opt_parse(T, "risk_to_source", r.opt_text("risk_to_source")?)?,
        triage_status: parse(T, "triage_status", &r.text("triage_status")?)?,
        reject_reason: r.opt_text("reject_reason")?,
        incident_id: opt_parse(T, "incident_id", r.opt_text("incident_id")?)?,
    })
}

pub fn report_values(r: &Report) -> Vec<SqlValue> {
    vec![
        r.id.to_string().into(),
        r.country.code().into(),
        r.organisation_id.to_string().into(),
        r.organisation.as_str().into(),
        r.visibility.as_str().into(),
        r.submitted_by.to_string().into(),
        r.channel.as_str().into(),
        timestamp(&r.received_at).into(),
        date(&r.occurred_on).into(),
        r.text.clone().into(),
        r.language.clone().into(),
        r.admin1.clone().into(),
        r.place_name.clone().into(),
        r.latitude.into(),
        r.longitude.into(),
        r.reporter_role.map(|v| v.as_str()).into(),
        r.risk_to_source.map(|v| v.as_str()).into(),
        r.triage_status.as_str().into(),
        r.reject_reason.clone().into(),
        r.incident_id.map(|i| i.to_string()).into(),
        kinga_domain::time::day_number(r.occurred_on).into(),
    ]
}

pub const INCIDENT_COLUMNS: &str = "id, code, country, organisation_id, org_slug, visibility, title, summary, date_start, date_end, date_precision, admin1, admin2, place_name, latitude, longitude, place_precision, event_type, sub_event_type, violence_type, crimes, fatalities_best, fatalities_low, fatalities_high, fatalities_civilians, status, verification_level, assignee, external_ref, created_by, created_at, updated_at";

/// Crimes are stored as `,genocide,war_crimes,` so one LIKE finds an incident by any of them
/// on both backends.
pub fn crimes_column(i: &Incident) -> String {
    if i.crimes.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = i
        .crimes
        .iter()
        .map(kinga_domain::vocab::AtrocityCrime::as_str)
        .collect();
    format!(",{},", names.join(","))
}

pub fn incident(r: &SqlRow) -> Result<Incident> {
    const T: &str = "incidents";
    let crimes = r
        .opt_text("crimes")?
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| parse(T, "crimes", s))
        .collect::<Result<Vec<_>>>()?;
    Ok(Incident {
        id: parse(T, "id", &r.text("id")?)?,
        code: r.text("code")?,
        country: parse(T, "country", &r.text("country")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: slug(T, &r.text("org_slug")?)?,
        visibility: parse::<Visibility>(T, "visibility", &r.text("visibility")?)?,
        title: r.text("title")?,
        summary: r.opt_text("summary")?,
        date_start: day(T, "date_start", &r.text("date_start")?)?,
        date_end: day(T, "date_end", &r.text("date_end")?)?,
        date_precision: small(T, "date_precision", Some(r.int("date_precision")?))?.unwrap_or(1),
        admin1: r.opt_text("admin1")?,
        admin2: r.opt_text("admin2")?,
        place_name: r.opt_text("place_name")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        place_precision: small(T, "place_precision", r.opt_int("place_precision")?)?,
        event_type: r.opt_text("event_type")?,
        sub_event_type: r.opt_text("sub_event_type")?,
        violence_type: r
            .opt_text("violence_type")?
            .map(|v| ViolenceType::parse(&v).ok_or_else(|| corrupt(T, "violence_type")))
            .transpose()?,
        crimes,
        fatalities: Fatalities {
            best: count(T, "fatalities_best", r.opt_int("fatalities_best")?)?,
            low: count(T, "fatalities_low", r.opt_int("fatalities_low")?)?,
            high: count(T, "fatalities_high", r.opt_int("fatalities_high")?)?,
            civilians: count(
                T,
                "fatalities_civilians",
                r.opt_int("fatalities_civilians")?,
            )?,
        },
        status: parse(T, "status", &r.text("status")?)?,
        verification_level: parse(T, "verification_level", &r.text("verification_level")?)?,
        assignee: opt_parse(T, "assignee", r.opt_text("assignee")?)?,
        external_ref: r.opt_text("external_ref")?,
        created_by: opt_parse(T, "created_by", r.opt_text("created_by")?)?,
        created_at: ts(T, "created_at", &r.text("created_at")?)?,
        updated_at: ts(T, "updated_at", &r.text("updated_at")?)?,
    })
}

pub fn incident_values(i: &Incident) -> Vec<SqlValue> {
    vec![
        i.id.to_string().into(),
        i.code.clone().into(),
        i.country.code().into(),
        i.organisation_id.to_string().into(),
        i.organisation.as_str().into(),
        i.visibility.as_str().into(),
        i.title.clone().into(),
        i.summary.clone().into(),
        date(&i.date_start).into(),
        date(&i.date_end).into(),
        i64::from(i.date_precision).into(),
        i.admin1.clone().into(),
        i.admin2.clone().into(),
        i.place_name.clone().into(),
        i.latitude.into(),
        i.longitude.into(),
        i.place_precision.into(),
        i.event_type.clone().into(),
        i.sub_event_type.clone().into(),
        i.violence_type.map(|v| v.as_str()).into(),
        crimes_column(i).into(),
        i.fatalities.best.into(),
        i.fatalities.low.into(),
        i.fatalities.high.into(),
        i.fatalities.civilians.into(),
        i.status.as_str().into(),
        i.verification_level.as_str().into(),
        i.assignee.map(|u| u.to_string()).into(),
        i.external_ref.clone().into(),
        i.created_by.map(|u| u.to_string()).into(),
        timestamp(&i.created_at).into(),
        timestamp(&i.updated_at).into(),
        kinga_domain::time::day_number(i.date_start).into(),
        kinga_domain::time::day_number(i.date_end).into(),
    ]
}

pub const ACT_COLUMNS: &str =
    "id, incident_id, provision, crime, victim_description, victim_count, description";

pub fn act(r: &SqlRow) -> Result<Act> {
    const T: &str = "acts";
    Ok(Act {
        id: parse(T, "id", &r.text("id")?)?,
        incident_id: parse(T, "incident_id", &r.text("incident_id")?)?,
        provision: r.text("provision")?,
        crime: parse(T, "crime", &r.text("crime")?)?,
        victim_description: r.opt_text("victim_description")?,
        victim_count: count(T, "victim_count", r.opt_int("victim_count")?)?,
        description: r.opt_text("description")?,
    })
}

pub const PARTY_COLUMNS: &str =
    "id, organisation_id, org_slug, visibility, kind, name, description, acled_inter, external_ref";

pub fn party(r: &SqlRow) -> Result<Party> {
    const T: &str = "parties";
    Ok(Party {
        id: parse(T, "id", &r.text("id")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: slug(T, &r.text("org_slug")?)?,
        visibility: parse::<Visibility>(T, "visibility", &r.text("visibility")?)?,
        kind: parse(T, "kind", &r.text("kind")?)?,
        name: r.text("name")?,
        description: r.opt_text("description")?,
        acled_inter: small(T, "acled_inter", r.opt_int("acled_inter")?)?,
        external_ref: r.opt_text("external_ref")?,
    })
}

pub const INVOLVEMENT_COLUMNS: &str = "id, incident_id, act_id, party_id, role, degree";

pub fn involvement(r: &SqlRow) -> Result<Involvement> {
    const T: &str = "involvements";
    Ok(Involvement {
        id: parse(T, "id", &r.text("id")?)?,
        incident_id: parse(T, "incident_id", &r.text("incident_id")?)?,
        act_id: opt_parse(T, "act_id", r.opt_text("act_id")?)?,
        party_id: parse(T, "party_id", &r.text("party_id")?)?,
        role: parse(T, "role", &r.text("role")?)?,
        degree: r.opt_text("degree")?,
    })
}

pub const SOURCE_COLUMNS: &str = "id, organisation_id, org_slug, visibility, title, outlet, url, published_on, connection, reliability, credibility, external_ref";

pub fn source(r: &SqlRow) -> Result<Source> {
    const T: &str = "sources";
    Ok(Source {
        id: parse(T, "id", &r.text("id")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: slug(T, &r.text("org_slug")?)?,
        visibility: parse::<Visibility>(T, "visibility", &r.text("visibility")?)?,
        title: r.text("title")?,
        outlet: r.opt_text("outlet")?,
        url: r.opt_text("url")?,
        published_on: r
            .opt_text("published_on")?
            .map(|d| day(T, "published_on", &d))
            .transpose()?,
        connection: parse(T, "connection", &r.text("connection")?)?,
        reliability: r.opt_text("reliability")?.and_then(|s| s.chars().next()),
        credibility: small(T, "credibility", r.opt_int("credibility")?)?,
        external_ref: r.opt_text("external_ref")?,
    })
}

pub const CITATION_COLUMNS: &str = "id, incident_id, source_id, reference, note";

pub fn citation(r: &SqlRow) -> Result<Citation> {
    const T: &str = "citations";
    Ok(Citation {
        id: parse(T, "id", &r.text("id")?)?,
        incident_id: parse(T, "incident_id", &r.text("incident_id")?)?,
        source_id: parse(T, "source_id", &r.text("source_id")?)?,
        reference: r.opt_text("reference")?,
        note: r.opt_text("note")?,
    })
}

pub fn audit_entry(r: &SqlRow) -> Result<AuditEntry> {
    const T: &str = "audit_log";
    Ok(AuditEntry {
        seq: r.int("seq")?,
        at: ts(T, "at", &r.text("at")?)?,
        actor: r.text("actor")?,
        organisation: r.opt_text("organisation")?,
        entity: r.text("entity")?,
        entity_id: r.text("entity_id")?,
        action: r.text("action")?,
        before_digest: r.opt_text("before_digest")?,
        after_digest: r.opt_text("after_digest")?,
        explanation: r.opt_text("explanation")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

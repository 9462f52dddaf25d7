//! Alerts and responses to and from rows. Each column list is shared by the INSERT, the SELECT
//! and the decoder, so they cannot drift apart; lists of ids and sources are JSON text.
use crate::records::{date, timestamp};
use crate::{SqlRow, SqlValue};
use chrono::{DateTime, NaiveDate, Utc};
use kinga_domain::alert::{Alert, ResponseAction};
use kinga_domain::org::Slug;
use kinga_store::{Result, StoreError};
use std::str::FromStr;

pub const ALERT_COLUMNS: &str = "id, country, organisation_id, org_slug, admin1, level, tier, regional_body, status, message_en, message_fr, basis, dedup_key, visibility, raised_at, raised_by, acknowledged_at, acknowledged_by, closed_at, ack_deadline, version";
pub const ALERT_WIDTH: usize = 21;

pub const RESPONSE_COLUMNS: &str = "id, alert_id, country, actor_kind, actor, pillar, kind, response_date, outcome, sources, organisation_id, org_slug, visibility, recorded_at, recorded_by";
pub const RESPONSE_WIDTH: usize = 15;

fn corrupt(table: &'static str, column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: format!("{column}: {e}"),
    }
}

fn parse<T: FromStr>(table: &'static str, r: &SqlRow, column: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    r.text(column)?
        .parse()
        .map_err(|e| corrupt(table, column, e))
}

fn opt<T: FromStr>(table: &'static str, r: &SqlRow, column: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    r.opt_text(column)?
        .map(|v| v.parse().map_err(|e| corrupt(table, column, e)))
        .transpose()
}

fn ts(table: &'static str, column: &str, v: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, column, e))
}

fn opt_ts(table: &'static str, r: &SqlRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    r.opt_text(column)?
        .map(|v| ts(table, column, &v))
        .transpose()
}

fn json<T: serde::de::DeserializeOwned>(
    table: &'static str,
    r: &SqlRow,
    column: &str,
) -> Result<T> {
    serde_json::from_str(&r.text(column)?).map_err(|e| corrupt(table, column, e))
}

fn to_json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).expect("plain records serialise")
}

pub fn alert_values(a: &Alert) -> Vec<SqlValue> {
    vec![
        a.id.to_string().into(),
        a.country.code().into(),
        a.organisation_id.to_string().into(),
        a.organisation.as_str().into(),
        a.admin1.clone().into(),
        a.level.as_str().into(),
        a.tier.as_str().into(),
        a.regional_body.clone().into(),
        a.status.as_str().into(),
        a.message_en.clone().into(),
        a.message_fr.clone().into(),
        to_json(&a.basis).into(),
        a.dedup_key.clone().into(),
        a.visibility.as_str().into(),
        timestamp(&a.raised_at).into(),
        a.raised_by.clone().into(),
        a.acknowledged_at.as_ref().map(timestamp).into(),
        a.acknowledged_by.clone().into(),
        a.closed_at.as_ref().map(timestamp).into(),
        timestamp(&a.ack_deadline).into(),
        i64::from(a.version).into(),
    ]
}

pub fn alert(r: &SqlRow) -> Result<Alert> {
    const T: &str = "alerts";
    let version = r.int("version")?;
    Ok(Alert {
        id: parse(T, r, "id")?,
        organisation_id: parse(T, r, "organisation_id")?,
        organisation: Slug::parse(&r.text("org_slug")?).map_err(|e| corrupt(T, "org_slug", e))?,
        country: parse(T, r, "country")?,
        admin1: r.opt_text("admin1")?,
        level: parse(T, r, "level")?,
        tier: parse(T, r, "tier")?,
        regional_body: r.opt_text("regional_body")?,
        status: parse(T, r, "status")?,
        message_en: r.text("message_en")?,
        message_fr: r.text("message_fr")?,
        basis: json(T, r, "basis")?,
        dedup_key: r.opt_text("dedup_key")?,
        visibility: parse(T, r, "visibility")?,
        raised_at: ts(T, "raised_at", &r.text("raised_at")?)?,
        raised_by: r.text("raised_by")?,
        acknowledged_at: opt_ts(T, r, "acknowledged_at")?,
        acknowledged_by: r.opt_text("acknowledged_by")?,
        closed_at: opt_ts(T, r, "closed_at")?,
        ack_deadline: ts(T, "ack_deadline", &r.text("ack_deadline")?)?,
        version: u32::try_from(version).map_err(|e| corrupt(T, "version", e))?,
    })
}

pub fn response_values(x: &ResponseAction) -> Vec<SqlValue> {
    vec![
        x.id.to_string().into(),
        x.alert_id.map(|a| a.to_string()).into(),
        x.country.code().into(),
        x.actor_kind.as_str().into(),
        x.actor.clone().into(),
        x.pillar.map(|p| p.as_str()).into(),
        x.kind.as_str().into(),
        date(&x.date).into(),
        x.outcome.clone().into(),
        to_json(&x.sources).into(),
        x.organisation_id.to_string().into(),
        x.organisation.as_str().into(),
        x.visibility.as_str().into(),
        timestamp(&x.recorded_at).into(),
        x.recorded_by.clone().into(),
    ]
}

pub fn response(r: &SqlRow) -> Result<ResponseAction> {
    const T: &str = "responses";
    let day = r.text("response_date")?;
    Ok(ResponseAction {
        id: parse(T, r, "id")?,
        alert_id: opt(T, r, "alert_id")?,
        country: parse(T, r, "country")?,
        actor_kind: parse(T, r, "actor_kind")?,
        actor: r.text("actor")?,
        pillar: opt(T, r, "pillar")?,
        kind: parse(T, r, "kind")?,
        date: NaiveDate::parse_from_str(&day, "%Y-%m-%d")
            .map_err(|e| corrupt(T, "response_date", e))?,
        outcome: r.opt_text("outcome")?,
        sources: json(T, r, "sources")?,
        organisation_id: parse(T, r, "organisation_id")?,
        organisation: Slug::parse(&r.text("org_slug")?).map_err(|e| corrupt(T, "org_slug", e))?,
        visibility: parse(T, r, "visibility")?,
        recorded_at: ts(T, "recorded_at", &r.text("recorded_at")?)?,
        recorded_by: r.text("recorded_by")?,
    })
}

//! Risk records to and from rows. Each column list is shared by the INSERT, the SELECT and the
//! decoder, so they cannot drift apart.
use crate::records::{date, timestamp};
use crate::{SqlRow, SqlValue};
use chrono::{DateTime, NaiveDate, Utc};
use kinga_domain::org::Slug;
use kinga_domain::risk::*;
use kinga_store::{Result, StoreError};
use std::str::FromStr;

pub const ASSESSMENT_COLUMNS: &str = "id, country, organisation_id, org_slug, visibility, situation, assessed_on, assessed_day, summary, created_by, created_by_label, created_at, version, updated_at";
pub const SCORE_COLUMNS: &str = "id, assessment_id, indicator, factor, version, score, confidence, note, scored_by, scored_by_label, scored_at";
pub const LINK_COLUMNS: &str = "id, assessment_id, indicator, kind, target, note, version, removed_in, added_by_label, added_at";
pub const SIGNOFF_COLUMNS: &str =
    "id, assessment_id, version, signed_by, signed_by_label, role, note, signed_at";
pub const FORECAST_COLUMNS: &str = "id, country, year, organisation_id, org_slug, visibility, probability, rank, model, provenance, top_factors, created_at";
pub const CLASS_COLUMNS: &str = "id, country, organisation_id, org_slug, visibility, decision, class, rationale, inputs, decided_by_label, decided_at";

fn corrupt(table: &'static str, column: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt {
        table,
        detail: format!("{column}: {e}"),
    }
}

fn parse<T: FromStr>(table: &'static str, column: &str, v: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    v.parse().map_err(|e| corrupt(table, column, e))
}

fn opt<T: FromStr>(table: &'static str, column: &str, v: Option<String>) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    v.map(|v| parse(table, column, &v)).transpose()
}

fn ts(table: &'static str, column: &str, v: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| corrupt(table, column, e))
}

fn version(table: &'static str, column: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|e| corrupt(table, column, e))
}

fn json(table: &'static str, column: &str, v: &str) -> Result<serde_json::Value> {
    serde_json::from_str(v).map_err(|e| corrupt(table, column, e))
}

pub fn assessment_values(a: &Assessment) -> Vec<SqlValue> {
    vec![
        a.id.to_string().into(),
        a.country.code().into(),
        a.organisation_id.to_string().into(),
        a.organisation.as_str().into(),
        a.visibility.as_str().into(),
        a.situation.clone().into(),
        date(&a.assessed_on).into(),
        kinga_domain::time::day_number(a.assessed_on).into(),
        a.summary.clone().into(),
        a.created_by.map(|u| u.to_string()).into(),
        a.created_by_label.clone().into(),
        timestamp(&a.created_at).into(),
        i64::from(a.version).into(),
        timestamp(&a.updated_at).into(),
    ]
}

pub fn assessment(r: &SqlRow) -> Result<Assessment> {
    const T: &str = "risk_assessments";
    Ok(Assessment {
        id: parse(T, "id", &r.text("id")?)?,
        country: parse(T, "country", &r.text("country")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: Slug::parse(&r.text("org_slug")?).map_err(|e| corrupt(T, "org_slug", e))?,
        visibility: parse(T, "visibility", &r.text("visibility")?)?,
        situation: r.opt_text("situation")?,
        assessed_on: NaiveDate::parse_from_str(&r.text("assessed_on")?, "%Y-%m-%d")
            .map_err(|e| corrupt(T, "assessed_on", e))?,
        summary: r.opt_text("summary")?,
        created_by: opt(T, "created_by", r.opt_text("created_by")?)?,
        created_by_label: r.text("created_by_label")?,
        created_at: ts(T, "created_at", &r.text("created_at")?)?,
        version: version(T, "version", r.int("version")?)?,
        updated_at: ts(T, "updated_at", &r.text("updated_at")?)?,
    })
}

pub fn score_values(s: &IndicatorScore) -> Vec<SqlValue> {
    vec![
        s.id.to_string().into(),
        s.assessment_id.to_string().into(),
        s.indicator.to_string().into(),
        i64::from(s.indicator.factor).into(),
        i64::from(s.version).into(),
        s.score.value().into(),
        s.confidence.map(|c| c.as_str()).into(),
        s.note.clone().into(),
        s.scored_by.map(|u| u.to_string()).into(),
        s.scored_by_label.clone().into(),
        timestamp(&s.scored_at).into(),
    ]
}

pub fn score(r: &SqlRow) -> Result<IndicatorScore> {
    const T: &str = "risk_indicator_scores";
    let level = r.opt_int("score")?;
    let score = match level {
        None => Score::NOT_ASSESSED,
        Some(v) => u8::try_from(v)
            .ok()
            .and_then(Score::level)
            .ok_or_else(|| corrupt(T, "score", format!("{v} is off the 0-3 scale")))?,
    };
    Ok(IndicatorScore {
        id: parse(T, "id", &r.text("id")?)?,
        assessment_id: parse(T, "assessment_id", &r.text("assessment_id")?)?,
        indicator: parse(T, "indicator", &r.text("indicator")?)?,
        version: version(T, "version", r.int("version")?)?,
        score,
        confidence: opt(T, "confidence", r.opt_text("confidence")?)?,
        note: r.opt_text("note")?,
        scored_by: opt(T, "scored_by", r.opt_text("scored_by")?)?,
        scored_by_label: r.text("scored_by_label")?,
        scored_at: ts(T, "scored_at", &r.text("scored_at")?)?,
    })
}

pub fn link_values(l: &EvidenceLink) -> Vec<SqlValue> {
    vec![
        l.id.to_string().into(),
        l.assessment_id.to_string().into(),
        l.indicator.to_string().into(),
        l.kind.as_str().into(),
        l.target.clone().into(),
        l.note.clone().into(),
        i64::from(l.version).into(),
        l.removed_in.map(i64::from).into(),
        l.added_by_label.clone().into(),
        timestamp(&l.added_at).into(),
    ]
}

pub fn link(r: &SqlRow) -> Result<EvidenceLink> {
    const T: &str = "risk_evidence_links";
    Ok(EvidenceLink {
        id: parse(T, "id", &r.text("id")?)?,
        assessment_id: parse(T, "assessment_id", &r.text("assessment_id")?)?,
        indicator: parse(T, "indicator", &r.text("indicator")?)?,
        kind: parse(T, "kind", &r.text("kind")?)?,
        target: r.text("target")?,
        note: r.opt_text("note")?,
        version: version(T, "version", r.int("version")?)?,
        removed_in: r
            .opt_int("removed_in")?
            .map(|v| version(T, "removed_in", v))
            .transpose()?,
        added_by_label: r.text("added_by_label")?,
        added_at: ts(T, "added_at", &r.text("added_at")?)?,
    })
}

pub fn signoff_values(s: &SignOff) -> Vec<SqlValue> {
    vec![
        s.id.to_string().into(),
        s.assessment_id.to_string().into(),
        i64::from(s.version).into(),
        s.signed_by.map(|u| u.to_string()).into(),
        s.signed_by_label.clone().into(),
        s.role.as_str().into(),
        s.note.clone().into(),
        timestamp(&s.signed_at).into(),
    ]
}

pub fn signoff(r: &SqlRow) -> Result<SignOff> {
    const T: &str = "risk_signoffs";
    Ok(SignOff {
        id: parse(T, "id", &r.text("id")?)?,
        assessment_id: parse(T, "assessment_id", &r.text("assessment_id")?)?,
        version: version(T, "version", r.int("version")?)?,
        signed_by: opt(T, "signed_by", r.opt_text("signed_by")?)?,
        signed_by_label: r.text("signed_by_label")?,
        role: parse(T, "role", &r.text("role")?)?,
        note: r.opt_text("note")?,
        signed_at: ts(T, "signed_at", &r.text("signed_at")?)?,
    })
}

pub fn forecast_values(f: &Forecast) -> Vec<SqlValue> {
    vec![
        f.id.to_string().into(),
        f.country.code().into(),
        i64::from(f.year).into(),
        f.organisation_id.map(|o| o.to_string()).into(),
        f.organisation.as_ref().map(ToString::to_string).into(),
        f.visibility.as_str().into(),
        f.probability.into(),
        f.rank.into(),
        f.model.clone().into(),
        f.provenance.to_string().into(),
        serde_json::to_string(&f.top_factors)
            .expect("contributions serialise")
            .into(),
        timestamp(&f.created_at).into(),
    ]
}

pub fn forecast(r: &SqlRow) -> Result<Forecast> {
    const T: &str = "risk_forecasts";
    let year = r.int("year")?;
    Ok(Forecast {
        id: parse(T, "id", &r.text("id")?)?,
        country: parse(T, "country", &r.text("country")?)?,
        year: i32::try_from(year).map_err(|e| corrupt(T, "year", e))?,
        organisation_id: opt(T, "organisation_id", r.opt_text("organisation_id")?)?,
        organisation: r
            .opt_text("org_slug")?
            .map(|s| Slug::parse(&s).map_err(|e| corrupt(T, "org_slug", e)))
            .transpose()?,
        visibility: parse(T, "visibility", &r.text("visibility")?)?,
        probability: r
            .opt_real("probability")?
            .ok_or_else(|| corrupt(T, "probability", "missing"))?,
        rank: r
            .opt_int("rank")?
            .map(|v| u32::try_from(v).map_err(|e| corrupt(T, "rank", e)))
            .transpose()?,
        model: r.text("model")?,
        provenance: json(T, "provenance", &r.text("provenance")?)?,
        top_factors: serde_json::from_str(&r.text("top_factors")?)
            .map_err(|e| corrupt(T, "top_factors", e))?,
        created_at: ts(T, "created_at", &r.text("created_at")?)?,
    })
}

pub fn class_values(c: &RiskClassRecord) -> Vec<SqlValue> {
    vec![
        c.id.to_string().into(),
        c.country.code().into(),
        c.organisation_id.to_string().into(),
        c.organisation.as_str().into(),
        c.visibility.as_str().into(),
        c.decision.as_str().into(),
        c.class.as_str().into(),
        c.rationale.clone().into(),
        c.inputs.to_string().into(),
        c.decided_by_label.clone().into(),
        timestamp(&c.decided_at).into(),
    ]
}

pub fn class(r: &SqlRow) -> Result<RiskClassRecord> {
    const T: &str = "risk_classes";
    Ok(RiskClassRecord {
        id: parse(T, "id", &r.text("id")?)?,
        country: parse(T, "country", &r.text("country")?)?,
        organisation_id: parse(T, "organisation_id", &r.text("organisation_id")?)?,
        organisation: Slug::parse(&r.text("org_slug")?).map_err(|e| corrupt(T, "org_slug", e))?,
        visibility: parse(T, "visibility", &r.text("visibility")?)?,
        decision: parse(T, "decision", &r.text("decision")?)?,
        class: parse(T, "class", &r.text("class")?)?,
        rationale: r.opt_text("rationale")?,
        inputs: json(T, "inputs", &r.text("inputs")?)?,
        decided_by_label: r.text("decided_by_label")?,
        decided_at: ts(T, "decided_at", &r.text("decided_at")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kinga_domain::audit::digest;

    /// Contributions from the published model that a fast decimal parser reads one unit in the
    /// last place off.
    const AWKWARD: [f64; 3] = [
        0.205_551_878_005_816_54,
        -0.369_892_984_871_297_96,
        0.241_124_510_082_131_54,
    ];

    #[test]
    fn a_forecast_read_back_keeps_its_digest() {
        let f = Forecast {
            id: ForecastId::new(),
            organisation_id: None,
            organisation: None,
            visibility: kinga_domain::Visibility::Public,
            country: "CAF".parse().unwrap(),
            year: 2024,
            probability: AWKWARD[0],
            rank: Some(1),
            model: "ewp-elastic-net".into(),
            provenance: serde_json::json!({"alpha": 0.5, "lambda": AWKWARD[1]}),
            top_factors: AWKWARD
                .iter()
                .map(|&contribution| FactorContribution {
                    name: "popsize.log2".into(),
                    contribution,
                })
                .collect(),
            created_at: kinga_domain::time::now(),
        };
        let columns = FORECAST_COLUMNS.split(", ").map(str::to_string).collect();
        let back = forecast(&SqlRow::new(columns, forecast_values(&f))).unwrap();
        assert_eq!(digest(&back), digest(&f));
    }
}

//! An incident is the analytic unit (HURIDOCS "event"): what happened, where, when, to whom and
//! by whom, built from one or many reports and qualified against the atrocity crimes.
use crate::fields::Fields;
use crate::ids::{IncidentId, OrgId, UserId};
use crate::org::Slug;
use crate::report::word_enum;
use crate::vocab::{ucdp::ViolenceType, AtrocityCrime};
use crate::{Country, ValidationErrors, Visibility};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

word_enum!(IncidentStatus, "incident status", {
    Draft => "draft", InVerification => "in_verification", Verified => "verified",
    Disputed => "disputed", Unverifiable => "unverifiable", Closed => "closed",
});

word_enum!(VerificationLevel, "verification level", {
    Unverified => "unverified", SingleSource => "single_source",
    Corroborated => "corroborated", Confirmed => "confirmed",
});

impl IncidentStatus {
    /// The verification workflow. Disputed and unverifiable incidents may go back into
    /// verification when new material arrives; a closed incident stays closed.
    pub fn may_become(&self, next: IncidentStatus) -> bool {
        use IncidentStatus::*;
        matches!(
            (self, next),
            (Draft | Disputed | Unverifiable, InVerification)
                | (InVerification, Verified | Disputed | Unverifiable)
                | (Verified | Disputed | Unverifiable, Closed)
        )
    }

    pub fn next_steps(&self) -> Vec<IncidentStatus> {
        IncidentStatus::ALL
            .iter()
            .copied()
            .filter(|n| self.may_become(*n))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Fatalities {
    pub best: Option<u32>,
    pub low: Option<u32>,
    pub high: Option<u32>,
    pub civilians: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    /// Human-readable code, `CAF-2013-000123`, unique per country and year.
    pub code: String,
    pub country: Country,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub title: String,
    pub summary: Option<String>,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    /// UCDP date precision, 1 (exact day) to 5 (within the year).
    pub date_precision: u8,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// UCDP place precision, 1 (exact) to 7.
    pub place_precision: Option<u8>,
    pub event_type: Option<String>,
    pub sub_event_type: Option<String>,
    pub violence_type: Option<ViolenceType>,
    pub crimes: Vec<AtrocityCrime>,
    pub fatalities: Fatalities,
    pub status: IncidentStatus,
    pub verification_level: VerificationLevel,
    pub assignee: Option<UserId>,
    /// Where the incident came from when imported (`ucdp-ged:36210`): the key that makes a
    /// re-import idempotent.
    pub external_ref: Option<String>,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewIncident {
    pub country: Country,
    pub visibility: Visibility,
    pub title: String,
    pub summary: Option<String>,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub date_precision: u8,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub place_precision: Option<u8>,
    pub event_type: Option<String>,
    pub sub_event_type: Option<String>,
    pub violence_type: Option<ViolenceType>,
    pub crimes: Vec<AtrocityCrime>,
    pub fatalities: Fatalities,
    pub verification_level: VerificationLevel,
    pub external_ref: Option<String>,
}

impl NewIncident {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let title = f.required_text("title", 300);
        let country: Option<Country> = f.required("country");
        let summary = f.text("summary", 20_000);
        let date_start = f.required_date("date_start");
        let date_end = f.date("date_end").or(date_start);
        if let (Some(s), Some(e)) = (date_start, date_end) {
            if e < s {
                f.push("date_end", "is before date_start");
            }
        }
        // As for reports: a day of slack for the time zones.
        let tomorrow = crate::time::now().date_naive() + chrono::Duration::days(1);
        for (key, day) in [("date_start", date_start), ("date_end", date_end)] {
            if day.is_some_and(|d| d > tomorrow) {
                f.push(key, "is in the future");
            }
        }
        let date_precision = f.count("date_precision").unwrap_or(1);
        if !(1..=5).contains(&date_precision) {
            f.push("date_precision", "must be 1 (exact) to 5 (within the year)");
        }
        let place_precision = f.count("place_precision");
        if place_precision.is_some_and(|p| !(1..=7).contains(&p)) {
            f.push("place_precision", "must be 1 (exact) to 7");
        }
        let visibility = f
            .parsed::<Visibility>("visibility")
            .unwrap_or(Visibility::Organisation);
        let latitude = f.number_in("latitude", -90.0, 90.0);
        let longitude = f.number_in("longitude", -180.0, 180.0);
        if f.present("latitude") != f.present("longitude") {
            f.push("longitude", "latitude and longitude go together");
        }
        let event_type = f.text("event_type", 100);
        let sub_event_type = f.text("sub_event_type", 100);
        if let Some(et) = &event_type {
            if !crate::vocab::acled::is_valid_pair(et, sub_event_type.as_deref()) {
                f.push(
                    "sub_event_type",
                    "is not an ACLED event type / sub-event type pair",
                );
            }
        }
        let violence_type = match f.text("violence_type", 20) {
            Some(v) => {
                let parsed = ViolenceType::parse(&v)
                    .or_else(|| v.parse::<u8>().ok().and_then(ViolenceType::from_code));
                if parsed.is_none() {
                    f.push(
                        "violence_type",
                        "must be state_based, non_state or one_sided",
                    );
                }
                parsed
            }
            None => None,
        };
        let crimes = parse_crimes(f.value("crimes"), &mut f);
        let fatalities = Fatalities {
            best: f.count("fatalities_best"),
            low: f.count("fatalities_low"),
            high: f.count("fatalities_high"),
            civilians: f.count("fatalities_civilians"),
        };
        if let (Some(l), Some(h)) = (fatalities.low, fatalities.high) {
            if l > h {
                f.push("fatalities_low", "is above fatalities_high");
            }
        }
        let verification_level = f
            .parsed("verification_level")
            .unwrap_or(VerificationLevel::Unverified);
        let admin1 = f.text("admin1", 200);
        let admin2 = f.text("admin2", 200);
        let place_name = f.text("place_name", 500);
        f.finish()?;
        Ok(NewIncident {
            country: country.expect("checked"),
            visibility,
            title: title.expect("checked"),
            summary,
            date_start: date_start.expect("checked"),
            date_end: date_end.expect("checked"),
            date_precision: date_precision as u8,
            admin1,
            admin2,
            place_name,
            latitude,
            longitude,
            place_precision: place_precision.map(|p| p as u8),
            event_type,
            sub_event_type,
            violence_type,
            crimes,
            fatalities,
            verification_level,
            external_ref: None,
        })
    }
}

/// Crimes arrive as a JSON list from the API and as one comma-separated value from forms.
fn parse_crimes(v: Option<&serde_json::Value>, f: &mut Fields) -> Vec<AtrocityCrime> {
    let items: Vec<String> = match v {
        None | Some(serde_json::Value::Null) => vec![],
        Some(serde_json::Value::String(s)) => s
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().unwrap_or_default().to_string())
            .collect(),
        Some(_) => {
            f.push("crimes", "expected a list of crimes");
            return vec![];
        }
    };
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        match s.parse::<AtrocityCrime>() {
            Ok(c) if !out.contains(&c) => out.push(c),
            Ok(_) => {}
            Err(e) => f.push(&format!("crimes[{i}]"), e.to_string()),
        }
    }
    out.sort();
    out
}

/// Filters of the incident list; every field narrows the result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncidentFilter {
    pub country: Option<Country>,
    pub admin1: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub crime: Option<AtrocityCrime>,
    pub status: Option<IncidentStatus>,
    pub text: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

pub const MAX_PAGE: u32 = 500;

impl IncidentFilter {
    /// Reads the query string of the incident list (API and UI share it).
    pub fn parse(q: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(q)?;
        let country = f.parsed("country");
        let admin1 = f.text("admin1", 200);
        let from = f.date("from");
        let to = f.date("to");
        let crime = f.parsed("crime");
        let status = f.parsed("status");
        let text = f.text("q", 200);
        let limit = f.count("limit").unwrap_or(50);
        if limit == 0 || limit > MAX_PAGE {
            f.push("limit", format!("must be 1 to {MAX_PAGE}"));
        }
        let offset = f.count("offset").unwrap_or(0);
        f.finish()?;
        Ok(IncidentFilter {
            country,
            admin1,
            from,
            to,
            crime,
            status,
            text,
            limit,
            offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn workflow_transitions() {
        use IncidentStatus::*;
        assert!(Draft.may_become(InVerification));
        assert!(!Draft.may_become(Verified));
        assert!(InVerification.may_become(Disputed));
        assert!(Verified.may_become(Closed));
        assert!(!Closed.may_become(InVerification));
        assert_eq!(Draft.next_steps(), vec![InVerification]);
    }

    #[test]
    fn parses_an_incident_and_names_bad_fields() {
        let ok = NewIncident::parse(&json!({
            "title": "Attack on Bossangoa", "country": "CAF", "date_start": "2013-12-05",
            "crimes": ["war_crimes", "crimes_against_humanity"], "fatalities_best": 40
        }))
        .unwrap();
        assert_eq!(ok.crimes.len(), 2);
        assert_eq!(ok.date_end, ok.date_start);
        let err = NewIncident::parse(&json!({
            "title": "x", "country": "CAF", "date_start": "2013-12-05", "date_end": "2013-12-01",
            "crimes": ["piracy"], "fatalities_low": 5, "fatalities_high": 2
        }))
        .unwrap_err();
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"$.date_end"));
        assert!(paths.contains(&"$.crimes[0]"));
        assert!(paths.contains(&"$.fatalities_low"));
    }
}

/// An incident from an external dataset with the party, source and citation that document it.
#[derive(Debug, Clone)]
pub struct ImportedIncident {
    pub incident: NewIncident,
    pub perpetrators: Vec<crate::party::NewParty>,
    pub source: Option<crate::source::NewSource>,
    pub citation_reference: Option<String>,
}

//! A report is what arrives from the field, exactly as it arrived. It is never edited; triage
//! only moves it through its status and links it to the incident it documents.
use crate::fields::Fields;
use crate::ids::{IncidentId, OrgId, ReportId, UserId};
use crate::org::Slug;
use crate::{Country, ValidationErrors, Visibility};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! word_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s.trim())
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                        format!("'{}' is not a {} ({})", s, $what, names.join(", "))
                    })
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(Channel, "channel", {
    Web => "web", Api => "api", Sms => "sms", Email => "email", FieldMonitor => "field_monitor",
    PartnerApi => "partner_api", BulkImport => "bulk_import",
});

word_enum!(ReporterRole, "reporter role", {
    Witness => "witness", Victim => "victim", Relative => "relative", Monitor => "monitor",
    Journalist => "journalist", Official => "official", Other => "other", Anonymous => "anonymous",
});

word_enum!(RiskToSource, "risk level", {
    Low => "low", Medium => "medium", High => "high", Critical => "critical",
});

word_enum!(TriageStatus, "triage status", {
    New => "new", Triaged => "triaged", Linked => "linked", Rejected => "rejected", Spam => "spam",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: ReportId,
    pub country: Country,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub submitted_by: UserId,
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub occurred_on: NaiveDate,
    pub text: String,
    pub language: Option<String>,
    pub admin1: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub reporter_role: Option<ReporterRole>,
    pub risk_to_source: Option<RiskToSource>,
    pub triage_status: TriageStatus,
    pub reject_reason: Option<String>,
    pub incident_id: Option<IncidentId>,
}

/// A report as the submitter gave it, checked; the store adds identity and ownership.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReport {
    pub country: Country,
    pub visibility: Visibility,
    pub channel: Channel,
    pub occurred_on: NaiveDate,
    pub text: String,
    pub language: Option<String>,
    pub admin1: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub reporter_role: Option<ReporterRole>,
    pub risk_to_source: Option<RiskToSource>,
}

pub const MAX_REPORT_TEXT: usize = 20_000;

impl NewReport {
    /// Checks a submission (API body or web form) and names every bad field by JSON path.
    pub fn parse(body: &serde_json::Value, today: NaiveDate) -> Result<Self, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let text = f.required_text("text", MAX_REPORT_TEXT);
        let country: Option<Country> = f.required("country");
        let occurred_on = f.required_date("occurred_on");
        if let Some(d) = occurred_on {
            if d > today + chrono::Duration::days(1) {
                f.push("occurred_on", "is in the future");
            }
        }
        let visibility = f
            .parsed::<Visibility>("visibility")
            .unwrap_or(Visibility::Organisation);
        let channel = f.parsed::<Channel>("channel").unwrap_or(Channel::Api);
        let language = f.text("language", 16);
        let admin1 = f.text("admin1", 200);
        let place_name = f.text("place_name", 500);
        let latitude = f.number_in("latitude", -90.0, 90.0);
        let longitude = f.number_in("longitude", -180.0, 180.0);
        if f.present("latitude") != f.present("longitude") {
            f.push("longitude", "latitude and longitude go together");
        }
        let reporter_role = f.parsed("reporter_role");
        let risk_to_source = f.parsed("risk_to_source");
        f.finish()?;
        Ok(NewReport {
            country: country.expect("checked"),
            visibility,
            channel,
            occurred_on: occurred_on.expect("checked"),
            text: text.expect("checked"),
            language,
            admin1,
            place_name,
            latitude,
            longitude,
            reporter_role,
            risk_to_source,
        })
    }
}

/// What an analyst decides about a report in the triage queue.
#[derive(Debug, Clone, PartialEq)]
pub enum TriageDecision {
    Accept,
    Reject { reason: String },
    Spam,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TriageError {
    #[error("a report that is {0} cannot be triaged again")]
    AlreadyDecided(TriageStatus),
    #[error("a rejection needs a reason")]
    ReasonRequired,
    #[error("a report that is {0} cannot be linked to an incident")]
    CannotLink(TriageStatus),
}

impl TriageStatus {
    pub fn apply(&self, decision: &TriageDecision) -> Result<TriageStatus, TriageError> {
        if !matches!(self, TriageStatus::New | TriageStatus::Triaged) {
            return Err(TriageError::AlreadyDecided(*self));
        }
        match decision {
            TriageDecision::Accept => Ok(TriageStatus::Triaged),
            TriageDecision::Reject { reason } if reason.trim().is_empty() => {
                Err(TriageError::ReasonRequired)
            }
            TriageDecision::Reject { .. } => Ok(TriageStatus::Rejected),
            TriageDecision::Spam => Ok(TriageStatus::Spam),
        }
    }

    /// A report may be linked once it is accepted (or straight from the queue); relinking a
    /// linked report moves it to another incident, which analysts do when merging.
    pub fn link(&self) -> Result<TriageStatus, TriageError> {
        match self {
            TriageStatus::New | TriageStatus::Triaged | TriageStatus::Linked => {
                Ok(TriageStatus::Linked)
            }
            other => Err(TriageError::CannotLink(*other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn minimal_body_is_accepted() {
        let r = NewReport::parse(
            &json!({"text": "Village burnt", "country": "CAF", "occurred_on": "2026-11-20", "visibility": "organisation"}),
            today(),
        )
        .unwrap();
        assert_eq!(r.country.code(), "CAF");
        assert_eq!(r.visibility, Visibility::Organisation);
    }

    #[test]
    fn every_bad_field_is_named() {
        let e = NewReport::parse(
            &json!({"text": "", "country": "XX1", "occurred_on": "20-11-2026", "visibility": "secret", "latitude": 91}),
            today(),
        )
        .unwrap_err();
        let paths: Vec<&str> = e.errors.iter().map(|e| e.path.as_str()).collect();
        for p in [
            "$.text",
            "$.country",
            "$.occurred_on",
            "$.visibility",
            "$.latitude",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
    }

    #[test]
    fn triage_rules() {
        assert_eq!(
            TriageStatus::New.apply(&TriageDecision::Accept).unwrap(),
            TriageStatus::Triaged
        );
        assert_eq!(
            TriageStatus::New.apply(&TriageDecision::Reject { reason: " ".into() }),
            Err(TriageError::ReasonRequired)
        );
        assert!(TriageStatus::Spam.link().is_err());
        assert!(TriageStatus::Rejected
            .apply(&TriageDecision::Accept)
            .is_err());
    }
}

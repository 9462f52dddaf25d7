//! Alerts and the record of responses. An alert is an organisation calling on a body to act on a
//! risk of atrocity crimes in a country: how grave (level), whom it addresses (tier), what it
//! says (in English and French) and what it rests on (incidents, signals, assessments,
//! evidence). It moves through a small lifecycle with a deadline for acknowledgement at each
//! tier. A response is what a state or an international body did, with or without an alert.
use crate::evidence::EvidenceId;
use crate::fields::Fields;
use crate::ids::{AlertId, IncidentId, OrgId};
use crate::org::Slug;
use crate::risk::AssessmentId;
use crate::{Country, ValidationErrors, Visibility};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod lifecycle;
mod response;
mod words;

pub use lifecycle::{AckTargets, AlertMove, MoveRefused};
pub use response::{NewResponse, ResponseAction, MAX_OUTCOME, MAX_SOURCES, MAX_SOURCE_LEN};
pub use words::{ActorKind, AlertLevel, AlertStatus, Pillar, ResponseKind, Tier};

pub const MAX_MESSAGE: usize = 2_000;
pub const MAX_DEDUP_KEY: usize = 200;
pub const MAX_REGIONAL_BODY: usize = 100;
/// Ids of each kind an alert may cite: an alert points at its basis, it does not carry it.
pub const MAX_BASIS_IDS: usize = 200;

/// What an alert rests on, by id. Signal ids are the detector's own text ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertBasis {
    pub incidents: Vec<IncidentId>,
    pub signals: Vec<String>,
    pub assessments: Vec<AssessmentId>,
    pub evidence: Vec<EvidenceId>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: AlertId,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub country: Country,
    pub admin1: Option<String>,
    pub level: AlertLevel,
    pub tier: Tier,
    /// The regional body addressed (ECOWAS, EAC, ICGLR, …): free text, since the bodies and
    /// their overlaps differ across the continent.
    pub regional_body: Option<String>,
    pub status: AlertStatus,
    pub message_en: String,
    pub message_fr: String,
    pub basis: AlertBasis,
    /// Names the condition that raised the alert: the same key never raises a second alert
    /// in the same organisation, so a rule run twice (or two analysts at once) gives one.
    pub dedup_key: Option<String>,
    pub visibility: Visibility,
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When the tier now addressed should have acknowledged the alert; each escalation sets a
    /// new one, measured from the escalation.
    pub ack_deadline: DateTime<Utc>,
    /// Counts the alert's changes, so that two desks moving it at once do not both succeed.
    pub version: u32,
}

impl Alert {
    /// Whether the alert waits for acknowledgement past its tier's deadline.
    pub fn overdue(&self, now: DateTime<Utc>) -> bool {
        matches!(self.status, AlertStatus::Raised | AlertStatus::Escalated)
            && now > self.ack_deadline
    }
}

/// An alert as whoever raises it wrote it, checked; the store adds identity and ownership.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub country: Country,
    pub admin1: Option<String>,
    pub level: AlertLevel,
    pub tier: Tier,
    pub regional_body: Option<String>,
    pub message_en: String,
    pub message_fr: String,
    pub basis: AlertBasis,
    pub dedup_key: Option<String>,
    pub visibility: Visibility,
}

impl NewAlert {
    /// Reads an alert from a JSON object, naming every bad field by its JSON path and refusing
    /// fields it does not know (a misspelt `"visiblity"` must not fall back to a default).
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        crate::fields::strictly(body, &[], |body| {
            let mut f = Fields::new(body)?;
            let country: Option<Country> = f.required("country");
            let admin1 = f.text("admin1", 200);
            let level: Option<AlertLevel> = f.required("level");
            let tier = f.parsed::<Tier>("tier").unwrap_or(Tier::Network);
            let regional_body = f.text("regional_body", MAX_REGIONAL_BODY);
            let message_en = f.required_text("message_en", MAX_MESSAGE);
            let message_fr = f.required_text("message_fr", MAX_MESSAGE);
            let dedup_key = f.text("dedup_key", MAX_DEDUP_KEY);
            let visibility = f
                .parsed::<Visibility>("visibility")
                .unwrap_or(Visibility::Organisation);
            let basis = AlertBasis {
                incidents: id_list(&mut f, "incidents"),
                signals: id_list(&mut f, "signals"),
                assessments: id_list(&mut f, "assessments"),
                evidence: id_list(&mut f, "evidence"),
            };
            f.finish()?;
            Ok(NewAlert {
                country: country.expect("checked"),
                admin1,
                level: level.expect("checked"),
                tier,
                regional_body,
                message_en: message_en.expect("checked"),
                message_fr: message_fr.expect("checked"),
                basis,
                dedup_key,
                visibility,
            })
        })
    }

    /// The alert as raised now by `by` for `organisation`.
    pub fn raise(
        self,
        organisation_id: OrgId,
        organisation: Slug,
        by: String,
        now: DateTime<Utc>,
        targets: &AckTargets,
    ) -> Alert {
        Alert {
            id: AlertId::new(),
            organisation_id,
            organisation,
            country: self.country,
            admin1: self.admin1,
            level: self.level,
            tier: self.tier,
            regional_body: self.regional_body,
            status: AlertStatus::Raised,
            message_en: self.message_en,
            message_fr: self.message_fr,
            basis: self.basis,
            dedup_key: self.dedup_key,
            visibility: self.visibility,
            raised_at: now,
            raised_by: by,
            acknowledged_at: None,
            acknowledged_by: None,
            closed_at: None,
            ack_deadline: now + targets.target(self.level),
            version: 1,
        }
    }
}

/// A list of ids (or, for signals, of non-blank texts), each bad one named by its index.
fn id_list<T>(f: &mut Fields, key: &str) -> Vec<T>
where
    T: std::str::FromStr + PartialEq,
    T::Err: std::fmt::Display,
{
    let items = match f.value(key) {
        None | Some(serde_json::Value::Null) => return vec![],
        Some(serde_json::Value::Array(a)) => a,
        Some(_) => {
            f.push(key, "expected a list");
            return vec![];
        }
    };
    if items.len() > MAX_BASIS_IDS {
        f.push(key, format!("must list at most {MAX_BASIS_IDS}"));
        return vec![];
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let text = item.as_str().map(str::trim).unwrap_or_default();
        if text.is_empty() || text.len() > 200 {
            f.push(&format!("{key}[{i}]"), "expected an id");
            continue;
        }
        match text.parse::<T>() {
            Ok(v) if !out.contains(&v) => out.push(v),
            Ok(_) => {}
            Err(e) => f.push(
                &format!("{key}[{i}]"),
                format!("'{text}' is not an id ({e})"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use serde_json::json;

    fn body() -> serde_json::Value {
        json!({
            "country": "CAF", "level": "urgent", "tier": "regional", "regional_body": "ECCAS",
            "message_en": "Armed groups are massing near Bossangoa.",
            "message_fr": "Des groupes armés se massent près de Bossangoa.",
            "incidents": ["0190f4b4-5a3c-7cc0-8b1e-2a6f0c0e0a01"],
            "signals": ["sig-1"],
            "dedup_key": "caf-ouham-2026-w49", "visibility": "network"
        })
    }

    #[test]
    fn a_whole_alert_is_read() {
        let a = NewAlert::parse(&body()).unwrap();
        assert_eq!(a.level, AlertLevel::Urgent);
        assert_eq!(a.tier, Tier::Regional);
        assert_eq!(a.basis.incidents.len(), 1);
        assert_eq!(a.basis.signals, vec!["sig-1".to_string()]);
        assert_eq!(a.visibility, Visibility::Network);
    }

    #[test]
    fn every_bad_field_is_named_by_its_path() {
        let mut b = body();
        b["level"] = json!("imminent");
        b["message_fr"] = json!("");
        b["incidents"] = json!(["not-a-uuid"]);
        b["visiblity"] = json!("public");
        let e = NewAlert::parse(&b).unwrap_err();
        let paths: Vec<&str> = e.errors.iter().map(|e| e.path.as_str()).collect();
        for p in ["$.level", "$.message_fr", "$.incidents[0]", "$.visiblity"] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
    }

    #[test]
    fn both_languages_are_required_and_bounded() {
        let mut b = body();
        b.as_object_mut().unwrap().remove("message_en");
        b["message_fr"] = json!("x".repeat(MAX_MESSAGE + 1));
        let e = NewAlert::parse(&b).unwrap_err();
        let paths: Vec<&str> = e.errors.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"$.message_en") && paths.contains(&"$.message_fr"));
    }

    #[test]
    fn raising_sets_the_level_deadline() {
        let now = crate::time::now();
        let a = NewAlert::parse(&body()).unwrap().raise(
            OrgId::new(),
            Slug::parse("alpha").unwrap(),
            "analyst@alpha.org".into(),
            now,
            &AckTargets::DEFAULT,
        );
        assert_eq!(a.status, AlertStatus::Raised);
        assert_eq!(a.ack_deadline, now + Duration::hours(1));
        assert!(!a.overdue(now));
        assert!(a.overdue(now + Duration::hours(2)));
    }
}

//! The record of responses: what a state, a regional body or the international system did about
//! a situation (a statement, a démarche, a mission, sanctions…), under which R2P pillar, and
//! with what outcome. A response may answer an alert, or stand alone when it came unprompted.
use super::{ActorKind, Pillar, ResponseKind};
use crate::fields::Fields;
use crate::ids::{AlertId, OrgId, ResponseId};
use crate::org::Slug;
use crate::{Country, ValidationErrors, Visibility};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_OUTCOME: usize = 5_000;
pub const MAX_SOURCES: usize = 50;
pub const MAX_SOURCE_LEN: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseAction {
    pub id: ResponseId,
    pub alert_id: Option<AlertId>,
    pub country: Country,
    pub actor_kind: ActorKind,
    /// Who acted, as they are called: "ECOWAS Commission", "France", "OHCHR".
    pub actor: String,
    pub pillar: Option<Pillar>,
    pub kind: ResponseKind,
    pub date: NaiveDate,
    pub outcome: Option<String>,
    /// Where the response is documented: citations or addresses, as given.
    pub sources: Vec<String>,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewResponse {
    pub alert_id: Option<AlertId>,
    pub country: Country,
    pub actor_kind: ActorKind,
    pub actor: String,
    pub pillar: Option<Pillar>,
    pub kind: ResponseKind,
    pub date: NaiveDate,
    pub outcome: Option<String>,
    pub sources: Vec<String>,
    pub visibility: Visibility,
}

impl NewResponse {
    /// Reads a response from a JSON object, naming every bad field by its JSON path. `today`
    /// bounds the date: a response is recorded once it happened (a day of slack for time zones).
    pub fn parse(body: &serde_json::Value, today: NaiveDate) -> Result<Self, ValidationErrors> {
        crate::fields::strictly(body, &[], |body| {
            let mut f = Fields::new(body)?;
            let alert_id = f.parsed::<AlertId>("alert_id");
            let country: Option<Country> = f.required("country");
            let actor_kind: Option<ActorKind> = f.required("actor_kind");
            let actor = f.required_text("actor", 200);
            let pillar = match f.text("pillar", 20) {
                Some(p) => match Pillar::parse_loose(&p) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        f.push("pillar", e);
                        None
                    }
                },
                None => None,
            };
            let kind: Option<ResponseKind> = f.required("kind");
            let date = f.required_date("date");
            if date.is_some_and(|d| d > today + chrono::Duration::days(1)) {
                f.push("date", "is in the future");
            }
            let outcome = f.text("outcome", MAX_OUTCOME);
            let sources = sources(&mut f);
            let visibility = f
                .parsed::<Visibility>("visibility")
                .unwrap_or(Visibility::Organisation);
            f.finish()?;
            Ok(NewResponse {
                alert_id,
                country: country.expect("checked"),
                actor_kind: actor_kind.expect("checked"),
                actor: actor.expect("checked"),
                pillar,
                kind: kind.expect("checked"),
                date: date.expect("checked"),
                outcome,
                sources,
                visibility,
            })
        })
    }

    /// The response as recorded now by `by` for `organisation`.
    pub fn record(
        self,
        organisation_id: OrgId,
        organisation: Slug,
        by: String,
        now: DateTime<Utc>,
    ) -> ResponseAction {
        ResponseAction {
            id: ResponseId::new(),
            alert_id: self.alert_id,
            country: self.country,
            actor_kind: self.actor_kind,
            actor: self.actor,
            pillar: self.pillar,
            kind: self.kind,
            date: self.date,
            outcome: self.outcome,
            sources: self.sources,
            organisation_id,
            organisation,
            visibility: self.visibility,
            recorded_at: now,
            recorded_by: by,
        }
    }
}

fn sources(f: &mut Fields) -> Vec<String> {
    let items = match f.value("sources") {
        None | Some(serde_json::Value::Null) => return vec![],
        Some(serde_json::Value::Array(a)) => a,
        Some(_) => {
            f.push("sources", "expected a list of texts or addresses");
            return vec![];
        }
    };
    if items.len() > MAX_SOURCES {
        f.push("sources", format!("must list at most {MAX_SOURCES}"));
        return vec![];
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.as_str().map(str::trim) {
            Some(s)
                if !s.is_empty() && s.chars().count() <= MAX_SOURCE_LEN && !s.contains('\0') =>
            {
                out.push(s.to_string());
            }
            _ => f.push(
                &format!("sources[{i}]"),
                format!("expected a text of 1 to {MAX_SOURCE_LEN} characters"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
    }

    #[test]
    fn a_response_is_read_with_its_pillar_as_written() {
        let r = NewResponse::parse(
            &json!({"country": "CAF", "actor_kind": "au_psc", "actor": "AU PSC",
                    "kind": "fact_finding_mission", "date": "2026-12-06", "pillar": "3",
                    "sources": ["https://www.peaceau.org/communique"]}),
            today(),
        )
        .unwrap();
        assert_eq!(r.pillar, Some(Pillar::Three));
        assert_eq!(r.kind, ResponseKind::FactFindingMission);
        assert_eq!(r.sources.len(), 1);
    }

    #[test]
    fn bad_fields_are_named() {
        let e = NewResponse::parse(
            &json!({"country": "CAF", "actor_kind": "king", "actor": "",
                    "kind": "statement", "date": "2026-12-20", "sources": [""],
                    "alert_id": "nope"}),
            today(),
        )
        .unwrap_err();
        let paths: Vec<&str> = e.errors.iter().map(|e| e.path.as_str()).collect();
        for p in [
            "$.actor_kind",
            "$.actor",
            "$.date",
            "$.sources[0]",
            "$.alert_id",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
    }
}

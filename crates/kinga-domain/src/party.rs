//! Parties are the people, groups and armed units that appear in incidents; an involvement says
//! what part a party played (perpetrator, victim, witness ...), per incident and optionally per
//! act. Acts record who did what to whom, coded against the Rome Statute.
use crate::ids::{ActId, IncidentId, InvolvementId, OrgId, PartyId};
use crate::org::Slug;
use crate::report::word_enum;
use crate::vocab::AtrocityCrime;
use crate::{ValidationErrors, Visibility};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

word_enum!(PartyKind, "party kind", {
    Person => "person", Group => "group", ArmedUnit => "armed_unit",
});

word_enum!(InvolvementRole, "involvement role", {
    Perpetrator => "perpetrator", SuspectedPerpetrator => "suspected_perpetrator",
    Commander => "commander", Victim => "victim", Witness => "witness", Source => "source",
    InterveningParty => "intervening_party",
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Party {
    pub id: PartyId,
    pub organisation_id: OrgId,
    pub organisation: Slug,
    pub visibility: Visibility,
    pub kind: PartyKind,
    pub name: String,
    pub description: Option<String>,
    /// ACLED interaction code of an armed actor (1 state forces … 8 foreign/other).
    pub acled_inter: Option<u8>,
    /// Identifier in an external dataset (`ucdp-actor:90`): re-imports reuse the party.
    pub external_ref: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewParty {
    pub visibility: Visibility,
    pub kind: PartyKind,
    pub name: String,
    pub description: Option<String>,
    pub acled_inter: Option<u8>,
    pub external_ref: Option<String>,
}

impl NewParty {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = crate::fields::Fields::new(body)?;
        let kind = f.required("kind");
        let name = f.required_text("name", 300);
        let description = f.text("description", 5_000);
        let visibility = f.parsed("visibility").unwrap_or(Visibility::Organisation);
        let acled_inter = f.count("acled_inter");
        if acled_inter.is_some_and(|c| !(1..=8).contains(&c)) {
            f.push("acled_inter", "must be an ACLED interaction code 1 to 8");
        }
        f.finish()?;
        Ok(NewParty {
            visibility,
            kind: kind.expect("checked"),
            name: name.expect("checked"),
            description,
            acled_inter: acled_inter.map(|c| c as u8),
            external_ref: None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Act {
    pub id: ActId,
    pub incident_id: IncidentId,
    /// Rome Statute provision, e.g. `art. 7(1)(a)`.
    pub provision: String,
    pub crime: AtrocityCrime,
    pub victim_description: Option<String>,
    pub victim_count: Option<u32>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewAct {
    pub provision: String,
    pub crime: AtrocityCrime,
    pub victim_description: Option<String>,
    pub victim_count: Option<u32>,
    pub description: Option<String>,
}

impl NewAct {
    pub fn parse(body: &serde_json::Value) -> Result<Self, ValidationErrors> {
        let mut f = crate::fields::Fields::new(body)?;
        let provision = f.required_text("provision", 40);
        let act = provision
            .as_deref()
            .and_then(|p| match crate::vocab::rome::by_provision(p) {
                Some(a) => Some(a),
                None => {
                    f.push(
                        "provision",
                        format!("'{p}' is not an act of Rome Statute arts. 6-8"),
                    );
                    None
                }
            });
        let victim_description = f.text("victim_description", 2_000);
        let victim_count = f.count("victim_count");
        let description = f.text("description", 20_000);
        f.finish()?;
        let act = act.expect("checked");
        Ok(NewAct {
            provision: act.provision.clone(),
            crime: act.crime,
            victim_description,
            victim_count,
            description,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Involvement {
    pub id: InvolvementId,
    pub incident_id: IncidentId,
    pub act_id: Option<ActId>,
    pub party_id: PartyId,
    pub role: InvolvementRole,
    /// How the party took part (direct perpetrator, ordered, aided, failed to prevent ...).
    pub degree: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewInvolvement {
    pub act_id: Option<ActId>,
    pub party_id: PartyId,
    pub role: InvolvementRole,
    pub degree: Option<String>,
}

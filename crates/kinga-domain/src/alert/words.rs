//! The closed vocabularies of alerts and responses: lower-case slugs as stored and sent, each
//! with its English and French label as the pages and situation reports will print them.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! labelled_words {
    ($name:ident, $what:literal, [$($variant:ident = $word:literal : $en:literal / $fr:literal),* $(,)?]) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $word)] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(&self) -> &'static str {
                match self { $($name::$variant => $word),* }
            }

            pub fn label_en(&self) -> &'static str {
                match self { $($name::$variant => $en),* }
            }

            pub fn label_fr(&self) -> &'static str {
                match self { $($name::$variant => $fr),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s.trim()).ok_or_else(|| {
                    let words: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    format!("'{}' is not {} ({})", s.trim(), $what, words.join(", "))
                })
            }
        }
    };
}

labelled_words!(AlertLevel, "an alert level", [
    Watch = "watch": "Watch" / "Veille",
    Warning = "warning": "Warning" / "Alerte",
    Urgent = "urgent": "Urgent" / "Urgence",
]);

labelled_words!(Tier, "a tier", [
    Network = "network": "Monitoring network" / "Réseau de veille",
    Regional = "regional": "Regional body" / "Organisation régionale",
    Au = "au": "African Union" / "Union africaine",
    Un = "un": "United Nations" / "Nations unies",
]);

labelled_words!(AlertStatus, "an alert status", [
    Raised = "raised": "Raised" / "Émise",
    Acknowledged = "acknowledged": "Acknowledged" / "Prise en compte",
    Escalated = "escalated": "Escalated" / "Transmise au niveau supérieur",
    Responded = "responded": "Responded to" / "Suivie d'une réponse",
    Closed = "closed": "Closed" / "Close",
]);

labelled_words!(ActorKind, "an actor kind", [
    State = "state": "State" / "État",
    RegionalBody = "regional_body": "Regional body" / "Organisation régionale",
    AuPsc = "au_psc": "AU Peace and Security Council" / "Conseil de paix et de sécurité de l'UA",
    UnSecurityCouncil = "un_security_council": "UN Security Council" / "Conseil de sécurité de l'ONU",
    UnSecretaryGeneral = "un_secretary_general": "UN Secretary-General" / "Secrétaire général de l'ONU",
    HumanRightsCouncil = "human_rights_council": "Human Rights Council" / "Conseil des droits de l'homme",
    CivilSociety = "civil_society": "Civil-society organisation" / "Organisation de la société civile",
    Other = "other": "Other" / "Autre",
]);

labelled_words!(Pillar, "an R2P pillar (1, 2 or 3)", [
    One = "pillar_1": "Pillar I: the State's own responsibility" / "Pilier I : la responsabilité de l'État",
    Two = "pillar_2": "Pillar II: international assistance" / "Pilier II : l'assistance internationale",
    Three = "pillar_3": "Pillar III: timely and decisive response" / "Pilier III : une réaction résolue en temps voulu",
]);

impl Pillar {
    /// The pillar as people write it: `1`, `II`, `pillar_3`.
    pub fn parse_loose(s: &str) -> Result<Pillar, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "1" | "i" => Ok(Pillar::One),
            "2" | "ii" => Ok(Pillar::Two),
            "3" | "iii" => Ok(Pillar::Three),
            other => other.parse(),
        }
    }
}

labelled_words!(ResponseKind, "a response kind", [
    Statement = "statement": "Statement" / "Déclaration",
    Letter = "letter": "Letter" / "Lettre",
    Demarche = "demarche": "Démarche" / "Démarche",
    Mediation = "mediation": "Mediation" / "Médiation",
    FactFindingMission = "fact_finding_mission": "Fact-finding mission" / "Mission d'établissement des faits",
    Sanctions = "sanctions": "Sanctions" / "Sanctions",
    ProtectionDeployment = "protection_deployment": "Protection deployment" / "Déploiement de protection",
    HumanitarianAccess = "humanitarian_access": "Humanitarian access" / "Accès humanitaire",
    ReferralForProsecution = "referral_for_prosecution": "Referral for prosecution" / "Saisine aux fins de poursuites",
    Other = "other": "Other" / "Autre",
]);

impl Tier {
    /// The body an unanswered alert goes to next; the United Nations is the last.
    pub fn next(&self) -> Option<Tier> {
        match self {
            Tier::Network => Some(Tier::Regional),
            Tier::Regional => Some(Tier::Au),
            Tier::Au => Some(Tier::Un),
            Tier::Un => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_parses_back_and_has_both_labels() {
        for w in AlertLevel::ALL {
            assert_eq!(w.as_str().parse::<AlertLevel>().unwrap(), *w);
            assert!(!w.label_en().is_empty() && !w.label_fr().is_empty());
        }
        for w in ResponseKind::ALL {
            assert_eq!(w.as_str().parse::<ResponseKind>().unwrap(), *w);
        }
        for w in ActorKind::ALL {
            assert_eq!(w.as_str().parse::<ActorKind>().unwrap(), *w);
            assert!(!w.label_fr().is_empty());
        }
        assert!("imminent".parse::<AlertLevel>().is_err());
    }

    #[test]
    fn tiers_climb_to_the_un_and_stop() {
        assert_eq!(Tier::Network.next(), Some(Tier::Regional));
        assert_eq!(Tier::Au.next(), Some(Tier::Un));
        assert_eq!(Tier::Un.next(), None);
    }

    #[test]
    fn pillars_are_read_as_people_write_them() {
        assert_eq!(Pillar::parse_loose("1").unwrap(), Pillar::One);
        assert_eq!(Pillar::parse_loose("III").unwrap(), Pillar::Three);
        assert_eq!(Pillar::parse_loose("pillar_2").unwrap(), Pillar::Two);
        assert!(Pillar::parse_loose("4").is_err());
    }
}

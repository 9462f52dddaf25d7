use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The four atrocity crimes of the 2005 World Summit Outcome (paras. 138–139).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AtrocityCrime {
    Genocide,
    CrimesAgainstHumanity,
    WarCrimes,
    /// Not a distinct crime under the Rome Statute; coded because R2P names it.
    EthnicCleansing,
}

impl AtrocityCrime {
    pub const ALL: [AtrocityCrime; 4] = [
        AtrocityCrime::Genocide,
        AtrocityCrime::CrimesAgainstHumanity,
        AtrocityCrime::WarCrimes,
        AtrocityCrime::EthnicCleansing,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            AtrocityCrime::Genocide => "genocide",
            AtrocityCrime::CrimesAgainstHumanity => "crimes_against_humanity",
            AtrocityCrime::WarCrimes => "war_crimes",
            AtrocityCrime::EthnicCleansing => "ethnic_cleansing",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            AtrocityCrime::Genocide => "Genocide",
            AtrocityCrime::CrimesAgainstHumanity => "Crimes against humanity",
            AtrocityCrime::WarCrimes => "War crimes",
            AtrocityCrime::EthnicCleansing => "Ethnic cleansing",
        }
    }

    pub fn label_fr(&self) -> &'static str {
        match self {
            AtrocityCrime::Genocide => "Génocide",
            AtrocityCrime::CrimesAgainstHumanity => "Crimes contre l'humanité",
            AtrocityCrime::WarCrimes => "Crimes de guerre",
            AtrocityCrime::EthnicCleansing => "Nettoyage ethnique",
        }
    }
}

impl fmt::Display for AtrocityCrime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not an atrocity crime (genocide, crimes_against_humanity, war_crimes, ethnic_cleansing)")]
pub struct UnknownCrime(pub String);

impl FromStr for AtrocityCrime {
    type Err = UnknownCrime;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AtrocityCrime::ALL
            .into_iter()
            .find(|c| c.as_str() == s.trim())
            .ok_or_else(|| UnknownCrime(s.to_string()))
    }
}

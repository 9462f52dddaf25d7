use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

/// ISO 3166-1 list as shipped by Debian's iso-codes (LGPL-2.1+), embedded at build time.
const ISO_3166_1: &str = include_str!("../data/iso_3166-1.json");

#[derive(Deserialize)]
struct IsoFile {
    #[serde(rename = "3166-1")]
    entries: Vec<IsoEntry>,
}

#[derive(Deserialize)]
struct IsoEntry {
    alpha_2: String,
    alpha_3: String,
    name: String,
}

pub struct CountryInfo {
    pub alpha3: String,
    pub alpha2: String,
    pub name: String,
}

static COUNTRIES: LazyLock<Vec<CountryInfo>> = LazyLock::new(|| {
    let file: IsoFile = serde_json::from_str(ISO_3166_1).expect("embedded ISO 3166 list parses");
    let mut v: Vec<CountryInfo> = file
        .entries
        .into_iter()
        .map(|e| CountryInfo {
            alpha3: e.alpha_3,
            alpha2: e.alpha_2,
            name: e.name,
        })
        .collect();
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
});

static BY_CODE: LazyLock<HashMap<String, usize>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for (i, c) in COUNTRIES.iter().enumerate() {
        m.insert(c.alpha3.clone(), i);
        m.insert(c.alpha2.clone(), i);
    }
    m
});

/// An ISO 3166-1 country, held by its alpha-3 code. Alpha-2 input is accepted and normalised,
/// because field monitors and partner tools use both.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Country([u8; 3]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not an ISO 3166-1 country code")]
pub struct UnknownCountry(pub String);

impl Country {
    pub fn parse(code: &str) -> Result<Self, UnknownCountry> {
        let upper = code.trim().to_ascii_uppercase();
        let idx = BY_CODE
            .get(&upper)
            .ok_or_else(|| UnknownCountry(code.to_string()))?;
        let a3 = COUNTRIES[*idx].alpha3.as_bytes();
        Ok(Country([a3[0], a3[1], a3[2]]))
    }

    /// Finds a country by its English short name, as datasets such as UCDP GED spell it.
    pub fn from_name(name: &str) -> Option<Self> {
        let wanted = name.trim();
        COUNTRIES
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(wanted))
            .and_then(|c| Country::parse(&c.alpha3).ok())
    }

    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).expect("country codes are ASCII")
    }

    pub fn name(&self) -> &'static str {
        let idx = BY_CODE[self.code()];
        &COUNTRIES[idx].name
    }

    pub fn all() -> &'static [CountryInfo] {
        &COUNTRIES
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Country({})", self.code())
    }
}

impl Serialize for Country {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Country::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for Country {
    type Err = UnknownCountry;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Country::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_alpha3_and_alpha2_and_normalises() {
        assert_eq!(Country::parse("caf").unwrap().code(), "CAF");
        assert_eq!(Country::parse("CF").unwrap().code(), "CAF");
        assert_eq!(
            Country::parse("CAF").unwrap().name(),
            "Central African Republic"
        );
    }

    #[test]
    fn rejects_unknown_codes() {
        assert!(Country::parse("XYZ").is_err());
        assert!(Country::parse("").is_err());
    }

    #[test]
    fn finds_by_name() {
        assert_eq!(
            Country::from_name("Central African Republic")
                .unwrap()
                .code(),
            "CAF"
        );
    }
}

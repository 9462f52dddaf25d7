//! The acts of Rome Statute articles 6–8 (1998 text), each mapped to its crime, so an act coded
//! in an incident carries its legal qualification with it.
use super::AtrocityCrime;
use serde::Deserialize;
use std::sync::LazyLock;

const ROME_STATUTE: &str = include_str!("../../data/rome_statute_1998_arts_5_to_8.json");

#[derive(Deserialize)]
struct StatuteFile {
    acts: Vec<RawAct>,
}

#[derive(Deserialize)]
struct RawAct {
    crime: String,
    provision: String,
    text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RomeAct {
    /// The provision as the Statute numbers it, e.g. `art. 7(1)(a)`.
    pub provision: String,
    pub crime: AtrocityCrime,
    pub text: String,
}

static ACTS: LazyLock<Vec<RomeAct>> = LazyLock::new(|| {
    let file: StatuteFile =
        serde_json::from_str(ROME_STATUTE).expect("embedded Rome Statute parses");
    file.acts
        .into_iter()
        .map(|a| RomeAct {
            crime: match a.crime.as_str() {
                "genocide" => AtrocityCrime::Genocide,
                "crimes_against_humanity" => AtrocityCrime::CrimesAgainstHumanity,
                c if c.starts_with("war_crimes") => AtrocityCrime::WarCrimes,
                other => panic!("embedded Rome Statute names an unknown crime '{other}'"),
            },
            provision: a.provision,
            text: a.text,
        })
        .collect()
});

pub fn acts() -> &'static [RomeAct] {
    &ACTS
}

pub fn by_provision(provision: &str) -> Option<&'static RomeAct> {
    let wanted = provision.trim();
    ACTS.iter().find(|a| a.provision == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statute_maps_acts_to_crimes() {
        let genocide = acts()
            .iter()
            .filter(|a| a.crime == AtrocityCrime::Genocide)
            .count();
        assert_eq!(genocide, 5, "art. 6 lists five acts of genocide");
        let cah = acts()
            .iter()
            .filter(|a| a.crime == AtrocityCrime::CrimesAgainstHumanity)
            .count();
        assert_eq!(cah, 11, "art. 7(1) lists eleven acts");
        assert_eq!(
            by_provision("art. 6(a)").unwrap().text,
            "Killing members of the group"
        );
        assert!(acts().iter().any(|a| a.crime == AtrocityCrime::WarCrimes));
    }
}

//! The UN Framework of Analysis for Atrocity Crimes (2014) as reference data: 14 risk factors
//! (8 common, 6 specific to one crime) and their numbered indicators, with short English and
//! French labels in the project's own words. The list is known to be incomplete (factors 11 to
//! 14); what is missing is recorded on each factor, never filled with guesses.
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

const FACTORS_CSV: &str = include_str!("../data/foa_2014_factors.csv");
const INDICATORS_CSV: &str = include_str!("../data/foa_2014_indicators.csv");

/// Common factors bear on every atrocity crime; specific ones on one crime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorKind {
    Common,
    Specific,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactorCrime {
    All,
    Genocide,
    CrimesAgainstHumanity,
    WarCrimes,
}

/// Whether the project's list of a factor's indicators is the Framework's whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Completeness {
    Complete,
    /// More indicators may exist; not established either way.
    Unknown,
    /// Known to be partial.
    Partial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelStatus {
    /// Compared with a reproduction of the Framework's text.
    Verified,
    /// Not yet compared: check against the UN document before relying on it.
    Unverified,
}

/// An indicator's number as the Framework writes it, e.g. `7.12`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IndicatorNo {
    pub factor: u8,
    pub item: u8,
}

impl fmt::Display for IndicatorNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.factor, self.item)
    }
}

impl Serialize for IndicatorNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an indicator of the Framework of Analysis as listed in Kinga (e.g. 7.3)")]
pub struct UnknownIndicator(pub String);

impl FromStr for IndicatorNo {
    type Err = UnknownIndicator;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || UnknownIndicator(s.to_string());
        let (f, i) = s.trim().split_once('.').ok_or_else(bad)?;
        let no = IndicatorNo {
            factor: f.parse().map_err(|_| bad())?,
            item: i.parse().map_err(|_| bad())?,
        };
        if indicator(no).is_none() {
            return Err(bad());
        }
        Ok(no)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub number: IndicatorNo,
    pub status: LabelStatus,
    pub label_en: String,
    pub label_fr: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskFactor {
    pub number: u8,
    pub kind: FactorKind,
    pub crime: FactorCrime,
    pub title_en: String,
    pub title_fr: String,
    pub completeness: Completeness,
    /// What is missing or uncertain in the indicator list, when anything is.
    pub gap_en: Option<String>,
    pub gap_fr: Option<String>,
    pub indicators: Vec<Indicator>,
}

impl RiskFactor {
    pub fn title(&self, french: bool) -> &str {
        if french {
            &self.title_fr
        } else {
            &self.title_en
        }
    }

    pub fn gap(&self, french: bool) -> Option<&str> {
        if french {
            self.gap_fr.as_deref()
        } else {
            self.gap_en.as_deref()
        }
    }
}

impl Indicator {
    pub fn label(&self, french: bool) -> &str {
        if french {
            &self.label_fr
        } else {
            &self.label_en
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Framework {
    pub name: &'static str,
    pub factors: Vec<RiskFactor>,
    /// About how many indicators the Framework has in all; the project carries fewer.
    pub expected_indicators: u32,
}

impl Framework {
    pub fn indicator_count(&self) -> usize {
        self.factors.iter().map(|f| f.indicators.len()).sum()
    }

    pub fn is_complete(&self) -> bool {
        self.factors
            .iter()
            .all(|f| f.completeness == Completeness::Complete)
    }

    pub fn factor(&self, number: u8) -> Option<&RiskFactor> {
        self.factors.iter().find(|f| f.number == number)
    }

    pub fn indicators(&self) -> impl Iterator<Item = (&RiskFactor, &Indicator)> {
        self.factors
            .iter()
            .flat_map(|f| f.indicators.iter().map(move |i| (f, i)))
    }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Parses the two embedded tables; a malformed row is a build defect that the tests catch, so
/// the message names the file, row and field.
fn load() -> Result<Framework, String> {
    let mut factors = Vec::new();
    for (n, row) in reader(FACTORS_CSV).records().enumerate() {
        let at = |field: &str| format!("foa_2014_factors.csv row {}: {field}", n + 1);
        let r = row.map_err(|e| format!("{}: {e}", at("record")))?;
        let number: u8 = r[0].parse().map_err(|_| at("number"))?;
        let kind = match &r[1] {
            "common" => FactorKind::Common,
            "specific" => FactorKind::Specific,
            _ => return Err(at("kind")),
        };
        let crime = match &r[2] {
            "all" => FactorCrime::All,
            "genocide" => FactorCrime::Genocide,
            "crimes_against_humanity" => FactorCrime::CrimesAgainstHumanity,
            "war_crimes" => FactorCrime::WarCrimes,
            _ => return Err(at("crime")),
        };
        let completeness = match &r[6] {
            "yes" => Completeness::Complete,
            "unknown" => Completeness::Unknown,
            "no" => Completeness::Partial,
            _ => return Err(at("complete")),
        };
        let listed: usize = r[5].parse().map_err(|_| at("listed"))?;
        factors.push((
            listed,
            RiskFactor {
                number,
                kind,
                crime,
                title_en: r[3].to_string(),
                title_fr: r[4].to_string(),
                completeness,
                gap_en: opt(&r[7]),
                gap_fr: opt(&r[8]),
                indicators: Vec::new(),
            },
        ));
    }
    for (n, row) in reader(INDICATORS_CSV).records().enumerate() {
        let at = |field: &str| format!("foa_2014_indicators.csv row {}: {field}", n + 1);
        let r = row.map_err(|e| format!("{}: {e}", at("record")))?;
        let (f, i) = r[0].split_once('.').ok_or_else(|| at("indicator"))?;
        let number = IndicatorNo {
            factor: f.parse().map_err(|_| at("indicator"))?,
            item: i.parse().map_err(|_| at("indicator"))?,
        };
        let status = match &r[1] {
            "verified" => LabelStatus::Verified,
            "unverified" => LabelStatus::Unverified,
            _ => return Err(at("status")),
        };
        let factor = factors
            .iter_mut()
            .find(|(_, f)| f.number == number.factor)
            .ok_or_else(|| at("indicator (no such factor)"))?;
        let expected = factor.1.indicators.len() as u8 + 1;
        if number.item != expected {
            return Err(at(&format!(
                "indicator {number} out of order (expected {}.{expected})",
                number.factor
            )));
        }
        factor.1.indicators.push(Indicator {
            number,
            status,
            label_en: r[2].to_string(),
            label_fr: r[3].to_string(),
        });
    }
    let mut out = Vec::new();
    for (listed, f) in factors {
        if f.indicators.len() != listed {
            return Err(format!(
                "foa_2014_factors.csv: factor {} says {listed} indicators, the indicator table has {}",
                f.number,
                f.indicators.len()
            ));
        }
        out.push(f);
    }
    Ok(Framework {
        name: "UN Framework of Analysis for Atrocity Crimes (2014)",
        factors: out,
        expected_indicators: 143,
    })
}

static FRAMEWORK: LazyLock<Framework> =
    LazyLock::new(|| load().expect("embedded Framework of Analysis tables parse"));

/// The Framework as Kinga carries it.
pub fn framework() -> &'static Framework {
    &FRAMEWORK
}

pub fn indicator(no: IndicatorNo) -> Option<&'static Indicator> {
    FRAMEWORK
        .factor(no.factor)?
        .indicators
        .get(usize::from(no.item).checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn fourteen_factors_eight_common_six_specific() {
        let fw = framework();
        assert_eq!(fw.factors.len(), 14);
        let common = fw
            .factors
            .iter()
            .filter(|f| f.kind == FactorKind::Common)
            .count();
        assert_eq!(common, 8);
        for (i, f) in fw.factors.iter().enumerate() {
            assert_eq!(usize::from(f.number), i + 1);
            assert_eq!(
                f.kind == FactorKind::Common,
                f.number <= 8,
                "factor {}",
                f.number
            );
            assert!(!f.title_fr.is_empty() && !f.title_en.is_empty());
            for ind in &f.indicators {
                assert!(
                    !ind.label_en.is_empty() && !ind.label_fr.is_empty(),
                    "{}",
                    ind.number
                );
            }
        }
        assert!(
            !fw.is_complete(),
            "factors 11 to 14 are known to be partial"
        );
        assert!(fw.indicator_count() < fw.expected_indicators as usize);
    }

    #[test]
    fn partial_factors_say_what_is_missing() {
        for f in &framework().factors {
            if f.completeness != Completeness::Complete {
                assert!(
                    f.gap_en.is_some() && f.gap_fr.is_some(),
                    "factor {}",
                    f.number
                );
            }
        }
    }

    #[test]
    fn indicator_numbers_parse_only_when_listed() {
        assert_eq!("7.12".parse::<IndicatorNo>().unwrap().to_string(), "7.12");
        assert!("7.15".parse::<IndicatorNo>().is_err());
        assert!("11.2".parse::<IndicatorNo>().is_err());
        assert!("seven".parse::<IndicatorNo>().is_err());
    }

    /// The numbering, the statuses and the factor titles agree with the shared reference
    /// table the labels were written from (the labels themselves are our own words).
    #[test]
    fn counts_and_numbering_match_the_shared_table() {
        let Some(path) = kinga_testkit::data_file("legal/un_foa_2014_indicators.csv") else {
            kinga_testkit::skip(
                "the shared table ../shared/data/legal/un_foa_2014_indicators.csv is absent (its licence is not stated, so it is not shipped)",
            );
            return;
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rdr = csv::Reader::from_reader(text.as_bytes());
        let headers = rdr.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let (fc, ic, sc, tc) = (
            col("factor"),
            col("indicator"),
            col("status"),
            col("factor_title_en"),
        );
        let mut per_factor: BTreeMap<u8, Vec<String>> = BTreeMap::new();
        let fw = framework();
        for row in rdr.records() {
            let r = row.unwrap();
            let factor: u8 = r[fc].parse().unwrap();
            per_factor
                .entry(factor)
                .or_default()
                .push(r[ic].to_string());
            let no: IndicatorNo = r[ic].parse().expect("every shared indicator is listed");
            let ours = indicator(no).unwrap();
            let status = match ours.status {
                LabelStatus::Verified => "verified",
                LabelStatus::Unverified => "unverified",
            };
            assert_eq!(status, &r[sc], "status of {no}");
            assert_eq!(
                fw.factor(factor).unwrap().title_en,
                &r[tc],
                "title of {factor}"
            );
        }
        assert_eq!(per_factor.len(), 14);
        for f in &fw.factors {
            let theirs = &per_factor[&f.number];
            let ours: Vec<String> = f.indicators.iter().map(|i| i.number.to_string()).collect();
            assert_eq!(&ours, theirs, "indicators of factor {}", f.number);
        }
    }
}

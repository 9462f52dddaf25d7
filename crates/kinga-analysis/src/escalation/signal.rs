//! What a detector says when a period stands out.
use super::series::{Measure, Region};
use chrono::NaiveDate;
use kinga_domain::period::Period;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    Ewma,
    Cusum,
    EarsC1,
    EarsC2,
    EarsC3,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Ewma,
        Method::Cusum,
        Method::EarsC1,
        Method::EarsC2,
        Method::EarsC3,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ewma => "ewma",
            Self::Cusum => "cusum",
            Self::EarsC1 => "ears-c1",
            Self::EarsC2 => "ears-c2",
            Self::EarsC3 => "ears-c3",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One detector's verdict on one period: `score` crossed `threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub method: Method,
    pub expected: f64,
    pub score: f64,
    pub threshold: f64,
}

/// A region whose period `bucket` stood out. `observed` is the count of the configured
/// measure in that period; `expected` is what the baseline predicted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub region: Region,
    pub period: Period,
    pub bucket: i64,
    pub period_start: NaiveDate,
    pub measure: Measure,
    pub observed: f64,
    pub expected: f64,
    pub score: f64,
    pub threshold: f64,
    pub method: Method,
}

impl Signal {
    /// The first day on which the signal could have been raised: the day after its period ends.
    pub fn known_from(&self) -> NaiveDate {
        self.period.start(self.bucket + 1)
    }
}

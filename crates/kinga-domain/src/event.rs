//! An event from a published dataset (UCDP GED and Candidate, ACLED, GDELT, a national CSV),
//! normalised to one shape so that region time series and escalation detectors read every
//! dataset the same way. Events are reference data, kept apart from incidents: an incident is
//! what a monitoring network documented and verified itself.
use crate::fields::Fields;
use crate::incident::Fatalities;
use crate::period::{self, Period};
use crate::vocab::ucdp::ViolenceType;
use crate::{Country, ValidationErrors};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where an event comes from. GDELT is kept apart from the others everywhere it matters: it
/// counts news reports, not events, so its numbers are a trend signal and never incident counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Dataset {
    UcdpGed,
    UcdpCandidate,
    Acled,
    Gdelt,
    /// A national or partner dataset imported through a mapping file, by its short name.
    Other(String),
}

impl Dataset {
    pub fn as_str(&self) -> &str {
        match self {
            Dataset::UcdpGed => "ucdp-ged",
            Dataset::UcdpCandidate => "ucdp-candidate",
            Dataset::Acled => "acled",
            Dataset::Gdelt => "gdelt",
            Dataset::Other(name) => name,
        }
    }

    /// Whether its rows count media reports rather than events (GDELT).
    pub fn counts_reports(&self) -> bool {
        matches!(self, Dataset::Gdelt)
    }

    /// Whether its licence lets one organisation's copy be shown to others. ACLED's terms
    /// forbid giving other users access to its rows, so an ACLED import stays with the
    /// organisation whose key downloaded it.
    pub fn shareable(&self) -> bool {
        !matches!(self, Dataset::Acled)
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dataset {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Ok(match s {
            "ucdp-ged" => Dataset::UcdpGed,
            "ucdp-candidate" => Dataset::UcdpCandidate,
            "acled" => Dataset::Acled,
            "gdelt" => Dataset::Gdelt,
            _ => {
                let ok = (2..=40).contains(&s.len())
                    && s.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && s.as_bytes()[0].is_ascii_lowercase();
                if !ok {
                    return Err(format!(
                        "'{s}' is not a dataset name (2 to 40 lowercase letters, digits or '-', starting with a letter)"
                    ));
                }
                Dataset::Other(s.to_string())
            }
        })
    }
}

impl From<Dataset> for String {
    fn from(d: Dataset) -> String {
        d.as_str().to_string()
    }
}

impl TryFrom<String> for Dataset {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// The region an aggregate or a signal is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Country,
    Admin1,
}

impl Level {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "country" => Some(Level::Country),
            "admin1" => Some(Level::Admin1),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Country => "country",
            Level::Admin1 => "admin1",
        }
    }
}

/// One normalised event. Built only through [`NewEvent::validate`] or [`Event::from_json`], so
/// a stored event always satisfies the checks there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub dataset: Dataset,
    /// The dataset's own identifier (GED `id`, ACLED `event_id_cnty`, GDELT `GlobalEventID`).
    pub external_id: String,
    /// The dataset's version stamp of this row, when it has one (ACLED `timestamp`): a row is
    /// replaced only by one at least as new.
    pub version: Option<i64>,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    /// UCDP scale, 1 (exact day) to 5 (within the year); other datasets are mapped onto it.
    pub date_precision: u8,
    pub country: Country,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// UCDP scale, 1 (exact location) to 7.
    pub place_precision: Option<u8>,
    pub violence_type: Option<ViolenceType>,
    /// ACLED event type and sub-event type, or the CAMEO code of a GDELT event.
    pub event_type: Option<String>,
    pub sub_event_type: Option<String>,
    pub civilian_targeting: bool,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub fatalities: Fatalities,
    /// Source names or URL, as the dataset gives them.
    pub source: Option<String>,
    /// Number of sources (GED) or of articles (GDELT).
    pub source_count: Option<u32>,
    pub notes: Option<String>,
}

/// The fields of an event before validation; importers fill it from their columns.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub dataset: Dataset,
    pub external_id: String,
    pub version: Option<i64>,
    pub date_start: NaiveDate,
    pub date_end: Option<NaiveDate>,
    pub date_precision: u8,
    pub country: Country,
    pub admin1: Option<String>,
    pub admin2: Option<String>,
    pub place_name: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub place_precision: Option<u8>,
    pub violence_type: Option<ViolenceType>,
    pub event_type: Option<String>,
    pub sub_event_type: Option<String>,
    pub civilian_targeting: bool,
    pub actor1: Option<String>,
    pub actor2: Option<String>,
    pub fatalities: Fatalities,
    pub source: Option<String>,
    pub source_count: Option<u32>,
    pub notes: Option<String>,
}

impl NewEvent {
    /// A new event with only what every dataset has; the rest is filled in by the importer.
    pub fn new(
        dataset: Dataset,
        external_id: impl Into<String>,
        date: NaiveDate,
        country: Country,
    ) -> Self {
        NewEvent {
            dataset,
            external_id: external_id.into(),
            version: None,
            date_start: date,
            date_end: None,
            date_precision: 1,
            country,
            admin1: None,
            admin2: None,
            place_name: None,
            latitude: None,
            longitude: None,
            place_precision: None,
            violence_type: None,
            event_type: None,
            sub_event_type: None,
            civilian_targeting: false,
            actor1: None,
            actor2: None,
            fatalities: Fatalities::default(),
            source: None,
            source_count: None,
            notes: None,
        }
    }

    /// Checks the event; errors name the field by JSON path (`$.date_end`), and importers map
    /// the field back to their own column names.
    pub fn validate(self) -> Result<Event, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let id = self.external_id.trim().to_string();
        if id.is_empty() {
            errors.push("$.external_id", "is required");
        } else if id.chars().count() > 100 {
            errors.push("$.external_id", "must be at most 100 characters");
        }
        let date_end = self.date_end.unwrap_or(self.date_start);
        if date_end < self.date_start {
            errors.push(
                "$.date_end",
                format!("{date_end} is before date_start {}", self.date_start),
            );
        }
        if !(1..=5).contains(&self.date_precision) {
            errors.push(
                "$.date_precision",
                "must be 1 (exact) to 5 (within the year)",
            );
        }
        if self.place_precision.is_some_and(|p| !(1..=7).contains(&p)) {
            errors.push("$.place_precision", "must be 1 (exact) to 7");
        }
        check_degrees(&mut errors, "$.latitude", self.latitude, 90.0);
        check_degrees(&mut errors, "$.longitude", self.longitude, 180.0);
        if self.latitude.is_some() != self.longitude.is_some() {
            errors.push("$.longitude", "latitude and longitude go together");
        }
        // low <= best <= high is not enforced: UCDP GED itself breaks it in some rows, and an
        // import keeps published estimates as published. Hand-entered events are checked in
        // `Event::from_json`.
        let text = |errors: &mut ValidationErrors, path: &str, v: Option<String>, max: usize| {
            let v = v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            match v {
                Some(s) if s.chars().count() > max => {
                    errors.push(path, format!("must be at most {max} characters"));
                    None
                }
                other => other,
            }
        };
        let event = Event {
            admin1: text(&mut errors, "$.admin1", self.admin1, 200),
            admin2: text(&mut errors, "$.admin2", self.admin2, 200),
            place_name: text(&mut errors, "$.place_name", self.place_name, 500),
            event_type: text(&mut errors, "$.event_type", self.event_type, 100),
            sub_event_type: text(&mut errors, "$.sub_event_type", self.sub_event_type, 100),
            actor1: text(&mut errors, "$.actor1", self.actor1, 500),
            actor2: text(&mut errors, "$.actor2", self.actor2, 500),
            source: text(&mut errors, "$.source", self.source, 5000),
            notes: text(&mut errors, "$.notes", self.notes, 20_000),
            dataset: self.dataset,
            external_id: id,
            version: self.version,
            date_start: self.date_start,
            date_end,
            date_precision: self.date_precision,
            country: self.country,
            latitude: self.latitude,
            longitude: self.longitude,
            place_precision: self.place_precision,
            violence_type: self.violence_type,
            civilian_targeting: self.civilian_targeting,
            fatalities: self.fatalities,
            source_count: self.source_count,
        };
        errors.into_result().map(|()| event)
    }
}

fn check_degrees(errors: &mut ValidationErrors, path: &str, v: Option<f64>, max: f64) {
    if let Some(v) = v {
        if !v.is_finite() || v < -max || v > max {
            errors.push(path, format!("{v} is not between -{max} and {max}"));
        }
    }
}

impl Event {
    /// Reads an event from a JSON object (API body, or one line of a JSON import).
    pub fn from_json(body: &serde_json::Value) -> Result<Event, ValidationErrors> {
        let mut f = Fields::new(body)?;
        let dataset: Option<Dataset> = f.required("dataset");
        let external_id = f.required_text("external_id", 100);
        let country: Option<Country> = f.required("country");
        let date_start = f.required_date("date_start");
        let date_end = f.date("date_end");
        let date_precision = f.count("date_precision").unwrap_or(1);
        let place_precision = f.count("place_precision");
        let violence_type = match f.text("violence_type", 20) {
            Some(v) => {
                let parsed = ViolenceType::parse(&v)
                    .or_else(|| v.parse::<u8>().ok().and_then(ViolenceType::from_code));
                if parsed.is_none() {
                    f.push(
                        "violence_type",
                        "must be state_based, non_state or one_sided",
                    );
                }
                parsed
            }
            None => None,
        };
        let civilian_targeting = match f.text("civilian_targeting", 10).as_deref() {
            None | Some("false" | "0") => false,
            Some("true" | "1") => true,
            Some(_) => {
                f.push("civilian_targeting", "must be true or false");
                false
            }
        };
        let new = NewEvent {
            version: f.parsed("version"),
            date_end,
            date_precision: u8::try_from(date_precision).unwrap_or(0),
            admin1: f.text("admin1", 200),
            admin2: f.text("admin2", 200),
            place_name: f.text("place_name", 500),
            latitude: f.parsed("latitude"),
            longitude: f.parsed("longitude"),
            place_precision: place_precision.map(|p| u8::try_from(p).unwrap_or(0)),
            violence_type,
            event_type: f.text("event_type", 100),
            sub_event_type: f.text("sub_event_type", 100),
            civilian_targeting,
            actor1: f.text("actor1", 500),
            actor2: f.text("actor2", 500),
            fatalities: Fatalities {
                best: f.count("fatalities_best"),
                low: f.count("fatalities_low"),
                high: f.count("fatalities_high"),
                civilians: f.count("fatalities_civilians"),
            },
            source: f.text("source", 5000),
            source_count: f.count("source_count"),
            notes: f.text("notes", 20_000),
            ..NewEvent::new(
                Dataset::Gdelt,
                external_id.clone().unwrap_or_default(),
                date_start.unwrap_or_default(),
                country.unwrap_or_else(|| Country::parse("CAF").expect("CAF is ISO 3166")),
            )
        };
        if let (Some(l), Some(h)) = (new.fatalities.low, new.fatalities.high) {
            if l > h {
                f.push(
                    "fatalities_low",
                    format!("{l} is above fatalities_high {h}"),
                );
            }
        }
        f.finish()?;
        NewEvent {
            dataset: dataset.expect("checked"),
            ..new
        }
        .validate()
    }

    /// Days since 1970-01-01 of `date_start`: the day an event is counted on.
    pub fn day(&self) -> i64 {
        period::day_index(self.date_start)
    }

    pub fn end_day(&self) -> i64 {
        period::day_index(self.date_end)
    }

    /// The Monday week of `date_start` (see [`crate::period`]).
    pub fn week(&self) -> i64 {
        Period::Week.index_of(self.date_start)
    }

    /// `year * 12 + month0` of `date_start`.
    pub fn month(&self) -> i64 {
        Period::Month.index_of(self.date_start)
    }

    pub fn bucket(&self, period: Period) -> i64 {
        match period {
            Period::Week => self.week(),
            Period::Month => self.month(),
        }
    }
}

/// One cell of a region time series: events and deaths in one region, period bucket and
/// violence type. Regions and periods without events have no cell; the analysis fills zeros.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventCount {
    pub country: Country,
    /// `None` at country level, and for events whose admin1 is unknown.
    pub admin1: Option<String>,
    /// Bucket index of the query's period ([`Period::index_of`]).
    pub period: i64,
    pub violence_type: Option<ViolenceType>,
    pub events: u64,
    /// Sum of best estimates (missing estimates count as zero).
    pub fatalities: u64,
    pub civilian_fatalities: u64,
    /// Events flagged as targeting civilians (ACLED) or one-sided (UCDP).
    pub civilian_targeting: u64,
}

/// A new id for one import batch. Each stored event carries the id of the batch that last
/// wrote it, and the audit chain holds one entry per batch.
pub fn new_batch_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// What an audit entry says a batch holds: SHA-256 over each row's key and digest, sorted in
/// Rust so SQLite and PostgreSQL (whose text collations differ) agree. `owner` is the
/// organisation a licensed dataset's rows belong to, empty for shared datasets.
pub fn batch_digest<'a>(rows: impl IntoIterator<Item = (&'a str, &'a Event)>) -> String {
    batch_digest_of(
        rows.into_iter()
            .map(|(owner, e)| {
                (
                    e.dataset.as_str(),
                    owner,
                    e.external_id.as_str(),
                    crate::audit::digest(e),
                )
            })
            .collect(),
    )
}

/// [`batch_digest`] from rows whose digests (`audit::digest` of the event) are already known:
/// (dataset, owner, external id, digest).
pub fn batch_digest_of(mut keyed: Vec<(&str, &str, &str, String)>) -> String {
    use sha2::{Digest, Sha256};
    keyed.sort_unstable();
    let mut h = Sha256::new();
    for (dataset, owner, id, d) in keyed {
        for part in [dataset, owner, id, d.as_str()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part.as_bytes());
        }
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn caf() -> Country {
        Country::parse("CAF").unwrap()
    }

    #[test]
    fn a_valid_event_gets_its_buckets() {
        let mut n = NewEvent::new(Dataset::UcdpGed, "12", d("2013-03-24"), caf());
        n.latitude = Some(4.36);
        n.longitude = Some(18.55);
        let e = n.validate().unwrap();
        assert_eq!(e.date_end, d("2013-03-24"));
        assert_eq!(Period::Week.start(e.week()), d("2013-03-18"));
        assert_eq!(e.month(), 2013 * 12 + 2);
        assert_eq!(e.day(), period::day_index(d("2013-03-24")));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut n = NewEvent::new(Dataset::Acled, " ", d("2013-03-24"), caf());
        n.date_end = Some(d("2013-03-20"));
        n.latitude = Some(91.0);
        n.longitude = Some(10.0);
        n.fatalities.low = Some(5);
        n.fatalities.high = Some(2);
        let err = n.validate().unwrap_err();
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["$.external_id", "$.date_end", "$.latitude",]);
    }

    #[test]
    fn json_events_are_checked_like_imported_ones() {
        let e = Event::from_json(&json!({
            "dataset": "ucdp-ged", "external_id": "36210", "country": "CF",
            "date_start": "2013-12-05", "violence_type": "one_sided", "fatalities_best": 60,
        }))
        .unwrap();
        assert_eq!(e.country, caf());
        assert_eq!(e.violence_type, Some(ViolenceType::OneSided));
        assert_eq!(e.fatalities.best, Some(60));

        let err = Event::from_json(&json!({
            "dataset": "Bad Name", "country": "XX", "date_start": "2013-02-30",
            "fatalities_best": -1, "fatalities_low": 5, "fatalities_high": 2,
        }))
        .unwrap_err();
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.dataset",
                "$.external_id",
                "$.country",
                "$.date_start",
                "$.fatalities_best",
                "$.fatalities_low"
            ]
        );
    }

    #[test]
    fn dataset_names_round_trip_and_gdelt_counts_reports() {
        for name in [
            "ucdp-ged",
            "ucdp-candidate",
            "acled",
            "gdelt",
            "sudan-monitor",
        ] {
            assert_eq!(name.parse::<Dataset>().unwrap().as_str(), name);
        }
        assert!("Bad Name".parse::<Dataset>().is_err());
        assert!(Dataset::Gdelt.counts_reports());
        assert!(!Dataset::UcdpGed.counts_reports());
        assert!(!Dataset::Acled.shareable());
    }
}

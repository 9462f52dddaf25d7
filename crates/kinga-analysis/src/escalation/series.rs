//! Region time series: one dense row of counts per region, with empty periods filled with zeros so
//! that a detector's baseline counts quiet weeks as quiet, not as missing.
use kinga_domain::event::EventCount;
pub use kinga_domain::event::Level;
use kinga_domain::period::Period;
use kinga_domain::Country;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A country, or one first-level division of it. At the admin1 level, events that their dataset
/// could not place in a division keep `admin1: None` and form their own series, so that nothing
/// silently drops out of the watch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Region {
    pub country: Country,
    pub admin1: Option<String>,
}

impl Region {
    pub fn country(country: Country) -> Self {
        Self {
            country,
            admin1: None,
        }
    }

    pub fn admin1(country: Country, admin1: impl Into<String>) -> Self {
        Self {
            country,
            admin1: Some(admin1.into()),
        }
    }

    /// Whether an onset or filter naming `other` concerns this region: same country, and the
    /// same division unless either side speaks of the whole country.
    pub fn overlaps(&self, other: &Region) -> bool {
        if self.country != other.country {
            return false;
        }
        match (&self.admin1, &other.admin1) {
            (Some(a), Some(b)) => same_name(a, b),
            _ => true,
        }
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// What a detector counts in each period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    #[default]
    Events,
    Fatalities,
}

impl Measure {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "events" => Some(Self::Events),
            "fatalities" | "deaths" => Some(Self::Fatalities),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Fatalities => "fatalities",
        }
    }
}

/// The counts of one region, one value per bucket from `first` on, with no gaps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionSeries {
    pub region: Region,
    pub period: Period,
    pub first: i64,
    pub events: Vec<u64>,
    pub fatalities: Vec<u64>,
}

impl RegionSeries {
    /// A series of zeros covering `first..=last`.
    pub fn zeros(region: Region, period: Period, first: i64, last: i64) -> Self {
        let len = usize::try_from(last - first + 1).unwrap_or(0);
        Self {
            region,
            period,
            first,
            events: vec![0; len],
            fatalities: vec![0; len],
        }
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The bucket of the last period in the series (`first - 1` when it is empty).
    pub fn last(&self) -> i64 {
        self.first + self.len() as i64 - 1
    }

    /// Adds to the bucket's counts; buckets outside the series are ignored and reported.
    pub fn add(&mut self, bucket: i64, events: u64, fatalities: u64) -> bool {
        match self.position(bucket) {
            Some(i) => {
                self.events[i] += events;
                self.fatalities[i] += fatalities;
                true
            }
            None => false,
        }
    }

    pub fn position(&self, bucket: i64) -> Option<usize> {
        let i = usize::try_from(bucket - self.first).ok()?;
        (i < self.len()).then_some(i)
    }

    /// The value a detector reads at position `i`.
    pub fn value(&self, measure: Measure, i: usize) -> u64 {
        match measure {
            Measure::Events => self.events[i],
            Measure::Fatalities => self.fatalities[i],
        }
    }

    pub fn values(&self, measure: Measure) -> &[u64] {
        match measure {
            Measure::Events => &self.events,
            Measure::Fatalities => &self.fatalities,
        }
    }

    /// The series as it was known at the end of bucket `last`: what a replay may look at.
    pub fn known_at(&self, last: i64) -> Self {
        let keep = usize::try_from(last - self.first + 1)
            .unwrap_or(0)
            .min(self.len());
        Self {
            region: self.region.clone(),
            period: self.period,
            first: self.first,
            events: self.events[..keep].to_vec(),
            fatalities: self.fatalities[..keep].to_vec(),
        }
    }

    /// Region-years the series covers, the denominator of a false-alarm rate.
    pub fn years(&self) -> f64 {
        self.len() as f64 / self.period.per_year()
    }
}

/// Builds one dense series per region seen in `points` (the event store's aggregates; several
/// cells of one region and bucket, one per violence type, add up) at `level`, all over the same
/// `first..=last` so that every region's baseline starts at the same date (a region's first event
/// is itself news, not the start of its history). Points outside the range are left out.
pub fn build_series(
    points: &[EventCount],
    level: Level,
    period: Period,
    first: i64,
    last: i64,
) -> Vec<RegionSeries> {
    let mut by_region: BTreeMap<Region, RegionSeries> = BTreeMap::new();
    for p in points {
        if p.period < first || p.period > last {
            continue;
        }
        let region = match level {
            Level::Country => Region::country(p.country),
            Level::Admin1 => Region {
                country: p.country,
                admin1: p
                    .admin1
                    .as_ref()
                    .map(|a| a.trim().to_string())
                    .filter(|a| !a.is_empty()),
            },
        };
        by_region
            .entry(region.clone())
            .or_insert_with(|| RegionSeries::zeros(region, period, first, last))
            .add(p.period, p.events, p.fatalities);
    }
    by_region.into_values().collect()
}

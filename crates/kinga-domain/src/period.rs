//! Integer time buckets, stored with every dated row at write time so that aggregation is the same
//! integer arithmetic in SQLite, PostgreSQL and the analysis code.
//!
//! - day: days since 1970-01-01;
//! - week: weeks that start on Monday, `floor((day + 3) / 7)` (1970-01-01 was a Thursday, so week
//!   0 runs from Monday 1969-12-29);
//! - month: `year * 12 + (month - 1)`.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a date"),
};

/// The length of one step of a region's time series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Week,
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "week" | "weekly" => Some(Self::Week),
            "month" | "monthly" => Some(Self::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
        }
    }

    /// The bucket of this period length that contains `date`.
    pub fn index_of(self, date: NaiveDate) -> i64 {
        match self {
            Self::Week => week_of_day(day_index(date)),
            Self::Month => month_index(date),
        }
    }

    /// The first day of bucket `index`.
    pub fn start(self, index: i64) -> NaiveDate {
        match self {
            Self::Week => day_date(index * 7 - 3),
            Self::Month => {
                let year = index.div_euclid(12) as i32;
                let month = index.rem_euclid(12) as u32 + 1;
                NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(EPOCH)
            }
        }
    }

    /// Buckets of this length in an average year, for rates such as false alarms per region-year.
    pub fn per_year(self) -> f64 {
        match self {
            Self::Week => 365.2425 / 7.0,
            Self::Month => 12.0,
        }
    }
}

pub fn day_index(date: NaiveDate) -> i64 {
    (date - EPOCH).num_days()
}

pub fn day_date(day: i64) -> NaiveDate {
    EPOCH + chrono::Duration::days(day)
}

pub fn week_of_day(day: i64) -> i64 {
    (day + 3).div_euclid(7)
}

pub fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2013-03-24 (Bangui falls to the Séléka) was a Sunday: its week began Monday 2013-03-18.
        let w = Period::Week.index_of(d("2013-03-24"));
        assert_eq!(Period::Week.start(w), d("2013-03-18"));
        assert_eq!(Period::Week.index_of(d("2013-03-18")), w);
        assert_eq!(Period::Week.index_of(d("2013-03-25")), w + 1);
        assert_eq!(Period::Week.index_of(d("1969-12-29")), 0);
        assert_eq!(Period::Week.index_of(d("1969-12-28")), -1);
    }

    #[test]
    fn months_round_trip() {
        let m = Period::Month.index_of(d("2013-12-05"));
        assert_eq!(m, 2013 * 12 + 11);
        assert_eq!(Period::Month.start(m), d("2013-12-01"));
        assert_eq!(Period::Month.start(m + 1), d("2014-01-01"));
    }

    #[test]
    fn days_count_from_1970() {
        assert_eq!(day_index(d("1970-01-02")), 1);
        assert_eq!(day_date(day_index(d("2023-04-15"))), d("2023-04-15"));
    }
}

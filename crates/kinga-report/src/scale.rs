//! Axis scales: round linear ticks and calendar ticks for dates.
use crate::locale::{Lang, Locale};
use chrono::{Datelike, Days, Months, NaiveDate};

/// A linear axis from `min` to `max` in steps of 1, 2 or 5 times a power of ten.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Linear {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
    /// Decimals a tick label needs (0 for a step of 1 or more).
    pub decimals: usize,
}

impl Linear {
    /// An axis that contains 0 and every value in `lo..=hi`, with about `target` ticks.
    pub(crate) fn including_zero(lo: f64, hi: f64, target: usize) -> Self {
        let (mut lo, mut hi) = (lo.min(0.0), hi.max(0.0));
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        if hi - lo <= 0.0 {
            hi = lo + 1.0;
        }
        let step = nice_step((hi - lo) / target.max(1) as f64);
        // Ticks are whole multiples of the step, so a tick is never 0.30000000000000004.
        let first = (lo / step + 1e-9).floor() as i64;
        let last = (hi / step - 1e-9).ceil() as i64;
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        let ticks = (first..=last)
            .map(|k| round_to(k as f64 * step, decimals))
            .collect();
        Linear {
            min: first as f64 * step,
            max: last as f64 * step,
            ticks,
            decimals,
        }
    }

    /// Where `value` falls between `min` (0.0) and `max` (1.0).
    pub(crate) fn fraction(&self, value: f64) -> f64 {
        (value - self.min) / (self.max - self.min)
    }
}

fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalised = raw / magnitude;
    let factor = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|f| normalised <= f + 1e-9)
        .unwrap_or(10.0);
    factor * magnitude
}

fn round_to(value: f64, decimals: usize) -> f64 {
    let p = 10f64.powi(decimals as i32);
    (value * p).round() / p
}

/// The calendar unit of a date axis's ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateStep {
    Weeks(u32),
    Months(u32),
    Years(u32),
}

/// Ticks on whole weeks (Mondays), months (the 1st) or years (1 January), the finest unit that
/// puts at most `max_ticks` ticks between `start` and `end`.
pub(crate) fn date_ticks(
    start: NaiveDate,
    end: NaiveDate,
    max_ticks: usize,
) -> (DateStep, Vec<NaiveDate>) {
    let days = (end - start).num_days().max(1) as f64;
    let candidates = [
        DateStep::Weeks(1),
        DateStep::Weeks(2),
        DateStep::Months(1),
        DateStep::Months(2),
        DateStep::Months(3),
        DateStep::Months(6),
        DateStep::Years(1),
        DateStep::Years(2),
        DateStep::Years(5),
        DateStep::Years(10),
        DateStep::Years(20),
        DateStep::Years(50),
        DateStep::Years(100),
    ];
    let step = candidates
        .into_iter()
        .find(|s| {
            let length = match s {
                DateStep::Weeks(n) => 7.0 * f64::from(*n),
                DateStep::Months(n) => 30.44 * f64::from(*n),
                DateStep::Years(n) => 365.25 * f64::from(*n),
            };
            days / length <= max_ticks as f64
        })
        .unwrap_or(DateStep::Years(100));
    let mut ticks = Vec::new();
    let mut at = first_tick(start, step);
    while at <= end && ticks.len() <= max_ticks * 2 {
        ticks.push(at);
        at = match next_tick(at, step) {
            Some(next) => next,
            None => break,
        };
    }
    (step, ticks)
}

fn first_tick(start: NaiveDate, step: DateStep) -> NaiveDate {
    match step {
        DateStep::Weeks(_) => {
            let ahead = (7 - start.weekday().num_days_from_monday()) % 7;
            start + Days::new(u64::from(ahead))
        }
        DateStep::Months(n) => {
            let mut at = if start.day() == 1 {
                start
            } else {
                month_start(start) + Months::new(1)
            };
            while at.month0() % n != 0 {
                at = at + Months::new(1);
            }
            at
        }
        DateStep::Years(n) => {
            let mut year = start.year();
            if start.ordinal() != 1 {
                year += 1;
            }
            let n = n as i32;
            year += (n - year.rem_euclid(n)) % n;
            NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(start)
        }
    }
}

fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_tick(at: NaiveDate, step: DateStep) -> Option<NaiveDate> {
    match step {
        DateStep::Weeks(n) => at.checked_add_days(Days::new(7 * u64::from(n))),
        DateStep::Months(n) => at.checked_add_months(Months::new(n)),
        DateStep::Years(n) => at.checked_add_months(Months::new(12 * n)),
    }
}

/// A tick's label: ISO 8601 numbers unless the locale has month names.
pub(crate) fn date_label(date: NaiveDate, step: DateStep, first: bool, locale: &Locale) -> String {
    let month = |d: NaiveDate| {
        locale
            .month_names
            .as_ref()
            .map(|names| names[d.month0() as usize].clone())
    };
    match step {
        DateStep::Years(_) => date.year().to_string(),
        DateStep::Months(_) => match month(date) {
            // The year is written on January and on the first tick, so every tick can be read.
            Some(name) if first || date.month() == 1 => format!("{name} {}", date.year()),
            Some(name) => name,
            None => date.format("%Y-%m").to_string(),
        },
        DateStep::Weeks(_) => match (month(date), locale.lang) {
            (Some(name), Lang::En) => format!("{name} {}", date.day()),
            (Some(name), Lang::Fr) => format!("{} {name}", date.day()),
            (None, _) => date.format("%Y-%m-%d").to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Weekday;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn linear_ticks_are_round_and_start_at_zero() {
        let axis = Linear::including_zero(3.0, 87.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(axis.decimals, 0);
        let axis = Linear::including_zero(0.0, 0.37, 5);
        assert_eq!(axis.ticks, vec![0.0, 0.1, 0.2, 0.3, 0.4]);
        assert_eq!(axis.decimals, 1);
        let axis = Linear::including_zero(0.0, 1848.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 500.0, 1000.0, 1500.0, 2000.0]);
    }

    #[test]
    fn linear_ticks_cover_negative_values_and_flat_data() {
        let axis = Linear::including_zero(-12.0, 30.0, 5);
        assert_eq!(axis.ticks.first(), Some(&-20.0));
        assert!(axis.ticks.contains(&0.0));
        let flat = Linear::including_zero(0.0, 0.0, 5);
        assert_eq!(flat.min, 0.0);
        assert!(flat.max > 0.0);
    }

    #[test]
    fn date_ticks_follow_the_span() {
        let (step, ticks) = date_ticks(d(2024, 3, 1), d(2024, 4, 15), 8);
        assert_eq!(step, DateStep::Weeks(1));
        assert!(ticks.iter().all(|t| t.weekday() == Weekday::Mon));
        let (step, ticks) = date_ticks(d(2023, 1, 15), d(2024, 1, 15), 8);
        assert_eq!(step, DateStep::Months(2));
        assert!(ticks.iter().all(|t| t.day() == 1 && t.month0() % 2 == 0));
        let (step, ticks) = date_ticks(d(1991, 1, 1), d(2022, 12, 31), 8);
        assert_eq!(step, DateStep::Years(5));
        assert_eq!(ticks.first(), Some(&d(1995, 1, 1)));
        assert!(ticks.iter().all(|t| t.year() % 5 == 0 && t.ordinal() == 1));
    }

    #[test]
    fn date_labels_are_iso_without_month_names() {
        let plain = Locale::new(Lang::Fr);
        assert_eq!(
            date_label(d(2024, 3, 1), DateStep::Months(1), false, &plain),
            "2024-03"
        );
        let names = [
            "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
            "nov.", "déc.",
        ]
        .map(String::from);
        let fr = Locale::new(Lang::Fr).with_month_names(names);
        assert_eq!(
            date_label(d(2024, 3, 4), DateStep::Weeks(1), false, &fr),
            "4 mars"
        );
        assert_eq!(
            date_label(d(2024, 3, 1), DateStep::Months(1), true, &fr),
            "mars 2024"
        );
        assert_eq!(
            date_label(d(2024, 3, 1), DateStep::Months(1), false, &fr),
            "mars"
        );
    }
}

//! Tests of the escalation module: series building, each detector on synthetic series with a
//! known change, zero-heavy series, no look-ahead, the backtest's arithmetic, onset files.
use chrono::NaiveDate;
use kinga_analysis::escalation::*;
use kinga_domain::event::EventCount;
use kinga_domain::period::Period;
use kinga_domain::Country;

fn caf() -> Country {
    Country::parse("CAF").unwrap()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A reproducible Poisson sample (Knuth's method over a small LCG), so tests need no crate and
/// always see the same numbers.
struct Poisson(u64);

impl Poisson {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }

    fn draw(&mut self, mean: f64) -> u64 {
        let limit = (-mean).exp();
        let mut k = 0;
        let mut p = 1.0;
        loop {
            p *= self.uniform();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
}

fn series_of(region: Region, first: i64, counts: &[u64]) -> RegionSeries {
    let mut s = RegionSeries::zeros(region, Period::Week, first, first + counts.len() as i64 - 1);
    s.events.copy_from_slice(counts);
    s
}

/// `quiet` weeks around mean 2, then `loud` weeks around mean 12.
fn step_series(quiet: usize, loud: usize, seed: u64) -> Vec<u64> {
    let mut rng = Poisson(seed);
    (0..quiet + loud)
        .map(|i| rng.draw(if i < quiet { 2.0 } else { 12.0 }))
        .collect()
}

fn only(method: Method) -> DetectorConfig {
    let mut c = DetectorConfig::default_for(Level::Admin1, Period::Week);
    if method != Method::Ewma {
        c.ewma = None;
    }
    if method != Method::Cusum {
        c.cusum = None;
    }
    match method {
        Method::EarsC1 | Method::EarsC2 | Method::EarsC3 => {
            let variant = match method {
                Method::EarsC1 => EarsVariant::C1,
                Method::EarsC2 => EarsVariant::C2,
                _ => EarsVariant::C3,
            };
            c.ears.as_mut().unwrap().variants = vec![variant];
        }
        _ => c.ears = None,
    }
    c
}

#[test]
fn series_are_dense_and_follow_the_level() {
    let points = vec![
        EventCount {
            country: caf(),
            admin1: Some("Ouham".into()),
            period: 102,
            violence_type: None,
            events: 2,
            fatalities: 9,
            civilian_fatalities: 0,
            civilian_targeting: 0,
        },
        EventCount {
            country: caf(),
            admin1: Some(" Ouham ".into()),
            period: 102,
            violence_type: None,
            events: 1,
            fatalities: 1,
            civilian_fatalities: 0,
            civilian_targeting: 0,
        },
        EventCount {
            country: caf(),
            admin1: Some("Bangui".into()),
            period: 104,
            violence_type: None,
            events: 4,
            fatalities: 0,
            civilian_fatalities: 0,
            civilian_targeting: 0,
        },
        EventCount {
            country: caf(),
            admin1: Some(String::new()),
            period: 100,
            violence_type: None,
            events: 1,
            fatalities: 0,
            civilian_fatalities: 0,
            civilian_targeting: 0,
        },
        EventCount {
            country: caf(),
            admin1: None,
            period: 200,
            violence_type: None,
            events: 7,
            fatalities: 0,
            civilian_fatalities: 0,
            civilian_targeting: 0,
        },
    ];
    let admin1 = build_series(&points, Level::Admin1, Period::Week, 100, 105);
    let names: Vec<Option<&str>> = admin1.iter().map(|s| s.region.admin1.as_deref()).collect();
    assert_eq!(names, vec![None, Some("Bangui"), Some("Ouham")]);
    let ouham = &admin1[2];
    assert_eq!(ouham.first, 100);
    assert_eq!(ouham.events, vec![0, 0, 3, 0, 0, 0]);
    assert_eq!(ouham.fatalities, vec![0, 0, 10, 0, 0, 0]);
    assert_eq!(
        admin1[0].events,
        vec![1, 0, 0, 0, 0, 0],
        "bucket 200 is out of range"
    );

    let country = build_series(&points, Level::Country, Period::Week, 100, 105);
    assert_eq!(country.len(), 1);
    assert_eq!(country[0].region, Region::country(caf()));
    assert_eq!(country[0].events, vec![1, 0, 3, 0, 4, 0]);
}

#[test]
fn every_detector_finds_a_clear_step_and_stays_quiet_before_it() {
    let counts = step_series(80, 6, 7);
    let s = series_of(Region::admin1(caf(), "Ouaka"), 2000, &counts);
    for method in [
        Method::Ewma,
        Method::Cusum,
        Method::EarsC1,
        Method::EarsC2,
        Method::EarsC3,
    ] {
        let signals = detect(&s, &only(method));
        let step = 2000 + 80;
        assert!(
            signals
                .iter()
                .any(|x| x.bucket >= step && x.bucket < step + 4),
            "{method:?} missed the step: {signals:?}"
        );
        assert!(
            signals.iter().all(|x| x.method == method),
            "only the configured method runs"
        );
        // EARS's short baselines are known to be noisy; none may exceed one alarm in twenty
        // quiet weeks.
        let before = signals.iter().filter(|x| x.bucket < step).count();
        assert!(
            before <= 4,
            "{method:?} raised {before} signals on the quiet part"
        );
        let first = signals.iter().find(|x| x.bucket >= step).unwrap();
        assert!(first.observed > first.expected);
        assert!(first.score > first.threshold);
        assert_eq!(first.period_start, Period::Week.start(first.bucket));
        assert_eq!(first.region.admin1.as_deref(), Some("Ouaka"));
    }
}

#[test]
fn zero_heavy_series_do_not_signal_on_single_events() {
    // Two years of a quiet province: mostly zeros, a lone event now and then.
    let mut counts = vec![0u64; 104];
    for i in (5..104).step_by(9) {
        counts[i] = 1;
    }
    counts[60] = 2;
    let s = series_of(Region::admin1(caf(), "Vakaga"), 0, &counts);
    let config = DetectorConfig::default_for(Level::Admin1, Period::Week);
    assert_eq!(
        detect(&s, &config),
        vec![],
        "isolated events are not escalations"
    );

    // The same province with a burst: detectors must not be blinded by the zeros.
    counts[90] = 9;
    let s = series_of(Region::admin1(caf(), "Vakaga"), 0, &counts);
    let signals = detect(&s, &config);
    assert!(signals.iter().any(|x| x.bucket == 90), "{signals:?}");
    assert!(signals.iter().all(|x| x.expected >= config.min_expected));
    assert!(signals.iter().all(|x| x.score.is_finite()));
}

#[test]
fn a_series_of_zeros_then_a_burst_below_min_count_is_silent() {
    let mut counts = vec![0u64; 60];
    counts[59] = 2;
    let s = series_of(Region::country(caf()), 0, &counts);
    let config = DetectorConfig::default_for(Level::Country, Period::Week);
    assert!(detect(&s, &config).is_empty());
}

#[test]
fn changing_the_future_does_not_change_past_signals() {
    let counts = step_series(70, 10, 11);
    let s = series_of(Region::admin1(caf(), "Nana-Grébizi"), 500, &counts);
    let config = DetectorConfig::default_for(Level::Admin1, Period::Week);
    let full = detect(&s, &config);
    assert!(!full.is_empty(), "the step must give something to compare");
    for cut in [520, 569, 571, 575] {
        let mut altered = s.clone();
        let from = (cut - 500 + 1) as usize;
        for (i, v) in altered.events[from..].iter_mut().enumerate() {
            *v = (i as u64 * 37) % 23;
        }
        let before = |signals: &[Signal]| -> Vec<Signal> {
            signals
                .iter()
                .filter(|x| x.bucket <= cut)
                .cloned()
                .collect()
        };
        assert_eq!(before(&detect(&altered, &config)), before(&full));
        // And what a replay of the truncated history says equals the full run up to the cut.
        assert_eq!(detect(&s.known_at(cut), &config), before(&full));
    }
}

#[test]
fn replay_across_regions_equals_each_region_alone() {
    let a = series_of(Region::admin1(caf(), "A"), 10, &step_series(60, 5, 3));
    let b = series_of(Region::admin1(caf(), "B"), 10, &step_series(50, 15, 5));
    let config = DetectorConfig::default_for(Level::Admin1, Period::Week);
    let mut together = replay(&[a.clone(), b.clone()], &config);
    let mut alone = detect_all(&[a, b], &config);
    let key = |s: &Signal| (s.region.clone(), s.bucket, s.method);
    together.sort_by_key(key);
    alone.sort_by_key(key);
    assert_eq!(together, alone);
}

#[test]
fn backtest_measures_lead_time_and_false_alarms() {
    let period = Period::Week;
    let first = period.index_of(d("2012-01-02"));
    // Region "Ouham" escalates from week 80; region "Lobaye" has one burst at week 60 with no
    // onset; "Mbomou" stays quiet.
    let ouham = series_of(
        Region::admin1(caf(), "Ouham"),
        first,
        &step_series(80, 20, 17),
    );
    let mut lobaye_counts = step_series(100, 0, 19);
    lobaye_counts[60] = 20;
    let lobaye = series_of(Region::admin1(caf(), "Lobaye"), first, &lobaye_counts);
    let mbomou = series_of(Region::admin1(caf(), "Mbomou"), first, &[0; 100]);
    let series = vec![ouham.clone(), lobaye, mbomou];
    let step = first + 80;
    // The onset is recorded four weeks after the counts rose.
    let onset_date = period.start(step + 4) + chrono::Duration::days(2);
    let onsets = vec![
        Onset {
            country: caf(),
            admin1: Some("ouham".into()),
            onset: onset_date,
            label: "synthetic escalation".into(),
        },
        Onset {
            country: caf(),
            admin1: Some("Mbomou".into()),
            onset: period.start(first + 70),
            label: "never seen".into(),
        },
        Onset {
            country: caf(),
            admin1: None,
            onset: d("1995-06-01"),
            label: "before the data".into(),
        },
        Onset {
            country: Country::parse("SDN").unwrap(),
            admin1: None,
            onset: d("2012-06-01"),
            label: "no data for the country".into(),
        },
    ];
    let config = only(Method::Cusum);
    let window = OnsetWindow::default_for(period);
    let report = backtest(&series, Level::Admin1, period, &config, &onsets, window);

    let signals = replay(&series, &config);
    let first_ouham = signals
        .iter()
        .filter(|s| s.region == ouham.region && s.bucket >= step - window.before)
        .min_by_key(|s| s.bucket)
        .expect("the escalation is found")
        .clone();
    let r = &report.onsets[0];
    assert_eq!(r.status, OnsetStatus::Detected);
    assert_eq!(r.lead_periods, Some(step + 4 - first_ouham.bucket));
    assert_eq!(
        r.lead_days,
        Some((onset_date - period.start(first_ouham.bucket + 1)).num_days())
    );
    assert!(r.lead_days.unwrap() > 0, "the step came before the onset");
    assert_eq!(report.onsets[1].status, OnsetStatus::Missed);
    assert_eq!(report.onsets[2].status, OnsetStatus::NotCovered);
    assert_eq!(report.onsets[3].status, OnsetStatus::NotCovered);

    let any = &report.summary[0];
    assert_eq!(any.method, "any");
    assert_eq!(any.onsets_covered, 2);
    assert_eq!(any.detected, 1);
    assert_eq!(any.detection_rate, Some(0.5));
    let outside: Vec<&Signal> = signals
        .iter()
        .filter(|s| {
            !(s.region == ouham.region
                && s.bucket >= step + 4 - window.before
                && s.bucket <= step + 4 + window.after)
        })
        .collect();
    assert!(
        outside
            .iter()
            .any(|s| s.region.admin1.as_deref() == Some("Lobaye")),
        "the Lobaye burst is a false alarm"
    );
    assert_eq!(any.false_alarms, outside.len());
    let region_years = 300.0 / period.per_year();
    assert!((report.region_years - region_years).abs() < 1e-9);
    let rate = any.false_alarms_per_region_year.unwrap();
    assert!((rate - outside.len() as f64 / region_years).abs() < 1e-9);
    assert_eq!(report.summary[1].method, "cusum");

    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["onsets"][0]["status"], "detected");
    assert_eq!(json["period"], "week");
    assert_eq!(json["level"], "admin1");
}

#[test]
fn backtest_at_country_level_matches_onsets_named_by_admin1() {
    let period = Period::Month;
    let first = period.index_of(d("2010-01-01"));
    let mut counts = vec![1u64; 48];
    for c in counts.iter_mut().skip(40) {
        *c = 30;
    }
    let s = series_of(Region::country(caf()), first, &counts);
    let mut s = s;
    s.period = period;
    let onsets = vec![Onset {
        country: caf(),
        admin1: Some("Bangui".into()),
        onset: period.start(first + 41),
        label: "capital".into(),
    }];
    let config = DetectorConfig::default_for(Level::Country, period);
    let report = backtest(
        &[s],
        Level::Country,
        period,
        &config,
        &onsets,
        OnsetWindow::default_for(period),
    );
    assert_eq!(report.onsets[0].status, OnsetStatus::Detected);
    assert_eq!(report.onsets[0].lead_periods, Some(1));
    assert_eq!(report.onsets[0].lead_days, Some(0));
}

#[test]
fn onset_files_are_read_and_bad_lines_are_named() {
    let text = "country,admin1,onset,label\nCAF,,2013-03-24,\"Séléka, Bangui\"\nCentral African Republic,Ouham,2013-09-07,anti-balaka\n";
    let onsets = read_onsets(text.as_bytes(), "onsets.csv").unwrap();
    assert_eq!(onsets.len(), 2);
    assert_eq!(onsets[0].country, caf());
    assert_eq!(onsets[0].admin1, None);
    assert_eq!(onsets[0].label, "Séléka, Bangui");
    assert_eq!(onsets[1].admin1.as_deref(), Some("Ouham"));
    assert_eq!(onsets[1].onset, d("2013-09-07"));

    let bad_date = "country,admin1,onset,label\nCAF,,2013-03-24,a\nCAF,,2013-13-01,b\n";
    let e = read_onsets(bad_date.as_bytes(), "onsets.csv").unwrap_err();
    assert!(
        matches!(&e, OnsetError::Field { line: 3, field, .. } if field == "onset"),
        "{e}"
    );
    assert!(e.to_string().contains("onsets.csv, line 3, field onset"));

    let bad_country = "country,admin1,onset,label\nAtlantis,,2013-03-24,a\n";
    let e = read_onsets(bad_country.as_bytes(), "f.csv").unwrap_err();
    assert!(
        matches!(&e, OnsetError::Field { line: 2, field, .. } if field == "country"),
        "{e}"
    );

    let missing = "country;admin1;onset;label\nCAF;;2013-03-24;a\n";
    let e = read_onsets(missing.as_bytes(), "f.csv").unwrap_err();
    assert!(
        e.to_string().contains("country, admin1, onset, label"),
        "{e}"
    );
}

#[test]
fn settings_files_override_defaults_per_level_and_name_bad_paths() {
    let c = LevelConfigs::from_json(
        r#"{"admin1": {"min_count": 7, "ewma": {"lambda": 0.2}}, "country": {"cusum": null}}"#,
        Period::Month,
    )
    .unwrap();
    let defaults = LevelConfigs::default_for(Period::Month);
    assert_eq!(c.admin1.min_count, 7);
    assert_eq!(c.admin1.ewma.as_ref().unwrap().lambda, 0.2);
    assert_eq!(
        c.admin1.ewma.as_ref().unwrap().baseline,
        defaults.admin1.ewma.as_ref().unwrap().baseline
    );
    assert_eq!(c.country.cusum, None);
    assert_eq!(c.country.ewma, defaults.country.ewma);

    let e = LevelConfigs::from_json(r#"{"admin1": {"ewma": {"lamda": 0.2}}}"#, Period::Week)
        .unwrap_err();
    assert_eq!(
        e,
        ConfigError::Field("$.admin1.ewma.lamda".into(), "unknown setting".into())
    );
    let e = LevelConfigs::from_json(r#"{"country": {"ewma": {"lambda": 1.5}}}"#, Period::Week)
        .unwrap_err();
    assert!(matches!(e, ConfigError::Field(p, _) if p == "$.country.ewma.lambda"));
}

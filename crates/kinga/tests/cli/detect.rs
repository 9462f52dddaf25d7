//! `kinga detect` and `kinga detect backtest` through the compiled binary, on the shipped UCDP
//! GED file of the Central African Republic imported as events.
use crate::support::{run, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn demo_ged() -> PathBuf {
    workspace().join("data/demo/ucdp_ged_v23_1_central_african_republic.csv")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

/// A data directory holding the demo GED file as events.
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let ged = demo_ged();
    ok(&run(&["import", "ucdp", ged.to_str().unwrap()], dir.path()));
    dir
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&ok(o)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

#[test]
fn detect_stores_and_lists_signals_and_a_second_run_replaces_the_first() {
    let dir = imported();
    let out = run(
        &[
            "detect", "--level", "admin1", "--period", "week", "--format", "csv",
        ],
        dir.path(),
    );
    let text = ok(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("country,admin1,period_start,observed,expected,score,threshold,method,measure")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    assert!(!rows.is_empty(), "the 2013 escalation gives signals");
    for r in &rows {
        assert_eq!(r[0], "CAF");
        let observed: f64 = r[3].parse().unwrap();
        let expected: f64 = r[4].parse().unwrap();
        assert!(observed >= 3.0 && observed > expected, "{r:?}");
        assert!(
            ["ewma", "cusum", "ears-c2"].contains(&r[7].as_str()),
            "{r:?}"
        );
    }
    assert!(
        rows.iter().any(|r| r[2].starts_with("2013-")),
        "a signal in 2013"
    );

    // JSON: the run is described and the listing is filtered by period start.
    let out = run(
        &[
            "detect",
            "--level",
            "admin1",
            "--period",
            "week",
            "--from",
            "2013-01-01",
            "--to",
            "2014-12-31",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let v = json(&out);
    let signals = v["signals"].as_array().unwrap();
    assert!(!signals.is_empty());
    for s in signals {
        let start = s["period_start"].as_str().unwrap();
        assert!(("2013-01-01".."2015-01-01").contains(&start), "{start}");
        assert_eq!(s["level"], "admin1");
        assert_eq!(s["period"], "week");
    }
    assert_eq!(
        v["run"]["signal_count"].as_u64().unwrap() as usize,
        rows.len()
    );
    assert_eq!(
        v["run"]["replaced"].as_u64().unwrap() as usize,
        rows.len(),
        "the second run replaced the first run's signals"
    );
    assert!(stderr(&out).contains("replaced"));

    // A country-level run is kept beside the admin1 one, and the table format reads.
    let out = run(
        &["detect", "--level", "country", "--period", "month"],
        dir.path(),
    );
    let table = ok(&out);
    let header = table.lines().next().unwrap();
    for col in [
        "country",
        "admin1",
        "period_start",
        "observed",
        "expected",
        "score",
        "method",
    ] {
        assert!(header.contains(col), "{header}");
    }

    let verified = run(&["verify"], dir.path());
    assert!(
        verified.status.success(),
        "{}{}",
        stdout(&verified),
        stderr(&verified)
    );
}

#[test]
fn detect_settings_file_switches_methods_off_and_bad_settings_are_named() {
    let dir = imported();
    let settings = dir.path().join("settings.json");
    std::fs::write(
        &settings,
        r#"{"admin1": {"cusum": null, "ears": null, "ewma": {"limit": 4.0}}}"#,
    )
    .unwrap();
    let out = run(
        &[
            "detect",
            "--format",
            "csv",
            "--config",
            settings.to_str().unwrap(),
        ],
        dir.path(),
    );
    let text = ok(&out);
    assert!(
        text.lines().skip(1).all(|l| l.ends_with(",ewma,events")),
        "{text}"
    );

    std::fs::write(&settings, r#"{"admin1": {"ewma": {"lamda": 0.2}}}"#).unwrap();
    let out = run(
        &["detect", "--config", settings.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("$.admin1.ewma.lamda"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn backtest_reports_every_onset_of_the_development_list() {
    let dir = imported();
    let onsets = workspace().join("docs/onsets/ucdp_ged_car_actor_onsets.csv");
    let listed = std::fs::read_to_string(&onsets).unwrap().lines().count() - 1;
    let out = run(
        &[
            "detect",
            "backtest",
            "--onsets",
            onsets.to_str().unwrap(),
            "--level",
            "admin1",
            "--period",
            "week",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let v = json(&out);
    let results = v["onsets"].as_array().unwrap();
    assert_eq!(results.len(), listed);
    let mut detected = 0;
    for r in results {
        match r["status"].as_str().unwrap() {
            "detected" => {
                detected += 1;
                // The lead is the onset minus the day after the signal's week ended.
                let onset =
                    chrono::NaiveDate::parse_from_str(r["onset"].as_str().unwrap(), "%Y-%m-%d")
                        .unwrap();
                let start = chrono::NaiveDate::parse_from_str(
                    r["first_signal"]["period_start"].as_str().unwrap(),
                    "%Y-%m-%d",
                )
                .unwrap();
                let lead = (onset - (start + chrono::Duration::days(7))).num_days();
                assert_eq!(r["lead_days"].as_i64(), Some(lead), "{r}");
                assert!((-14 * 7..=26 * 7).contains(&lead), "{r}");
            }
            "missed" => assert!(r["first_signal"].is_null()),
            other => assert_eq!(other, "not_covered"),
        }
    }
    let any = &v["summary"][0];
    assert_eq!(any["method"], "any");
    assert_eq!(any["detected"].as_u64().unwrap(), detected);
    assert!(detected > 0, "some onset of 2013 is announced: {any}");
    assert!(any["false_alarms_per_region_year"].as_f64().unwrap() >= 0.0);
    assert!(v["region_years"].as_f64().unwrap() > 100.0);

    // The readable table names every onset and the rates.
    let out = run(
        &["detect", "backtest", "--onsets", onsets.to_str().unwrap()],
        dir.path(),
    );
    let table = ok(&out);
    assert!(table.contains("anti-balaka (Ouham province)"), "{table}");
    assert!(table.contains("false_alarms_per_region_year"));
}

#[test]
fn backtest_rejects_a_bad_onset_file_naming_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let onsets = dir.path().join("onsets.csv");
    std::fs::write(
        &onsets,
        "country,admin1,onset,label\nCAF,,2013-03-24,Bangui\nCAF,Ouham,2013-02-30,impossible\n",
    )
    .unwrap();
    let out = run(
        &["detect", "backtest", "--onsets", onsets.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("line 3") && e.contains("field onset"), "{e}");

    std::fs::write(&onsets, "country,onset\nCAF,2013-03-24\n").unwrap();
    let out = run(
        &["detect", "backtest", "--onsets", onsets.to_str().unwrap()],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("admin1") && e.contains("label"), "{e}");
}

/// PITF episodes (tests only: the file may not be shipped) as onsets, one per episode from 1989
/// on, country-level, dated the first of the begin month; see docs/escalation.md.
fn pitf_onsets(into: &Path) -> Option<usize> {
    let Some(pitf) = kinga_testkit::data_file("ewp/PITF_GenoPoliticide_2014.csv") else {
        kinga_testkit::skip(
            "../shared/data/ewp/PITF_GenoPoliticide_2014.csv is absent (it may not be shipped)",
        );
        return None;
    };
    let text = std::fs::read_to_string(&pitf).unwrap();
    let mut reader = csv_lines(&text);
    let header = reader.remove(0);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (country, year, month) = (col("COUNTRY"), col("YRBEGIN"), col("MOBEGIN"));
    let mut seen = std::collections::BTreeSet::new();
    let mut out = String::from("country,admin1,onset,label\n");
    for r in reader {
        let y: i32 = r[year].parse().unwrap();
        let m: u32 = r[month].parse().unwrap();
        if y < 1989 || !(1..=12).contains(&m) {
            continue;
        }
        if kinga_domain_name_known(&r[country]) && seen.insert((r[country].clone(), y, m)) {
            out.push_str(&format!(
                "{},,{y}-{m:02}-01,PITF episode {y}-{m:02}\n",
                r[country]
            ));
        }
    }
    std::fs::write(into, out).unwrap();
    Some(seen.len())
}

fn kinga_domain_name_known(name: &str) -> bool {
    kinga_domain::Country::from_name(name).is_some()
}

/// Enough CSV for the PITF file: quoted fields with commas, no embedded newlines in the columns
/// read here.
fn csv_lines(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut fields = Vec::new();
            let mut cur = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match c {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        cur.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                    _ => cur.push(c),
                }
            }
            fields.push(cur);
            fields
        })
        .collect()
}

#[test]
fn backtest_on_pitf_episodes_covers_only_the_countries_in_the_data() {
    let scratch = tempfile::tempdir().unwrap();
    let Some(n) = pitf_onsets(&scratch.path().join("pitf.csv")) else {
        return;
    };
    let dir = imported();
    let onsets = dir.path().join("pitf.csv");
    std::fs::copy(scratch.path().join("pitf.csv"), &onsets).unwrap();
    let out = run(
        &[
            "detect",
            "backtest",
            "--onsets",
            onsets.to_str().unwrap(),
            "--level",
            "country",
            "--period",
            "month",
            "--format",
            "json",
        ],
        dir.path(),
    );
    let v = json(&out);
    let results = v["onsets"].as_array().unwrap();
    assert_eq!(results.len(), n);
    for r in results {
        let covered = r["status"] != "not_covered";
        assert_eq!(covered, r["country"] == "CAF", "{r}");
    }
    assert_eq!(v["summary"][0]["onsets_covered"], 1);
}

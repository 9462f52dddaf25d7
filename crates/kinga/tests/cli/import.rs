//! `kinga import` through the compiled binary: real UCDP files, and hand-written ACLED, GDELT
//! and mapped-CSV fixtures (ACLED's terms forbid shipping its rows; the ACLED rows below are
//! invented, column by column after ACLED's codebook).
use crate::support::{kinga, run, stderr, stdout};
use std::path::{Path, PathBuf};

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data/demo/ucdp_ged_v23_1_central_african_republic.csv"
);

fn import(kind: &str, file: &Path, d: &Path, extra: &[&str]) -> std::process::Output {
    let quarantine = d.join("rejected.csv");
    let mut args = vec![
        "import",
        kind,
        file.to_str().unwrap(),
        "--quarantine",
        quarantine.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args, d)
}

fn write(d: &Path, name: &str, text: &str) -> PathBuf {
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn ucdp_imports_are_idempotent_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = import("ucdp", Path::new(DEMO), d, &["--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("dry run, nothing stored: read 1848, valid 1848, rejected 0"),
        "{}",
        stdout(&o)
    );
    let o = run(&["verify"], d);
    assert!(
        stdout(&o).contains("intact: 0 audit entries"),
        "{}",
        stdout(&o)
    );

    let o = import("ucdp", Path::new(DEMO), d, &["--batch", "500"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("read 1848, new 1848, updated 0, unchanged 0, rejected 0"),
        "{}",
        stdout(&o)
    );
    let o = import("ucdp", Path::new(DEMO), d, &[]);
    assert!(
        stdout(&o).contains("read 1848, new 0, updated 0, unchanged 1848, rejected 0"),
        "{}",
        stdout(&o)
    );
    // A corrected release: one event's best estimate changes.
    let real = std::fs::read_to_string(DEMO).unwrap();
    let mut lines: Vec<String> = real.lines().map(str::to_string).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let best = header.iter().position(|c| *c == "best").unwrap();
    let mut record = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(lines[1].as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    record[best] = (record[best].parse::<u32>().unwrap() + 1).to_string();
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&record).unwrap();
    lines[1] = String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    let corrected = write(d, "corrected.csv", &(lines.join("\n") + "\n"));
    let o = import("ucdp", &corrected, d, &[]);
    assert!(
        stdout(&o).contains("read 1848, new 0, updated 1, unchanged 1847, rejected 0"),
        "{}",
        stdout(&o)
    );
    // Four batches of 500, then the update and the entry for the batch it changed.
    let o = run(&["verify"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("intact: 6 audit entries"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn an_unreadable_file_or_a_wrong_header_exits_2_before_importing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = import("ucdp", &d.join("missing.csv"), d, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("missing.csv: cannot read"),
        "{}",
        stderr(&o)
    );

    let header = std::fs::read_to_string(DEMO)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .replace(',', "\t");
    let tabs = write(d, "tabs.csv", &format!("{header}\n"));
    let o = import("ucdp", &tabs, d, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("tabs.csv: missing required columns: id, year, type_of_violence"),
        "{err}"
    );
    assert!(err.contains("latitude, longitude"), "{err}");
}

const ACLED: &str = "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,inter1,actor2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,location,latitude,longitude,geo_precision,source,notes,fatalities,timestamp,iso3
CEN1,2013-12-05,2013,1,Political violence,Violence against civilians,Attack,Anti-balaka,3,Civilians,7,37,Civilian targeting,140,Middle Africa,Central African Republic,Bangui,Bangui,Bangui,4.3612,18.5550,1,Local press,Invented fixture row,12,1700000000,CAF
CEN2,2013-12-06,2013,1,Political violence,Battles,Armed clash,Military Forces,1,Seleka,2,12,,140,Middle Africa,Central African Republic,Ouham,Bossangoa,Bossangoa,6.4926,17.4552,1,Local press,Invented,3,1700000000,CAF
CEN3,2013-12-07,2013,1,Political violence,Battles,Armed clash,A,1,B,2,12,,140,Middle Africa,Central African Republic,Ouham,,X,6.49,17.45,1,Press,Invented,-2,1700000000,CAF
ATL1,2013-12-09,2013,1,Political violence,Battles,Armed clash,A,1,B,2,12,,0,Nowhere,Atlantis,,,X,6.49,17.45,1,Press,Invented,2,1700000000,
";

#[test]
fn acled_rows_are_kept_for_the_importing_organisation_and_bad_rows_quarantined() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = write(d, "acled.csv", ACLED);
    let o = import("acled", &file, d, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--org is required for ACLED"),
        "{}",
        stderr(&o)
    );

    assert!(run(&["org", "add", "--slug", "irri", "--name", "IRRI"], d)
        .status
        .success());
    let o = import("acled", &file, d, &["--org", "irri"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("read 4, new 2, updated 0, unchanged 0, rejected 2"),
        "{out}"
    );
    assert!(out.contains("rejected rows: "), "{out}");
    let q = std::fs::read_to_string(d.join("rejected.csv")).unwrap();
    let lines: Vec<&str> = q.lines().collect();
    assert_eq!(lines[0], "line,column,value,reason");
    assert!(
        lines[1].starts_with("4,fatalities,-2,is a negative number of deaths"),
        "{q}"
    );
    assert!(lines[2].starts_with("5,country,Atlantis,"), "{q}");
}

#[test]
fn gdelt_and_mapped_csv_import_through_the_same_command() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let row = |id: &str, code: &str| {
        let mut cells = vec![""; 61];
        cells[0] = id;
        cells[1] = "20131205";
        cells[26] = code;
        cells[28] = &code[..2];
        cells[51] = "4";
        cells[52] = "Bangui, Bangui, Central African Republic";
        cells[53] = "CT";
        cells.join("\t")
    };
    let gdelt = write(
        d,
        "20131205.export.CSV",
        &format!("{}\n{}\n", row("1", "190"), row("2", "141")),
    );
    let o = import("gdelt", &gdelt, d, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "read 2, new 1, updated 0, unchanged 0, rejected 0, skipped 1 (not violence)"
        ),
        "{}",
        stdout(&o)
    );

    let mapping = write(
        d,
        "national.mapping",
        "dataset = sudan-monitor\nexternal_id = Ref\ndate_start = Start\ndate_end = End\ncountry = Country\nfatalities_best = Killed\n",
    );
    let csv = write(
        d,
        "national.csv",
        "Ref,Start,End,Country,Killed\nS1,2023-04-15,2023-04-16,Sudan,40\nS2,2023-04-16,2023-04-14,Sudan,4\n",
    );
    let q = d.join("rejected.csv");
    let o = run(
        &[
            "import",
            "csv",
            csv.to_str().unwrap(),
            "--mapping",
            mapping.to_str().unwrap(),
            "--quarantine",
            q.to_str().unwrap(),
        ],
        d,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("read 2, new 1, updated 0, unchanged 0, rejected 1"),
        "{}",
        stdout(&o)
    );
    assert!(std::fs::read_to_string(&q).unwrap().contains("3,End,"));
    let o = run(&["verify"], d);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn postgresql_imports_use_copy_and_stay_idempotent() {
    let Ok(admin) = std::env::var("KINGA_TEST_DATABASE_URL") else {
        kinga_testkit::skip("KINGA_TEST_DATABASE_URL is not set (a PostgreSQL server to create a scratch database on)");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (name, url) = rt
        .block_on(kinga_store_postgres::scratch::create(&admin))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let q = dir.path().join("rejected.csv");
    let pg = |args: &[&str]| {
        kinga()
            .args(args)
            .args(["--database", &url])
            .output()
            .unwrap()
    };
    let o = pg(&["import", "ucdp", DEMO, "--quarantine", q.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("new 1848"), "{}", stdout(&o));
    let o = pg(&["import", "ucdp", DEMO, "--quarantine", q.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("new 0, updated 0, unchanged 1848"),
        "{}",
        stdout(&o)
    );
    let o = pg(&["verify"]);
    assert!(o.status.success(), "{}", stdout(&o));
    rt.block_on(kinga_store_postgres::scratch::drop(&admin, &name))
        .unwrap();
}

#[test]
fn ucdp_rows_can_still_become_incidents_of_an_organisation() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(run(&["org", "add", "--slug", "irri", "--name", "IRRI"], d)
        .status
        .success());
    let o = run(&["import", "ucdp-incidents", DEMO, "--org", "irri"], d);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1848 incidents imported, 0 already present"),
        "{}",
        stdout(&o)
    );
}

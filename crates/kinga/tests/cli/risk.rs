//! `kinga risk` against R's glmnet on the Early Warning Project's table, and its answers to
//! bad predictor files.
use crate::support::{kinga, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Early Warning Project's table: tests only, never shipped (data/ATTRIBUTION.md), so read
/// from the shared folder beside the checkout; None (the test skips) without it.
fn ewp_table() -> Option<PathBuf> {
    let p = kinga_testkit::data_file("ewp/prepared2024predictors-2025-09-03.csv");
    if p.is_none() {
        kinga_testkit::skip(
            "the Early Warning Project table ../shared/data/ewp/prepared2024predictors-2025-09-03.csv is absent (it may not be shipped)",
        );
    }
    p
}

fn r_with_glmnet() -> bool {
    let ok = Command::new("Rscript")
        .args([
            "-e",
            "quit(status = if (requireNamespace('glmnet', quietly = TRUE)) 0 else 1)",
        ])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        kinga_testkit::skip(
            "Rscript with the glmnet package (Debian r-cran-glmnet) is not installed",
        );
    }
    ok
}

fn risk(args: &[&str]) -> Output {
    kinga().arg("risk").args(args).output().expect("kinga runs")
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}{}", stdout(o), stderr(o));
    stdout(o)
}

/// R's side: the same rows, the same lambda, glmnet itself.
const R_FIT: &str = r#"
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(glmnet))
d <- read.csv(args[1], check.names = FALSE)
# Yearly changes, derived here independently of Kinga: same country's row of the year before,
# no row or a missing value there counts as no change.
changes <- if (length(args) >= 7 && nzchar(args[7])) strsplit(args[7], ",")[[1]] else character()
before <- match(paste(d$ewp_name, d$year - 1), paste(d$ewp_name, d$year))
for (ch in changes) {
  was <- d[[ch]][before]
  v <- d[[ch]] - was
  v[is.na(was)] <- 0
  v[is.na(d[[ch]])] <- NA
  d[[paste0(ch, ".change")]] <- v
}
outcomes <- c("mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2")
preds <- setdiff(names(d), c("ewp_name", "ccode", outcomes))
train <- d[d$year <= 2022, c(preds, outcomes)]
train <- train[complete.cases(train), ]
fit <- glmnet(as.matrix(train[, preds]), train$mk_onset_1or2, family = "binomial",
              alpha = 0.5, lambda = as.numeric(args[2]))
co <- as.matrix(coef(fit))
write.csv(data.frame(name = rownames(co), value = co[, 1]), args[3], row.names = FALSE)
test <- d[d$year == 2024, c("ewp_name", preds)]
test <- test[complete.cases(test), ]
p <- predict(fit, as.matrix(test[, preds]), type = "response")[, 1]
write.csv(data.frame(country = test$ewp_name, risk = p), args[4], row.names = FALSE)
foldid <- rep(1:10, length.out = nrow(train))
writeLines(as.character(foldid), args[5])
cv <- cv.glmnet(as.matrix(train[, preds]), train$mk_onset_1or2, family = "binomial",
                alpha = 0.5, foldid = foldid)
writeLines(format(c(nrow(train), sum(train$mk_onset_1or2), nrow(test), cv$lambda.min,
                    cv$lambda.1se, length(cv$lambda)), digits = 17), args[6])
"#;

fn read_pairs(path: &Path) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            let (name, value) = l.rsplit_once(',').unwrap();
            (name.trim_matches('"').to_string(), value.parse().unwrap())
        })
        .collect()
}

/// Fits the 2025 model with Kinga and with glmnet (the changes, if any, derived by each on its
/// own) and compares coefficients and 2024 probabilities; returns R's fold numbers and summary.
fn compare_with_glmnet(data: &Path, d: &Path, changes: &[&str]) -> (PathBuf, PathBuf) {
    let listed = changes.join(",");
    let data_s = data.to_str().unwrap();
    let model = d.join("model.json");
    let out = ok(&risk(&[
        "fit",
        "--data",
        data_s,
        "--outcome",
        "mk_onset_1or2",
        "--train-until",
        "2022",
        "--alpha",
        "0.5",
        "--lambda",
        "0.002586",
        "--changes",
        &listed,
        "--out",
        model.to_str().unwrap(),
    ]));
    assert!(out.contains("rows used: 8970 "), "{out}");
    assert!(out.contains("positives: 211 "), "{out}");
    assert!(out.contains("lambda: 0.002586"), "{out}");

    let script = d.join("fit.R");
    std::fs::write(&script, R_FIT).unwrap();
    let (coef, probs, foldid, summary) = (
        d.join("coef.csv"),
        d.join("probs.csv"),
        d.join("foldid.txt"),
        d.join("summary.txt"),
    );
    let r = Command::new("Rscript")
        .arg(&script)
        .args([
            data,
            Path::new("0.002586"),
            &coef,
            &probs,
            &foldid,
            &summary,
            Path::new(&listed),
        ])
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", stderr(&r));

    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let names: Vec<&str> = m["predictors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let ours: Vec<f64> = m["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(names.len(), 39 + changes.len());
    let theirs = read_pairs(&coef);
    assert_eq!(
        theirs.len(),
        names.len() + 1,
        "intercept and every predictor"
    );
    let mut nonzero = 0;
    for (name, value) in &theirs {
        let mine = if name == "(Intercept)" {
            m["intercept"].as_f64().unwrap()
        } else {
            let j = names.iter().position(|n| n == name).expect(name);
            ours[j]
        };
        if *value != 0.0 {
            nonzero += 1;
        }
        assert!(
            (mine - value).abs() < 1e-3,
            "{name}: kinga {mine}, glmnet {value}"
        );
    }
    assert!(
        nonzero > 10,
        "a comparison of mostly zeros would prove little"
    );

    let fc = ok(&risk(&[
        "forecast",
        "--model",
        model.to_str().unwrap(),
        "--data",
        data_s,
        "--year",
        "2024",
        "--format",
        "csv",
    ]));
    let mut lines = fc.lines();
    assert_eq!(lines.next(), Some("country,year,risk,rank,top_factors"));
    let ours: std::collections::HashMap<String, (f64, usize)> = lines
        .map(|l| {
            let mut rec = csv_fields(l);
            let country = rec.remove(0);
            (country, (rec[1].parse().unwrap(), rec[2].parse().unwrap()))
        })
        .collect();
    let theirs = read_pairs(&probs);
    assert_eq!(theirs.len(), 168, "the issue's 168 forecast countries");
    assert_eq!(ours.len(), 168);
    let mut max_diff: f64 = 0.0;
    for (country, p) in &theirs {
        let (mine, _) = ours
            .get(country)
            .unwrap_or_else(|| panic!("{country} missing"));
        max_diff = max_diff.max((mine - p).abs());
    }
    assert!(max_diff < 1e-4, "largest probability difference {max_diff}");
    let top = theirs.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert_eq!(ours[&top.0].1, 1, "glmnet's highest risk is ranked first");
    (foldid, summary)
}

#[test]
fn coefficients_and_probabilities_match_r_glmnet_on_the_ewp_table() {
    let Some(data) = ewp_table() else { return };
    if !r_with_glmnet() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data_s = data.to_str().unwrap();
    let (foldid, summary) = compare_with_glmnet(&data, d, &[]);
    // Cross-validation over glmnet's own lambda path with the same folds picks the same lambdas.
    let cv = ok(&risk(&[
        "fit",
        "--data",
        data_s,
        "--outcome",
        "mk_onset_1or2",
        "--train-until",
        "2022",
        "--alpha",
        "0.5",
        "--cv",
        "10",
        "--foldid",
        foldid.to_str().unwrap(),
        "--out",
        d.join("cv.json").to_str().unwrap(),
    ]));
    let s: Vec<f64> = std::fs::read_to_string(&summary)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(s[..3], [8970.0, 211.0, 168.0]);
    let grab = |key: &str| -> f64 {
        let at = cv.find(key).unwrap_or_else(|| panic!("{key} in {cv}")) + key.len();
        cv[at..]
            .split(|c: char| c == ',' || c == ')' || c.is_whitespace())
            .find(|t| !t.is_empty())
            .unwrap()
            .parse()
            .unwrap()
    };
    let rel = |a: f64, b: f64| ((a - b) / b).abs();
    assert!(
        rel(grab("lambda.min "), s[3]) < 1e-6,
        "lambda.min: kinga {}, cv.glmnet {}",
        grab("lambda.min "),
        s[3]
    );
    assert!(
        rel(grab("lambda.1se "), s[4]) < 1e-6,
        "lambda.1se: kinga {}, cv.glmnet {}",
        grab("lambda.1se "),
        s[4]
    );
    assert!(cv.contains(&format!("over {} lambdas", s[5])), "{cv}");
}

#[test]
fn a_model_with_yearly_changes_matches_r_glmnet_on_changes_r_derives() {
    let Some(data) = ewp_table() else { return };
    if !r_with_glmnet() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    compare_with_glmnet(
        &data,
        dir.path(),
        &kinga_ingest::predictors::EARLY_WARNING_PROJECT_CHANGES,
    );
}

fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
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
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn small_table(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_str().unwrap().to_string()
}

/// `kinga risk fit` on a small table laid out as [`HEADER`].
fn small_fit_args<'a>(file: &'a str, out: &'a Path) -> Vec<&'a str> {
    vec![
        "fit",
        "--data",
        file,
        "--name-column",
        "country",
        "--outcome-columns",
        "onset,onset2",
        "--ignore",
        "code",
        "--outcome",
        "onset2",
        "--train-until",
        "2010",
        "--alpha",
        "0.5",
        "--lambda",
        "0.01",
        "--out",
        out.to_str().unwrap(),
    ]
}

fn fit_small(file: &str, out: &Path) -> Output {
    risk(&small_fit_args(file, out))
}

const HEADER: &str = "country,code,year,a,b,onset,onset2\n";

#[test]
fn bad_predictor_files_are_refused_naming_the_column_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("m.json");

    let f = small_table(d, "nocol.csv", "country,code,year,a,onset\nX,1,2000,1,0\n");
    let o = fit_small(&f, &model);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("'onset2'"), "{}", stderr(&o));
    assert!(stderr(&o).contains("nocol.csv line 1"), "{}", stderr(&o));

    let f = small_table(
        d,
        "word.csv",
        &format!("{HEADER}X,1,2000,0.5,1,0,1\nY,2,2000,n/a,2,0,0\n"),
    );
    let o = fit_small(&f, &model);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("word.csv line 3, field a: 'n/a'"), "{e}");

    let f = small_table(
        d,
        "none.csv",
        &format!("{HEADER}X,1,2000,0.5,1,0,0\nY,2,2001,0.7,2,0,0\nZ,3,2001,0.1,3,0,0\n"),
    );
    let o = fit_small(&f, &model);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("no positive onset2"), "{e}");
    assert!(!model.exists(), "nothing written on failure");
}

#[test]
fn rows_with_missing_values_are_dropped_from_training_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("m.json");
    let mut body = HEADER.to_string();
    for i in 0..40 {
        let a = (i % 7) as f64 / 7.0;
        let y = u8::from(i % 5 == 0 || i % 7 == 6);
        body.push_str(&format!("C{i},{i},{},{a},{},0,{y}\n", 2000 + i % 10, i % 3));
    }
    body.push_str("Gap,98,2005,,1,0,1\nLater,99,2011,0.2,1,0,0\nOpen,97,2004,0.2,1,,0\n");
    let f = small_table(d, "t.csv", &body);
    let out = ok(&fit_small(&f, &model));
    assert!(out.contains("rows used: 40 "), "{out}");
    assert!(out.contains("2 dropped for a missing value"), "{out}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["provenance"]["rows"], 40);
    assert_eq!(m["provenance"]["rows_dropped"], 2);
    assert_eq!(m["predictors"], serde_json::json!(["year", "a", "b"]));
    assert_eq!(m["provenance"]["data_sha256"].as_str().unwrap().len(), 64);

    let fc = ok(&risk(&[
        "forecast",
        "--model",
        model.to_str().unwrap(),
        "--data",
        &f,
        "--name-column",
        "country",
        "--outcome-columns",
        "onset,onset2",
        "--ignore",
        "code",
        "--year",
        "2011",
        "--format",
        "json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&fc).unwrap();
    assert_eq!(v[0]["country"], "Later");
    assert_eq!(v[0]["rank"], 1);
}

#[test]
fn a_model_with_changes_derives_them_again_when_it_forecasts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let model = d.join("m.json");
    let mut body = HEADER.to_string();
    for c in 0..12 {
        for year in 2000..2012 {
            let a = f64::from((c * 7 + year * 3) % 11) / 4.0;
            let y = u8::from((c + year) % 6 == 0);
            body.push_str(&format!("C{c},{c},{year},{a},{},0,{y}\n", c % 3));
        }
    }
    let f = small_table(d, "t.csv", &body);
    let layout = [
        "--name-column",
        "country",
        "--outcome-columns",
        "onset,onset2",
        "--ignore",
        "code",
    ];
    let fit = |changes: &str| {
        let mut args = small_fit_args(&f, &model);
        args.extend(["--changes", changes]);
        risk(&args)
    };
    let printed = ok(&fit("a"));
    assert!(printed.contains("yearly change added for: a"), "{printed}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["changes"], serde_json::json!(["a"]));
    assert_eq!(
        m["predictors"],
        serde_json::json!(["year", "a", "b", "a.change"])
    );
    let b: Vec<f64> = m["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert!(b[3] != 0.0, "the change column takes part in the model");

    let fc = ok(&risk(
        &[
            &["forecast", "--model", model.to_str().unwrap(), "--data", &f][..],
            &layout,
            &["--year", "2011", "--format", "json"],
        ]
        .concat(),
    ));
    let rows: serde_json::Value = serde_json::from_str(&fc).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 12);
    // The risk a forecast gives must be the model's on the change computed here by hand from
    // the same country's rows of 2010 and 2011.
    let level = |c: i32, year: i32| f64::from((c * 7 + year * 3) % 11) / 4.0;
    for row in rows.as_array().unwrap() {
        let c: i32 = row["country"].as_str().unwrap()[1..].parse().unwrap();
        let x = [
            2011.0,
            level(c, 2011),
            f64::from(c % 3),
            level(c, 2011) - level(c, 2010),
        ];
        let eta =
            m["intercept"].as_f64().unwrap() + b.iter().zip(x).map(|(b, x)| b * x).sum::<f64>();
        let expected = 1.0 / (1.0 + (-eta).exp());
        let got = row["risk"].as_f64().unwrap();
        assert!((got - expected).abs() < 1e-12, "C{c}: {got} vs {expected}");
    }

    let o = fit("nosuch");
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("t.csv") && e.contains("'nosuch'"), "{e}");

    // A table without the year before cannot give changes: refused when no forecast row has
    // one, named when some lack it.
    let forecast_from = |name: &str, keep: &dyn Fn(&str) -> bool| {
        let kept: String = body
            .lines()
            .filter(|l| keep(l))
            .map(|l| format!("{l}\n"))
            .collect();
        let file = small_table(d, name, &kept);
        risk(
            &[
                &[
                    "forecast",
                    "--model",
                    model.to_str().unwrap(),
                    "--data",
                    &file,
                ][..],
                &layout,
                &["--year", "2011"],
            ]
            .concat(),
        )
    };
    let o = forecast_from("only2011.csv", &|l| !l.contains(",2010,"));
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("no country forecast has a row of 2010"),
        "{}",
        stderr(&o)
    );
    let o = forecast_from("gap.csv", &|l| !l.starts_with("C4,4,2010,"));
    let printed = ok(&o);
    assert!(printed.contains("C4"), "C4 is still forecast: {printed}");
    assert!(
        stderr(&o).contains("no row of 2010 for C4: their yearly changes are taken as 0"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = HEADER.to_string();
    for i in 0..40 {
        body.push_str(&format!(
            "C{i},{i},{},{},1,0,{}\n",
            2000 + i % 10,
            i % 7,
            u8::from(i % 5 == 0)
        ));
    }
    let f = small_table(dir.path(), "t.csv", &body);
    let model = dir.path().join("m.json");
    // The reader (`true`) is gone before kinga starts writing, so every write meets a closed
    // pipe, as with `| head` once it has read enough.
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"( sleep 0.3; exec "$0" "$@" ) | true; exit "${PIPESTATUS[0]}""#)
        .arg(env!("CARGO_BIN_EXE_kinga"))
        .arg("risk")
        .args(small_fit_args(&f, &model))
        .output()
        .unwrap();
    let e = stderr(&o);
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(o.status.code(), Some(141), "{e}");
}

#[test]
fn every_risk_command_explains_itself_with_an_example() {
    for sub in ["fit", "forecast", "backtest"] {
        let o = risk(&[sub, "--help"]);
        let h = ok(&o);
        assert!(h.contains("kinga risk "), "{sub}: {h}");
    }
}

#[test]
fn saved_forecasts_reach_the_country_risk_page() {
    let Some(table) = ewp_table() else { return };
    let table = table.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    let data = dir.path().join("data");
    ok(&risk(&[
        "fit",
        "--data",
        table,
        "--outcome",
        "mk_onset_1or2",
        "--train-until",
        "2022",
        "--alpha",
        "0.5",
        "--lambda",
        "0.002586",
        "--out",
        model.to_str().unwrap(),
    ]));
    let o = risk(&[
        "forecast",
        "--model",
        model.to_str().unwrap(),
        "--data",
        table,
        "--year",
        "2024",
        "--format",
        "csv",
        "--save",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    let csv = ok(&o);
    // Kosovo has no ISO 3166-1 code: it is forecast but named as not stored.
    assert!(stderr(&o).contains("Kosovo"), "{}", stderr(&o));
    let first = csv.lines().nth(1).expect("a forecast row");
    let fields = csv_fields(first);
    let risk_printed: f64 = fields[2].parse().unwrap();

    let token = crate::support::analyst_with_token(&data, "forecast-readers");
    let server = crate::support::serve(&data, &[]);
    let http = crate::support::Http::new();
    let country = match fields[0].as_str() {
        "Burma/Myanmar" => "MMR",
        other => panic!("the table's top country changed: {other}; update this test's name map"),
    };
    let v = http.get_json(
        &format!("{}/api/v1/countries/{country}/risk", server.url),
        &token,
    );
    let f = &v["forecast"];
    assert_eq!(f["year"], 2024, "{v}");
    assert_eq!(f["rank"], 1, "{v}");
    let stored = f["probability"].as_f64().unwrap();
    assert!(
        (stored - risk_printed).abs() < 1e-9,
        "{stored} vs {risk_printed}"
    );
}

/// The Early Warning Project's table cut to the years up to `last`, so a backtest stays short.
fn ewp_slice(table: &Path, dir: &Path, last: i32) -> PathBuf {
    let text = std::fs::read_to_string(table).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let year = header.split(',').position(|c| c == "year").unwrap();
    let mut out = String::from(header);
    out.push('\n');
    for l in lines {
        let y: i32 = csv_fields(l)[year].parse().unwrap();
        if y <= last {
            out.push_str(l);
            out.push('\n');
        }
    }
    let path = dir.join("ewp_slice.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn the_ensemble_backtest_averages_the_elastic_net_and_the_forest() {
    let Some(table) = ewp_table() else { return };
    let dir = tempfile::tempdir().unwrap();
    let slice = ewp_slice(&table, dir.path(), 2000);
    let backtest = |method: &str, format: &str| {
        ok(&risk(&[
            "backtest",
            "--data",
            slice.to_str().unwrap(),
            "--outcome",
            "mk_onset_1or2",
            "--alpha",
            "0.5",
            "--lambda",
            "0.002586",
            "--from",
            "1999",
            "--to",
            "1999",
            "--method",
            method,
            "--trees",
            "100",
            "--format",
            format,
        ]))
    };
    let json =
        |method| -> serde_json::Value { serde_json::from_str(&backtest(method, "json")).unwrap() };
    let (ensemble, net, forest) = (json("ensemble"), json("elastic-net"), json("forest"));
    assert_eq!(ensemble["method"], "ensemble");
    assert_eq!(forest["method"], "forest");
    let onsets = ensemble["onset_ranks"].as_array().unwrap();
    assert!(!onsets.is_empty(), "1999 has onsets");
    assert_eq!(ensemble["scored_rows"], net["scored_rows"]);
    assert_eq!(ensemble["scored_rows"], forest["scored_rows"]);
    // One forecast (from 1998) covers each onset of 1999, so the ensemble's risk is exactly the
    // mean of its members'.
    let risk_of = |report: &serde_json::Value, country: &serde_json::Value| {
        report["onset_ranks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| &o["country"] == country)
            .unwrap()["risk"]
            .as_f64()
            .unwrap()
    };
    for o in onsets {
        let e = o["risk"].as_f64().unwrap();
        let mean = 0.5 * (risk_of(&net, &o["country"]) + risk_of(&forest, &o["country"]));
        assert!((e - mean).abs() < 1e-12, "{o}: {e} vs {mean}");
    }
    assert!(forest["issued"][0]["lambdas"]
        .as_array()
        .unwrap()
        .is_empty());
    let table_out = backtest("ensemble", "table");
    assert!(
        table_out.contains("ensemble (mean of elastic-net and random forest)"),
        "{table_out}"
    );
}

#[test]
fn an_ensemble_model_records_its_method_and_forest_and_forecasts() {
    let Some(table) = ewp_table() else { return };
    let dir = tempfile::tempdir().unwrap();
    let slice = ewp_slice(&table, dir.path(), 2000);
    let fit = |method: &str, threads: &str, out: &Path| {
        risk(&[
            "fit",
            "--data",
            slice.to_str().unwrap(),
            "--outcome",
            "mk_onset_1or2",
            "--train-until",
            "1998",
            "--alpha",
            "0.5",
            "--lambda",
            "0.002586",
            "--method",
            method,
            "--trees",
            "60",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let (one, two) = (dir.path().join("one.json"), dir.path().join("two.json"));
    let printed = ok(&fit("ensemble", "1", &one));
    assert!(printed.contains("random forest: 60 trees"), "{printed}");
    ok(&fit("ensemble", "2", &two));
    assert_eq!(
        std::fs::read_to_string(&one).unwrap(),
        std::fs::read_to_string(&two).unwrap(),
        "the same seed grows the same forest on one thread or two"
    );
    let model: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&one).unwrap()).unwrap();
    assert_eq!(model["method"], "ensemble");
    assert_eq!(model["forest"]["trees"].as_array().unwrap().len(), 60);
    assert_eq!(model["forest"]["settings"]["min_leaf"], 5);

    let forecast = |m: &Path| -> serde_json::Value {
        serde_json::from_str(&ok(&risk(&[
            "forecast",
            "--model",
            m.to_str().unwrap(),
            "--data",
            slice.to_str().unwrap(),
            "--year",
            "2000",
            "--format",
            "json",
        ])))
        .unwrap()
    };
    let net_model = dir.path().join("net.json");
    ok(&fit("elastic-net", "1", &net_model));
    let net: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&net_model).unwrap()).unwrap();
    assert_eq!(net["method"], "elastic-net");
    assert!(net.get("forest").is_none());
    let (e, n) = (forecast(&one), forecast(&net_model));
    assert_eq!(e.as_array().unwrap().len(), n.as_array().unwrap().len());
    let risks = |v: &serde_json::Value| -> Vec<(String, f64)> {
        let mut r: Vec<(String, f64)> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["country"].as_str().unwrap().to_string(),
                    r["risk"].as_f64().unwrap(),
                )
            })
            .collect();
        r.sort_by(|a, b| a.0.cmp(&b.0));
        r
    };
    let (er, nr) = (risks(&e), risks(&n));
    assert!(er.iter().all(|(_, r)| (0.0..=1.0).contains(r)));
    assert!(
        er.iter().zip(&nr).any(|(a, b)| (a.1 - b.1).abs() > 1e-6),
        "the forest changes the risks"
    );

    let refused = fit("forest", "1", &dir.path().join("f.json"));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("--method forest"),
        "{}",
        stderr(&refused)
    );
    let help = ok(&risk(&["backtest", "--help"]));
    assert!(
        help.contains("--method") && help.contains("the default"),
        "{help}"
    );
}

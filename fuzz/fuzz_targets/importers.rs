//! Every event importer and the predictor table reader, on arbitrary file contents. The first
//! byte picks the reader (its low three bits) and whether the file is named `.zip` (bit 3); the
//! rest is the file. For a mapped CSV the rest is the mapping file, a NUL byte, then the CSV.
//! Files are read through the same entry points `kinga import` and `kinga risk` use, from a
//! scratch file, so header checks, unzipping and every row's checks all run.
#![no_main]

use kinga_domain::Visibility;
use kinga_ingest::events::{self, Format, Mapping, Row};
use kinga_ingest::predictors::{self, Layout};
use kinga_ingest::ucdp::GedReader;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("kinga-fuzz-importers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    })
}

fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("scratch file");
    path
}

/// Reads every row, as an import does, and formats every error as it would be shown.
fn drain(format: &Format, path: &Path) {
    match events::open(format, path) {
        Ok(rows) => {
            for row in rows {
                match row {
                    Ok(Row::Event(e)) => {
                        let _ = e.external_id.len();
                    }
                    Ok(Row::Rejected(r)) => {
                        let _ = format!("{}:{}:{}:{}", r.line, r.column, r.value, r.reason);
                    }
                    Ok(Row::Skipped) => {}
                    Err(e) => {
                        let _ = e.to_string();
                    }
                }
            }
        }
        Err(e) => {
            let _ = (e.to_string(), e.line(), e.field());
        }
    }
}

fn layout() -> Layout {
    Layout {
        name_column: "country".into(),
        year_column: "year".into(),
        outcome: "onset".into(),
        outcome_columns: vec!["onset".into(), "onset2".into()],
        ignored: vec!["code".into()],
    }
}

fn predictor_table(path: &Path, saved_model: bool) {
    let read = if saved_model {
        predictors::read_for(path, &layout(), &["a".to_string(), "year".to_string()])
    } else {
        predictors::read(path, &layout())
    };
    let table = match read {
        Ok(t) => t,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let last = table.years.iter().copied().max().unwrap_or(2000);
    let train = table.training_rows(last);
    let forecast = table.forecast_rows(last);
    let _ = table.without_year_before(&train.rows);
    let _ = table.without_year_before(&forecast.rows);
    for row in 0..table.names.len() {
        let _ = table.complete_predictors(row);
    }
    let all = table.predictors.clone();
    match table.with_changes(&all) {
        Ok(t) => {
            let _ = t.training_rows(last);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

fn incidents(bytes: &[u8]) {
    let reader = match GedReader::new("fuzz.csv", bytes) {
        Ok(r) => r,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    for event in reader {
        match event {
            Ok(g) => {
                let _ = g.external_ref();
                let _ = g.into_imported(Visibility::Public);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, file)) = data.split_first() else {
        return;
    };
    let name = if selector & 0x08 != 0 {
        "input.zip"
    } else {
        "input.csv"
    };
    match selector & 0x07 {
        0 => drain(&Format::UcdpGed, &write(name, file)),
        1 => drain(&Format::UcdpCandidate, &write(name, file)),
        2 => drain(&Format::Acled, &write(name, file)),
        3 => drain(&Format::Gdelt, &write(name, file)),
        4 => {
            let cut = file.iter().position(|&b| b == 0).unwrap_or(file.len());
            let text = String::from_utf8_lossy(&file[..cut]);
            match Mapping::parse("mapping.txt", &text) {
                Ok(mapping) => {
                    let csv = file.get(cut + 1..).unwrap_or(&[]);
                    drain(&Format::Csv(mapping), &write(name, csv));
                }
                Err(e) => {
                    let _ = e.to_string();
                }
            }
        }
        5 => predictor_table(&write(name, file), false),
        6 => predictor_table(&write(name, file), true),
        _ => incidents(file),
    }
});

//! A country-year predictor table for the statistical risk forecast (the Early Warning
//! Project's layout: one row per country and year, a name column, a year column, numeric
//! predictors and 0/1 outcome columns). Empty cells and `NA` are missing values; anything else
//! that is not a number is an error naming the line and column, because a silently skipped
//! cell would change a country's risk without anyone noticing.

use crate::IngestError;
use sha2::{Digest, Sha256};
use std::path::Path;

/// Which columns play which part. Every column that is not the name, an ignored identifier or
/// an outcome is a predictor (the year column included: the published model uses it).
#[derive(Debug, Clone)]
pub struct Layout {
    pub name_column: String,
    pub year_column: String,
    /// The outcome the model learns.
    pub outcome: String,
    /// Every outcome column in the file (`outcome` among them): never predictors, and the
    /// published method trains only on rows where all of them are known.
    pub outcome_columns: Vec<String>,
    /// Identifier columns that are neither predictors nor outcomes.
    pub ignored: Vec<String>,
}

impl Layout {
    /// The Early Warning Project's 2025 table.
    pub fn early_warning_project(outcome: &str) -> Layout {
        Layout {
            name_column: "ewp_name".into(),
            year_column: "year".into(),
            outcome: outcome.into(),
            outcome_columns: ["mk_onset", "mk_onset_1", "mk_onset_2", "mk_onset_1or2"]
                .map(String::from)
                .to_vec(),
            ignored: vec!["ccode".into()],
        }
    }
}

/// The predictors of the Early Warning Project's table whose yearly change is added by
/// `--changes ewp`: every predictor whose value moves from year to year, except clocks,
/// markers, fixed traits, slow trends and the outcome's own history (docs/forecast.md, third
/// attempt, where this list was fixed before any result was seen).
pub const EARLY_WARNING_PROJECT_CHANGES: [&str; 23] = [
    "widetargeting",
    "narrowtargeting",
    "v2csgender_binary",
    "v2mecenefm_binary",
    "partyban.new.0",
    "partyban.new.1",
    "partyban.new.2",
    "minorityrule",
    "judicialreform",
    "religiousfreedom",
    "pol_killing_approved",
    "freediscussion",
    "social_inequality",
    "even_civilrights",
    "repress_civilsoc",
    "social_power_dist",
    "ses_power_dist",
    "discrimpop",
    "ios.iccpr1",
    "battledeaths.log2",
    "coup.try.5yr",
    "mk_ongoing_count_log2",
    "mean_mk_onset_interaction",
];

/// The whole table, values parsed, nothing dropped yet.
#[derive(Debug, Clone)]
pub struct PredictorTable {
    pub file: String,
    /// sha256 of the file's bytes, hex: the model's provenance.
    pub sha256: String,
    pub predictors: Vec<String>,
    pub outcome_columns: Vec<String>,
    pub names: Vec<String>,
    pub years: Vec<i32>,
    /// Per row, in `predictors` order.
    pub values: Vec<Vec<Option<f64>>>,
    /// Per row, in `outcome_columns` order.
    pub outcomes: Vec<Vec<Option<f64>>>,
    /// 1-based file line of each row (the header is line 1).
    pub lines: Vec<u64>,
}

/// Rows chosen to train on, with how many of the candidate rows were left out.
#[derive(Debug, Clone)]
pub struct Selection {
    pub rows: Vec<usize>,
    pub dropped: usize,
}

impl PredictorTable {
    pub fn outcome_index(&self, column: &str) -> Option<usize> {
        self.outcome_columns.iter().position(|c| c == column)
    }

    pub fn complete_predictors(&self, row: usize) -> Option<Vec<f64>> {
        self.values[row].iter().copied().collect()
    }

    /// Training rows: year ≤ `until`, every predictor and every outcome column known.
    pub fn training_rows(&self, until: i32) -> Selection {
        let candidates: Vec<usize> = (0..self.names.len())
            .filter(|&i| self.years[i] <= until)
            .collect();
        let rows: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                self.values[i].iter().all(Option::is_some)
                    && self.outcomes[i].iter().all(Option::is_some)
            })
            .collect();
        Selection {
            dropped: candidates.len() - rows.len(),
            rows,
        }
    }

    /// Forecast rows: the given year, every predictor known.
    pub fn forecast_rows(&self, year: i32) -> Selection {
        let candidates: Vec<usize> = (0..self.names.len())
            .filter(|&i| self.years[i] == year)
            .collect();
        let rows: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| self.values[i].iter().all(Option::is_some))
            .collect();
        Selection {
            dropped: candidates.len() - rows.len(),
            rows,
        }
    }

    /// Each row's row of the same country (by name) and the year before, if the table has one.
    fn year_before(&self) -> Vec<Option<usize>> {
        let row_of: std::collections::HashMap<(&str, i32), usize> = self
            .names
            .iter()
            .zip(&self.years)
            .enumerate()
            .map(|(i, (n, &y))| ((n.as_str(), y), i))
            .collect();
        (0..self.names.len())
            .map(|i| {
                row_of
                    .get(&(self.names[i].as_str(), self.years[i] - 1))
                    .copied()
            })
            .collect()
    }

    /// Those of `rows` whose country has no row of the year before: their changes read as 0.
    pub fn without_year_before(&self, rows: &[usize]) -> Vec<usize> {
        let previous = self.year_before();
        rows.iter()
            .copied()
            .filter(|&i| previous[i].is_none())
            .collect()
    }

    /// Adds, for each listed predictor, its change since the same country's row of the year
    /// before (`x(T) − x(T−1)`, rows matched by name). A country's first year, or a missing
    /// value the year before, counts as no change (0) rather than a missing cell, so adding
    /// changes never drops a row that the levels alone would keep.
    pub fn with_changes(mut self, columns: &[String]) -> Result<PredictorTable, IngestError> {
        let mut at = Vec::with_capacity(columns.len());
        for c in columns {
            let j =
                self.predictors
                    .iter()
                    .position(|p| p == c)
                    .ok_or_else(|| IngestError::Row {
                        file: self.file.clone(),
                        line: 1,
                        problem: format!(
                            "cannot take the change of '{c}': it is not a predictor column"
                        ),
                    })?;
            let name = change_column(c);
            if self.predictors.contains(&name) || at.contains(&j) {
                return Err(IngestError::Row {
                    file: self.file.clone(),
                    line: 1,
                    problem: format!("column '{name}' is already there"),
                });
            }
            at.push(j);
        }
        let previous = self.year_before();
        let added: Vec<Vec<Option<f64>>> = (0..self.names.len())
            .map(|i| {
                at.iter()
                    .map(|&j| {
                        let now = self.values[i][j]?;
                        let before = previous[i].and_then(|p| self.values[p][j]);
                        Some(before.map_or(0.0, |b| now - b))
                    })
                    .collect()
            })
            .collect();
        for (row, extra) in self.values.iter_mut().zip(added) {
            row.extend(extra);
        }
        self.predictors
            .extend(columns.iter().map(|c| change_column(c)));
        Ok(self)
    }
}

/// The name of the column holding a predictor's year-on-year change.
pub fn change_column(predictor: &str) -> String {
    format!("{predictor}.change")
}

fn missing(file: &str, what: &str, column: &str) -> IngestError {
    IngestError::Row {
        file: file.to_string(),
        line: 1,
        problem: format!("missing {what} column '{column}'"),
    }
}

pub fn read(path: &Path, layout: &Layout) -> Result<PredictorTable, IngestError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        file: file.clone(),
        source,
    })?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    parse(&file, &bytes, sha256, layout, None)
}

/// Like [`read`], but the listed predictors must all be present and are the only ones read
/// (a saved model applied to a newer table with extra columns).
pub fn read_for(
    path: &Path,
    layout: &Layout,
    predictors: &[String],
) -> Result<PredictorTable, IngestError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| IngestError::Io {
        file: file.clone(),
        source,
    })?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    parse(&file, &bytes, sha256, layout, Some(predictors))
}

fn parse(
    file: &str,
    bytes: &[u8],
    sha256: String,
    layout: &Layout,
    wanted: Option<&[String]>,
) -> Result<PredictorTable, IngestError> {
    let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| IngestError::Row {
            file: file.to_string(),
            line: 1,
            problem: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let position = |c: &str| header.iter().position(|h| h == c);
    let name_at =
        position(&layout.name_column).ok_or_else(|| missing(file, "name", &layout.name_column))?;
    let year_at =
        position(&layout.year_column).ok_or_else(|| missing(file, "year", &layout.year_column))?;
    let mut outcome_columns = layout.outcome_columns.clone();
    if !outcome_columns.contains(&layout.outcome) {
        outcome_columns.push(layout.outcome.clone());
    }
    let wanted_outcomes: Vec<String> = match wanted {
        // A forecast needs no outcome; keep those present for reference.
        Some(_) => outcome_columns
            .iter()
            .filter(|c| position(c).is_some())
            .cloned()
            .collect(),
        None => outcome_columns,
    };
    let outcome_at: Vec<usize> = wanted_outcomes
        .iter()
        .map(|c| position(c).ok_or_else(|| missing(file, "outcome", c)))
        .collect::<Result<_, _>>()?;
    let predictors: Vec<String> = match wanted {
        Some(list) => list.to_vec(),
        None => header
            .iter()
            .filter(|h| {
                **h != layout.name_column
                    && !layout.ignored.contains(h)
                    && !wanted_outcomes.contains(h)
            })
            .cloned()
            .collect(),
    };
    let predictor_at: Vec<usize> = predictors
        .iter()
        .map(|c| position(c).ok_or_else(|| missing(file, "predictor", c)))
        .collect::<Result<_, _>>()?;
    if predictors.is_empty() {
        return Err(IngestError::Row {
            file: file.to_string(),
            line: 1,
            problem: "no predictor columns".into(),
        });
    }
    let mut table = PredictorTable {
        file: file.to_string(),
        sha256,
        predictors,
        outcome_columns: wanted_outcomes,
        names: Vec::new(),
        years: Vec::new(),
        values: Vec::new(),
        outcomes: Vec::new(),
        lines: Vec::new(),
    };
    for record in reader.records() {
        let record = record.map_err(|e| IngestError::Row {
            file: file.to_string(),
            line: e.position().map_or(0, csv::Position::line),
            problem: e.to_string(),
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |at: usize| record.get(at).unwrap_or("").trim();
        let number = |at: usize| -> Result<Option<f64>, IngestError> {
            let v = cell(at);
            if v.is_empty() || v == "NA" {
                return Ok(None);
            }
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(IngestError::Field {
                    file: file.to_string(),
                    line,
                    field: header[at].clone(),
                    value: v.into(),
                    problem: "is not a number".into(),
                }),
            }
        };
        let year = match number(year_at)? {
            Some(y) if y.fract() == 0.0 && y.abs() < 1e5 => y as i32,
            _ => {
                return Err(IngestError::Field {
                    file: file.to_string(),
                    line,
                    field: layout.year_column.clone(),
                    value: cell(year_at).into(),
                    problem: "is not a year".into(),
                })
            }
        };
        let values = predictor_at
            .iter()
            .map(|&at| number(at))
            .collect::<Result<Vec<_>, _>>()?;
        let outcomes = outcome_at
            .iter()
            .map(|&at| number(at))
            .collect::<Result<Vec<_>, _>>()?;
        for (&at, v) in outcome_at.iter().zip(&outcomes) {
            if let Some(v) = v {
                if !(0.0..=1.0).contains(v) {
                    return Err(IngestError::Field {
                        file: file.to_string(),
                        line,
                        field: header[at].clone(),
                        value: cell(at).into(),
                        problem: "is not an outcome between 0 and 1".into(),
                    });
                }
            }
        }
        table.names.push(cell(name_at).to_string());
        table.years.push(year);
        table.values.push(values);
        table.outcomes.push(outcomes);
        table.lines.push(line);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        Layout {
            name_column: "country".into(),
            year_column: "year".into(),
            outcome: "onset2".into(),
            outcome_columns: vec!["onset".into(), "onset2".into()],
            ignored: vec!["code".into()],
        }
    }

    fn parse_str(s: &str) -> Result<PredictorTable, IngestError> {
        parse("t.csv", s.as_bytes(), String::new(), &layout(), None)
    }

    #[test]
    fn predictors_are_every_other_column_and_missing_cells_are_none() {
        let t = parse_str(
            "country,year,code,a,b,onset,onset2\nX,2000,1,0.5,,0,1\nY,2001,2,NA,3,0,\n\"Z, the\",2001,3,1,2,0,0\n",
        )
        .unwrap();
        assert_eq!(t.predictors, vec!["year", "a", "b"]);
        assert_eq!(t.values[0], vec![Some(2000.0), Some(0.5), None]);
        assert_eq!(t.names[2], "Z, the");
        let train = t.training_rows(2001);
        assert_eq!(train.rows, vec![2]);
        assert_eq!(train.dropped, 2);
        assert_eq!(t.forecast_rows(2001).rows, vec![2]);
        assert_eq!(t.lines, vec![2, 3, 4]);
    }

    #[test]
    fn a_word_in_a_number_column_names_line_and_column() {
        let e =
            parse_str("country,year,code,a,onset,onset2\nX,2000,1,0.5,0,1\nY,2001,2,high,0,0\n")
                .unwrap_err();
        assert_eq!(e.line(), Some(3));
        assert_eq!(e.field(), Some("a"));
        assert!(e.to_string().contains("'high'"), "{e}");
    }

    #[test]
    fn a_change_is_the_difference_from_the_same_countrys_year_before() {
        let t = parse_str(
            "country,year,a,b,onset,onset2\n\
             X,2000,1,5,0,0\n\
             Y,2000,10,,0,0\n\
             X,2001,4,7,0,0\n\
             Y,2001,12,3,1,1\n\
             X,2003,6,,0,0\n",
        )
        .unwrap()
        .with_changes(&["a".into(), "b".into()])
        .unwrap();
        assert_eq!(t.predictors, ["year", "a", "b", "a.change", "b.change"]);
        let change = |row: usize| t.values[row][3..].to_vec();
        // First year of each country: no change observed.
        assert_eq!(change(0), [Some(0.0), Some(0.0)]);
        assert_eq!(
            change(1),
            [Some(0.0), None],
            "a missing level stays missing"
        );
        // Matched by name, not by the row above.
        assert_eq!(change(2), [Some(3.0), Some(2.0)]);
        assert_eq!(
            change(3),
            [Some(2.0), Some(0.0)],
            "missing the year before: no change"
        );
        // 2002 is absent, so 2003 has nothing to compare with.
        assert_eq!(change(4), [Some(0.0), None]);
    }

    #[test]
    fn a_change_of_a_column_that_is_no_predictor_is_refused() {
        let t = parse_str("country,year,a,onset,onset2\nX,2000,1,0,0\n").unwrap();
        let e = t
            .clone()
            .with_changes(&["onset".into()])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'onset'") && e.contains("not a predictor"),
            "{e}"
        );
        let e = t
            .with_changes(&["a".into(), "a".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("a.change"), "{e}");
    }

    #[test]
    fn a_missing_outcome_column_is_named() {
        let e = parse_str("country,year,a,onset\nX,2000,1,0\n").unwrap_err();
        assert!(e.to_string().contains("'onset2'"), "{e}");
    }

    #[test]
    fn a_saved_model_names_the_predictor_the_file_lacks() {
        let e = parse(
            "t.csv",
            b"country,year,a\nX,2000,1\n",
            String::new(),
            &layout(),
            Some(&["a".into(), "gdp".into()]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("predictor column 'gdp'"), "{e}");
    }
}

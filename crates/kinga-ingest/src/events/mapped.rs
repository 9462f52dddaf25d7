//! Any CSV, through a small mapping file that names, for each event field, the column it comes
//! from. National and partner datasets use their own headers; the mapping keeps Kinga's
//! checks (dates, coordinates, deaths, countries) the same for all of them.
//!
//! ```text
//! # One `key = value` per line; `#` starts a comment.
//! dataset = sudan-monitor        # the name events are stored under
//! delimiter = ;                  # optional: , (default) ; | or tab
//! date_format = %d/%m/%Y         # optional: how the file writes dates (default YYYY-MM-DD)
//! external_id = Incident ID      # field = column
//! date_start = Date
//! country = Country
//! fatalities_best = Killed
//! ```
use super::table::Table;
use super::{countries, rejected, Row, Rows};
use crate::IngestError;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, Event};
use serde_json::{Map, Value};
use std::path::Path;

/// The event fields a mapping may fill, as `Event::from_json` names them.
pub const FIELDS: &[&str] = &[
    "external_id",
    "version",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "admin2",
    "place_name",
    "latitude",
    "longitude",
    "place_precision",
    "violence_type",
    "event_type",
    "sub_event_type",
    "civilian_targeting",
    "actor1",
    "actor2",
    "fatalities_best",
    "fatalities_low",
    "fatalities_high",
    "fatalities_civilians",
    "source",
    "source_count",
    "notes",
];

const REQUIRED: &[&str] = &["external_id", "date_start", "country"];

#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub dataset: Dataset,
    pub delimiter: u8,
    pub date_format: Option<String>,
    /// (event field, file column), in the mapping file's order.
    pub columns: Vec<(String, String)>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping, IngestError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| IngestError::Io {
            file: file.clone(),
            source,
        })?;
        Mapping::parse(&file, &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<Mapping, IngestError> {
        let bad = |line: usize, problem: String| IngestError::Mapping {
            file: file.to_string(),
            problem: format!("line {line}: {problem}"),
        };
        let mut dataset = None;
        let mut delimiter = b',';
        let mut date_format = None;
        let mut columns: Vec<(String, String)> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("").trim();
            if content.is_empty() {
                continue;
            }
            let Some((key, value)) = content.split_once('=') else {
                return Err(bad(line, "expected `field = column`".into()));
            };
            let (key, value) = (key.trim(), value.trim());
            match key {
                "dataset" => {
                    let d: Dataset = value.parse().map_err(|e| bad(line, e))?;
                    if matches!(d, Dataset::Other(_)) {
                        dataset = Some(d);
                    } else {
                        return Err(bad(
                            line,
                            format!("'{d}' has its own importer: use `kinga import` with it"),
                        ));
                    }
                }
                "delimiter" => {
                    delimiter = match value {
                        "," => b',',
                        ";" => b';',
                        "|" => b'|',
                        "tab" | "\\t" => b'\t',
                        _ => return Err(bad(line, "delimiter must be , ; | or tab".into())),
                    }
                }
                "date_format" => {
                    if !value.contains('%') {
                        return Err(bad(line, format!("'{value}' is not a date format")));
                    }
                    date_format = Some(value.to_string());
                }
                field if FIELDS.contains(&field) => {
                    if value.is_empty() {
                        return Err(bad(line, format!("{field}: the column name is empty")));
                    }
                    if columns.iter().any(|(f, _)| f == field) {
                        return Err(bad(line, format!("{field} is mapped twice")));
                    }
                    columns.push((field.to_string(), value.to_string()));
                }
                other => {
                    return Err(bad(
                        line,
                        format!(
                            "'{other}' is not an event field; fields: {}",
                            FIELDS.join(", ")
                        ),
                    ))
                }
            }
        }
        let missing: Vec<&str> = std::iter::once("dataset")
            .filter(|_| dataset.is_none())
            .chain(
                REQUIRED
                    .iter()
                    .copied()
                    .filter(|r| !columns.iter().any(|(f, _)| f == r)),
            )
            .collect();
        if !missing.is_empty() {
            return Err(IngestError::Mapping {
                file: file.to_string(),
                problem: format!("the mapping must name {}", missing.join(", ")),
            });
        }
        Ok(Mapping {
            dataset: dataset.expect("checked"),
            delimiter,
            date_format,
            columns,
        })
    }

    fn column(&self, field: &str) -> String {
        self.columns
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, c)| c.clone())
            .unwrap_or_else(|| field.to_string())
    }
}

pub fn open(path: &Path, mapping: &Mapping) -> Result<Rows, IngestError> {
    let required: Vec<&str> = mapping.columns.iter().map(|(_, c)| c.as_str()).collect();
    let table = Table::with_header(
        path.display().to_string(),
        super::table::input(path)?,
        mapping.delimiter,
        &required,
    )?;
    Ok(Box::new(MappedRows {
        table,
        mapping: mapping.clone(),
    }))
}

struct MappedRows {
    table: Table,
    mapping: Mapping,
}

impl Iterator for MappedRows {
    type Item = Result<Row, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.table.advance()? {
            Err(e) => Some(Err(e)),
            Ok(Some(bad)) => Some(Ok(bad)),
            Ok(None) => Some(Ok(row(&self.table, &self.mapping))),
        }
    }
}

fn row(t: &Table, m: &Mapping) -> Row {
    let mut obj = Map::new();
    obj.insert("dataset".into(), Value::String(m.dataset.to_string()));
    for (field, column) in &m.columns {
        let cell = t.cell(column);
        if cell.is_empty() {
            continue;
        }
        let value = match field.as_str() {
            "date_start" | "date_end" => match &m.date_format {
                Some(f) => match NaiveDate::parse_from_str(cell, f) {
                    Ok(d) => d.format("%Y-%m-%d").to_string(),
                    Err(_) => return t.reject(column, format!("is not a date in the form {f}")),
                },
                None => cell.to_string(),
            },
            "country" => match countries::resolve(cell) {
                Some(c) => c.code().to_string(),
                None => return t.reject(column, "is not a country name Kinga knows (ISO 3166)"),
            },
            _ => cell.to_string(),
        };
        obj.insert(field.clone(), Value::String(value));
    }
    match Event::from_json(&Value::Object(obj)) {
        Ok(e) => Row::Event(Box::new(e)),
        Err(errors) => rejected(t.line(), errors, |f| m.column(f)),
    }
}

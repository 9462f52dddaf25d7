//! Onset files: the known beginnings of escalations a backtest is judged against.
//! Header `country,admin1,onset,label`; `admin1` may be empty (the whole country); `onset` is a
//! date (YYYY-MM-DD); `country` is an ISO 3166-1 code or English short name.
use chrono::NaiveDate;
use kinga_domain::Country;
use serde::Serialize;
use std::io::Read;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Onset {
    pub country: Country,
    pub admin1: Option<String>,
    pub onset: NaiveDate,
    pub label: String,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OnsetError {
    #[error("{source_name}: the header lacks the column(s) {missing}; expected country,admin1,onset,label")]
    MissingColumns {
        source_name: String,
        missing: String,
    },
    #[error("{source_name}, line {line}, field {field}: {message}")]
    Field {
        source_name: String,
        line: u64,
        field: String,
        message: String,
    },
    #[error("{source_name}, line {line}: {message}")]
    Row {
        source_name: String,
        line: u64,
        message: String,
    },
}

const COLUMNS: [&str; 4] = ["country", "admin1", "onset", "label"];

/// Reads every onset, or fails at the first bad line naming it and its field: a backtest against
/// half an onset list would report figures nobody asked for.
pub fn read_onsets(input: impl Read, source_name: &str) -> Result<Vec<Onset>, OnsetError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(input);
    let row_error = |line: u64, message: String| OnsetError::Row {
        source_name: source_name.to_string(),
        line,
        message,
    };
    let header = reader
        .headers()
        .map_err(|e| row_error(1, e.to_string()))?
        .clone();
    let index = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}').eq_ignore_ascii_case(name))
    };
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| index(c).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(OnsetError::MissingColumns {
            source_name: source_name.to_string(),
            missing: missing.join(", "),
        });
    }
    let [c, a, o, l] = COLUMNS.map(|name| index(name).unwrap_or_default());
    let mut onsets = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(csv::Position::line).unwrap_or(0);
            row_error(line, e.to_string())
        })?;
        let line = record.position().map(csv::Position::line).unwrap_or(0);
        let field_error = |field: &str, message: String| OnsetError::Field {
            source_name: source_name.to_string(),
            line,
            field: field.to_string(),
            message,
        };
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let country_text = get(c);
        if country_text.is_empty() {
            return Err(field_error("country", "is empty".into()));
        }
        let country = Country::parse(country_text)
            .ok()
            .or_else(|| Country::from_name(country_text))
            .ok_or_else(|| {
                field_error(
                    "country",
                    format!("'{country_text}' is neither an ISO 3166-1 code nor a country name"),
                )
            })?;
        let onset = NaiveDate::parse_from_str(get(o), "%Y-%m-%d").map_err(|_| {
            field_error("onset", format!("'{}' is not a date (YYYY-MM-DD)", get(o)))
        })?;
        let admin1 = Some(get(a).to_string()).filter(|s| !s.is_empty());
        onsets.push(Onset {
            country,
            admin1,
            onset,
            label: get(l).to_string(),
        });
    }
    Ok(onsets)
}

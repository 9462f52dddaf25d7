//! A delimited file read by column name, for the formats that are plain tables (ACLED, GDELT,
//! mapped CSV). The header is checked once, listing every missing column; rows are then read
//! into one reused record.
use super::{Rejected, Row};
use crate::IngestError;
use csv::StringRecord;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

pub struct Table {
    pub file: String,
    csv: csv::Reader<Box<dyn Read + Send>>,
    at: HashMap<String, usize>,
    width: usize,
    pub record: StringRecord,
    /// A first row read to recognise the format, handed out before the rest.
    pending: Option<StringRecord>,
    finished: bool,
}

/// Opens a file for reading; a `.zip` archive yields its first file (GDELT publishes its daily
/// exports zipped).
pub fn input(path: &Path) -> Result<Box<dyn Read + Send>, IngestError> {
    let name = path.display().to_string();
    let io = |source: std::io::Error| IngestError::Io {
        file: name.clone(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let zipped = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"));
    if !zipped {
        return Ok(Box::new(std::io::BufReader::with_capacity(1 << 20, file)));
    }
    let mut archive =
        zip::ZipArchive::new(file).map_err(|e| io(std::io::Error::other(e.to_string())))?;
    if archive.is_empty() {
        return Err(io(std::io::Error::other("the archive is empty")));
    }
    // A daily GDELT file is tens of megabytes unzipped: reading it whole is simpler than
    // streaming through the archive's borrow.
    let mut entry = archive
        .by_index(0)
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    // The size is the archive's own claim, and a forged one (2^62 bytes) would abort the
    // process on reserving it: reserve at most a daily file's worth and let the read grow the
    // buffer to what is really there.
    let mut bytes = Vec::with_capacity(entry.size().min(64 << 20) as usize);
    entry.read_to_end(&mut bytes).map_err(io)?;
    Ok(Box::new(Cursor::new(bytes)))
}

fn clean(name: &str) -> String {
    name.trim_start_matches('\u{feff}').trim().to_string()
}

impl Table {
    /// A table whose first line is its header. `required` columns must all be present.
    pub fn with_header(
        file: String,
        input: Box<dyn Read + Send>,
        delimiter: u8,
        required: &[&str],
    ) -> Result<Table, IngestError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(input);
        let mut header = StringRecord::new();
        let read = csv.read_record(&mut header).map_err(|e| IngestError::Row {
            file: file.clone(),
            line: 1,
            problem: e.to_string(),
        })?;
        if !read {
            return Err(IngestError::Row {
                file,
                line: 1,
                problem: "is empty: there is no header line".into(),
            });
        }
        let names: Vec<String> = header.iter().map(clean).collect();
        Table::build(file, csv, &names, required, None)
    }

    /// A table whose columns are `names`, given by the format (GDELT's published exports have
    /// no header); `first` is a row already read to recognise the format.
    pub fn with_names(
        file: String,
        csv: csv::Reader<Box<dyn Read + Send>>,
        names: &[&str],
        first: Option<StringRecord>,
    ) -> Result<Table, IngestError> {
        let names: Vec<String> = names.iter().map(ToString::to_string).collect();
        Table::build(file, csv, &names, &[], first)
    }

    fn build(
        file: String,
        csv: csv::Reader<Box<dyn Read + Send>>,
        names: &[String],
        required: &[&str],
        pending: Option<StringRecord>,
    ) -> Result<Table, IngestError> {
        let mut at = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            at.entry(n.clone()).or_insert(i);
        }
        let missing: Vec<String> = required
            .iter()
            .filter(|c| !at.contains_key(**c))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                file,
                columns: missing,
            });
        }
        Ok(Table {
            file,
            csv,
            at,
            width: names.len(),
            record: StringRecord::new(),
            pending,
            finished: false,
        })
    }

    pub fn has(&self, column: &str) -> bool {
        self.at.contains_key(column)
    }

    /// The trimmed cell of `column` in the current row, empty when absent.
    pub fn cell(&self, column: &str) -> &str {
        self.at
            .get(column)
            .and_then(|i| self.record.get(*i))
            .map(str::trim)
            .unwrap_or("")
    }

    pub fn line(&self) -> u64 {
        self.record.position().map_or(0, csv::Position::line)
    }

    /// Reads the next row into `record`: `None` at the end, `Some(Ok(None))` for a row to use,
    /// `Some(Ok(Some(row)))` for a row already rejected (wrong number of cells).
    pub fn advance(&mut self) -> Option<Result<Option<Row>, IngestError>> {
        if self.finished {
            return None;
        }
        if let Some(first) = self.pending.take() {
            self.record = first;
        } else {
            match self.csv.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.finished = true;
                    return None;
                }
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    if e.is_io_error() {
                        self.finished = true;
                        return Some(Err(IngestError::Io {
                            file: self.file.clone(),
                            source: std::io::Error::other(e.to_string()),
                        }));
                    }
                    return Some(Ok(Some(Row::Rejected(Rejected {
                        line,
                        column: String::new(),
                        value: String::new(),
                        reason: e.to_string(),
                    }))));
                }
            }
        }
        if self.record.len() != self.width {
            return Some(Ok(Some(Row::Rejected(Rejected {
                line: self.line(),
                column: String::new(),
                value: String::new(),
                reason: format!(
                    "has {} fields where the header has {}",
                    self.record.len(),
                    self.width
                ),
            }))));
        }
        Some(Ok(None))
    }

    /// A rejection of the current row's `column`.
    pub fn reject(&self, column: &str, reason: impl Into<String>) -> Row {
        Row::Rejected(Rejected {
            line: self.line(),
            column: column.to_string(),
            value: self.cell(column).chars().take(200).collect(),
            reason: reason.into(),
        })
    }
}

/// Parses an optional number cell; `Err` carries the reason.
pub fn number<T: std::str::FromStr>(cell: &str, what: &str) -> Result<Option<T>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    cell.parse().map(Some).map_err(|_| format!("is not {what}"))
}

/// A count of deaths: whole and not negative (a decimal point with only zeros after it, as R
/// and spreadsheet exports write, is accepted).
pub fn deaths(cell: &str) -> Result<Option<u32>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    let whole = cell.strip_suffix(".0").unwrap_or(cell);
    match whole.parse::<i64>() {
        Ok(n) if n < 0 => Err("is a negative number of deaths".into()),
        Ok(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| "is too large".into()),
        Err(_) => Err("is not a whole number of deaths".into()),
    }
}

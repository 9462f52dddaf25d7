//! Streams a GED CSV file. One record buffer is reused for every row, so a full GED release
//! (some 300,000 events) is read in constant memory.
use super::columns::Columns;
use super::event::{GedEvent, Row};
use crate::IngestError;
use csv::{ErrorKind, StringRecord};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Yields one `Result<GedEvent, IngestError>` per data row. A bad row yields an error and the
/// reader moves on to the next, so one import run can list every bad cell; only a read failure
/// of the underlying file ends the stream.
pub struct GedReader<R: Read> {
    file: String,
    csv: csv::Reader<R>,
    columns: Columns,
    record: StringRecord,
    finished: bool,
}

impl GedReader<File> {
    /// Opens a file; errors name it as given.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, IngestError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = File::open(path).map_err(|source| IngestError::Io {
            file: name.clone(),
            source,
        })?;
        GedReader::new(name, file)
    }
}

impl<R: Read> GedReader<R> {
    /// Reads the header line and checks the required columns are there; `file` is the name
    /// errors will use.
    pub fn new(file: impl Into<String>, input: R) -> Result<Self, IngestError> {
        let file = file.into();
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(true)
            // Row length is checked by hand so a short row is an error with its line, the
            // same as any bad cell, instead of a differently worded CSV-library error.
            .flexible(true)
            .from_reader(input);
        let header = csv
            .headers()
            .map_err(|e| csv_error(&file, e, None))?
            .clone();
        let columns = Columns::from_header(&file, &header)?;
        Ok(GedReader {
            file,
            csv,
            columns,
            record: StringRecord::new(),
            finished: false,
        })
    }

    /// The name errors use for this file.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The line the last row read starts on.
    pub fn line(&self) -> u64 {
        self.record.position().map_or(0, csv::Position::line)
    }
}

impl<R: Read> Iterator for GedReader<R> {
    type Item = Result<GedEvent, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        match self.csv.read_record(&mut self.record) {
            Ok(false) => {
                self.finished = true;
                None
            }
            Ok(true) => {
                let line = self.record.position().map_or(0, csv::Position::line);
                let expected = self.columns.width();
                if self.record.len() != expected {
                    return Some(Err(IngestError::Row {
                        file: self.file.clone(),
                        line,
                        problem: format!(
                            "has {} fields where the header has {expected}",
                            self.record.len()
                        ),
                    }));
                }
                let row = Row {
                    file: &self.file,
                    line,
                    record: &self.record,
                    columns: &self.columns,
                };
                Some(row.event())
            }
            Err(e) => {
                // After an I/O error the reader's position is unknown; retrying could loop.
                if e.is_io_error() {
                    self.finished = true;
                }
                Some(Err(csv_error(&self.file, e, Some(&self.columns))))
            }
        }
    }
}

fn csv_error(file: &str, e: csv::Error, columns: Option<&Columns>) -> IngestError {
    let line = e.position().map_or(1, csv::Position::line);
    let message = e.to_string();
    let problem = match e.into_kind() {
        ErrorKind::Io(source) => {
            return IngestError::Io {
                file: file.to_string(),
                source,
            }
        }
        ErrorKind::Utf8 { err, .. } => {
            let field = columns
                .and_then(|c| c.name_at(err.field()))
                .map_or_else(|| format!("#{}", err.field() + 1), str::to_string);
            format!("field {field} is not valid UTF-8")
        }
        _ => message,
    };
    IngestError::Row {
        file: file.to_string(),
        line,
        problem,
    }
}

//! Importers of published event data into Kinga's normalised events: UCDP GED and Candidate,
//! ACLED exports, GDELT 1.0 and 2.0 event files, and any CSV through a small mapping file.
//! Each format reader turns a file into a stream of [`Row`]s; [`run::import`] writes them in
//! batches and sends rejected rows to a quarantine file with their line and reason.
mod acled;
pub mod countries;
mod gdelt;
mod ged;
mod mapped;
pub mod quarantine;
mod table;

pub use ged::read as read_ucdp;
pub use mapped::Mapping;

use crate::IngestError;
use kinga_domain::event::Event;
use kinga_domain::ValidationErrors;
use std::path::Path;

/// One data row of an input file, read.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Event(Box<Event>),
    /// A row that cannot become an event, and why; it goes to quarantine.
    Rejected(Rejected),
    /// A row the format carries that is not violence (GDELT's other CAMEO roots).
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The file's column the problem is in, empty when it is about the whole row.
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A stream of rows; an `Err` ends it (the file stopped being readable).
pub type Rows = Box<dyn Iterator<Item = Result<Row, IngestError>> + Send>;

/// The formats `kinga import` reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Format {
    UcdpGed,
    UcdpCandidate,
    Acled,
    Gdelt,
    Csv(Mapping),
}

impl Format {
    pub fn name(&self) -> &str {
        match self {
            Format::UcdpGed => "ucdp",
            Format::UcdpCandidate => "ucdp-candidate",
            Format::Acled => "acled",
            Format::Gdelt => "gdelt",
            Format::Csv(_) => "csv",
        }
    }
}

/// Opens `path` in `format`, checking its header first: a file without the columns the format
/// needs fails here, listing every missing column, before anything is imported.
pub fn open(format: &Format, path: &Path) -> Result<Rows, IngestError> {
    match format {
        Format::UcdpGed => ged::open(path, kinga_domain::event::Dataset::UcdpGed),
        Format::UcdpCandidate => ged::open(path, kinga_domain::event::Dataset::UcdpCandidate),
        Format::Acled => acled::open(path),
        Format::Gdelt => gdelt::open(path),
        Format::Csv(mapping) => mapped::open(path, mapping),
    }
}

/// Turns a validation failure into a quarantine row, naming the file's own column for each
/// event field.
pub(crate) fn rejected(
    line: u64,
    errors: ValidationErrors,
    column_of: impl Fn(&str) -> String,
) -> Row {
    let first = errors.errors.first();
    let field = first
        .map(|e| e.path.trim_start_matches("$.").to_string())
        .unwrap_or_default();
    Row::Rejected(Rejected {
        line,
        column: column_of(&field),
        value: String::new(),
        reason: errors
            .errors
            .iter()
            .map(|e| {
                format!(
                    "{}: {}",
                    column_of(e.path.trim_start_matches("$.")),
                    e.message
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    })
}

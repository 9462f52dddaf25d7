use std::fmt;

/// Everything that can go wrong while reading an external dataset. Each variant carries the file
/// name so errors from a batch of files stay attributable once collected in one list.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: missing required column {column}")]
    MissingColumn { file: String, column: &'static str },
    /// The header lacks columns the format needs: the wrong file, or the wrong delimiter.
    #[error("{file}: missing required columns: {}", columns.join(", "))]
    MissingColumns { file: String, columns: Vec<String> },
    #[error("{file}: {problem}")]
    Mapping { file: String, problem: String },
    /// The row itself is malformed (wrong number of cells, broken quoting).
    #[error("{file} line {line}: {problem}")]
    Row {
        file: String,
        line: u64,
        problem: String,
    },
    #[error("{file} line {line}, field {field}: '{value}' {problem}")]
    Field {
        file: String,
        line: u64,
        field: String,
        value: Clipped,
        problem: String,
    },
}

impl IngestError {
    /// The 1-based line the error is on (the header is line 1), when it is about one row.
    pub fn line(&self) -> Option<u64> {
        match self {
            IngestError::Row { line, .. } | IngestError::Field { line, .. } => Some(*line),
            _ => None,
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            IngestError::Field { field, .. } => Some(field),
            IngestError::MissingColumn { column, .. } => Some(column),
            _ => None,
        }
    }
}

/// An offending value as shown in an error. GED source cells run to thousands of characters;
/// an error message only needs enough of one to recognise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clipped(pub String);

const SHOWN_CHARS: usize = 80;

impl From<&str> for Clipped {
    fn from(s: &str) -> Self {
        Clipped(s.to_string())
    }
}

impl fmt::Display for Clipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(SHOWN_CHARS) {
            Some((cut, _)) => write!(f, "{}…", &self.0[..cut]),
            None => f.write_str(&self.0),
        }
    }
}

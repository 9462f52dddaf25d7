//! The quarantine file: every rejected row with its line and the reason, as CSV, so a monitor
//! can fix the source file cell by cell and import again.
use super::Rejected;
use crate::IngestError;
use std::fs::File;
use std::path::{Path, PathBuf};

pub struct Quarantine {
    path: PathBuf,
    writer: Option<csv::Writer<File>>,
    pub rows: u64,
}

impl Quarantine {
    /// Nothing is created until the first rejected row.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Quarantine {
            path: path.into(),
            writer: None,
            rows: 0,
        }
    }

    /// Where rejected rows of `input` go when no path is given: the current directory, since
    /// published datasets often sit in read-only folders.
    pub fn default_path(input: &Path) -> PathBuf {
        let mut name = input
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_else(|| "import".into());
        name.push(".rejected.csv");
        PathBuf::from(name)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn write(&mut self, r: &Rejected) -> Result<(), IngestError> {
        let file = self.path.display().to_string();
        let io = |e: csv::Error| IngestError::Io {
            file: file.clone(),
            source: std::io::Error::other(e.to_string()),
        };
        if self.writer.is_none() {
            let mut w = csv::Writer::from_path(&self.path).map_err(io)?;
            w.write_record(["line", "column", "value", "reason"])
                .map_err(io)?;
            self.writer = Some(w);
        }
        let w = self.writer.as_mut().expect("opened above");
        w.write_record([r.line.to_string().as_str(), &r.column, &r.value, &r.reason])
            .map_err(io)?;
        self.rows += 1;
        Ok(())
    }

    pub fn finish(&mut self) -> Result<(), IngestError> {
        if let Some(w) = self.writer.as_mut() {
            w.flush().map_err(|source| IngestError::Io {
                file: self.path.display().to_string(),
                source,
            })?;
        }
        Ok(())
    }
}

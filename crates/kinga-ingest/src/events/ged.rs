//! UCDP GED and UCDP Candidate files, through the GED reader: Candidate releases use the GED
//! columns, so the one reader serves both; the dataset name keeps their ids apart.
use super::{rejected, Rejected, Row, Rows};
use crate::ucdp::columns::Col;
use crate::ucdp::{GedEvent, GedReader};
use crate::IngestError;
use kinga_domain::event::{Dataset, NewEvent};
use kinga_domain::incident::Fatalities;
use kinga_domain::vocab::ucdp::ViolenceType;
use std::path::Path;

fn check_header(path: &Path) -> Result<(), IngestError> {
    let file = path.display().to_string();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(super::table::input(path)?);
    let mut header = csv::StringRecord::new();
    csv.read_record(&mut header).map_err(|e| IngestError::Row {
        file: file.clone(),
        line: 1,
        problem: e.to_string(),
    })?;
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let missing: Vec<String> = Col::ALL
        .iter()
        .filter(|c| c.required() && !names.iter().any(|n| n == c.name()))
        .map(|c| c.name().to_string())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(IngestError::MissingColumns {
            file,
            columns: missing,
        })
    }
}

pub fn open(path: &Path, dataset: Dataset) -> Result<Rows, IngestError> {
    check_header(path)?;
    read(
        path.display().to_string(),
        super::table::input(path)?,
        dataset,
    )
}

/// GED or Candidate rows from any reader (the demo reads its embedded file); `file` names it
/// in errors.
pub fn read(
    file: String,
    input: Box<dyn std::io::Read + Send>,
    dataset: Dataset,
) -> Result<Rows, IngestError> {
    let reader = GedReader::new(file, input)?;
    Ok(Box::new(GedRows { reader, dataset }))
}

struct GedRows<R: std::io::Read> {
    reader: GedReader<R>,
    dataset: Dataset,
}

impl<R: std::io::Read> Iterator for GedRows<R> {
    type Item = Result<Row, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(match self.reader.next()? {
            Ok(g) => Ok(convert(g, self.dataset.clone(), self.reader.line())),
            Err(IngestError::Field {
                line,
                field,
                value,
                problem,
                ..
            }) => Ok(Row::Rejected(Rejected {
                line,
                column: field,
                value: value.0.chars().take(200).collect(),
                reason: problem,
            })),
            Err(IngestError::Row { line, problem, .. }) => Ok(Row::Rejected(Rejected {
                line,
                column: String::new(),
                value: String::new(),
                reason: problem,
            })),
            Err(other) => Err(other),
        })
    }
}

/// The GED column an event field comes from, for quarantine messages.
fn column_of(field: &str) -> String {
    match field {
        "external_id" => "id",
        "date_end" => "date_end",
        "date_precision" => "date_prec",
        "place_precision" => "where_prec",
        "admin1" => "adm_1",
        "admin2" => "adm_2",
        "place_name" => "where_description",
        "actor1" => "side_a",
        "actor2" => "side_b",
        "source" => "source_original",
        other => other,
    }
    .to_string()
}

fn convert(g: GedEvent, dataset: Dataset, line: u64) -> Row {
    let mut n = NewEvent::new(dataset, g.id.to_string(), g.date_start, g.country);
    n.date_end = Some(g.date_end);
    n.date_precision = g.date_prec;
    n.admin1 = g.adm_1;
    n.admin2 = g.adm_2;
    n.place_name = g.where_description;
    n.latitude = Some(g.latitude);
    n.longitude = Some(g.longitude);
    n.place_precision = Some(g.where_prec);
    n.violence_type = Some(g.type_of_violence);
    n.civilian_targeting = g.type_of_violence == ViolenceType::OneSided;
    n.actor1 = Some(g.side_a);
    n.actor2 = Some(g.side_b);
    n.fatalities = Fatalities {
        best: Some(g.best),
        low: Some(g.low),
        high: Some(g.high),
        civilians: Some(g.deaths_civilians),
    };
    n.source = g.source_original.or(g.source_article);
    n.source_count = g.number_of_sources;
    n.notes = Some(g.conflict_name);
    match n.validate() {
        Ok(e) => Row::Event(Box::new(e)),
        Err(errors) => rejected(line, errors, column_of),
    }
}

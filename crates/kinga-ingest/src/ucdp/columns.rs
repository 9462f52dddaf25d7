//! Where each GED column sits in a file. Releases and their R/GeoJSON conversions order and
//! number the columns differently, so positions are looked up by header name once per file.
use crate::IngestError;
use csv::StringRecord;

macro_rules! columns {
    ($($col:ident => $name:literal, $required:literal;)*) => {
        /// The GED columns Kinga reads; every other column is ignored.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Col { $($col),* }

        impl Col {
            pub(crate) const ALL: &'static [Col] = &[$(Col::$col),*];

            pub(crate) fn name(self) -> &'static str {
                match self { $(Col::$col => $name),* }
            }

            pub(crate) fn required(self) -> bool {
                match self { $(Col::$col => $required),* }
            }
        }
    };
}

// Required: what identifies, dates, places, classifies or counts an event; without it there is
// no sound incident. Optional: provenance and descriptive text, which GED extracts often drop.
columns! {
    Id => "id", true;
    Year => "year", true;
    TypeOfViolence => "type_of_violence", true;
    ConflictName => "conflict_name", true;
    DyadName => "dyad_name", true;
    SideA => "side_a", true;
    SideANewId => "side_a_new_id", false;
    SideB => "side_b", true;
    NumberOfSources => "number_of_sources", false;
    SourceArticle => "source_article", false;
    SourceOffice => "source_office", false;
    SourceDate => "source_date", false;
    SourceHeadline => "source_headline", false;
    SourceOriginal => "source_original", false;
    WherePrec => "where_prec", true;
    WhereDescription => "where_description", false;
    Adm1 => "adm_1", false;
    Adm2 => "adm_2", false;
    Country => "country", true;
    DatePrec => "date_prec", true;
    DateStart => "date_start", true;
    DateEnd => "date_end", true;
    DeathsCivilians => "deaths_civilians", true;
    Best => "best", true;
    High => "high", true;
    Low => "low", true;
    Latitude => "latitude", true;
    Longitude => "longitude", true;
}

/// Position of each [`Col`] in the file's rows, `None` for an absent optional column.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    at: Vec<Option<usize>>,
    names: Vec<String>,
}

impl Columns {
    pub(crate) fn from_header(file: &str, header: &StringRecord) -> Result<Self, IngestError> {
        // Spreadsheet exports prepend a byte-order mark that would hide the first column's name.
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let mut at = Vec::with_capacity(Col::ALL.len());
        for &col in Col::ALL {
            let pos = names.iter().position(|n| n == col.name());
            if pos.is_none() && col.required() {
                return Err(IngestError::MissingColumn {
                    file: file.to_string(),
                    column: col.name(),
                });
            }
            at.push(pos);
        }
        Ok(Columns { at, names })
    }

    pub(crate) fn get<'r>(&self, record: &'r StringRecord, col: Col) -> Option<&'r str> {
        self.at[col as usize].and_then(|i| record.get(i))
    }

    /// How many cells every row must have.
    pub(crate) fn width(&self) -> usize {
        self.names.len()
    }

    /// The header name of a column by position, for errors the CSV layer reports by index.
    pub(crate) fn name_at(&self, index: usize) -> Option<&str> {
        self.names.get(index).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_columns_in_any_order_and_names_a_missing_one() {
        let all: Vec<&str> = Col::ALL.iter().rev().map(|c| c.name()).collect();
        let cols = Columns::from_header("x.csv", &StringRecord::from(all.clone())).unwrap();
        let row = StringRecord::from(all);
        assert_eq!(cols.get(&row, Col::Id), Some("id"));
        assert_eq!(cols.get(&row, Col::Longitude), Some("longitude"));

        let without_best: Vec<&str> = Col::ALL
            .iter()
            .map(|c| c.name())
            .filter(|n| *n != "best")
            .collect();
        let err = Columns::from_header("x.csv", &StringRecord::from(without_best)).unwrap_err();
        assert_eq!(err.to_string(), "x.csv: missing required column best");
    }

    #[test]
    fn optional_columns_may_be_absent_and_a_bom_is_ignored() {
        let mut names: Vec<String> = Col::ALL
            .iter()
            .filter(|c| c.required())
            .map(|c| c.name().to_string())
            .collect();
        names[0] = format!("\u{feff}{}", names[0]);
        let cols = Columns::from_header("x.csv", &StringRecord::from(names.clone())).unwrap();
        let row = StringRecord::from(names);
        assert!(cols.get(&row, Col::Id).is_some());
        assert_eq!(cols.get(&row, Col::SourceHeadline), None);
    }
}

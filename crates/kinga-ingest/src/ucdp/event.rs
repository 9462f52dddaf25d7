//! One GED row, checked. Only the columns Kinga uses are kept; each is validated against the
//! GED codebook so a bad cell fails here, with its line, rather than deep in an import.
use super::columns::{Col, Columns};
use super::countries::country_from_ucdp;
use super::values;
use crate::IngestError;
use chrono::NaiveDate;
use csv::StringRecord;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Country;

/// A GED event. Optional text is `None` when the cell is empty or the column absent.
#[derive(Debug, Clone, PartialEq)]
pub struct GedEvent {
    pub id: u64,
    pub year: u16,
    pub type_of_violence: ViolenceType,
    pub conflict_name: String,
    pub dyad_name: String,
    pub side_a: String,
    pub side_a_new_id: Option<u64>,
    pub side_b: String,
    /// `None` when UCDP codes the count as unknown (-1).
    pub number_of_sources: Option<u32>,
    pub source_article: Option<String>,
    pub source_office: Option<String>,
    /// Kept as text: multi-source events list several dates separated by `;`.
    pub source_date: Option<String>,
    pub source_headline: Option<String>,
    pub source_original: Option<String>,
    /// UCDP place precision, 1 (exact location) to 7 (international waters or airspace).
    pub where_prec: u8,
    pub where_description: Option<String>,
    pub adm_1: Option<String>,
    pub adm_2: Option<String>,
    pub country: Country,
    /// UCDP date precision, 1 (exact day) to 5 (within the year).
    pub date_prec: u8,
    pub date_start: NaiveDate,
    pub date_end: NaiveDate,
    pub deaths_civilians: u32,
    pub best: u32,
    pub high: u32,
    pub low: u32,
    pub latitude: f64,
    pub longitude: f64,
}

/// A row being read, with what an error needs to say where it is.
pub(crate) struct Row<'a> {
    pub file: &'a str,
    pub line: u64,
    pub record: &'a StringRecord,
    pub columns: &'a Columns,
}

impl Row<'_> {
    fn cell(&self, col: Col) -> &str {
        self.columns
            .get(self.record, col)
            .map(str::trim)
            .unwrap_or("")
    }

    fn error(&self, col: Col, value: &str, problem: impl Into<String>) -> IngestError {
        IngestError::Field {
            file: self.file.to_string(),
            line: self.line,
            field: col.name().to_string(),
            value: value.into(),
            problem: problem.into(),
        }
    }

    fn parse<T>(
        &self,
        col: Col,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, IngestError> {
        let value = self.cell(col);
        f(value).map_err(|problem| self.error(col, value, problem))
    }

    fn text(&self, col: Col) -> Option<String> {
        Some(self.cell(col))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }

    fn required_text(&self, col: Col) -> Result<String, IngestError> {
        self.text(col)
            .ok_or_else(|| self.error(col, "", "is empty but required"))
    }

    fn optional<T>(
        &self,
        col: Col,
        f: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, IngestError> {
        match self.cell(col) {
            "" => Ok(None),
            _ => self.parse(col, f).map(Some),
        }
    }

    pub(crate) fn event(&self) -> Result<GedEvent, IngestError> {
        let type_of_violence = self.parse(Col::TypeOfViolence, |s| {
            values::code(s, 1, 3).map(|c| ViolenceType::from_code(c).expect("1 to 3"))
        })?;
        let number_of_sources = self.optional(Col::NumberOfSources, |s| match s {
            "-1" | "-1.0" => Ok(None),
            _ => values::whole_u32(s).map(Some),
        })?;
        let country = self.parse(Col::Country, |s| {
            country_from_ucdp(s).ok_or_else(|| {
                "is not a country name known to the ISO 3166 list or the UCDP alias table"
                    .to_string()
            })
        })?;
        let date_start = self.parse(Col::DateStart, values::date)?;
        let date_end = self.parse(Col::DateEnd, values::date)?;
        if date_end < date_start {
            return Err(self.error(
                Col::DateEnd,
                self.cell(Col::DateEnd),
                format!("is before date_start {date_start}"),
            ));
        }
        // low <= best <= high is not enforced: GED v23.1 itself breaks it in some rows
        // (e.g. low 7, high 6), and an import must keep the published estimates as published.
        Ok(GedEvent {
            id: self.parse(Col::Id, values::whole)?,
            year: self.parse(Col::Year, |s| {
                values::whole(s).and_then(|y| u16::try_from(y).map_err(|_| "is not a year".into()))
            })?,
            type_of_violence,
            conflict_name: self.required_text(Col::ConflictName)?,
            dyad_name: self.required_text(Col::DyadName)?,
            side_a: self.required_text(Col::SideA)?,
            side_a_new_id: self.optional(Col::SideANewId, values::whole)?,
            side_b: self.required_text(Col::SideB)?,
            number_of_sources: number_of_sources.flatten(),
            source_article: self.text(Col::SourceArticle),
            source_office: self.text(Col::SourceOffice),
            source_date: self.text(Col::SourceDate),
            source_headline: self.text(Col::SourceHeadline),
            source_original: self.text(Col::SourceOriginal),
            where_prec: self.parse(Col::WherePrec, |s| values::code(s, 1, 7))?,
            where_description: self.text(Col::WhereDescription),
            adm_1: self.text(Col::Adm1),
            adm_2: self.text(Col::Adm2),
            country,
            date_prec: self.parse(Col::DatePrec, |s| values::code(s, 1, 5))?,
            date_start,
            date_end,
            deaths_civilians: self.parse(Col::DeathsCivilians, values::whole_u32)?,
            best: self.parse(Col::Best, values::whole_u32)?,
            high: self.parse(Col::High, values::whole_u32)?,
            low: self.parse(Col::Low, values::whole_u32)?,
            latitude: self.parse(Col::Latitude, |s| values::degrees(s, 90.0))?,
            longitude: self.parse(Col::Longitude, |s| values::degrees(s, 180.0))?,
        })
    }
}

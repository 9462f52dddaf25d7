//! GDELT 1.0 and 2.0 event exports: tab-separated, without a header, optionally zipped. The
//! version is recognised by the number of columns (57 or 58 for 1.0, 61 for 2.0); a file
//! exported with a header line is read by its names.
//!
//! GDELT counts news reports, not events: its rows are stored as dataset `gdelt` and every
//! aggregate keeps them apart from event datasets unless asked for them by name. Only the
//! CAMEO roots of physical violence become events: 18 (assault) and 20 (unconventional mass
//! violence) are one-sided, 20 also civilian targeting; 19 (fight) is state-based when a
//! government, military or police actor takes part, non-state otherwise. Every other root is
//! skipped.
use super::table::{number, Table};
use super::{countries, rejected, Row, Rows};
use crate::IngestError;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, NewEvent};
use kinga_domain::vocab::ucdp::ViolenceType;
use std::path::Path;

const V1: &[&str] = &[
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
];

const V2: &[&str] = &[
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    "Actor1Code",
    "Actor1Name",
    "Actor1CountryCode",
    "Actor1KnownGroupCode",
    "Actor1EthnicCode",
    "Actor1Religion1Code",
    "Actor1Religion2Code",
    "Actor1Type1Code",
    "Actor1Type2Code",
    "Actor1Type3Code",
    "Actor2Code",
    "Actor2Name",
    "Actor2CountryCode",
    "Actor2KnownGroupCode",
    "Actor2EthnicCode",
    "Actor2Religion1Code",
    "Actor2Religion2Code",
    "Actor2Type1Code",
    "Actor2Type2Code",
    "Actor2Type3Code",
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    "Actor1Geo_Type",
    "Actor1Geo_FullName",
    "Actor1Geo_CountryCode",
    "Actor1Geo_ADM1Code",
    "Actor1Geo_ADM2Code",
    "Actor1Geo_Lat",
    "Actor1Geo_Long",
    "Actor1Geo_FeatureID",
    "Actor2Geo_Type",
    "Actor2Geo_FullName",
    "Actor2Geo_CountryCode",
    "Actor2Geo_ADM1Code",
    "Actor2Geo_ADM2Code",
    "Actor2Geo_Lat",
    "Actor2Geo_Long",
    "Actor2Geo_FeatureID",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_ADM1Code",
    "ActionGeo_ADM2Code",
    "ActionGeo_Lat",
    "ActionGeo_Long",
    "ActionGeo_FeatureID",
    "DATEADDED",
    "SOURCEURL",
];

const REQUIRED: &[&str] = &[
    "GLOBALEVENTID",
    "SQLDATE",
    "EventCode",
    "EventRootCode",
    "ActionGeo_Type",
    "ActionGeo_FullName",
    "ActionGeo_CountryCode",
    "ActionGeo_Lat",
    "ActionGeo_Long",
];

pub fn open(path: &Path) -> Result<Rows, IngestError> {
    let file = path.display().to_string();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(b'\t')
        .quoting(false)
        .flexible(true)
        .from_reader(super::table::input(path)?);
    let mut first = csv::StringRecord::new();
    let read = csv.read_record(&mut first).map_err(|e| IngestError::Row {
        file: file.clone(),
        line: 1,
        problem: e.to_string(),
    })?;
    if !read {
        return Err(IngestError::Row {
            file,
            line: 1,
            problem: "is empty".into(),
        });
    }
    let table = if first
        .get(0)
        .is_some_and(|c| c.trim().eq_ignore_ascii_case("GLOBALEVENTID"))
    {
        let names: Vec<&str> = first.iter().map(str::trim).collect();
        let table = Table::with_names(file.clone(), csv, &names, None)?;
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter(|c| !table.has(c))
            .map(ToString::to_string)
            .collect();
        if !missing.is_empty() {
            return Err(IngestError::MissingColumns {
                file,
                columns: missing,
            });
        }
        table
    } else {
        let names = match first.len() {
            57 => &V1[..57],
            58 => V1,
            61 => V2,
            n => {
                return Err(IngestError::Row {
                    file,
                    line: 1,
                    problem: format!(
                        "has {n} tab-separated columns: a GDELT 1.0 event file has 57 or 58, a GDELT 2.0 file 61"
                    ),
                })
            }
        };
        Table::with_names(file, csv, names, Some(first))?
    };
    Ok(Box::new(GdeltRows { table }))
}

struct GdeltRows {
    table: Table,
}

impl Iterator for GdeltRows {
    type Item = Result<Row, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.table.advance()? {
            Err(e) => Some(Err(e)),
            Ok(Some(bad)) => Some(Ok(bad)),
            Ok(None) => Some(Ok(row(&self.table))),
        }
    }
}

fn official(t: &Table, actor: &str) -> bool {
    ["Type1Code", "Type2Code", "Type3Code"].iter().any(|k| {
        matches!(
            t.cell(&format!("{actor}{k}")),
            "GOV" | "MIL" | "COP" | "SPY"
        )
    })
}

fn column_of(field: &str) -> String {
    match field {
        "external_id" => "GLOBALEVENTID",
        "date_start" | "date_end" => "SQLDATE",
        "latitude" => "ActionGeo_Lat",
        "longitude" => "ActionGeo_Long",
        "admin1" | "place_name" => "ActionGeo_FullName",
        "actor1" => "Actor1Name",
        "actor2" => "Actor2Name",
        "source" => "SOURCEURL",
        other => other,
    }
    .to_string()
}

fn row(t: &Table) -> Row {
    let root = t.cell("EventRootCode");
    let violence = match root {
        "18" => ViolenceType::OneSided,
        "19" => {
            if official(t, "Actor1") || official(t, "Actor2") {
                ViolenceType::StateBased
            } else {
                ViolenceType::NonState
            }
        }
        "20" => ViolenceType::OneSided,
        _ => return Row::Skipped,
    };
    let Some(day) = NaiveDate::parse_from_str(t.cell("SQLDATE"), "%Y%m%d").ok() else {
        return t.reject("SQLDATE", "is not a date in the form YYYYMMDD");
    };
    let full_name = t.cell("ActionGeo_FullName");
    let code = t.cell("ActionGeo_CountryCode");
    if code.is_empty() && full_name.is_empty() {
        return t.reject("ActionGeo_CountryCode", "is empty: the event has no place");
    }
    let Some(country) = countries::from_fips(code, full_name) else {
        return t.reject(
            "ActionGeo_CountryCode",
            "is not a country Kinga knows (FIPS 10-4 or the name ending ActionGeo_FullName)",
        );
    };
    let mut n = NewEvent::new(Dataset::Gdelt, t.cell("GLOBALEVENTID"), day, country);
    for (column, slot) in [
        ("ActionGeo_Lat", &mut n.latitude),
        ("ActionGeo_Long", &mut n.longitude),
    ] {
        match number::<f64>(t.cell(column), "a number of degrees") {
            Ok(v) => *slot = v,
            Err(reason) => return t.reject(column, reason),
        }
    }
    let parts: Vec<&str> = full_name.split(',').map(str::trim).collect();
    // "City, Province, Country" or "Province, Country": the part before the country is admin1.
    if parts.len() >= 2 {
        n.admin1 = Some(parts[parts.len() - 2].to_string());
    }
    n.place_name = Some(full_name.to_string()).filter(|s| !s.is_empty());
    n.place_precision = match t.cell("ActionGeo_Type") {
        "1" => Some(6),
        "2" | "5" => Some(4),
        "3" | "4" => Some(2),
        _ => None,
    };
    n.violence_type = Some(violence);
    n.civilian_targeting = root == "20";
    n.event_type = Some(format!("CAMEO {root}"));
    n.sub_event_type = Some(t.cell("EventCode").to_string());
    let text = |c: &str| Some(t.cell(c).to_string()).filter(|s| !s.is_empty());
    n.actor1 = text("Actor1Name");
    n.actor2 = text("Actor2Name");
    n.source = text("SOURCEURL");
    n.source_count = number::<u32>(t.cell("NumArticles"), "").ok().flatten();
    match n.validate() {
        Ok(e) => Row::Event(Box::new(e)),
        Err(errors) => rejected(t.line(), errors, column_of),
    }
}

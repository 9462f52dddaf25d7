//! ACLED exports as a user downloads them with their own key (columns of ACLED's codebook).
//! ACLED codes event types rather than UCDP's violence types; the mapping below is Kinga's:
//! violence against civilians, and any event ACLED flags as civilian targeting, is one-sided;
//! battles and explosions are state-based when state forces are on either side, non-state
//! otherwise; protests, riots without civilian targeting and strategic developments carry no
//! violence type (they are stored, and counted only by event type).
use super::table::{deaths, number, Table};
use super::{countries, rejected, Row, Rows};
use crate::IngestError;
use chrono::NaiveDate;
use kinga_domain::event::{Dataset, NewEvent};
use kinga_domain::vocab::ucdp::ViolenceType;
use std::path::Path;

const REQUIRED: &[&str] = &[
    "event_id_cnty",
    "event_date",
    "event_type",
    "sub_event_type",
    "country",
    "latitude",
    "longitude",
    "fatalities",
];

pub fn open(path: &Path) -> Result<Rows, IngestError> {
    let table = Table::with_header(
        path.display().to_string(),
        super::table::input(path)?,
        b',',
        REQUIRED,
    )?;
    Ok(Box::new(AcledRows { table }))
}

struct AcledRows {
    table: Table,
}

impl Iterator for AcledRows {
    type Item = Result<Row, IngestError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.table.advance()? {
            Err(e) => Some(Err(e)),
            Ok(Some(bad)) => Some(Ok(bad)),
            Ok(None) => Some(Ok(row(&self.table))),
        }
    }
}

/// ACLED has written dates as `2013-12-05` (API), `05 December 2013` (spreadsheet exports)
/// and `05-12-2013` (the codebook).
pub(crate) fn date(s: &str) -> Option<NaiveDate> {
    ["%Y-%m-%d", "%d %B %Y", "%d-%m-%Y", "%d/%m/%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
}

fn is_state(inter: &str) -> bool {
    inter == "1" || inter.to_ascii_lowercase().starts_with("state forces")
}

fn violence(t: &Table, civilian_targeting: bool) -> Option<ViolenceType> {
    let event_type = t.cell("event_type").to_ascii_lowercase();
    if civilian_targeting || event_type == "violence against civilians" {
        return Some(ViolenceType::OneSided);
    }
    if event_type == "battles" || event_type == "explosions/remote violence" {
        let state = is_state(t.cell("inter1")) || is_state(t.cell("inter2"));
        return Some(if state {
            ViolenceType::StateBased
        } else {
            ViolenceType::NonState
        });
    }
    None
}

fn column_of(field: &str) -> String {
    match field {
        "external_id" => "event_id_cnty",
        "date_start" | "date_end" => "event_date",
        "date_precision" => "time_precision",
        "place_precision" => "geo_precision",
        "place_name" => "location",
        "fatalities_best" => "fatalities",
        other => other,
    }
    .to_string()
}

fn row(t: &Table) -> Row {
    let Some(day) = date(t.cell("event_date")) else {
        return t.reject("event_date", "is not a date (YYYY-MM-DD or DD Month YYYY)");
    };
    let iso3 = t.cell("iso3");
    let country = (!iso3.is_empty())
        .then(|| countries::resolve(iso3))
        .flatten()
        .or_else(|| countries::resolve(t.cell("country")));
    let Some(country) = country else {
        return t.reject("country", "is not a country name Kinga knows (ISO 3166)");
    };
    let mut n = NewEvent::new(Dataset::Acled, t.cell("event_id_cnty"), day, country);
    match deaths(t.cell("fatalities")) {
        Ok(d) => n.fatalities.best = d,
        Err(reason) => return t.reject("fatalities", reason),
    }
    for (column, slot) in [
        ("latitude", &mut n.latitude),
        ("longitude", &mut n.longitude),
    ] {
        match number::<f64>(t.cell(column), "a number of degrees") {
            Ok(v) => *slot = v,
            Err(reason) => return t.reject(column, reason),
        }
    }
    n.date_precision = match t.cell("time_precision") {
        "" | "1" => 1,
        "2" => 3,
        "3" => 4,
        _ => return t.reject("time_precision", "must be 1, 2 or 3"),
    };
    n.place_precision = match t.cell("geo_precision") {
        "" => None,
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(4),
        _ => return t.reject("geo_precision", "must be 1, 2 or 3"),
    };
    match number::<i64>(t.cell("timestamp"), "a whole number") {
        Ok(v) => n.version = v,
        Err(reason) => return t.reject("timestamp", reason),
    }
    n.civilian_targeting = !t.cell("civilian_targeting").is_empty()
        || t.cell("event_type")
            .eq_ignore_ascii_case("violence against civilians");
    n.violence_type = violence(t, !t.cell("civilian_targeting").is_empty());
    let text = |c: &str| Some(t.cell(c).to_string()).filter(|s| !s.is_empty());
    n.event_type = text("event_type");
    n.sub_event_type = text("sub_event_type");
    n.admin1 = text("admin1");
    n.admin2 = text("admin2");
    n.place_name = text("location");
    n.actor1 = text("actor1");
    n.actor2 = text("actor2");
    n.source = text("source");
    n.notes = text("notes");
    match n.validate() {
        Ok(e) => Row::Event(Box::new(e)),
        Err(errors) => rejected(t.line(), errors, column_of),
    }
}

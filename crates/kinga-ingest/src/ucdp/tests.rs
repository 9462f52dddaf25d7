use super::*;
use crate::IngestError;
use kinga_domain::incident::VerificationLevel;
use kinga_domain::source::SourceConnection;
use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Visibility;

/// GED event 36210, trimmed to the columns Kinga reads plus one it ignores.
const BASE: &[(&str, &str)] = &[
    ("id", "36210"),
    ("relid", "0"),
    ("year", "2009"),
    ("type_of_violence", "1"),
    ("conflict_name", "Uganda: Government"),
    ("dyad_name", "Government of Uganda - LRA"),
    ("side_a_new_id", "90"),
    ("side_a", "Government of Uganda"),
    ("side_b", "LRA"),
    ("number_of_sources", "-1"),
    ("source_article", "Reuters  25/2-09"),
    ("source_office", ""),
    ("source_date", ""),
    ("source_headline", ""),
    ("source_original", "anonymous CAR army colonel"),
    ("where_prec", "5"),
    (
        "where_description",
        "Central African Republic remote southeast",
    ),
    ("adm_1", ""),
    ("adm_2", ""),
    ("country", "Central African Republic"),
    ("date_prec", "1"),
    ("date_start", "2009-02-20T00:00:00"),
    ("date_end", "2009-02-20T00:00:00"),
    ("deaths_civilians", "0"),
    ("best", "3"),
    ("high", "3"),
    ("low", "3"),
    ("latitude", "5.399784"),
    ("longitude", "26.486881"),
];

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A CSV with the base header and one row per list of overrides.
fn csv(rows: &[&[(&str, &str)]]) -> String {
    let mut out = BASE.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(",") + "\n";
    for overrides in rows {
        let cells: Vec<String> = BASE
            .iter()
            .map(|(k, v)| {
                let v = overrides
                    .iter()
                    .find(|(ok, _)| ok == k)
                    .map_or(*v, |(_, ov)| *ov);
                quote(v)
            })
            .collect();
        out += &(cells.join(",") + "\n");
    }
    out
}

fn read(text: &str) -> Vec<Result<GedEvent, IngestError>> {
    GedReader::new("ucdp.csv", text.as_bytes())
        .unwrap()
        .collect()
}

fn one(overrides: &[(&str, &str)]) -> Result<GedEvent, IngestError> {
    read(&csv(&[overrides])).pop().unwrap()
}

#[test]
fn reads_a_row() {
    let e = one(&[]).unwrap();
    assert_eq!(e.id, 36210);
    assert_eq!(e.type_of_violence, ViolenceType::StateBased);
    assert_eq!(e.country.code(), "CAF");
    assert_eq!(e.number_of_sources, None);
    assert_eq!(e.side_a_new_id, Some(90));
    assert_eq!(e.source_headline, None);
    assert_eq!(e.date_start.to_string(), "2009-02-20");
    assert_eq!((e.low, e.best, e.high), (3, 3, 3));
}

#[test]
fn a_bad_date_names_file_line_and_field() {
    let text = csv(&[&[], &[("date_start", "2013-13-01")]]);
    let results = read(&text);
    assert!(results[0].is_ok());
    let err = results[1].as_ref().unwrap_err();
    assert_eq!(
        err.to_string(),
        "ucdp.csv line 3, field date_start: '2013-13-01' is not a date"
    );
    assert_eq!(err.line(), Some(3));
    assert_eq!(err.field(), Some("date_start"));
}

#[test]
fn lines_count_newlines_inside_quoted_cells() {
    let text = csv(&[
        &[("source_article", "first line\nsecond line")],
        &[("where_prec", "8")],
    ]);
    let err = read(&text).pop().unwrap().unwrap_err();
    assert_eq!(
        err.to_string(),
        "ucdp.csv line 4, field where_prec: '8' is not a code from 1 to 7"
    );
}

#[test]
fn codes_counts_coordinates_and_countries_are_checked() {
    let cases: &[(&str, &str, &str)] = &[
        ("type_of_violence", "4", "is not a code from 1 to 3"),
        ("date_prec", "0", "is not a code from 1 to 5"),
        ("best", "-3", "is not a non-negative whole number"),
        ("low", "2.5", "is not a whole number"),
        ("latitude", "95.1", "is outside -90 to 90"),
        ("longitude", "east", "is not a number"),
        ("date_end", "2009-02-19", "is before date_start 2009-02-20"),
        ("side_a", "", "is empty but required"),
        ("country", "Ruritania", "is not a country name"),
    ];
    for (field, value, problem) in cases {
        let err = one(&[(field, value)]).unwrap_err();
        let shown = err.to_string();
        assert_eq!(err.field(), Some(*field), "{shown}");
        assert!(shown.contains(problem), "{shown}");
    }
}

#[test]
fn a_short_row_and_a_missing_column_are_named() {
    let mut text = csv(&[&[]]);
    text += "36211,0,2009\n";
    let err = read(&text).pop().unwrap().unwrap_err();
    assert_eq!(err.line(), Some(3));
    assert!(err
        .to_string()
        .contains("has 3 fields where the header has"));

    let err = GedReader::new("ucdp.csv", "id,year\n1,2009\n".as_bytes())
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "ucdp.csv: missing required column type_of_violence"
    );
}

#[test]
fn long_values_are_clipped_in_messages() {
    let long = "x".repeat(500);
    let err = one(&[("date_start", &long)]).unwrap_err().to_string();
    assert!(err.len() < 250, "{err}");
    assert!(err.contains("…' is not a date"));
}

#[test]
fn a_one_sided_event_becomes_an_incident_with_party_and_source() {
    let e = one(&[
        ("type_of_violence", "3"),
        ("dyad_name", "Seleka - Civilians"),
        ("side_a", "Seleka"),
        ("side_a_new_id", "5417.0"),
        ("side_b", "Civilians"),
        ("number_of_sources", "2"),
        ("source_office", "Reuters"),
        ("source_date", "2013-12-05;2013-12-05"),
        ("source_headline", "Killings in Bangui"),
        ("where_description", "Bangui town"),
        ("adm_1", "Bangui province"),
        ("best", "40"),
        ("deaths_civilians", "40"),
    ])
    .unwrap();
    let imported = e.into_imported(Visibility::Public);
    let i = &imported.incident;
    assert_eq!(
        i.title,
        "One-sided violence: Seleka - Civilians — Bangui town"
    );
    assert!(i.summary.as_deref().unwrap().contains("Side B: Civilians"));
    assert!(i.summary.as_deref().unwrap().contains("Killings in Bangui"));
    assert_eq!(i.visibility, Visibility::Public);
    assert_eq!(i.admin1.as_deref(), Some("Bangui province"));
    assert_eq!(i.place_precision, Some(5));
    assert_eq!(i.violence_type, Some(ViolenceType::OneSided));
    assert_eq!(i.fatalities.best, Some(40));
    assert_eq!(i.verification_level, VerificationLevel::Corroborated);
    assert_eq!(i.external_ref.as_deref(), Some("ucdp-ged:36210"));
    assert!(i.crimes.is_empty());

    let p = &imported.perpetrators[0];
    assert_eq!(p.name, "Seleka");
    assert_eq!(p.acled_inter, None);
    assert_eq!(p.external_ref.as_deref(), Some("ucdp-actor:5417"));

    let s = imported.source.as_ref().unwrap();
    assert_eq!(s.title, "Killings in Bangui");
    assert_eq!(s.outlet.as_deref(), Some("Reuters"));
    assert_eq!(s.connection, SourceConnection::Dataset);
    assert_eq!(
        s.published_on.map(|d| d.to_string()).as_deref(),
        Some("2013-12-05")
    );
    assert_eq!(
        imported.citation_reference.as_deref(),
        Some("UCDP GED v23.1 id 36210; source_article: Reuters  25/2-09; source_date: 2013-12-05;2013-12-05")
    );
}

#[test]
fn unknown_source_count_is_single_source_and_government_is_state_forces() {
    let imported = one(&[]).unwrap().into_imported(Visibility::Network);
    assert_eq!(
        imported.incident.verification_level,
        VerificationLevel::SingleSource
    );
    assert_eq!(imported.perpetrators[0].acled_inter, Some(1));
    assert_eq!(imported.perpetrators[0].visibility, Visibility::Network);
    let s = imported.source.unwrap();
    assert_eq!(s.title, "Reuters  25/2-09");
    assert_eq!(s.published_on, None);
    assert_eq!(
        imported.citation_reference.as_deref(),
        Some("UCDP GED v23.1 id 36210; source_article: Reuters  25/2-09")
    );
}

#[test]
fn titles_stay_within_the_incident_limit() {
    let long = "Front ".repeat(100);
    let e = one(&[("dyad_name", &long), ("source_article", "")]).unwrap();
    let imported = e.into_imported(Visibility::Public);
    assert!(imported.incident.title.chars().count() <= 300);
    assert!(imported.incident.title.ends_with('…'));
    assert_eq!(imported.source.unwrap().title, "UCDP GED v23.1 event 36210");
}

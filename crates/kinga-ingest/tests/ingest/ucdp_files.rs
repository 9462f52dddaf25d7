use kinga_domain::vocab::ucdp::ViolenceType;
use kinga_domain::Visibility;
use kinga_ingest::ucdp::{GedEvent, GedReader};
use kinga_ingest::IngestError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

const DEMO: &str = "../../data/demo/ucdp_ged_v23_1_central_african_republic.csv";
/// The global random sample of 1,000 GED events less the 347 of the countries reserved for
/// independent evaluation (Sudan, South Sudan, Nigeria, Myanmar, Mexico, Syria): 653 events of
/// 53 countries, shipped in data/ (CC BY 4.0, see data/ATTRIBUTION.md).
const SAMPLE: &str = "events/ucdp/ucdp_ged_v23_1_random_sample_653.csv";

/// Reads a whole file, failing with every bad row listed rather than only the first.
fn read_all(path: &Path) -> Vec<GedEvent> {
    let (events, errors): (Vec<_>, Vec<_>) = GedReader::open(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .partition(Result::is_ok);
    let errors: Vec<String> = errors
        .into_iter()
        .map(|e: Result<_, IngestError>| e.unwrap_err().to_string())
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    events.into_iter().map(Result::unwrap).collect()
}

#[test]
fn the_demo_file_reads_completely() {
    let events = read_all(&crate_path(DEMO));
    assert_eq!(events.len(), 1_848);
    let one_sided = events
        .iter()
        .filter(|e| e.type_of_violence == ViolenceType::OneSided)
        .count();
    assert_eq!(one_sided, 1_076);
    assert!(events.iter().all(|e| e.country.code() == "CAF"));
    let ids: HashSet<u64> = events.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), events.len(), "GED ids are unique");
}

#[test]
fn every_demo_event_imports_within_the_record_limits() {
    for event in read_all(&crate_path(DEMO)) {
        let imported = event.into_imported(Visibility::Public);
        let i = &imported.incident;
        assert!(
            !i.title.is_empty() && i.title.chars().count() <= 300,
            "{}",
            i.title
        );
        assert!(i.date_end >= i.date_start);
        assert_eq!(imported.perpetrators.len(), 1);
        let source = imported.source.as_ref().unwrap();
        assert!(source.title.chars().count() <= 500);
        assert_eq!(source.external_ref, i.external_ref);
    }
}

#[test]
fn the_global_sample_reads_completely() {
    let Some(path) = kinga_testkit::data_file(SAMPLE) else {
        kinga_testkit::skip(format!("data/{SAMPLE} is absent"));
        return;
    };
    let events = read_all(&path);
    assert_eq!(events.len(), 653);
    let countries: HashSet<&str> = events.iter().map(|e| e.country.code()).collect();
    assert_eq!(countries.len(), 53);
    for code in [
        "AFG", "COD", "RUS", "YEM", "BIH", "SRB", "SWZ", "MKD", "CIV", "TUR",
    ] {
        assert!(countries.contains(code), "{code}");
    }
    for reserved in ["SDN", "SSD", "NGA", "MMR", "MEX", "SYR"] {
        assert!(!countries.contains(reserved), "{reserved}");
    }
}

#[test]
fn a_bad_cell_in_a_real_file_is_reported_with_its_line() {
    let text = std::fs::read_to_string(crate_path(DEMO)).unwrap();
    let broken = text.replacen("2009-02-20T00:00:00", "2009-02-30T00:00:00", 1);
    let errors: Vec<IngestError> = GedReader::new("car.csv", broken.as_bytes())
        .unwrap()
        .filter_map(Result::err)
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        errors[0].to_string(),
        "car.csv line 2, field date_start: '2009-02-30T00:00:00' is not a date"
    );
}

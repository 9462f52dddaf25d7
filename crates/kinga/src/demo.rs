//! `kinga serve --demo`: a real network to explore. Its organisations are the 17 African and
//! international organisations that signed the civil-society letter of 13 July 2009 on the
//! Responsibility to Protect; its incidents are the complete UCDP GED v23.1 events of the
//! Central African Republic (CC BY 4.0), published data and therefore public.
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use kinga_app::events::ImportError;
use kinga_app::incident_import::IncidentImportOptions;
use kinga_app::records::ImportOutcome;
use kinga_app::System;
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::user::Email;
use kinga_domain::{Role, Visibility};
use kinga_ingest::ucdp::GedReader;
use std::io::Read;
use std::path::Path;

pub const NETWORK: &str = "r2p-africa-2009";
const UCDP_CAR: &[u8] =
    include_bytes!("../../../data/demo/ucdp_ged_v23_1_central_african_republic.csv");
pub const UCDP_CAR_FILE: &str = "ucdp_ged_v23_1_central_african_republic.csv";
/// The demo users belong to the International Refugee Rights Initiative, one of the
/// signatories, which also owns the imported UCDP incidents.
const HOME_ORG: &str = "The International Refugee Rights Initiative";
const BATCH: usize = 200;

pub struct DemoLogin {
    pub role: Role,
    pub email: String,
    pub password: String,
    pub totp_secret: Option<String>,
}

/// Imports GED events as incidents in batches, each batch one transaction, with a progress bar
/// on stderr; rejected rows go to `quarantine`, which names the file when there were any.
pub async fn import_events<R: Read>(
    system: &System,
    owner: &Organisation,
    reader: GedReader<R>,
    visibility: Visibility,
    total: u64,
    quarantine: &Path,
) -> Result<(ImportOutcome, Option<String>), Failure> {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .expect("valid progress template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("importing {}", reader.file()));
    let options = IncidentImportOptions {
        quarantine: quarantine.to_path_buf(),
        batch: BATCH,
    };
    let done = system
        .import_ged_incidents(owner, reader, visibility, &options, &|n| {
            bar.set_position(n);
        })
        .await
        .map_err(|e| match e {
            ImportError::Store(s) => s.into(),
            ImportError::Read(e) => Failure::Input(e.to_string()),
        })?;
    bar.finish_and_clear();
    let quarantine = done.quarantine.map(|q| q.display().to_string());
    Ok((done.outcome, quarantine))
}

/// Loads the demo's UCDP file into events as well, so the region time series and escalation
/// signals have data: incidents are the network's documentation, events the published dataset.
pub async fn load_events(system: &System) -> Result<kinga_app::events::Summary, Failure> {
    let rows = kinga_ingest::events::read_ucdp(
        UCDP_CAR_FILE.to_string(),
        Box::new(std::io::Cursor::new(UCDP_CAR)),
        kinga_domain::event::Dataset::UcdpGed,
    )
    .map_err(|e| Failure::Other(e.to_string()))?;
    let options = kinga_app::events::ImportOptions {
        dry_run: false,
        // The embedded file has no bad rows; a path is still needed should one appear.
        quarantine: std::env::temp_dir().join("kinga-demo-events.rejected.csv"),
        batch: 2_000,
    };
    system
        .import_events(None, rows, &options, &|_| {})
        .await
        .map_err(|e| Failure::Other(e.to_string()))
}

/// Each demo incident made from a GED row cites the event made from the same row, so the
/// incident pages show the bridge between the network's documentation and the dataset.
/// Returns how many citations were added (none once the demo has run).
pub async fn cite_events(system: &System, home: &Organisation) -> Result<u64, Failure> {
    Ok(system
        .cite_matching_events(home, &kinga_domain::event::Dataset::UcdpGed)
        .await?)
}

/// Runs the default detectors over the demo's events, by first-level division and by country,
/// so the signal pages have something to show; each run replaces the demo's last one, and is
/// recorded as `kinga detect` records its own (`detector` is that handle).
/// Returns the signals stored by division and by country.
pub async fn detect_signals(detector: &System) -> Result<(u64, u64), Failure> {
    use kinga_domain::event::Level;
    let admin1 = crate::commands::detect::run_defaults(detector, Level::Admin1).await?;
    let country = crate::commands::detect::run_defaults(detector, Level::Country).await?;
    Ok((admin1.signal_count, country.signal_count))
}

fn password() -> String {
    // Four random words' worth of entropy, easy to type from a terminal.
    kinga_app::token::generate("demo-")
        .chars()
        .take(21)
        .collect()
}

/// Creates the demo network once; returns the logins made now (none when it already existed).
pub async fn set_up(
    system: &System,
) -> Result<(Vec<DemoLogin>, ImportOutcome, Organisation), Failure> {
    let existing = system.organisations().await?;
    let mut logins = Vec::new();
    let home_slug = Slug::from_name(HOME_ORG);
    if !existing.iter().any(|o| o.slug == home_slug) {
        for s in kinga_ingest::demo::signatories_2009() {
            let new = NewOrganisation::parse(
                Slug::from_name(s.name).as_str(),
                s.name,
                Some(s.country),
                &[NETWORK.to_string()],
            )?;
            system.add_organisation(new).await?;
        }
        for role in Role::ALL {
            let email = format!("{}@demo.kinga.example", role.as_str());
            let pw = password();
            let totp = role
                .requires_second_factor()
                .then(kinga_app::totp::new_secret);
            system
                .add_user(
                    home_slug.clone(),
                    role,
                    Email::parse(&email).expect("demo e-mail is valid"),
                    &pw,
                    totp.clone(),
                )
                .await?;
            logins.push(DemoLogin {
                role,
                email,
                password: pw,
                totp_secret: totp,
            });
        }
    }
    let home = system
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.slug == home_slug)
        .ok_or_else(|| Failure::Other("the demo organisation is missing".into()))?;
    let count = GedReader::new(UCDP_CAR_FILE, UCDP_CAR)
        .map_err(|e| Failure::Other(e.to_string()))?
        .count() as u64;
    let reader =
        GedReader::new(UCDP_CAR_FILE, UCDP_CAR).map_err(|e| Failure::Other(e.to_string()))?;
    // The embedded file has no bad rows; a path is still needed should one appear.
    let quarantine = std::env::temp_dir().join("kinga-demo-incidents.rejected.csv");
    let (outcome, _) = import_events(
        system,
        &home,
        reader,
        Visibility::Public,
        count,
        &quarantine,
    )
    .await?;
    Ok((logins, outcome, home))
}

/// One sample Framework assessment of the Central African Republic, labelled as a
/// demonstration in its situation and summary, so the assessment pages have something to show.
/// Its scores illustrate the form; they are not an analysis of the country. Made once.
pub async fn sample_assessment(system: &System, home: &Organisation) -> Result<bool, Failure> {
    use kinga_domain::risk::{NewAssessment, ScoreInput};
    let car = kinga_domain::Country::parse("CAF").expect("CAF is a country");
    let existing = system.assessments(Some(car)).await?;
    if existing.iter().any(|a| a.organisation_id == home.id) {
        return Ok(false);
    }
    let new = NewAssessment::parse(&serde_json::json!({
        "country": "CAF",
        "situation": "DEMONSTRATION — sample data, not an assessment",
        "assessed_on": kinga_domain::time::now().date_naive().to_string(),
        "visibility": "organisation",
        "summary": "Demonstration only: a few indicators scored to show how the form, the summary and the sign-off work. These scores are illustrative and say nothing about the Central African Republic."
    }))?;
    let a = system.create_assessment(home, new).await?;
    for (indicator, score) in [("1.1", 2), ("7.5", 2), ("9.4", 1), ("13.8", 1)] {
        let input = ScoreInput::parse(&serde_json::json!({
            "indicator": indicator, "score": score, "confidence": "low",
            "note": "Demonstration value, not an assessment."
        }))?;
        system.score_indicator(home, a.id, input).await?;
    }
    Ok(true)
}

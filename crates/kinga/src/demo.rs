//! `kinga serve --demo`: a real network to explore. Its organisations are the 17 African and
//! international organisations that signed the civil-society letter of 13 July 2009 on the
//! Responsibility to Protect; its incidents are the complete UCDP GED v23.1 events of the
//! Central African Republic (CC BY 4.0), published data and therefore public.
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use kinga_app::System;
use kinga_domain::org::{NewOrganisation, Organisation, Slug};
use kinga_domain::user::Email;
use kinga_domain::{Role, Visibility};
use kinga_ingest::ucdp::GedReader;
use kinga_store::ImportOutcome;
use std::io::Read;

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

/// Imports GED events in batches, each batch one transaction, with a progress bar on stderr.
pub async fn import_events<R: Read>(
    system: &System,
    owner: &Organisation,
    reader: GedReader<R>,
    visibility: Visibility,
    total: u64,
) -> Result<ImportOutcome, Failure> {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .expect("valid progress template")
            .progress_chars("=> "),
    );
    bar.set_message(format!("importing {}", reader.file()));
    let mut outcome = ImportOutcome::default();
    let mut batch = Vec::with_capacity(BATCH);
    for event in reader {
        let event = event.map_err(|e| Failure::Input(e.to_string()))?;
        batch.push(event.into_imported(visibility));
        if batch.len() == BATCH {
            let n = batch.len() as u64;
            let o = system
                .import_incidents(owner, std::mem::take(&mut batch))
                .await?;
            outcome.created += o.created;
            outcome.already_present += o.already_present;
            bar.inc(n);
        }
    }
    if !batch.is_empty() {
        let n = batch.len() as u64;
        let o = system.import_incidents(owner, batch).await?;
        outcome.created += o.created;
        outcome.already_present += o.already_present;
        bar.inc(n);
    }
    bar.finish_and_clear();
    Ok(outcome)
}

/// Loads the demo's UCDP file into events as well, so the region time series and escalation
/// signals have data: incidents are the network's documentation, events the published dataset.
pub async fn load_events(
    store: &dyn kinga_store::Store,
) -> Result<kinga_ingest::events::Summary, Failure> {
    let rows = kinga_ingest::events::read_ucdp(
        UCDP_CAR_FILE.to_string(),
        Box::new(std::io::Cursor::new(UCDP_CAR)),
        kinga_domain::event::Dataset::UcdpGed,
    )
    .map_err(|e| Failure::Other(e.to_string()))?;
    let options = kinga_ingest::events::ImportOptions {
        dry_run: false,
        // The embedded file has no bad rows; a path is still needed should one appear.
        quarantine: std::env::temp_dir().join("kinga-demo-events.rejected.csv"),
        batch: 2_000,
    };
    kinga_ingest::events::import(
        store,
        &kinga_store::Actor::system("demo"),
        rows,
        &options,
        &|_| {},
    )
    .await
    .map_err(|e| Failure::Other(e.to_string()))
}

/// Each demo incident made from a GED row cites the event made from the same row, so the
/// incident pages show the bridge between the network's documentation and the dataset.
/// Returns how many citations were added (none once the demo has run).
pub async fn cite_events(
    store: &dyn kinga_store::Store,
    home: &Organisation,
) -> Result<u64, Failure> {
    let actor = kinga_store::Actor::system("demo").acting_for(home.id, home.slug.clone());
    Ok(store
        .cite_matching_events(&actor, &kinga_domain::event::Dataset::UcdpGed)
        .await?)
}

/// Runs the default detectors over the demo's events, by first-level division and by country,
/// so the signal pages have something to show; each run replaces the demo's last one.
/// Returns the signals stored by division and by country.
pub async fn detect_signals(store: &dyn kinga_store::Store) -> Result<(u64, u64), Failure> {
    use kinga_domain::event::Level;
    let admin1 = crate::commands::detect::run_defaults(store, Level::Admin1).await?;
    let country = crate::commands::detect::run_defaults(store, Level::Country).await?;
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
    let outcome = import_events(system, &home, reader, Visibility::Public, count).await?;
    Ok((logins, outcome, home))
}

/// One sample Framework assessment of the Central African Republic, labelled as a
/// demonstration in its situation and summary, so the assessment pages have something to show.
/// Its scores illustrate the form; they are not an analysis of the country. Made once.
pub async fn sample_assessment(
    store: &dyn kinga_store::Store,
    home: &Organisation,
) -> Result<bool, Failure> {
    use kinga_domain::risk::{NewAssessment, ScoreInput};
    use kinga_store::Scope;
    let car = kinga_domain::Country::parse("CAF").expect("CAF is a country");
    let existing = store.assessments(&Scope::maintenance(), Some(car)).await?;
    if existing.iter().any(|a| a.organisation_id == home.id) {
        return Ok(false);
    }
    let actor = kinga_store::Actor::system("demo").acting_for(home.id, home.slug.clone());
    let new = NewAssessment::parse(&serde_json::json!({
        "country": "CAF",
        "situation": "DEMONSTRATION — sample data, not an assessment",
        "assessed_on": kinga_domain::time::now().date_naive().to_string(),
        "visibility": "organisation",
        "summary": "Demonstration only: a few indicators scored to show how the form, the summary and the sign-off work. These scores are illustrative and say nothing about the Central African Republic."
    }))?;
    let a = store.create_assessment(&actor, new).await?;
    for (indicator, score) in [("1.1", 2), ("7.5", 2), ("9.4", 1), ("13.8", 1)] {
        let input = ScoreInput::parse(&serde_json::json!({
            "indicator": indicator, "score": score, "confidence": "low",
            "note": "Demonstration value, not an assessment."
        }))?;
        store
            .score_indicator(&actor, &Scope::maintenance(), a.id, input)
            .await?;
    }
    Ok(true)
}

use crate::cli::Db;
use crate::Failure;
use indicatif::{ProgressBar, ProgressStyle};
use kinga_app::records::VerifyProgress;
use std::path::Path;
use std::sync::Mutex;

pub async fn run(db: &Db, tsa_cert: Option<&Path>) -> Result<(), Failure> {
    let trust = super::checkpoint::tsa_anchors(tsa_cert)?;
    let system = crate::database::open_for_scan(db).await?.system("verify");
    let bar = ProgressBar::new(0);
    let stage = Mutex::new(None);
    let progress = |p: VerifyProgress| show(&bar, &stage, p);
    let outcome = system.verify_reporting(&progress).await;
    bar.finish_and_clear();
    let outcome = outcome?;
    if let Some(b) = outcome.first_break {
        return Err(Failure::Broken(format!("audit chain broken: {b}")));
    }
    println!(
        "intact: {} audit entries, {} records match the chain",
        outcome.entries, outcome.records
    );
    super::checkpoint::verify_all(db, trust.as_ref()).await?;
    sealed_originals(db).await
}

/// Moves the bar on; changes its look when verification enters another stage. The bar draws on
/// stderr only when stderr is a terminal (indicatif hides it otherwise), so logs and pipes get
/// the result lines alone.
fn show(bar: &ProgressBar, stage: &Mutex<Option<&'static str>>, p: VerifyProgress) {
    let (name, template, pos, len) = match p {
        VerifyProgress::Entries { done, total } => (
            "entries",
            "audit chain [{bar:40}] {pos}/{len} entries ({elapsed}, eta {eta})",
            done,
            Some(total),
        ),
        VerifyProgress::Records { done } => (
            "records",
            "{spinner} records checked against the chain: {pos} ({elapsed})",
            done,
            None,
        ),
        VerifyProgress::RollUp { days } => (
            "roll-up",
            "{spinner} event roll-up recounted: {pos} country-days ({elapsed})",
            days,
            None,
        ),
    };
    if let Some(len) = len {
        bar.set_length(len);
    }
    let mut current = stage
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if *current != Some(name) {
        *current = Some(name);
        // The new look first: a reset draws, and would draw the old one.
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("valid progress template")
                .progress_chars("=> "),
        );
        bar.reset();
    }
    bar.set_position(pos);
}

/// Re-hashes every sealed file against the hash recorded at intake (no key needed); with
/// KINGA_KEY_PASSPHRASE set, also decrypts and re-hashes the content of the organisations whose
/// keys it opens.
async fn sealed_originals(db: &Db) -> Result<(), Failure> {
    let vault = crate::database::open_for_scan(db).await?.vault();
    if let Ok(pass) = std::env::var(super::keys::PASSPHRASE_VAR) {
        if !pass.is_empty() {
            vault.unlock_all(&pass).await?;
        }
    }
    let (checked, failures) = vault.check_sealed().await?;
    if failures.is_empty() {
        println!("intact: {checked} sealed evidence item(s) re-hashed");
        return Ok(());
    }
    for f in &failures {
        eprintln!("{f}");
    }
    Err(Failure::Broken(format!(
        "{} sealed evidence file(s) do not match their recorded hash (named above)",
        failures.len()
    )))
}

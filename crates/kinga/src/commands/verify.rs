use crate::cli::Db;
use crate::Failure;
use std::path::Path;

pub async fn run(db: &Db, tsa_cert: Option<&Path>) -> Result<(), Failure> {
    let trust = super::checkpoint::tsa_anchors(tsa_cert)?;
    let system = super::system(db, "verify").await?;
    let outcome = system.verify().await?;
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

/// Re-hashes every sealed file against the hash recorded at intake (no key needed); with
/// KINGA_KEY_PASSPHRASE set, also decrypts and re-hashes the content of the organisations whose
/// keys it opens.
async fn sealed_originals(db: &Db) -> Result<(), Failure> {
    let store = crate::database::open(db).await?;
    let vault = super::keys::open_vault(db, store);
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

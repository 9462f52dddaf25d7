use crate::cli::Db;
use crate::Failure;
use kinga_domain::org::Slug;
use kinga_domain::Visibility;
use std::path::Path;

pub async fn ucdp(db: &Db, file: &Path, org: &str, visibility: &str) -> Result<(), Failure> {
    let visibility: Visibility = visibility
        .parse()
        .map_err(|e| Failure::Input(format!("--visibility: {e}")))?;
    let slug = Slug::parse(org).map_err(|e| Failure::Input(format!("--org: {e}")))?;
    let open =
        || kinga_ingest::ucdp::GedReader::open(file).map_err(|e| Failure::Input(e.to_string()));
    // A first pass checks every row, so a bad file writes nothing at all.
    let mut events = 0u64;
    for event in open()? {
        event.map_err(|e| Failure::Input(e.to_string()))?;
        events += 1;
    }
    let system = super::system(db, "import-ucdp").await?;
    let owner = system
        .organisations()
        .await?
        .into_iter()
        .find(|o| o.slug == slug)
        .ok_or_else(|| Failure::Input(format!("--org: no organisation '{slug}'")))?;
    let outcome = crate::demo::import_events(&system, &owner, open()?, visibility, events).await?;
    println!(
        "{}: {} incidents imported, {} already present",
        file.display(),
        outcome.created,
        outcome.already_present
    );
    Ok(())
}

use crate::cli::Db;
use crate::Failure;

pub async fn run(db: &Db) -> Result<(), Failure> {
    let system = super::system(db, "verify").await?;
    let outcome = system.verify().await?;
    match outcome.first_break {
        None => {
            println!(
                "intact: {} audit entries, {} records match the chain",
                outcome.entries, outcome.records
            );
            Ok(())
        }
        Some(b) => Err(Failure::Broken(format!("audit chain broken: {b}"))),
    }
}

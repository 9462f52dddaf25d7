//! `kinga init`: the database (created and migrated), the vault directory and, for a named
//! organisation, its keys. Running it again changes nothing that exists.
use crate::cli::Db;
use crate::Failure;
use kinga_app::evidence::EvidenceError;

pub async fn run(db: &Db, org: Option<&str>) -> Result<(), Failure> {
    let database = crate::database::open(db).await?;
    let vault_dir = super::keys::vault_dir(db);
    std::fs::create_dir_all(&vault_dir)
        .map_err(|e| Failure::Input(format!("{}: {e}", vault_dir.display())))?;
    println!(
        "database ready ({}), evidence vault in {}",
        match &db.database {
            Some(_) => "PostgreSQL".to_string(),
            None => db.data_dir.display().to_string(),
        },
        vault_dir.display()
    );
    let Some(slug) = org else { return Ok(()) };
    let system = database.system("init");
    let org = super::keys::organisation(&system, slug).await?;
    let vault = database.vault();
    match vault.current_keys(&org).await {
        Ok(set) => {
            println!(
                "organisation {} already has keys (version {}): left as they are",
                org.slug, set.version
            );
            Ok(())
        }
        Err(EvidenceError::NoKeys(_)) => {
            let pass = super::keys::passphrase_from_env_or_stdin().ok_or_else(|| {
                Failure::Input(format!(
                    "init: the keys of {} are sealed under a passphrase; give it in {} or on the first line of standard input",
                    org.slug,
                    super::keys::PASSPHRASE_VAR
                ))
            })?;
            super::keys::create_for(&system, &vault, &org, &pass).await?;
            println!("organisation {}: keys created", org.slug);
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

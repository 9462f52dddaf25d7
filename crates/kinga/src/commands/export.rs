//! `kinga export dossier`: the incident's evidence in a zip signed by the owning organisation.
use crate::cli::Db;
use crate::Failure;
use kinga_domain::ids::IncidentId;
use kinga_store::{Actor, Scope};
use kinga_web::vault::DossierOptions;
use std::path::Path;

pub async fn dossier(
    db: &Db,
    incident: &str,
    out: &Path,
    working_copies: bool,
    with_metadata: bool,
) -> Result<(), Failure> {
    let store = crate::database::open(db).await?;
    let vault = super::keys::open_vault(db, store.clone());
    let scope = Scope::maintenance();
    let inc = super::evidence::resolve_incident(store.as_ref(), incident).await?;
    let id: IncidentId = inc.id;
    let org = super::keys::organisation(store.as_ref(), inc.organisation.as_str()).await?;
    let pass = super::keys::passphrase_from_env_or_stdin().ok_or_else(|| {
        Failure::Input(format!(
            "export dossier: the dossier is signed with the keys of {}; give their passphrase in {} or on the first line of standard input",
            org.slug,
            super::keys::PASSPHRASE_VAR
        ))
    })?;
    vault.unlock(&org, &pass).await?;
    let actor = Actor::system("export-dossier").acting_for(org.id, org.slug.clone());
    let outcome = vault
        .export_dossier(
            &actor,
            &scope,
            &org,
            id,
            DossierOptions {
                working_copies,
                with_metadata,
            },
            out,
        )
        .await?;
    for s in &outcome.skipped {
        eprintln!("not in this dossier: evidence {s}; its own organisation must export it");
    }
    println!(
        "{}: {} item(s), signed by {} (verify with `kinga verify-bundle {} --key {}.pub`)",
        out.display(),
        outcome.items,
        org.slug,
        out.display(),
        org.slug
    );
    Ok(())
}

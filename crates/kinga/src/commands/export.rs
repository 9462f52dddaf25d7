//! `kinga export dossier`: the incident's evidence in a zip signed by the owning organisation,
//! optionally time-stamped by an RFC 3161 authority.
use crate::cli::Db;
use crate::Failure;
use kinga_app::evidence::DossierOptions;
use kinga_domain::ids::IncidentId;
use std::path::Path;

pub struct Options {
    pub working_copies: bool,
    pub with_metadata: bool,
    /// The time-stamp authority's URL (`--tsa` or KINGA_TSA_URL).
    pub tsa: Option<String>,
}

/// Refused before anything is read or recorded, so a mistyped URL costs nothing.
fn time_stamp_authority(url: Option<String>) -> Result<Option<kinga_vault::Tsa>, Failure> {
    let Some(url) = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    if !url.starts_with("http://") {
        return Err(Failure::Input(format!(
            "export dossier: --tsa {url}: only http:// time-stamp authorities are supported (the token is signed by the authority, so transport security adds nothing to it)"
        )));
    }
    Ok(Some(kinga_vault::Tsa::new(url)))
}

pub async fn dossier(db: &Db, incident: &str, out: &Path, options: Options) -> Result<(), Failure> {
    let tsa = time_stamp_authority(options.tsa)?;
    let tsa_url = tsa.as_ref().map(|t| t.url.clone());
    let database = crate::database::open(db).await?;
    let system = database.system("export-dossier");
    let vault = database.vault();
    let inc = super::evidence::resolve_incident(&system, incident).await?;
    let id: IncidentId = inc.id;
    let org = super::keys::organisation(&system, inc.organisation.as_str()).await?;
    let pass = super::keys::passphrase_from_env_or_stdin().ok_or_else(|| {
        Failure::Input(format!(
            "export dossier: the dossier is signed with the keys of {}; give their passphrase in {} or on the first line of standard input",
            org.slug,
            super::keys::PASSPHRASE_VAR
        ))
    })?;
    vault.unlock(&org, &pass).await?;
    let outcome = vault
        .export_dossier(
            &system.acting_for(&org),
            &system.sees_everything(),
            &org,
            id,
            DossierOptions {
                working_copies: options.working_copies,
                with_metadata: options.with_metadata,
                tsa,
            },
            out,
        )
        .await
        .map_err(|e| match &tsa_url {
            Some(url) if is_time_stamp_failure(&e) => Failure::Other(format!(
                "export dossier: the time-stamp authority {url} failed, so no dossier was written to {}: {e}",
                out.display()
            )),
            _ => e.into(),
        })?;
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
    if let Some(info) = &outcome.timestamp {
        println!(
            "  time-stamped at {} by {} (serial {}, policy {})",
            info.gen_time, info.tsa_name, info.serial, info.policy
        );
    }
    Ok(())
}

fn is_time_stamp_failure(e: &kinga_app::evidence::EvidenceError) -> bool {
    matches!(
        e,
        kinga_app::evidence::EvidenceError::Vault(kinga_vault::VaultError::Timestamp(_))
    )
}

//! `kinga evidence derive`: a thumbnail or a blurred copy of an image original, sealed beside it.
use crate::cli::Db;
use crate::Failure;
use kinga_app::evidence::EvidenceError;
use kinga_app::System;
use kinga_vault::{Derivation, Region, VaultError};
use std::path::Path;

pub async fn run(
    db: &Db,
    id: &str,
    thumbnail: bool,
    size: u32,
    blur: Vec<Region>,
    out: Option<&Path>,
) -> Result<(), Failure> {
    let how = if thumbnail {
        Derivation::Thumbnail { size }
    } else if !blur.is_empty() {
        Derivation::Blur { regions: blur }
    } else {
        return Err(Failure::Input(
            "give --thumbnail or at least one --blur X,Y,W,H".into(),
        ));
    };
    let id: kinga_domain::evidence::EvidenceId = id
        .parse()
        .map_err(|_| Failure::Input(format!("'{id}' is not an evidence id")))?;
    let database = crate::database::open(db).await?;
    let system = database.system("evidence-derive");
    let item = system
        .evidence_item(id)
        .await?
        .ok_or_else(|| Failure::Input(format!("no evidence {id}")))?;
    let vault = database.vault();
    let org = super::keys::organisation(&system, item.organisation.as_str()).await?;
    let passphrase = super::keys::passphrase_from_env_or_stdin().ok_or_else(|| {
        Failure::Input(format!(
            "the original is decrypted to make the copy: give the passphrase of {} in {} or on the first line of standard input",
            org.slug,
            super::keys::PASSPHRASE_VAR
        ))
    })?;
    vault
        .unlock(&org, &passphrase)
        .await
        .map_err(|e| Failure::Input(e.to_string()))?;
    let made = vault
        .derive(
            &system.acting_for(&org),
            &system.sees_everything(),
            None,
            id,
            how,
        )
        .await
        .map_err(|e| match e {
            EvidenceError::Vault(v @ VaultError::Region { .. }) => {
                Failure::Input(format!("--blur: {v}"))
            }
            EvidenceError::Vault(v @ VaultError::Derive(_)) => Failure::Input(v.to_string()),
            other => other.into(),
        })?;
    if !made.created {
        eprintln!(
            "this copy was already made by {} at {}; nothing new was recorded",
            made.copy.created_by,
            made.copy.created_at.format("%Y-%m-%dT%H:%M:%SZ")
        );
    }
    if let Some(path) = out {
        write_out(&vault, &system, &org, &made.copy, path).await?;
    }
    println!("{} {}", made.copy.id, made.copy.sha256);
    Ok(())
}

/// Streams the copy into `path` through a temporary file beside it, so a failure leaves no
/// half-written file.
async fn write_out(
    vault: &kinga_app::evidence::Vault,
    system: &System,
    org: &kinga_domain::org::Organisation,
    copy: &kinga_domain::evidence::WorkingCopy,
    path: &Path,
) -> Result<(), Failure> {
    let opened = vault
        .open_copy(
            &system.acting_for(org),
            &system.sees_everything(),
            copy.evidence_id,
            copy.id,
            kinga_domain::evidence::CustodyKind::Download,
        )
        .await?;
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let fail = |e: std::io::Error| Failure::Input(format!("--out {}: {e}", path.display()));
        let tmp = path.with_extension("part");
        let mut reader = opened.reader;
        let mut f = std::fs::File::create(&tmp).map_err(fail)?;
        let copied = std::io::copy(&mut reader, &mut f).and_then(|_| f.sync_all());
        if let Err(e) = copied.and_then(|_| std::fs::rename(&tmp, &path)) {
            let _ = std::fs::remove_file(&tmp);
            return Err(fail(e));
        }
        Ok(())
    })
    .await
    .map_err(|e| Failure::Other(e.to_string()))?
}

//! `kinga verify-bundle`: checks a dossier with nothing but the zip and the public key file, so
//! a court, a mechanism or defence counsel can run it offline.
use crate::Failure;
use std::path::Path;

pub fn run(file: &Path, key: &Path) -> Result<(), Failure> {
    let key_text = std::fs::read_to_string(key)
        .map_err(|e| Failure::Input(format!("{}: {e}", key.display())))?;
    let public = kinga_vault::OrgPublicKeys::from_text(&key_text)
        .map_err(|e| Failure::Input(format!("{}: {e}", key.display())))?;
    let zip = std::fs::File::open(file)
        .map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, zip);
    match kinga_vault::verify_bundle(reader, &public) {
        Ok(report) => {
            let m = &report.manifest;
            println!(
                "{}: VALID\n  dossier of organisation {} on incident {} ({}), exported by {} at {}",
                file.display(),
                m.organisation,
                m.incident.id,
                m.incident.title,
                m.exported_by,
                m.exported_at
            );
            for line in &report.checked {
                println!("  ok: {line}");
            }
            Ok(())
        }
        Err(kinga_vault::VaultError::BundleInvalid { failures }) => {
            let mut msg = format!(
                "{}: NOT VALID ({} problem{})",
                file.display(),
                failures.len(),
                if failures.len() == 1 { "" } else { "s" }
            );
            for f in failures {
                msg.push_str("\n  failed: ");
                msg.push_str(&f);
            }
            Err(Failure::Broken(msg))
        }
        Err(e) => Err(Failure::Other(format!("{}: {e}", file.display()))),
    }
}

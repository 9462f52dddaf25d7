//! `kinga verify-bundle`: checks a dossier with nothing but the zip and the public key file, so
//! a court, a mechanism or defence counsel can run it offline.
use crate::Failure;
use std::path::Path;

pub fn run(file: &Path, key: &Path, tsa_cert: Option<&Path>) -> Result<(), Failure> {
    let trust = super::checkpoint::tsa_anchors(tsa_cert)?;
    let key_text = std::fs::read_to_string(key)
        .map_err(|e| Failure::Input(format!("{}: {e}", key.display())))?;
    let public = kinga_vault::OrgPublicKeys::from_text(&key_text)
        .map_err(|e| Failure::Input(format!("{}: {e}", key.display())))?;
    let zip = std::fs::File::open(file)
        .map_err(|e| Failure::Input(format!("{}: {e}", file.display())))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, zip);
    match kinga_vault::verify_bundle(reader, &public) {
        Ok(report) => {
            let tsa = tsa_trust(&report, trust.as_ref()).map_err(|e| {
                Failure::Broken(format!(
                    "{}: NOT VALID (1 problem)\n  failed: manifest.tsr: {e}",
                    file.display()
                ))
            })?;
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
            if let Some(line) = tsa {
                println!("  {line}");
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

/// The trust line for the dossier's time-stamp: checked against the anchors given, or said
/// plainly to be unchecked.
fn tsa_trust(
    report: &kinga_vault::BundleReport,
    trust: Option<&kinga_vault::timestamp::TrustAnchors>,
) -> Result<Option<String>, kinga_vault::VaultError> {
    match (&report.timestamp, trust) {
        (Some(info), Some(anchors)) => anchors.check(info).map(|ok| Some(format!("ok: {ok}"))),
        (Some(info), None) => Ok(Some(format!(
            "not checked: {}",
            super::checkpoint::untrusted_note(std::slice::from_ref(&info.tsa_certificate_sha256))
        ))),
        (None, Some(anchors)) => Ok(Some(format!(
            "note: the dossier carries no RFC 3161 time-stamp; {} had nothing to check",
            anchors.source
        ))),
        (None, None) => Ok(None),
    }
}

//! What `kinga verify-bundle` reads, on arbitrary bytes: the dossier zip (layout check, manifest,
//! signature, hashes, custody chains, index), and on the same bytes the public key file and an
//! RFC 3161 time-stamp token, the two other inputs of a verification.
#![no_main]

use kinga_vault::{timestamp, verify_bundle, OrgPublicKeys, VaultError};
use libfuzzer_sys::fuzz_target;
use std::io::Cursor;
use std::sync::OnceLock;

fn key() -> &'static OrgPublicKeys {
    static KEY: OnceLock<OrgPublicKeys> = OnceLock::new();
    KEY.get_or_init(|| kinga_fuzz::dossier_keys().public())
}

fuzz_target!(|data: &[u8]| {
    match verify_bundle(Cursor::new(data), key()) {
        Ok(report) => {
            let _ = (report.manifest.items.len(), report.checked.join("\n"));
        }
        Err(VaultError::BundleInvalid { failures }) => {
            let _ = failures.join("\n");
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(k) = OrgPublicKeys::from_text(text) {
            let _ = (k.signing_key_id(), k.to_text());
        }
    }
    if let Ok(info) = timestamp::verify_token(data, &[7; 32]) {
        let _ = info.tsa_name.len();
    }
});

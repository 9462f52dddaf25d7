//! What the fuzz targets and the seed corpus share.

/// The organisation key the dossier target verifies with, fixed so that the seed dossiers,
/// signed by it, pass every check and the fuzzer starts from a fully valid bundle.
pub fn dossier_keys() -> kinga_vault::OrgSecretKeys {
    let bytes: Vec<u8> = (0u8..64)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    kinga_vault::OrgSecretKeys::from_secret_bytes("fuzz-network", &bytes).expect("64 bytes")
}

//! Sealed field values: encrypted to the owning organisation's X25519 key (ephemeral X25519,
//! HKDF-SHA256, AES-256-GCM) before they reach the store, and bound to their place (record and
//! field) as associated data, so a ciphertext moved to another record does not open.
use crate::{OrgPublicKeys, OrgSecretKeys};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hkdf::Hkdf;
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

const PREFIX: &str = "ksf1.";
const INFO: &[u8] = b"kinga sealed field v1";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("a sealed value is damaged, moved, or not for this organisation's key")]
    Unreadable,
}

fn field_key(shared: &[u8; 32], eph: &[u8; 32], recipient: &[u8; 32]) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph);
    salt[32..].copy_from_slice(recipient);
    let mut key = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(INFO, &mut key[..])
        .expect("32 bytes is a valid HKDF length");
    key
}

/// Encrypts `value` for `to`; `place` (e.g. `report:<id>:witness_name`) must be given again to
/// open it.
pub fn seal(to: &OrgPublicKeys, place: &str, value: &str) -> String {
    let eph = StaticSecret::random_from_rng(OsRng);
    let eph_pub = PublicKey::from(&eph);
    let shared = eph.diffie_hellman(&PublicKey::from(to.encryption));
    let key = field_key(shared.as_bytes(), eph_pub.as_bytes(), &to.encryption);
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let ct = Aes256Gcm::new_from_slice(&key[..])
        .expect("32-byte key")
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: value.as_bytes(),
                aad: place.as_bytes(),
            },
        )
        .expect("AES-GCM encryption of a short value");
    let mut out = eph_pub.as_bytes().to_vec();
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    format!("{PREFIX}{}", B64.encode(out))
}

pub fn open(keys: &OrgSecretKeys, place: &str, sealed: &str) -> Result<String, SealError> {
    let raw = sealed
        .strip_prefix(PREFIX)
        .and_then(|b| B64.decode(b).ok())
        .filter(|b| b.len() > 32 + 12 + 16)
        .ok_or(SealError::Unreadable)?;
    let secret = keys.secret_bytes();
    let mut x = [0u8; 32];
    x.copy_from_slice(&secret[..32]);
    let own = StaticSecret::from(x);
    x.iter_mut().for_each(|b| *b = 0);
    let recipient = PublicKey::from(&own);
    let eph: [u8; 32] = raw[..32].try_into().expect("checked length");
    let shared = own.diffie_hellman(&PublicKey::from(eph));
    let key = field_key(shared.as_bytes(), &eph, recipient.as_bytes());
    let plain = Aes256Gcm::new_from_slice(&key[..])
        .expect("32-byte key")
        .decrypt(
            Nonce::from_slice(&raw[32..44]),
            Payload {
                msg: &raw[44..],
                aad: place.as_bytes(),
            },
        )
        .map_err(|_| SealError::Unreadable)?;
    String::from_utf8(plain).map_err(|_| SealError::Unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_with_its_key_and_in_its_place() {
        let keys = OrgSecretKeys::generate("irri");
        let other = OrgSecretKeys::generate("other");
        let s = seal(&keys.public(), "report:1:witness_name", "Amina");
        assert!(!s.contains("Amina"));
        assert_eq!(open(&keys, "report:1:witness_name", &s).unwrap(), "Amina");
        assert!(open(&keys, "report:2:witness_name", &s).is_err());
        assert!(open(&other, "report:1:witness_name", &s).is_err());
        assert_ne!(
            s,
            seal(&keys.public(), "report:1:witness_name", "Amina"),
            "fresh every time"
        );
    }
}

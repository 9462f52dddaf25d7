//! The key hierarchy. Each organisation holds an X25519 encryption key pair and an Ed25519 signing
//! key. Every sealed item has its own random data key, wrapped to the organisation's public
//! encryption key (ephemeral X25519 + HKDF-SHA256 + AES-256-GCM), so intake never needs the
//! organisation's secret. The secrets rest encrypted under a passphrase (Argon2id + AES-256-GCM).
use crate::{Result, VaultError};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::rngs::OsRng;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

const WRAP_INFO: &[u8] = b"kinga data key wrap v1";
const LOCK_FORMAT: &str = "kinga-org-secret-keys-v1";
const PUBLIC_HEADER: &str = "kinga-org-public-keys v1";

/// The per-item symmetric key. Never stored in the clear; zeroed when dropped.
#[derive(Clone)]
pub struct DataKey(pub(crate) [u8; 32]);

impl DataKey {
    pub fn generate() -> Self {
        let mut k = [0u8; 32];
        OsRng.fill_bytes(&mut k);
        DataKey(k)
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

/// A short, stable name for a public key: the first 16 hex digits of its SHA-256.
fn key_id(kind: &str, bytes: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update(bytes);
    hex::encode(&h.finalize()[..8])
}

/// What anyone may hold: intake wraps data keys to it, verifiers check signatures with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgPublicKeys {
    pub org: String,
    pub encryption: [u8; 32],
    pub signing: [u8; 32],
}

impl OrgPublicKeys {
    pub fn encryption_key_id(&self) -> String {
        key_id("x25519:", &self.encryption)
    }

    pub fn signing_key_id(&self) -> String {
        key_id("ed25519:", &self.signing)
    }

    /// Wraps a data key so that only the holder of this organisation's secret can unwrap it.
    pub fn wrap(&self, key: &DataKey) -> WrappedKey {
        let eph = StaticSecret::random_from_rng(OsRng);
        let eph_pub = PublicKey::from(&eph);
        let shared = eph.diffie_hellman(&PublicKey::from(self.encryption));
        let kek = wrapping_key(shared.as_bytes(), eph_pub.as_bytes(), &self.encryption);
        let key_id = self.encryption_key_id();
        let cipher = Aes256Gcm::new_from_slice(&kek[..]).expect("32-byte key");
        // The wrapping key is fresh for every wrap (new ephemeral), so a fixed nonce is safe.
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&[0u8; 12]),
                Payload {
                    msg: &key.0,
                    aad: key_id.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of 32 bytes");
        WrappedKey {
            key_id,
            ephemeral: *eph_pub.as_bytes(),
            ciphertext,
        }
    }

    /// Checks an Ed25519 signature made by this organisation's signing key.
    pub fn verify_signature(&self, message: &[u8], signature: &[u8]) -> Result<()> {
        let vk = VerifyingKey::from_bytes(&self.signing)
            .map_err(|e| VaultError::Key(format!("signing key of {}: {e}", self.org)))?;
        let sig = Signature::from_slice(signature)
            .map_err(|_| VaultError::Key("signature is not 64 bytes".into()))?;
        vk.verify(message, &sig).map_err(|_| {
            VaultError::Key(format!(
                "signature does not match signing key {} of {}",
                self.signing_key_id(),
                self.org
            ))
        })
    }

    /// The small text file a verifier needs (`kinga verify-bundle --key ORG.pub`).
    pub fn to_text(&self) -> String {
        format!(
            "{PUBLIC_HEADER}\norg: {}\nencryption-key-id: {}\nencryption-key: {}\nsigning-key-id: {}\nsigning-key: {}\n",
            self.org,
            self.encryption_key_id(),
            B64.encode(self.encryption),
            self.signing_key_id(),
            B64.encode(self.signing)
        )
    }

    pub fn from_text(text: &str) -> Result<Self> {
        let bad = |line: usize, message: String| VaultError::PublicKeyFile { line, message };
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, l)) if l.trim() == PUBLIC_HEADER => {}
            Some((i, l)) => {
                return Err(bad(
                    i + 1,
                    format!("expected `{PUBLIC_HEADER}`, found `{}`", l.trim()),
                ))
            }
            None => return Err(bad(1, "file is empty".into())),
        }
        let (mut org, mut enc, mut sig, mut enc_id, mut sig_id) = (None, None, None, None, None);
        for (i, line) in lines {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| bad(i + 1, "expected `name: value`".into()))?;
            let v = v.trim();
            let decode = |v: &str| -> Result<[u8; 32]> {
                let b = B64
                    .decode(v)
                    .map_err(|e| bad(i + 1, format!("{}: not base64 ({e})", k.trim())))?;
                b.try_into()
                    .map_err(|_| bad(i + 1, format!("{}: not a 32-byte key", k.trim())))
            };
            match k.trim() {
                "org" => org = Some(v.to_string()),
                "encryption-key" => enc = Some((i + 1, decode(v)?)),
                "signing-key" => sig = Some((i + 1, decode(v)?)),
                "encryption-key-id" => enc_id = Some(v.to_string()),
                "signing-key-id" => sig_id = Some(v.to_string()),
                other => return Err(bad(i + 1, format!("unknown field `{other}`"))),
            }
        }
        let last = text.lines().count();
        let keys = OrgPublicKeys {
            org: org.ok_or_else(|| bad(last, "missing `org`".into()))?,
            encryption: enc
                .ok_or_else(|| bad(last, "missing `encryption-key`".into()))?
                .1,
            signing: sig
                .ok_or_else(|| bad(last, "missing `signing-key`".into()))?
                .1,
        };
        if let Some(id) = enc_id {
            if id != keys.encryption_key_id() {
                return Err(bad(
                    enc.map(|e| e.0).unwrap_or(last),
                    format!(
                        "encryption-key-id {id} does not match the key (which is {})",
                        keys.encryption_key_id()
                    ),
                ));
            }
        }
        if let Some(id) = sig_id {
            if id != keys.signing_key_id() {
                return Err(bad(
                    sig.map(|e| e.0).unwrap_or(last),
                    format!(
                        "signing-key-id {id} does not match the key (which is {})",
                        keys.signing_key_id()
                    ),
                ));
            }
        }
        Ok(keys)
    }
}

fn wrapping_key(shared: &[u8], eph: &[u8], recipient: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph);
    salt[32..].copy_from_slice(recipient);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut out = Zeroizing::new([0u8; 32]);
    hk.expand(WRAP_INFO, &mut out[..]).expect("32 bytes");
    out
}

/// A data key wrapped to one organisation encryption key. Stored beside the item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrappedKey {
    pub key_id: String,
    pub ephemeral: [u8; 32],
    pub ciphertext: Vec<u8>,
}

impl fmt::Display for WrappedKey {
    /// `kwk1.<key id>.<base64(ephemeral || ciphertext)>`, one text column in the store.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut b = self.ephemeral.to_vec();
        b.extend_from_slice(&self.ciphertext);
        write!(f, "kwk1.{}.{}", self.key_id, B64.encode(b))
    }
}

impl std::str::FromStr for WrappedKey {
    type Err = VaultError;
    fn from_str(s: &str) -> Result<Self> {
        let bad = || VaultError::Key("wrapped key is not in the `kwk1.<id>.<base64>` form".into());
        let mut parts = s.trim().splitn(3, '.');
        if parts.next() != Some("kwk1") {
            return Err(bad());
        }
        let key_id = parts.next().ok_or_else(bad)?.to_string();
        let b = B64
            .decode(parts.next().ok_or_else(bad)?)
            .map_err(|_| bad())?;
        if b.len() != 32 + 48 {
            return Err(bad());
        }
        Ok(WrappedKey {
            key_id,
            ephemeral: b[..32].try_into().expect("32"),
            ciphertext: b[32..].to_vec(),
        })
    }
}

/// The organisation's secrets, in memory only while unlocked.
pub struct OrgSecretKeys {
    pub org: String,
    encryption: StaticSecret,
    signing: SigningKey,
}

impl fmt::Debug for OrgSecretKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OrgSecretKeys({}, …)", self.org)
    }
}

impl OrgSecretKeys {
    pub fn generate(org: &str) -> Self {
        OrgSecretKeys {
            org: org.to_string(),
            encryption: StaticSecret::random_from_rng(OsRng),
            signing: SigningKey::generate(&mut OsRng),
        }
    }

    pub fn public(&self) -> OrgPublicKeys {
        OrgPublicKeys {
            org: self.org.clone(),
            encryption: *PublicKey::from(&self.encryption).as_bytes(),
            signing: self.signing.verifying_key().to_bytes(),
        }
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    pub fn unwrap(&self, wrapped: &WrappedKey) -> Result<DataKey> {
        let public = self.public();
        let id = public.encryption_key_id();
        if wrapped.key_id != id {
            return Err(VaultError::Key(format!(
                "data key was wrapped for key {}, but the unlocked key of {} is {id}",
                wrapped.key_id, self.org
            )));
        }
        let shared = self
            .encryption
            .diffie_hellman(&PublicKey::from(wrapped.ephemeral));
        let kek = wrapping_key(shared.as_bytes(), &wrapped.ephemeral, &public.encryption);
        let cipher = Aes256Gcm::new_from_slice(&kek[..]).expect("32-byte key");
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    Nonce::from_slice(&[0u8; 12]),
                    Payload {
                        msg: &wrapped.ciphertext,
                        aad: wrapped.key_id.as_bytes(),
                    },
                )
                .map_err(|_| VaultError::Key(format!("wrapped data key for {id} is damaged")))?,
        );
        let mut k = [0u8; 32];
        k.copy_from_slice(&plain);
        Ok(DataKey(k))
    }

    /// Rotation: the data key moves to the new key set; the blob it encrypts is not touched.
    pub fn rewrap(&self, wrapped: &WrappedKey, to: &OrgPublicKeys) -> Result<WrappedKey> {
        Ok(to.wrap(&self.unwrap(wrapped)?))
    }

    /// The 64 secret bytes (X25519 secret, Ed25519 seed) that recovery shares split.
    pub fn secret_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut v = Zeroizing::new(Vec::with_capacity(64));
        v.extend_from_slice(self.encryption.as_bytes());
        v.extend_from_slice(self.signing.as_bytes());
        v
    }

    pub fn from_secret_bytes(org: &str, bytes: &[u8]) -> Result<Self> {
        if bytes.len() != 64 {
            return Err(VaultError::Key(format!(
                "secret key material is {} bytes, expected 64",
                bytes.len()
            )));
        }
        let mut e = [0u8; 32];
        let mut s = [0u8; 32];
        e.copy_from_slice(&bytes[..32]);
        s.copy_from_slice(&bytes[32..]);
        let keys = OrgSecretKeys {
            org: org.to_string(),
            encryption: StaticSecret::from(e),
            signing: SigningKey::from_bytes(&s),
        };
        e.zeroize();
        s.zeroize();
        Ok(keys)
    }

    pub fn lock(&self, passphrase: &str) -> Result<LockedKeys> {
        self.lock_with(passphrase, KdfParams::default())
    }

    pub fn lock_with(&self, passphrase: &str, kdf: KdfParams) -> Result<LockedKeys> {
        let mut salt = [0u8; 16];
        OsRng.fill_bytes(&mut salt);
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let public = self.public();
        let key = kdf.derive(passphrase, &salt)?;
        let aad = locked_aad(&public);
        let cipher = Aes256Gcm::new_from_slice(&key[..]).expect("32-byte key");
        let ciphertext = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &self.secret_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .expect("AES-GCM encryption");
        Ok(LockedKeys {
            format: LOCK_FORMAT.into(),
            org: self.org.clone(),
            encryption_key: B64.encode(public.encryption),
            signing_key: B64.encode(public.signing),
            kdf,
            salt: B64.encode(salt),
            nonce: B64.encode(nonce),
            ciphertext: B64.encode(ciphertext),
        })
    }
}

fn locked_aad(p: &OrgPublicKeys) -> String {
    format!(
        "{LOCK_FORMAT}|{}|{}|{}",
        p.org,
        p.encryption_key_id(),
        p.signing_key_id()
    )
}

/// Argon2id cost. The default follows the OWASP recommendation for interactive unlocking.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams {
            memory_kib: 64 * 1024,
            iterations: 3,
            parallelism: 1,
        }
    }
}

impl KdfParams {
    pub(crate) fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        let params =
            argon2::Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
                .map_err(|e| VaultError::Key(format!("Argon2id parameters: {e}")))?;
        let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut out = Zeroizing::new([0u8; 32]);
        a.hash_password_into(passphrase.as_bytes(), salt, &mut out[..])
            .map_err(|e| VaultError::Key(format!("Argon2id: {e}")))?;
        Ok(out)
    }
}

/// The organisation's secret keys at rest: safe to store in the database or a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedKeys {
    pub format: String,
    pub org: String,
    pub encryption_key: String,
    pub signing_key: String,
    pub kdf: KdfParams,
    pub salt: String,
    pub nonce: String,
    pub ciphertext: String,
}

impl LockedKeys {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serialisable")
    }

    pub fn from_json(text: &str) -> Result<Self> {
        let k: LockedKeys = serde_json::from_str(text)
            .map_err(|e| VaultError::Key(format!("locked key file: {e}")))?;
        if k.format != LOCK_FORMAT {
            return Err(VaultError::Key(format!(
                "locked key file: format `{}`, expected `{LOCK_FORMAT}`",
                k.format
            )));
        }
        Ok(k)
    }

    pub fn public(&self) -> Result<OrgPublicKeys> {
        let d = |field: &str, v: &str| -> Result<[u8; 32]> {
            B64.decode(v)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| VaultError::Key(format!("locked key file: bad `{field}`")))
        };
        Ok(OrgPublicKeys {
            org: self.org.clone(),
            encryption: d("encryption_key", &self.encryption_key)?,
            signing: d("signing_key", &self.signing_key)?,
        })
    }

    /// Wrong passphrase → [`VaultError::WrongPassphrase`], and nothing else happens.
    pub fn unlock(&self, passphrase: &str) -> Result<OrgSecretKeys> {
        let public = self.public()?;
        let field = |name: &str, v: &str| {
            B64.decode(v)
                .map_err(|_| VaultError::Key(format!("locked key file: bad `{name}`")))
        };
        let salt = field("salt", &self.salt)?;
        let nonce = field("nonce", &self.nonce)?;
        if nonce.len() != 12 {
            return Err(VaultError::Key("locked key file: bad `nonce`".into()));
        }
        let ct = field("ciphertext", &self.ciphertext)?;
        let key = self.kdf.derive(passphrase, &salt)?;
        let cipher = Aes256Gcm::new_from_slice(&key[..]).expect("32-byte key");
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &ct,
                        aad: locked_aad(&public).as_bytes(),
                    },
                )
                .map_err(|_| VaultError::WrongPassphrase {
                    org: self.org.clone(),
                })?,
        );
        let keys = OrgSecretKeys::from_secret_bytes(&self.org, &plain)?;
        if keys.public() != public {
            return Err(VaultError::Key(format!(
                "locked key file of {}: secret does not match its public keys",
                self.org
            )));
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fast() -> KdfParams {
        KdfParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn wrap_unwrap_and_rotation() {
        let old = OrgSecretKeys::generate("khrc");
        let new = OrgSecretKeys::generate("khrc");
        let dk = DataKey::generate();
        let w = old.public().wrap(&dk);
        let parsed: WrappedKey = w.to_string().parse().unwrap();
        assert_eq!(parsed, w);
        assert_eq!(old.unwrap(&parsed).unwrap().0, dk.0);
        let moved = old.rewrap(&w, &new.public()).unwrap();
        assert_eq!(new.unwrap(&moved).unwrap().0, dk.0);
        let err = old.unwrap(&moved).unwrap_err().to_string();
        assert!(err.contains("wrapped for key"), "{err}");
        let mut bad = w.clone();
        bad.ciphertext[3] ^= 1;
        assert!(old
            .unwrap(&bad)
            .unwrap_err()
            .to_string()
            .contains("damaged"));
    }

    #[test]
    fn passphrase_lock() {
        let keys = OrgSecretKeys::generate("khrc");
        let locked =
            LockedKeys::from_json(&keys.lock_with("correct horse", fast()).unwrap().to_json())
                .unwrap();
        let back = locked.unlock("correct horse").unwrap();
        assert_eq!(back.public(), keys.public());
        match locked.unlock("wrong horse") {
            Err(VaultError::WrongPassphrase { org }) => assert_eq!(org, "khrc"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn public_key_file_round_trip_and_errors() {
        let p = OrgSecretKeys::generate("khrc").public();
        assert_eq!(OrgPublicKeys::from_text(&p.to_text()).unwrap(), p);
        let broken = p
            .to_text()
            .replace("signing-key-id: ", "signing-key-id: 00");
        let err = OrgPublicKeys::from_text(&broken).unwrap_err().to_string();
        assert!(
            err.contains("line 6") && err.contains("signing-key-id"),
            "{err}"
        );
        let err = OrgPublicKeys::from_text("hello\n").unwrap_err().to_string();
        assert!(err.contains("line 1"), "{err}");
    }

    #[test]
    fn signatures() {
        let k = OrgSecretKeys::generate("khrc");
        let sig = k.sign(b"manifest");
        k.public().verify_signature(b"manifest", &sig).unwrap();
        assert!(k.public().verify_signature(b"manifesT", &sig).is_err());
    }
}

//! The evidence vault: originals hashed as they stream in, sealed under a fresh data key wrapped by
//! the owning organisation's key, stored by content address, and exported in signed bundles that a
//! court can verify offline.
//!
//! Map of the crate:
//! - [`intake`] / [`blob`]: streaming hash + encrypt into `root/ab/cd/<sha256>`, and reading back.
//! - [`keys`]: organisation key sets, data-key wrapping, passphrase locking, public key files.
//! - [`shamir`] / [`words`]: k-of-n recovery shares printed as words.
//! - [`media`], [`capture`], [`strip`], [`phash`]: MIME sniffing, EXIF, working copies, near-duplicates.
//! - [`derive`] ([`region`], [`blur`], [`thumbnail`]): thumbnails and copies with
//!   regions blurred for publication, sealed with their lineage.
//! - custody chains are the domain's (`kinga_domain::evidence`); bundles carry and check them.
//! - [`bundle`]: the signed legal dossier and its offline verifier.
//! - [`timestamp`]: RFC 3161 trusted timestamps.
//! - [`backup`]: encrypted backup archives of the database and the vault, with a manifest.
#![forbid(unsafe_code)]

pub mod backup;
pub mod blob;
pub mod blur;
pub mod bundle;
mod bundle_index;
pub mod capture;
pub mod derive;
mod error;
pub mod intake;
pub mod keys;
mod matroska;
pub mod media;
mod mp3;
mod ogg;
pub mod phash;
pub mod region;
pub mod sealed;
pub mod shamir;
pub mod strip;
pub mod thumbnail;
pub mod timestamp;
pub mod words;
mod zipcheck;

pub use blob::{
    blob_path, copy_blob, open_blob, verify_blob, verify_sealed_file, BlobLock, BlobReader,
};
pub use bundle::{
    verify_bundle, BundleItem, BundleReport, BundleWriter, ExportHeader, IncidentSummary, Manifest,
    ManifestItem, SealedBundle,
};
pub use capture::{capture_metadata, capture_metadata_sampled, CaptureMetadata, Gps};
pub use derive::{Derivation, Derived};
pub use error::VaultError;
pub use intake::{intake, seal, Intake, IntakeOptions};
pub use keys::{DataKey, KdfParams, LockedKeys, OrgPublicKeys, OrgSecretKeys, WrappedKey};
pub use media::{sniff, Inline, MediaType};
pub use phash::{hamming, PerceptualHash};
pub use region::{Rect, Region, Unit};
pub use shamir::Share;
pub use strip::{strip_metadata, Lineage, StrippedBytes};
pub use timestamp::{TimestampInfo, Tsa};

pub type Result<T, E = VaultError> = std::result::Result<T, E>;

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(bytes))
}

use std::path::PathBuf;

/// Everything the vault can refuse, each naming what it was looking at.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("reading the evidence stream: {0}")]
    Read(#[source] std::io::Error),
    #[error(
        "upload incomplete: expected {expected} bytes, received {received}; nothing was stored"
    )]
    Incomplete { expected: u64, received: u64 },
    #[error("evidence {item}: sealed blob is damaged or was altered ({detail})")]
    Tampered { item: String, detail: String },
    #[error("evidence {item}: content hash is {actual}, expected {expected}")]
    HashMismatch {
        item: String,
        expected: String,
        actual: String,
    },
    #[error("wrong passphrase for the keys of organisation {org}")]
    WrongPassphrase { org: String },
    #[error(
        "the file is larger than this vault takes ({limit} bytes at most); nothing was stored"
    )]
    TooLarge { limit: u64 },
    #[error("intake stopped: {0}; nothing was stored")]
    Interrupted(String),
    #[error("key: {0}")]
    Key(String),
    #[error("public key file, line {line}: {message}")]
    PublicKeyFile { line: usize, message: String },
    #[error("recovery shares: {0}")]
    Shares(String),
    #[error(transparent)]
    Custody(#[from] kinga_domain::evidence::CustodyBreak),
    #[error("image: {0}")]
    Image(String),
    #[error("metadata stripping: {0}")]
    Strip(String),
    /// A region to blur that does not fit the image; `field` is `x`, `y`, `w` or `h`.
    #[error("blur region {} ({field}): {message}", index + 1)]
    Region {
        index: usize,
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    Derive(String),
    #[error("time-stamp: {0}")]
    Timestamp(String),
    #[error("bundle: {0}")]
    Bundle(String),
    /// A backup key file, or a key or passphrase that does not open the archive.
    #[error("backup key: {0}")]
    BackupKey(String),
    #[error("{0}")]
    BackupDamaged(String),
    #[error("writing the backup archive: {0}")]
    BackupWrite(#[source] std::io::Error),
    #[error("reading the backup archive: {0}")]
    BackupRead(#[source] std::io::Error),
    #[error("bundle verification failed:\n  - {}", .failures.join("\n  - "))]
    BundleInvalid { failures: Vec<String> },
}

impl VaultError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        VaultError::Io {
            path: path.into(),
            source,
        }
    }
}

//! The sealed blob on disk and reading it back.
//!
//! Layout: a 32-byte header, then the content in chunks, each sealed with AES-256-GCM under the
//! item's data key (STREAM construction): nonce = 7-byte random prefix ‖ chunk counter (u32 BE) ‖
//! last-chunk flag, and the header as associated data. Reordering, dropping, truncating or
//! extending chunks, or editing the header, fails authentication.
use crate::keys::DataKey;
use crate::{Result, VaultError};
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

pub(crate) const MAGIC: &[u8; 8] = b"KINGAVLT";
pub(crate) const HEADER_LEN: usize = 32;
pub(crate) const TAG_LEN: usize = 16;
/// 1 MiB: large enough that per-chunk overhead vanishes, small enough to keep memory flat.
pub const DEFAULT_CHUNK: usize = 1 << 20;

/// Where the blob of content `sha256` lives under `root`: `root/ab/cd/<sha256>`.
/// Give each organisation its own root so that identical content in two organisations stays two
/// blobs under two keys.
pub fn blob_path(root: &Path, sha256: &str) -> PathBuf {
    let s = sha256.get(..4).unwrap_or("0000");
    root.join(&s[..2]).join(&s[2..4]).join(sha256)
}

pub(crate) fn header(chunk: u32, prefix: &[u8; 7]) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..8].copy_from_slice(MAGIC);
    h[8] = 1; // format version
    h[9] = 1; // AES-256-GCM STREAM
    h[12..16].copy_from_slice(&chunk.to_be_bytes());
    h[16..23].copy_from_slice(prefix);
    h
}

pub(crate) fn nonce(prefix: &[u8], counter: u32, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..7].copy_from_slice(&prefix[..7]);
    n[7..11].copy_from_slice(&counter.to_be_bytes());
    n[11] = last as u8;
    n
}

pub(crate) fn cipher(key: &DataKey) -> Aes256Gcm {
    Aes256Gcm::new_from_slice(&key.0).expect("32-byte key")
}

/// Opens the sealed blob of `sha256` for reading. `item` names the evidence in errors.
pub fn open_blob(
    root: &Path,
    sha256: &str,
    key: &DataKey,
    item: &str,
) -> Result<BlobReader<BufReader<File>>> {
    let path = blob_path(root, sha256);
    let file = File::open(&path).map_err(|e| VaultError::io(&path, e))?;
    BlobReader::new(BufReader::with_capacity(1 << 16, file), key, sha256, item)
}

/// Decrypts as it is read; the last read that reaches the end re-checks the SHA-256. Damage is
/// an `io::Error` of kind `InvalidData` wrapping a [`VaultError`].
pub struct BlobReader<R> {
    inner: R,
    cipher: Aes256Gcm,
    header: [u8; HEADER_LEN],
    counter: u32,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    hasher: Sha256,
    expected: String,
    item: String,
    done: bool,
}

impl<R: BufRead> BlobReader<R> {
    pub fn new(mut inner: R, key: &DataKey, sha256: &str, item: &str) -> Result<Self> {
        let tampered = |detail: &str| VaultError::Tampered {
            item: item.to_string(),
            detail: detail.to_string(),
        };
        let mut header = [0u8; HEADER_LEN];
        inner
            .read_exact(&mut header)
            .map_err(|_| tampered("header is missing"))?;
        if &header[..8] != MAGIC || header[8] != 1 || header[9] != 1 {
            return Err(tampered("not a sealed blob of a known format"));
        }
        let chunk = u32::from_be_bytes(header[12..16].try_into().expect("4")) as usize;
        if chunk == 0 || chunk > 64 << 20 {
            return Err(tampered("chunk size in header is implausible"));
        }
        Ok(BlobReader {
            inner,
            cipher: cipher(key),
            header,
            counter: 0,
            buf: vec![0u8; chunk + TAG_LEN],
            pos: 0,
            len: 0,
            hasher: Sha256::new(),
            expected: sha256.to_string(),
            item: item.to_string(),
            done: false,
        })
    }

    fn fail(&self, e: VaultError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }

    fn tampered(&self, detail: String) -> io::Error {
        self.fail(VaultError::Tampered {
            item: self.item.clone(),
            detail,
        })
    }

    fn next_chunk(&mut self) -> io::Result<()> {
        let mut got = 0;
        while got < self.buf.len() {
            let n = self.inner.read(&mut self.buf[got..])?;
            if n == 0 {
                break;
            }
            got += n;
        }
        if got < TAG_LEN {
            return Err(self.tampered(format!(
                "blob ends before its final chunk (after chunk {})",
                self.counter
            )));
        }
        let last = got < self.buf.len() || self.inner.fill_buf()?.is_empty();
        let n = got - TAG_LEN;
        let tag = Tag::clone_from_slice(&self.buf[n..got]);
        let nonce = nonce(&self.header[16..23], self.counter, last);
        if self
            .cipher
            .decrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                &self.header,
                &mut self.buf[..n],
                &tag,
            )
            .is_err()
        {
            return Err(self.tampered(format!(
                "chunk {} fails authentication (altered, reordered or truncated)",
                self.counter
            )));
        }
        self.hasher.update(&self.buf[..n]);
        self.pos = 0;
        self.len = n;
        self.counter = self.counter.wrapping_add(1);
        if last {
            self.done = true;
            let actual = hex::encode(self.hasher.finalize_reset());
            if actual != self.expected {
                return Err(self.fail(VaultError::HashMismatch {
                    item: self.item.clone(),
                    expected: self.expected.clone(),
                    actual,
                }));
            }
        }
        Ok(())
    }
}

impl<R: BufRead> Read for BlobReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.len {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.len - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decrypts the whole blob into `out`, returning its size; a damaged blob is a [`VaultError`]
/// naming the item, never partial success.
pub fn copy_blob(
    root: &Path,
    sha256: &str,
    key: &DataKey,
    item: &str,
    out: &mut impl Write,
) -> Result<u64> {
    let mut r = open_blob(root, sha256, key, item)?;
    io::copy(&mut r, out).map_err(unwrap_io)
}

/// Re-reads every byte of the blob with the key and checks it against its content address.
pub fn verify_blob(root: &Path, sha256: &str, key: &DataKey, item: &str) -> Result<u64> {
    copy_blob(root, sha256, key, item, &mut io::sink())
}

/// Without any key: checks the encrypted file against the `sealed_sha256` recorded at intake,
/// so `kinga verify` can re-hash every original while the organisation's passphrase is not in
/// memory.
pub fn verify_sealed_file(
    root: &Path,
    sha256: &str,
    sealed_sha256: &str,
    item: &str,
) -> Result<u64> {
    let path = blob_path(root, sha256);
    let mut f = File::open(&path).map_err(|e| VaultError::io(&path, e))?;
    let mut h = Sha256::new();
    let n = io::copy(&mut f, &mut h).map_err(|e| VaultError::io(&path, e))?;
    let actual = hex::encode(h.finalize());
    if actual != sealed_sha256 {
        return Err(VaultError::Tampered {
            item: item.to_string(),
            detail: format!("sealed file hash is {actual}, recorded {sealed_sha256}"),
        });
    }
    Ok(n)
}

pub(crate) fn unwrap_io(e: io::Error) -> VaultError {
    if e.get_ref()
        .is_some_and(<dyn std::error::Error + Send + Sync + 'static>::is::<VaultError>)
    {
        *e.into_inner()
            .expect("checked")
            .downcast::<VaultError>()
            .expect("checked")
    } else {
        VaultError::Read(e)
    }
}

/// Held while one content address is checked against the store, placed and recorded: two
/// intakes of the same bytes would otherwise interleave, one removing as "unrecorded" the blob
/// the other is about to record. An advisory lock on a file, so that the server and a command
/// writing to the same vault exclude each other too; addresses share 256 lock files.
#[derive(Debug)]
pub struct BlobLock(#[allow(dead_code)] File);

impl BlobLock {
    /// Waits for the lock of `sha256`'s address under `root`; blocking, so call it off the
    /// async threads.
    pub fn acquire(root: &Path, sha256: &str) -> Result<BlobLock> {
        let dir = root.join("locks");
        std::fs::create_dir_all(&dir).map_err(|e| VaultError::io(&dir, e))?;
        let path = dir.join(format!("{}.lock", sha256.get(..2).unwrap_or("00")));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| VaultError::io(&path, e))?;
        file.lock().map_err(|e| VaultError::io(&path, e))?;
        Ok(BlobLock(file))
    }
}
